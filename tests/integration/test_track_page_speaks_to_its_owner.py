"""The track page tells a logged-in owner their case is theirs wherever they log in, and tells anyone else who
opened it by its codes that it is linked to this browser only."""

import pytest

from tests.support.cases import submit_case

pytestmark = pytest.mark.django_db

ONLY_HERE = "chỉ mở được trên trình duyệt này"


def test_owner_is_not_told_only_in_this_browser(web, personas, reference_data):
    case, _token = submit_case(submitter=personas["citizen"])
    web.force_login(personas["citizen"])
    html = web.get(f"/track/{case.tracking_code}/").content.decode()
    assert case.title in html
    assert "Hồ sơ của tôi" in html and ONLY_HERE not in html


def test_a_visitor_with_the_codes_is_told_only_in_this_browser(web, reference_data):
    case, token = submit_case()
    web.post("/track/", {"code": case.tracking_code, "token": token})
    html = web.get(f"/track/{case.tracking_code}/").content.decode()
    assert ONLY_HERE in html
