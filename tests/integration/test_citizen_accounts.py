"""Citizens' own accounts: opening one, logging in with the email address, the list of requests sent while
logged in, and opening them without the access code (web and API). Nobody sees another person's cases."""

from __future__ import annotations

import re
import secrets

import pytest
from caunoi.accounts.models import Role, User
from caunoi.core.ratelimit import Limit
from django.test import Client
from rest_framework.test import APIClient

from tests.support.cases import submit_case

pytestmark = pytest.mark.django_db
PASSWORD = "mùa thu Hà Nội 2026"


def browser() -> Client:
    """A client from an address of its own: the per-address rate limits (counted in the shared Redis, also
    across runs) count each client apart."""
    return Client(REMOTE_ADDR=f"fd00::{secrets.token_hex(2)}:{secrets.token_hex(2)}", HTTP_ACCEPT_LANGUAGE="vi")


def register(client: Client, url: str = "/accounts/register/", **fields: str):
    data = {"full_name": "Nguyễn Thị Lan", "email": "Lan.Nguyen@Example.org", "password1": PASSWORD}
    return client.post(url, {**data, "password2": PASSWORD, **fields})


def citizen(email: str = "lan@example.org", name: str = "Nguyễn Thị Lan") -> User:
    given, family = name.rsplit(" ", 1)[1], name.rsplit(" ", 1)[0]
    user = User.objects.create_user(username=email, email=email, password=PASSWORD, first_name=given, last_name=family)
    assert user.role == Role.CITIZEN
    return user


def test_a_citizen_opens_an_account_and_is_logged_in(reference_data):
    client = browser()

    response = register(client)

    assert response.status_code == 302 and response["Location"] == "/my-cases/"
    user = User.objects.get()
    assert (user.username, user.email, user.role) == ("lan.nguyen@example.org", "lan.nguyen@example.org", Role.CITIZEN)
    assert (user.last_name, user.first_name, user.get_full_name()) == ("Nguyễn Thị", "Lan", "Nguyễn Thị Lan")
    page = client.get("/my-cases/").content.decode()
    assert "Tài khoản đã sẵn sàng" in page and 'href="/my-cases/" aria-current="page"' in page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"full_name": ""}, "full_name", "Nhập họ và tên."),
        ({"email": "lan"}, "email", "Nhập địa chỉ email dạng ten@example.com."),
        ({"password2": "khác hẳn 2026"}, "password2", None),
        ({"password1": "12345678", "password2": "12345678"}, "password1", None),
        ({"password1": "lan.nguyen", "password2": "lan.nguyen"}, "password1", None),
    ],
    ids=["no name", "bad email", "passwords differ", "weak password", "like the email"],
)
def test_bad_input_is_refused_field_by_field_and_nothing_is_created(reference_data, fields, field, message):
    response = register(browser(), **fields)

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field]
    if message:
        assert errors[field] == [message]
    assert 'id="error-summary"' in response.content.decode()
    assert not User.objects.exists()


def test_an_address_already_registered_in_any_case_is_refused(reference_data):
    citizen(email="lan.nguyen@example.org")

    response = register(browser())

    assert response.status_code == 400
    assert response.context["form"].errors["email"] == [
        "Địa chỉ email này đã có tài khoản. Vui lòng đăng nhập bằng tài khoản đó."
    ]
    assert User.objects.count() == 1


def test_registration_goes_on_to_a_safe_next_page_only(reference_data):
    assert register(browser(), "/accounts/register/?next=/submit/")["Location"] == "/submit/"
    response = register(browser(), "/accounts/register/?next=https://evil.example/", email="b@example.org")
    assert response["Location"] == "/my-cases/"


def test_too_many_new_accounts_from_one_address_are_refused(reference_data, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "register": Limit(1, 60)}
    client = browser()
    assert register(client, email="a@example.org").status_code == 302
    client.logout()

    response = register(client, email="b@example.org")

    assert response.status_code == 429
    assert "quá nhiều yêu cầu" in response.content.decode()
    assert User.objects.count() == 1


def test_a_citizen_logs_in_with_the_email_address_in_any_case(reference_data):
    citizen(email="lan@example.org")
    client = browser()

    response = client.post("/accounts/login/", {"username": " LAN@Example.org ", "password": PASSWORD})

    assert response.status_code == 302
    assert client.get("/my-cases/").status_code == 200


def test_my_requests_lists_only_the_cases_sent_from_the_account(reference_data):
    lan, other = citizen(), citizen(email="binh@example.org", name="Trần Văn Bình")
    mine = [submit_case(title=f"Câu hỏi số {n} của tôi", submitter=lan)[0] for n in range(21)]
    theirs, _ = submit_case(title="Câu hỏi của người khác", submitter=other)
    anonymous, _ = submit_case(title="Câu hỏi không đăng nhập")
    client = browser()
    client.force_login(lan)

    first, second = client.get("/my-cases/"), client.get("/my-cases/?page=2")

    listed = [row["case"].pk for row in first.context["rows"]] + [row["case"].pk for row in second.context["rows"]]
    assert listed == [case.pk for case in reversed(mine)]  # newest first, 20 then 1
    assert "21 hồ sơ" in first.content.decode()
    for page in (first, second):
        assert theirs.tracking_code not in page.content.decode()
        assert anonymous.tracking_code not in page.content.decode()
    assert client.get("/my-cases/?page=nonsense").status_code == 200  # an odd page number shows page 1


def test_my_requests_asks_for_login_first(reference_data):
    response = browser().get("/my-cases/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/my-cases/"


def test_the_owner_opens_a_case_without_its_access_code_and_nobody_else_does(reference_data):
    lan, other = citizen(), citizen(email="binh@example.org", name="Trần Văn Bình")
    case, _token = submit_case(submitter=lan)
    owner, stranger, anonymous = browser(), browser(), browser()
    owner.force_login(lan)
    stranger.force_login(other)
    url = f"/track/{case.tracking_code}/"

    assert owner.get(url).status_code == 200
    assert owner.post(f"{url}rating/", {"score": "5"}).status_code in {302, 409}  # reaches the rating service
    for client in (stranger, anonymous):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == f"/track/?code={case.tracking_code}"
        assert client.post(f"{url}rating/", {"score": "5"}).status_code == 404


def test_the_form_is_filled_in_with_a_citizens_name_and_address_only(reference_data, personas):
    client = browser()
    client.force_login(citizen())
    page = client.get("/submit/").content.decode()
    assert 'value="Nguyễn Thị Lan"' in page and 'value="lan@example.org"' in page

    # An official typing in a citizen's request must not send it under their own name by mistake.
    official = personas["official_a"]
    official.email = "official-a@agency.example"
    official.save()
    client.force_login(official)
    assert "official-a@agency.example" not in client.get("/submit/").content.decode()


def test_the_api_lists_the_clients_own_cases_and_opens_them_without_the_access_code(reference_data):
    lan, other = citizen(), citizen(email="binh@example.org", name="Trần Văn Bình")
    case, _ = submit_case(submitter=lan)
    theirs, _ = submit_case(submitter=other)
    api = APIClient()
    assert api.get("/api/v1/cases/mine/").status_code in {401, 403}
    api.force_authenticate(lan)

    listed = api.get("/api/v1/cases/mine/").json()

    assert listed["count"] == 1
    (row,) = listed["results"]
    assert row["tracking_code"] == case.tracking_code and row["agency"]["code"] == "SO-NNMT-HN"
    assert row["track_url"] == f"http://testserver/track/{case.tracking_code}/"
    assert api.get(f"/api/v1/cases/track/{case.tracking_code}/").status_code == 200
    assert api.get(f"/api/v1/cases/track/{theirs.tracking_code}/").status_code == 404
    assert api.get(f"/api/v1/cases/track/{theirs.tracking_code}/", HTTP_X_ACCESS_TOKEN="wrong").status_code == 404


def reset_link(message) -> str:
    (link,) = re.findall(r"http://testserver(/accounts/password-reset/[^/\s]+/[^/\s]+/)", message.body)
    return link


def test_a_forgotten_password_is_replaced_through_a_one_time_emailed_link(reference_data, mailoutbox):
    citizen(email="lan@example.org")
    client = browser()

    response = client.post("/accounts/password-reset/", {"email": "LAN@example.org"})

    assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/sent/"
    (message,) = mailoutbox
    assert message.to == ["lan@example.org"]
    assert message.subject == "Chọn mật khẩu mới cho Cầu Nối"
    link = reset_link(message)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    weak = client.post(form_page.request["PATH_INFO"], {"new_password1": "12345678", "new_password2": "12345678"})
    assert weak.status_code == 400 and weak.context["form"].errors["new_password2"]
    done = client.post(
        form_page.request["PATH_INFO"], {"new_password1": "sông Hồng 2027", "new_password2": "sông Hồng 2027"}
    )
    assert done.status_code == 302 and done["Location"] == "/accounts/password-reset/done/"
    assert (
        browser().post("/accounts/login/", {"username": "lan@example.org", "password": "sông Hồng 2027"}).status_code
        == 302
    )
    used = client.get(link, follow=True)
    assert used.context["validlink"] is False and "Đường dẫn này không còn dùng được" in used.content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_email(reference_data, mailoutbox):
    response = browser().post("/accounts/password-reset/", {"email": "nobody@example.org"})

    assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/sent/"
    assert mailoutbox == []


def test_password_reset_requests_are_limited_per_address(reference_data, settings, mailoutbox):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": Limit(1, 60)}
    citizen(email="lan@example.org")
    client = browser()
    assert client.post("/accounts/password-reset/", {"email": "lan@example.org"}).status_code == 302

    response = client.post("/accounts/password-reset/", {"email": "lan@example.org"})

    assert response.status_code == 429 and len(mailoutbox) == 1
    assert client.post("/accounts/password-reset/", {"email": "không phải email"}).status_code in {400, 429}


def test_a_logged_in_person_changes_their_password_after_giving_the_current_one(reference_data, personas):
    client = browser()
    client.force_login(citizen())
    assert browser().get("/accounts/password/")["Location"] == "/accounts/login/?next=/accounts/password/"

    wrong = client.post("/accounts/password/", {"old_password": "đoán bừa", "new_password1": "x", "new_password2": "x"})
    assert wrong.status_code == 400 and set(wrong.context["form"].errors) == {"old_password", "new_password2"}
    new = {"old_password": PASSWORD, "new_password1": "trăng rằm 2027", "new_password2": "trăng rằm 2027"}
    changed = client.post("/accounts/password/", new)

    assert changed.status_code == 302 and changed["Location"] == "/my-cases/"
    assert client.get("/my-cases/").status_code == 200  # still logged in
    assert (
        browser().post("/accounts/login/", {"username": "lan@example.org", "password": "trăng rằm 2027"}).status_code
        == 302
    )
    official = browser()
    official.force_login(personas["official_a"])
    staff_new = {**new, "old_password": "correct horse 42"}
    assert official.post("/accounts/password/", staff_new)["Location"] == "/"


def test_an_email_username_is_kept_and_matched_in_lower_case_however_the_account_was_made(reference_data):
    made_by_admin = User.objects.create_user(username="Chi.Tran@Agency.gov.vn", password=PASSWORD)
    assert made_by_admin.username == "chi.tran@agency.gov.vn"
    assert User.normalize_username(" Staff-Name ") == "Staff-Name"  # other usernames keep their case

    response = browser().post("/accounts/login/", {"username": "CHI.TRAN@agency.gov.vn", "password": PASSWORD})

    assert response.status_code == 302


def test_a_failed_login_answers_400_and_a_refused_address_429(reference_data, settings):
    citizen(email="lan@example.org")
    client = browser()
    assert client.post("/accounts/login/", {"username": "lan@example.org", "password": "sai"}).status_code == 400
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": Limit(1, 60)}
    client.post("/accounts/login/", {"username": "lan@example.org", "password": "sai"})

    assert client.post("/accounts/login/", {"username": "lan@example.org", "password": PASSWORD}).status_code == 429
