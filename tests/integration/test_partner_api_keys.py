"""Partner API keys: a partner portal's server relaying many citizens is limited per key, not per address;
a wrong or revoked key is refused; every request a key makes is logged; administrators issue and revoke
keys, which are stored hashed."""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlencode

import pytest
from caunoi.accounts.models import PartnerKey, PartnerKeyUse
from caunoi.accounts.partner_keys import partner_key_issue, partner_key_revoke
from caunoi.core.ratelimit import Limit
from django.test import Client
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

SUBMISSION = {
    "kind": "question",
    "title": "Hỏi về giấy phép xây dựng",
    "body": "Xin hỏi nhà ở riêng lẻ hai tầng có cần giấy phép xây dựng không?",
    "category": "xay-dung",
    "area": "tinh-01",
    "name": "Lê Văn Cường",
}


def address() -> str:
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


def citizen(n: int) -> dict[str, str]:
    # Each relayed submission is another citizen: people's own limits are not what is tested here.
    return {**SUBMISSION, "email": f"nguoi-{uuid.uuid4().hex[:8]}-{n}@example.vn"}


@pytest.fixture
def strict_limits(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "intake": Limit(2, 600), "intake:partner": Limit(6, 600)}


def test_a_partner_key_lifts_the_per_address_limit_and_has_its_own(reference_data, strict_limits):
    _row, key = partner_key_issue(name="Cổng thông tin tỉnh", by=None)
    where = address()
    partner = APIClient(REMOTE_ADDR=where, HTTP_X_API_KEY=key)
    neighbour = APIClient(REMOTE_ADDR=where)

    relayed = [partner.post("/api/v1/cases/", citizen(n), format="json").status_code for n in range(7)]
    alone = [neighbour.post("/api/v1/cases/", citizen(n), format="json").status_code for n in range(3)]

    assert relayed == [201] * 6 + [429]  # past the address's 2, up to the key's 6
    assert alone == [201, 201, 429]  # the address's own window is untouched by the key's requests


def test_a_key_may_carry_its_own_limit(reference_data, strict_limits):
    _row, key = partner_key_issue(name="Cổng nhỏ", by=None, rate_limit="3/600")
    partner = APIClient(REMOTE_ADDR=address(), HTTP_X_API_KEY=key)

    statuses = [partner.post("/api/v1/cases/", citizen(n), format="json") for n in range(4)]

    assert [r.status_code for r in statuses] == [201, 201, 201, 429]
    assert 1 <= int(statuses[-1]["Retry-After"]) <= 600


@pytest.mark.parametrize("which", ["unknown", "revoked", "malformed"])
def test_a_wrong_key_is_refused_in_json(reference_data, which):
    row, key = partner_key_issue(name="Cổng", by=None)
    if which == "revoked":
        partner_key_revoke(key=row)
    sent = {"unknown": key[:-4] + "abcd", "revoked": key, "malformed": "xyz"}[which]

    response = APIClient(HTTP_X_API_KEY=sent).post("/api/v1/cases/", SUBMISSION, format="json")

    assert response.status_code == 401
    assert "detail" in response.json()


def test_every_request_of_a_key_is_logged_with_what_it_created(reference_data):
    row, key = partner_key_issue(name="Cổng", by=None)
    partner = APIClient(HTTP_X_API_KEY=key)

    created = partner.post("/api/v1/cases/", citizen(1), format="json").json()
    partner.get("/api/v1/categories/")
    partner.post("/api/v1/cases/", {**SUBMISSION, "title": "x"}, format="json")

    uses = list(PartnerKeyUse.objects.filter(key=row).order_by("id"))
    assert [(u.method, u.route, u.status_code, u.object_ref) for u in uses] == [
        ("POST", "api-case-submit", 201, created["tracking_code"]),
        ("GET", "api-categories", 200, ""),
        ("POST", "api-case-submit", 400, ""),
    ]
    row.refresh_from_db()
    assert row.last_used_at is not None


def test_open311_takes_the_key_as_its_api_key(reference_data, strict_limits):
    row, key = partner_key_issue(name="Ứng dụng 311", by=None)
    client = Client(REMOTE_ADDR=address())
    data = {
        "api_key": key,
        "service_code": "dat-dai",
        "description": "Bãi đất trống cạnh chợ bị đổ phế thải xây dựng nhiều ngày nay, đề nghị kiểm tra.",
        "address_id": "tinh-01",
        "first_name": "Lê",
    }

    statuses = [
        client.post(
            "/open311/v2/requests.json",
            urlencode({**data, "email": f"a{n}@example.vn"}),
            content_type="application/x-www-form-urlencoded",
        ).status_code
        for n in range(3)
    ]

    assert statuses == [201, 201, 201]
    assert PartnerKeyUse.objects.filter(key=row, status_code=201).count() == 3


def test_an_administrator_issues_a_key_shown_once_and_stored_hashed(reference_data, personas):
    web = Client()
    web.force_login(personas["admin"])
    personas["admin"].is_staff = personas["admin"].is_superuser = True
    personas["admin"].save()

    response = web.post(
        "/admin/accounts/partnerkey/add/", {"name": "Cổng tỉnh Quảng Trị", "rate_limit": "100/3600"}, follow=True
    )

    shown = re.search(r"cnk_[0-9a-f]{8}_[\w-]+", response.content.decode())
    assert shown is not None
    key = shown.group(0)
    row = PartnerKey.objects.get()
    assert key not in row.key_hash and row.prefix in key and row.rate_limit == "100/3600"
    assert APIClient(HTTP_X_API_KEY=key).get("/api/v1/categories/").status_code == 200

    web.post(
        "/admin/accounts/partnerkey/",
        {"action": "revoke", "_selected_action": [row.pk]},
        follow=True,
    )

    assert APIClient(HTTP_X_API_KEY=key).get("/api/v1/categories/").status_code == 401


def test_an_unusable_limit_is_refused_beside_the_field(reference_data, personas):
    personas["admin"].is_staff = personas["admin"].is_superuser = True
    personas["admin"].save()
    web = Client()
    web.force_login(personas["admin"])

    response = web.post("/admin/accounts/partnerkey/add/", {"name": "Cổng", "rate_limit": "nhiều"})

    assert response.status_code == 200
    assert not PartnerKey.objects.exists()
