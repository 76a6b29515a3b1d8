"""`make run` on another port writes links (messages, feeds) to the port it serves, unless PORTAL_BASE_URL is set."""

from caunoi.devstack.supervisor import with_portal_base_url


def test_links_use_the_served_port():
    env = with_portal_base_url({"PATH": "/bin"}, host="127.0.0.1", port=8123)
    assert env["PORTAL_BASE_URL"] == "http://127.0.0.1:8123"
    assert env["PATH"] == "/bin"


WILDCARD = "0.0.0.0"  # noqa: S104 - the address `make run --host` may be given, not bound here


def test_every_address_is_reached_through_the_loopback_one():
    assert with_portal_base_url({}, host=WILDCARD, port=8001)["PORTAL_BASE_URL"] == "http://127.0.0.1:8001"


def test_a_configured_base_url_wins():
    env = with_portal_base_url({"PORTAL_BASE_URL": "https://hoidap.example.vn"}, host="127.0.0.1", port=8123)
    assert env["PORTAL_BASE_URL"] == "https://hoidap.example.vn"
