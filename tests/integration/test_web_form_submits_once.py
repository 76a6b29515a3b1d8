"""The web form's submission key lives in the session: the same request sent again from the same browser
(Back, then Send) shows the first case; a different request afterwards is a new case."""

import pytest
from caunoi.cases.models import Case

pytestmark = pytest.mark.django_db

FORM = {"kind": "question", "title": "Hỏi về đất đai", "body": "Xin hỏi thủ tục cấp sổ đỏ.", "category": "dat-dai",
        "name": "Trần Hạnh"}  # fmt: skip


def _key(html: str) -> str:
    return html.split('name="submission_key" value="')[1].split('"')[0]


def test_back_and_send_again_then_a_new_request(web, reference_data):
    key = _key(web.get("/submit/").content.decode())
    assert web.post("/submit/", {**FORM, "submission_key": key}).status_code == 302
    first = Case.objects.get()
    again_key = _key(web.get("/submit/").content.decode())  # Back: the browser fetched the form again
    assert again_key == key
    assert web.post("/submit/", {**FORM, "submission_key": again_key}).status_code == 302
    assert Case.objects.count() == 1
    first_done = web.get("/submit/done/").content.decode()
    assert first.tracking_code in first_done and 'id="access-code"' in first_done
    again_key = _key(web.get("/submit/").content.decode())  # Back, and Send once more
    assert web.post("/submit/", {**FORM, "submission_key": again_key}).status_code == 302
    again = web.get("/submit/done/").content.decode()
    assert first.tracking_code in again and 'id="access-code"' not in again  # the access code was shown once

    other = {**FORM, "title": "Hỏi về giáo dục", "submission_key": _key(web.get("/submit/").content.decode())}
    assert web.post("/submit/", other).status_code == 302
    assert Case.objects.count() == 2
    assert Case.objects.latest("id").tracking_code in web.get("/submit/done/").content.decode()
