"""`make run`'s web server believes X-Forwarded-For only when told which proxy sends it: otherwise any local
client could claim another address and escape the per-address rate limits."""

from caunoi.devstack.supervisor import web_command


def test_proxy_headers_are_ignored_by_default():
    command = web_command("127.0.0.1", 8000, env={})
    assert "--no-proxy-headers" in command
    assert "--proxy-headers" not in command
    assert "--forwarded-allow-ips" not in command


def test_proxy_headers_are_trusted_from_the_configured_proxy_only():
    command = web_command("127.0.0.1", 8000, env={"FORWARDED_ALLOW_IPS": "10.0.0.5"})
    assert "--proxy-headers" in command
    assert command[command.index("--forwarded-allow-ips") + 1] == "10.0.0.5"
