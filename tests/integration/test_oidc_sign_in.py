"""Single sign-on against a real OpenID Connect provider on loopback (tests/support/oidc_provider.py): the
authorization code flow with PKCE, state and nonce; accounts found and made by (issuer, sub) only; linking;
the identity level on cases; and every way a provider's answer can be wrong ends on a clear page, not a 500."""

from __future__ import annotations

import datetime as dt
import time
import uuid

import pytest
import time_machine
from caunoi.accounts import two_factor
from caunoi.accounts.models import ExternalIdentity, Role, User
from caunoi.accounts.sso import client as sso_client
from caunoi.cases.models import Case
from django.test import Client
from django_otp.oath import totp
from joserfc.jwk import RSAKey

from tests.support.oidc_provider import LoopbackProvider, loopback_provider, pkce_matches, query_of

pytestmark = pytest.mark.django_db

SUBMISSION = {
    "kind": "question",
    "title": "Hỏi về giấy phép xây dựng",
    "body": "Xin hỏi nhà ở riêng lẻ hai tầng có cần giấy phép xây dựng không?",
    "category": "xay-dung",
    "area": "tinh-01",
    "name": "Lê Văn Cường",
}


@pytest.fixture
def provider(settings):
    with loopback_provider() as provider:
        settings.OIDC_ISSUER = provider.issuer
        settings.OIDC_CLIENT_ID = "cau-noi"
        settings.OIDC_CLIENT_SECRET = "secret"
        settings.OIDC_PROVIDER_NAME = "VNeID"
        sso_client._clients.clear()
        yield provider
    sso_client._clients.clear()


def start(web: Client, *, lang: str = "vi") -> str:
    """Our start address, as the login page's button: returns the provider's authorization address."""
    response = web.get("/accounts/sso/start/", HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 302, response.content[:500]
    assert response["Location"].startswith("http://127.0.0.1:")
    return response["Location"]


def come_back(web: Client, callback: str, *, lang: str = "vi"):
    parts = callback.split("testserver", 1)[1]
    return web.get(parts, HTTP_ACCEPT_LANGUAGE=lang)


def sign_in(web: Client, provider: LoopbackProvider, sub: str, *, lang: str = "vi"):
    return come_back(web, provider.consent(start(web, lang=lang), sub), lang=lang)


def logged_in_user(web: Client) -> User | None:
    user_id = web.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def test_a_first_login_makes_a_citizen_account_found_again_by_issuer_and_subject(provider):
    provider.set_user("079123456789", {"name": "Nguyễn Thị Lan", "acr": "2", "email": "lan@example.org"})
    web = Client()
    response = sign_in(web, provider, "079123456789")
    assert response.status_code == 302
    user = logged_in_user(web)
    assert user is not None and user.role == Role.CITIZEN
    assert (user.first_name, user.last_name) == ("Lan", "Nguyễn Thị")
    assert user.email == ""  # the provider did not say it checked the address
    assert not user.has_usable_password()
    link = ExternalIdentity.objects.get(user=user)
    assert (link.issuer, link.subject, link.last_level) == (provider.issuer, "079123456789", 2)

    again = Client()
    assert sign_in(again, provider, "079123456789").status_code == 302
    assert logged_in_user(again) == user
    assert User.objects.count() == 1


def test_the_flow_uses_pkce_state_and_nonce(provider):
    web = Client()
    url = start(web)
    authorize = query_of(url)
    assert authorize["code_challenge_method"] == "S256"
    assert authorize["state"] and authorize["nonce"]
    assert authorize["response_type"] == "code" and "openid" in authorize["scope"].split()
    assert come_back(web, provider.consent(url, "001")).status_code == 302
    assert pkce_matches(provider.token_requests[-1]["code_verifier"], authorize["code_challenge"])


def test_an_unverified_email_never_links_to_the_account_that_has_it(provider, personas):
    citizen = personas["citizen"]
    citizen.email = "citizen@example.org"
    citizen.save()
    provider.set_user("sub-unverified", {"email": "citizen@example.org", "name": "Kẻ Giả Danh"})
    web = Client()
    assert sign_in(web, provider, "sub-unverified").status_code == 302
    newcomer = logged_in_user(web)
    assert newcomer is not None and newcomer != citizen and newcomer.email == ""
    assert not ExternalIdentity.objects.filter(user=citizen).exists()


def test_a_verified_email_of_an_existing_account_asks_to_log_in_and_link(provider, personas):
    citizen = personas["citizen"]
    citizen.email = "citizen@example.org"
    citizen.save()
    provider.set_user("sub-verified", {"email": "citizen@example.org", "email_verified": True})
    web = Client()
    page = sign_in(web, provider, "sub-verified", lang="en")
    assert page.status_code == 409
    assert "Log in with its password, then link" in page.content.decode()
    assert logged_in_user(web) is None
    assert not ExternalIdentity.objects.exists()


def test_a_verified_email_nobody_has_becomes_the_new_accounts_address(provider):
    provider.set_user("sub-new", {"email": "Moi@Example.org", "email_verified": True, "name": "Phạm Minh"})
    web = Client()
    sign_in(web, provider, "sub-new")
    assert logged_in_user(web).email == "moi@example.org"


def test_a_logged_in_citizen_links_their_identity_and_logs_in_with_it_later(provider, personas):
    citizen = personas["citizen"]
    web = Client()
    web.force_login(citizen)
    provider.set_user("sub-link", {"acr": "urn:vneid:loa:1"})
    response = come_back(web, provider.consent(start(web), "sub-link"))
    assert response.status_code == 302
    link = ExternalIdentity.objects.get(subject="sub-link")
    assert link.user == citizen and link.last_level == 1
    listing = web.get("/accounts/sso/", HTTP_ACCEPT_LANGUAGE="vi")
    assert "VNeID" in listing.content.decode()

    later = Client()
    sign_in(later, provider, "sub-link")
    assert logged_in_user(later) == citizen


def test_an_identity_linked_to_another_account_is_not_linked_again(provider, personas):
    sign_in(Client(), provider, "sub-taken")  # makes its own account
    web = Client()
    web.force_login(personas["citizen"])
    page = come_back(web, provider.consent(start(web), "sub-taken"))
    assert page.status_code == 409
    assert ExternalIdentity.objects.get(subject="sub-taken").user != personas["citizen"]


def test_the_identity_level_is_recorded_on_cases_sent_while_logged_in(provider, reference_data, personas):
    provider.set_user("sub-case", {"acr": "2", "name": "Lê Văn Cường"})
    web = Client()
    sign_in(web, provider, "sub-case")
    sent = web.post("/api/v1/cases/", SUBMISSION, content_type="application/json")
    assert sent.status_code == 201, sent.content
    case = Case.objects.get(tracking_code=sent.json()["tracking_code"])
    assert (case.identity_provider, case.identity_level) == ("VNeID", 2)
    assert case.submitter == logged_in_user(web)

    official = Client()
    official.force_login(personas["official_b"] if case.agency.code == "BO-GDDT" else _official_of(case))
    page = official.get(f"/staff/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="vi")
    assert page.status_code == 200
    assert "Đăng nhập bằng VNeID, mức định danh 2" in page.content.decode()
    by_api = official.get(f"/api/v1/cases/{case.pk}/").json()
    assert (by_api["identity_provider"], by_api["identity_level"]) == ("VNeID", 2)

    password_login = Client()
    password_login.force_login(personas["citizen"])
    plain = password_login.post("/api/v1/cases/", SUBMISSION, content_type="application/json")
    plain_case = Case.objects.get(tracking_code=plain.json()["tracking_code"])
    assert (plain_case.identity_provider, plain_case.identity_level) == ("", None)


def _official_of(case: Case) -> User:
    from caunoi.agencies.models import Membership

    official = User.objects.create_user(username="official-of-case", password="x", role=Role.OFFICIAL)
    Membership.objects.create(user=official, agency=case.agency)
    return official


def test_a_forged_state_is_refused_with_a_page_in_vietnamese(provider):
    web = Client()
    callback = provider.consent(start(web), "sub-state")
    forged = callback.replace("state=", "state=x")
    page = come_back(web, forged)
    assert page.status_code == 400
    assert "Lượt đăng nhập này đã hết hạn" in page.content.decode()
    assert logged_in_user(web) is None


def test_a_replayed_callback_and_a_replayed_code_are_refused(provider):
    web = Client()
    callback = provider.consent(start(web), "sub-replay")
    assert come_back(web, callback).status_code == 302
    web.logout()
    assert come_back(web, callback).status_code == 400  # the state was used up

    # The same code with a fresh state of this browser: the provider refuses a code used once.
    fresh_state = query_of(start(web))["state"]
    code = query_of(callback)["code"]
    page = web.get(f"/accounts/sso/settings/callback/?code={code}&state={fresh_state}", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 400
    assert "did not pass our security checks" in page.content.decode()
    assert logged_in_user(web) is None


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda claims: {**claims, "nonce": "another-login"}, id="wrong nonce"),
        pytest.param(lambda claims: {**claims, "iss": "http://127.0.0.1:1"}, id="wrong issuer"),
        pytest.param(lambda claims: {**claims, "aud": "another-portal", "azp": "another-portal"}, id="wrong audience"),
        pytest.param(
            lambda claims: {**claims, "iat": int(time.time()) - 7200, "exp": int(time.time()) - 3600}, id="expired"
        ),
        pytest.param(lambda claims: {k: v for k, v in claims.items() if k != "nonce"}, id="no nonce"),
    ],
)
def test_an_id_token_that_fails_a_check_logs_nobody_in(provider, tamper):
    provider.tamper = tamper
    web = Client()
    page = sign_in(web, provider, "sub-tampered")
    assert page.status_code == 400
    assert "Không xác nhận được danh tính" in page.content.decode()
    assert logged_in_user(web) is None
    assert not User.objects.exists()


def test_an_id_token_signed_with_a_key_not_in_the_providers_jwks_is_refused(provider):
    provider.signing_key = RSAKey.generate_key(2048)
    web = Client()
    page = sign_in(web, provider, "sub-forged", lang="en")
    assert page.status_code == 400
    assert logged_in_user(web) is None


def test_refusing_at_the_provider_says_so(provider):
    web = Client()
    callback = provider.consent(start(web, lang="en"), "", deny=True)
    assert "error=access_denied" in callback
    page = come_back(web, callback, lang="en")
    assert page.status_code == 400
    assert "Login with VNeID was cancelled" in page.content.decode()


def test_a_login_left_too_long_at_the_provider_has_expired(provider, settings):
    settings.OIDC_STATE_MAX_AGE_SECONDS = 600
    web = Client()
    with time_machine.travel(dt.datetime.now(dt.UTC), tick=True) as traveller:
        callback = provider.consent(start(web), "sub-slow")
        traveller.shift(dt.timedelta(minutes=11))
        page = come_back(web, callback)
    assert page.status_code == 400
    assert "hết hạn" in page.content.decode()
    assert logged_in_user(web) is None


def test_an_unreachable_provider_is_a_clear_page_not_an_error(settings):
    settings.OIDC_ISSUER = "http://127.0.0.1:9"  # discard: nothing listens
    settings.OIDC_CLIENT_ID = "cau-noi"
    settings.OIDC_TIMEOUT_SECONDS = 2
    sso_client._clients.clear()
    page = Client().get("/accounts/sso/start/", HTTP_ACCEPT_LANGUAGE="vi")
    assert page.status_code == 502
    assert "VNeID" in page.content.decode()


def test_staff_still_give_their_second_factor_after_the_provider(provider, personas, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    official = personas["official_a"]
    device = two_factor.pending_device(official)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    assert two_factor.two_factor_confirm(user=official, code=code) is not None
    linking = Client()
    linking.force_login(official)
    come_back(linking, provider.consent(start(linking), "sub-official"))
    assert ExternalIdentity.objects.get(subject="sub-official").user == official

    provider.set_user("sub-official", {"acr": "2"})
    web = Client()
    response = sign_in(web, provider, "sub-official")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/code/"
    assert logged_in_user(web) is None
    device.refresh_from_db()
    device.last_t = -1  # the confirming code may be used again in this test's time step
    device.save()
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    after_code = web.post("/accounts/login/code/", {"otp_code": code})
    assert after_code.status_code == 302 and after_code["Location"] == "/"  # staff land on the home page
    assert logged_in_user(web) == official
    kept = web.session["sso_identity"]
    assert {name: kept[name] for name in ("user", "provider", "level")} == {
        "user": official.pk,
        "provider": "VNeID",
        "level": 2,
    }
    assert kept["id_token"].count(".") == 2  # after the second factor too: logging out can end the provider's session


def test_the_login_page_offers_the_provider_only_when_one_is_configured(provider, settings):
    page = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="vi")
    assert "Đăng nhập bằng VNeID" in page.content.decode()
    settings.OIDC_ISSUER = ""
    assert "/accounts/sso/start/" not in Client().get("/accounts/login/").content.decode()
    assert Client().get("/accounts/sso/start/").status_code == 404


def test_each_site_offers_the_provider_its_administrators_chose(settings, reference_data):
    from caunoi.accounts.models import IdentityProvider

    from tests.support.component_sites import HANOI, PARENT, make_sites

    settings.OIDC_ISSUER = ""  # nothing from settings: only the admin's choice per site
    sites = make_sites(settings, reference_data)
    with loopback_provider() as provider:
        row = IdentityProvider.objects.create(
            name="VNeID Hà Nội", issuer=provider.issuer, client_id="cong-ha-noi", client_secret="s"
        )
        sites["hanoi"].identity_provider = row
        sites["hanoi"].save()
        sso_client._clients.clear()

        assert "Đăng nhập bằng VNeID Hà Nội" in Client().get("/accounts/login/", HTTP_HOST=HANOI).content.decode()
        assert "/accounts/sso/start/" not in Client().get("/accounts/login/", HTTP_HOST=PARENT).content.decode()

        web = Client()
        authorize = web.get("/accounts/sso/start/", HTTP_HOST=HANOI)["Location"]
        assert query_of(authorize)["client_id"] == "cong-ha-noi"
        assert query_of(authorize)["redirect_uri"] == f"http://{HANOI}/accounts/sso/{row.pk}/callback/"
        callback = provider.consent(authorize, "sub-hanoi")
        assert web.get(callback.split(HANOI, 1)[1], HTTP_HOST=HANOI).status_code == 302
        assert ExternalIdentity.objects.get(subject="sub-hanoi").provider_name == "VNeID Hà Nội"

        row.is_active = False
        row.save()
        assert Client().get("/accounts/sso/start/", HTTP_HOST=HANOI).status_code == 404


def test_one_address_cannot_make_us_hammer_the_provider(provider, settings):
    from caunoi.core.ratelimit import Limit

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sso": Limit(2, 600)}
    web = Client(REMOTE_ADDR=_fresh_address())
    assert [web.get("/accounts/sso/start/").status_code for _ in range(2)] == [302, 302]
    refused = web.get("/accounts/sso/settings/callback/?code=x&state=y", HTTP_ACCEPT_LANGUAGE="vi")
    assert refused.status_code == 429
    assert refused["Retry-After"]
    assert Client(REMOTE_ADDR=_fresh_address()).get("/accounts/sso/start/").status_code == 302


def _fresh_address() -> str:  # the counters live in Redis for minutes: each test run its own addresses
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


def test_unlinking_never_leaves_an_account_without_a_way_in(provider, personas):
    sign_in(web := Client(), provider, "sub-only")
    only = ExternalIdentity.objects.get(subject="sub-only")
    refused = web.post("/accounts/sso/", {"unlink": only.pk}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "This is the only way into your account" in refused.content.decode()
    assert ExternalIdentity.objects.filter(pk=only.pk).exists()

    citizen = Client()
    citizen.force_login(personas["citizen"])
    assert citizen.post("/accounts/sso/", {"unlink": only.pk}).status_code == 302  # not theirs: nothing happens
    assert ExternalIdentity.objects.filter(pk=only.pk).exists()
    come_back(citizen, provider.consent(start(citizen), "sub-citizen"))
    mine = ExternalIdentity.objects.get(subject="sub-citizen")
    assert citizen.post("/accounts/sso/", {"unlink": mine.pk}).status_code == 302  # it has a password
    assert not ExternalIdentity.objects.filter(pk=mine.pk).exists()
    assert citizen.post("/accounts/sso/", {"unlink": "nonsense"}).status_code == 302


def test_the_citizens_download_holds_their_linked_identity_and_each_cases_level(provider, reference_data):
    import json

    provider.set_user("079200000002", {"acr": "2"})
    web = Client()
    sign_in(web, provider, "079200000002")
    assert web.post("/api/v1/cases/", SUBMISSION, content_type="application/json").status_code == 201
    download = web.post("/api/v1/cases/mine/personal-data/")
    assert download.status_code == 200
    data = json.loads(b"".join(download.streaming_content) if download.streaming else download.content)
    (linked,) = data["linked_identities"]
    assert (linked["provider"], linked["subject"], linked["identity_level_at_last_login"]) == (
        "VNeID",
        "079200000002",
        2,
    )
    assert data["cases"][0]["identity"] == {"provider": "VNeID", "level": 2}


@pytest.mark.parametrize(
    ("error", "status", "title"),
    [
        ("login_required", 400, "Login with VNeID was cancelled"),
        ("temporarily_unavailable", 502, "VNeID cannot be reached right now"),
        ("invalid_request", 400, "Your identity could not be confirmed"),
        ("x" * 5000, 400, "Your identity could not be confirmed"),
    ],
)
def test_each_error_the_provider_sends_back_gets_its_explanation(provider, error, status, title):
    web = Client()
    state = query_of(start(web))["state"]
    page = web.get(f"/accounts/sso/settings/callback/?error={error}&state={state}", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == status
    assert title in page.content.decode()
    # The state is used up: the same return again is refused as stale.
    again = web.get(f"/accounts/sso/settings/callback/?code=c&state={state}", HTTP_ACCEPT_LANGUAGE="en")
    assert "This login attempt has expired" in again.content.decode()


def test_the_page_to_return_to_is_only_ever_on_this_site(provider):
    web = Client()
    authorize = web.get("/accounts/sso/start/?next=https://evil.example/phish")["Location"]
    assert come_back(web, provider.consent(authorize, "sub-next"))["Location"] == "/my-cases/"
    again = Client()
    authorize = again.get("/accounts/sso/start/?next=/submit/")["Location"]
    assert come_back(again, provider.consent(authorize, "sub-next"))["Location"] == "/submit/"


def test_an_account_made_by_sign_on_sets_a_password_without_an_old_one(provider):
    provider.set_user("sub-newpass", {"name": "Trần Văn Bình", "email": "binh@example.org", "email_verified": True})
    sign_in(web := Client(), provider, "sub-newpass")
    user = logged_in_user(web)
    assert user is not None and not user.has_usable_password()
    page = web.get("/accounts/password/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert 'name="old_password"' not in page  # there is none to give
    assert 'name="new_password1"' in page
    assert "/accounts/password/" in web.get("/accounts/sso/").content.decode()  # offered where unlinking is

    mismatch = web.post("/accounts/password/", {"new_password1": "Ruộng lúa 2026!", "new_password2": "khác"})
    assert mismatch.status_code == 400  # the message beside the field; nothing changed
    user.refresh_from_db()
    assert not user.has_usable_password()

    done = web.post("/accounts/password/", {"new_password1": "Ruộng lúa 2026!", "new_password2": "Ruộng lúa 2026!"})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Ruộng lúa 2026!")
    assert logged_in_user(web) == user  # still logged in
    only = ExternalIdentity.objects.get(subject="sub-newpass")
    assert web.post("/accounts/sso/", {"unlink": only.pk}).status_code == 302  # now it has another way in
    assert not ExternalIdentity.objects.filter(pk=only.pk).exists()


def test_setting_a_first_password_needs_the_providers_proof_in_this_session(provider):
    provider.set_user("sub-proof", {"name": "Trần Văn Bình"})
    sign_in(web := Client(), provider, "sub-proof")
    user = logged_in_user(web)
    assert user is not None
    other = Client()
    other.force_login(user)  # a session that never went through the provider (no proof of who is there)
    response = other.post(
        "/accounts/password/", {"new_password1": "Ruộng lúa 2026!", "new_password2": "Ruộng lúa 2026!"}
    )
    assert response.status_code == 403
    user.refresh_from_db()
    assert not user.has_usable_password()


def _link_on(page: str, prefix: str) -> str:
    import html
    import re

    found = re.search(rf'href="({re.escape(prefix)}[^"]*)"', page)
    assert found, f"no link to {prefix} on the page"
    return html.unescape(found.group(1))


def test_logging_out_after_sign_on_offers_to_end_the_providers_session_too(provider):
    provider.set_user("sub-logout", {"name": "Phạm Thị Hoa"})
    sign_in(web := Client(), provider, "sub-logout")
    assert logged_in_user(web) is not None
    response = web.post("/accounts/logout/", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    assert logged_in_user(web) is None  # logged out here at once, whatever the person does next
    page = response.content.decode()
    assert "VNeID" in page
    link = query_of(_link_on(page, f"{provider.issuer}/oauth2/end_session"))
    assert link["id_token_hint"].count(".") == 2  # the ID token it issued, so it knows whose session ends
    assert link["client_id"] == "cau-noi"
    assert link["post_logout_redirect_uri"] == "http://testserver/"
    assert response["Cache-Control"].startswith("private") or "no-store" in response["Cache-Control"]


def test_logging_out_after_a_password_login_goes_home_as_before(provider, personas):
    web = Client()
    web.force_login(personas["citizen"])
    response = web.post("/accounts/logout/")
    assert response.status_code == 302 and logged_in_user(web) is None


def test_logging_out_when_the_provider_is_unreachable_still_logs_out(provider, settings):
    provider.set_user("sub-gone", {"name": "Phạm Thị Hoa"})
    sign_in(web := Client(), provider, "sub-gone")
    settings.OIDC_ISSUER = "http://127.0.0.1:9"  # nothing listens there
    sso_client._clients.clear()
    response = web.post("/accounts/logout/")
    assert response.status_code == 302 and logged_in_user(web) is None
