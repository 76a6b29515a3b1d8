"""The access code is a secret: it travels in POST bodies only, never in an address (server and proxy logs,
browser history, Referer headers), and the session forgets it once the confirmation page has shown it."""

from __future__ import annotations

import re
import signal
from pathlib import Path

import pytest
import requests
from caunoi.cases.models import Case
from caunoi.dialogues.testing import free_port, start_asgi_server
from django.contrib.sessions.models import Session
from django.db import connection

from tests.support.cases import submit_case

pytestmark = pytest.mark.django_db

FORM = {
    "kind": "feedback",
    "title": "Đèn đường hỏng ở ngõ 12",
    "body": "Đèn đường trước nhà số 5 ngõ 12 đã hỏng hai tuần nay, buổi tối rất tối.",
    "category": "xay-dung",
    "area": "tinh-01",
    "name": "Đỗ Thị Hoa",
    "email": "hoa@example.org",
}


def test_the_track_form_posts_and_opens_the_case(web, reference_data):
    case, token = submit_case()
    form = web.get("/track/").content.decode()
    assert re.search(r'<form method="post" action="/track/"', form)
    response = web.post("/track/", {"code": case.tracking_code.lower(), "token": token})
    assert response.status_code == 302 and response["Location"] == f"/track/{case.tracking_code}/"
    assert token not in response["Location"]
    assert web.get(response["Location"]).status_code == 200


def test_codes_in_the_address_open_nothing(web, reference_data):
    case, token = submit_case()
    page = web.get("/track/", {"code": case.tracking_code, "token": token}, follow=True)
    assert page.status_code == 200 and page.redirect_chain[-1][0] == f"/track/?code={case.tracking_code}"
    assert token not in page.content.decode()  # not even echoed back into the form
    assert f'value="{case.tracking_code}"' in page.content.decode()  # the tracking code alone is no secret
    legacy = web.get(f"/track/{case.tracking_code}/", {"token": token})
    assert legacy.status_code == 302 and token not in legacy["Location"]
    assert web.get(f"/track/{case.tracking_code}/").status_code == 302  # still not proved in this session


def test_bad_posts_keep_what_was_typed_and_say_what_is_wrong(web, reference_data):
    case, _token = submit_case()
    wrong = web.post("/track/", {"code": case.tracking_code, "token": "guess"}, HTTP_ACCEPT_LANGUAGE="en")
    assert wrong.status_code == 404
    assert "No case matches this tracking code and access code." in wrong.content.decode()
    assert f'value="{case.tracking_code}"' in wrong.content.decode()
    missing = web.post("/track/", {"code": case.tracking_code, "token": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert missing.status_code == 400 and "Enter the access code." in missing.content.decode()


def test_the_confirmation_link_carries_the_code_only_in_its_fragment_and_the_session_forgets_it(web, reference_data):
    web.post("/submit/", FORM)
    case = Case.objects.get()
    response = web.get("/submit/done/")
    assert "no-store" in response["Cache-Control"]  # the page holds the secret: no cache keeps it
    done = response.content.decode()
    token = re.search(r'id="access-code">([^<]+)<', done).group(1).strip()
    hrefs = re.findall(r'href="([^"]+)"', done)
    bookmark = next(href for href in hrefs if token in href)
    address, _hash, fragment = bookmark.partition("#")
    assert token not in address and fragment == f"token={token}"
    assert address.endswith(f"/track/?code={case.tracking_code}")
    # Shown once: the session no longer holds it, and the page does not show it again.
    assert not any(token in str(session.get_decoded()) for session in Session.objects.all())
    again = web.get("/submit/done/")
    assert again.status_code == 200 and token not in again.content.decode()
    assert case.tracking_code in again.content.decode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("log_format", ["plain", "json"])
def test_a_real_server_never_writes_the_access_code_to_its_log(reference_data, tmp_path: Path, log_format):
    case, token = submit_case()
    log = tmp_path / "server.log"
    port = free_port()
    server = start_asgi_server(
        port, database_name=connection.settings_dict["NAME"], log_path=log, extra_env={"LOG_FORMAT": log_format}
    )
    try:
        base = f"http://127.0.0.1:{port}"
        browser = requests.Session()
        form = browser.get(f"{base}/track/", params={"code": case.tracking_code}, timeout=10)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        tracked = browser.post(
            f"{base}/track/", data={"csrfmiddlewaretoken": csrf, "code": case.tracking_code, "token": token}, timeout=10
        )
        assert tracked.status_code == 200 and tracked.url == f"{base}/track/{case.tracking_code}/"
        assert case.title in tracked.text
        # An old bookmark with the code in its address: refused, and the log hides it all the same.
        browser.get(f"{base}/track/{case.tracking_code}/", params={"token": token}, timeout=10)
        browser.get(f"{base}/api/v1/cases/track/{case.tracking_code}/", headers={"X-Access-Token": token}, timeout=10)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=15)
        connection.close_pool()
    written = log.read_text()
    assert f"/track/{case.tracking_code}/" in written  # the access log did record the visits
    assert token not in written


def test_error_reports_hide_an_access_code_in_a_query_string():
    from caunoi.core.scrubbing import sentry_before_send

    event = {
        "request": {"url": "https://x.test/track/HD-2026-000001/?token=s3cr3t-Tok", "query_string": "token=abcDEF"}
    }
    text = str(sentry_before_send(event, {}))
    assert "s3cr3t-Tok" not in text and "abcDEF" not in text


@pytest.mark.parametrize("code", ["HD\x00-2026-000001", "x" * 5000, "HD-2026-000001' OR 1=1", "  "])
def test_odd_tracking_codes_get_a_clear_answer_never_a_500(web, api, reference_data, code):
    _case, token = submit_case()
    posted = web.post("/track/", {"code": code, "token": token})
    assert posted.status_code in {400, 404}
    assert api.get("/api/v1/cases/track/x%00y/", HTTP_X_ACCESS_TOKEN=token).status_code in {400, 404}
    assert web.get("/track/x%00y/").status_code in {302, 400, 404}
    withdraw = api.post("/api/v1/cases/track/x%00y/consent/withdraw/", HTTP_X_ACCESS_TOKEN=token)
    assert withdraw.status_code in {400, 404}
