"""Administrators configure single sign-on providers in the admin and choose one per portal site: the secret
is never shown back, the scopes must ask for openid, and linked identities are never typed in by hand."""

from __future__ import annotations

import pytest
from caunoi.accounts.models import IdentityProvider
from caunoi.portals.models import Portal
from caunoi.portals.selectors import site_for_host

pytestmark = pytest.mark.django_db

ADD = "/admin/accounts/identityprovider/add/"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def form(**changes) -> dict[str, object]:
    return {"name": "VNeID", "issuer": "https://sso.example.gov.vn", "client_id": "cau-noi",
            "client_secret": "s3cret", "scopes": "openid profile", "level_claim": "acr", "level_values": "{}",
            "is_active": "on", **changes}  # fmt: skip


def test_a_provider_is_added_its_secret_kept_and_never_shown_again(admin_client):
    assert admin_client.post(ADD, form()).status_code == 302
    provider = IdentityProvider.objects.get()
    assert provider.client_secret == "s3cret"
    change = f"/admin/accounts/identityprovider/{provider.pk}/change/"
    assert "s3cret" not in admin_client.get(change).content.decode()
    assert admin_client.post(change, form(client_secret="", client_id="cau-noi-2")).status_code == 302
    provider.refresh_from_db()
    assert (provider.client_id, provider.client_secret) == ("cau-noi-2", "s3cret")


def test_scopes_without_openid_are_refused_beside_the_field(admin_client):
    response = admin_client.post(ADD, form(scopes="profile email"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["scopes"] == ["The scopes must include openid."]


def test_a_portal_names_its_provider_and_its_pages_see_it_at_once(admin_client, settings):
    settings.ALLOWED_HOSTS = [".test", "testserver"]
    provider = IdentityProvider.objects.create(name="VNeID", issuer="https://sso.example.gov.vn", client_id="c")
    site = {"host": "hanoi.test", "name": "Cổng Hà Nội", "name_en": "", "is_active": "on",
            "primary_colour": "#0b3a66", "accent_colour": "#f9a825", "identity_provider": provider.pk}  # fmt: skip
    assert admin_client.post("/admin/portals/portal/add/", site).status_code == 302
    assert Portal.objects.get().identity_provider == provider
    assert site_for_host("hanoi.test").identity_provider_id == provider.pk


def test_linked_identities_cannot_be_added_by_hand(admin_client):
    assert admin_client.get("/admin/accounts/externalidentity/add/").status_code == 403
    assert admin_client.get("/admin/accounts/externalidentity/").status_code == 200
