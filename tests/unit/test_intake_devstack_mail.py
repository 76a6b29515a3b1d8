"""`make run` starts the inbound mail server beside the web server and prints where it listens."""

from caunoi.devstack import supervisor


def test_the_mail_port_sits_beside_the_web_port(monkeypatch):
    monkeypatch.delenv("MAIL_SERVER_PORT", raising=False)
    assert supervisor.mail_port_for(8000) == 2525
    assert supervisor.mail_port_for(8001) == 25526  # a second `make run` on another port does not collide
    monkeypatch.setenv("MAIL_SERVER_PORT", "2626")
    assert supervisor.mail_port_for(8000) == 2626


def test_the_mail_server_never_listens_on_every_address_by_default():
    assert supervisor._mail_host("0.0.0.0") == "127.0.0.1"  # noqa: S104 - the wildcard is what is tested
    assert supervisor._mail_host("127.0.0.2") == "127.0.0.2"


def test_the_banner_names_the_inbound_mail_address(capsys, monkeypatch):
    monkeypatch.delenv("INTAKE_MAIL_ADDRESS", raising=False)
    supervisor._print_banner("http://127.0.0.1:8000", mail="127.0.0.1:2525")
    printed = capsys.readouterr().out
    assert "Inbound mail:  smtp://127.0.0.1:2525 (send to gopy@caunoi.local" in printed
    assert "Outbound mail: printed here" in printed
