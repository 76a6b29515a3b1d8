"""A citizen who disagrees with the answer appeals from the track page in a real browser: a refusal is shown
beside the field with the text kept, then the appeal is sent and the page shows the reopened case."""

import pytest
from caunoi.cases.models import Case
from caunoi.cases.services import case_answer_draft, case_approve, case_claim, case_submit_for_review

from tests.support.browser import screenshot, serious_accessibility_violations
from tests.support.cases import submit_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_appeal_from_the_track_page(page, personas, reference_data):
    case, token = submit_case()
    case_claim(case=case, by=personas["official_a"])
    case_answer_draft(case=case, by=personas["official_a"], body="Hồ sơ gồm đơn đề nghị.")
    case_submit_for_review(case=case, by=personas["official_a"])
    case_approve(case=case, by=personas["leader"], version=1)

    page.goto(f"/track/?code={case.tracking_code}#token={token}")
    page.wait_for_url(f"**/track/{case.tracking_code}/")
    assert page.locator("#id_reason").is_visible()
    assert serious_accessibility_violations(page) == []

    page.fill("#id_reason", "   ")
    page.click(".appeal-box button[type=submit]")
    assert page.locator("#id_reason-error").is_visible()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "track-appeal-error")

    page.fill("#id_reason", "Câu trả lời chưa nói hồ sơ nộp ở đâu.")
    page.click(".appeal-box button[type=submit]")
    page.wait_for_url(f"**/track/{case.tracking_code}/")
    assert page.locator("#id_reason").count() == 0  # one appeal: the form is gone
    assert "Câu trả lời chưa nói hồ sơ nộp ở đâu." in page.content()
    assert Case.objects.get(pk=case.pk).status == "appealed"
    assert serious_accessibility_violations(page) == []
    screenshot(page, "track-appealed")
