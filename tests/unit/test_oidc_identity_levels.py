"""The identity level read from a provider's claim: a mapped value, a number, a value ending in one."""

import pytest
from caunoi.accounts.sso.config import ProviderConfig, identity_level

CONFIG = ProviderConfig(
    key="settings",
    name="VNeID",
    issuer="https://sso.example.gov.vn",
    client_id="cau-noi",
    client_secret="",
    scopes="openid",
    level_claim="acr",
    level_values={"http://vneid.gov.vn/muc-cao": 2},
)


@pytest.mark.parametrize(
    ("claims", "level"),
    [
        ({"acr": "2"}, 2),
        ({"acr": 1}, 1),
        ({"acr": "urn:vneid:loa:2"}, 2),
        ({"acr": "loa-1"}, 1),
        ({"acr": "http://vneid.gov.vn/muc-cao"}, 2),
        ({"acr": "basic"}, None),
        ({"acr": True}, None),
        ({"acr": 500}, None),
        ({}, None),
        ({"level": "2"}, None),  # another claim than the configured one says nothing
    ],
)
def test_identity_level(claims, level):
    assert identity_level(claims, CONFIG) == level
