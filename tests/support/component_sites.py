"""Component sites for integration tests: a parent portal with two component sites, and submitting a case
to one of them through the API or the web form."""

from __future__ import annotations

from caunoi.cases.models import Case
from caunoi.portals.models import Portal

HANOI = "hanoi.test"
PARENT = "congthongtin.test"
MINISTRY = "nnmt.test"


def make_sites(settings, reference_data) -> dict[str, Portal]:
    """The parent portal (default site), Hà Nội's (UBND-HN and below) and the ministry's (BO-NNMT and below)."""
    settings.ALLOWED_HOSTS = [".test", "testserver"]
    parent = Portal.objects.create(host=PARENT, name="Cổng thông tin Chính phủ", is_default=True)
    hanoi = Portal.objects.create(
        host=HANOI, name="Cổng Hà Nội", agency=reference_data["agencies"]["UBND-HN"], parent=parent
    )
    ministry = Portal.objects.create(
        host=MINISTRY, name="Bộ Nông nghiệp và Môi trường", agency=reference_data["agencies"]["BO-NNMT"], parent=parent
    )
    return {"parent": parent, "hanoi": hanoi, "ministry": ministry}


def submission(reference_data, *, category: str, area: str, title: str, body: str = "") -> dict[str, object]:
    return {
        "kind": "question",
        "title": title,
        "body": body or f"{title}. Xin cơ quan trả lời giúp tôi, cảm ơn.",
        "category": category,
        "area": area,
        "name": "Trần Thị Bình",
        "email": "binh@example.org",
        "consent_to_publish": False,
    }


def submit_by_api(client, host: str, data: dict[str, object]) -> Case:
    response = client.post("/api/v1/cases/", data, format="json", HTTP_HOST=host)
    assert response.status_code == 201, response.content
    return Case.objects.get(tracking_code=response.json()["tracking_code"])


def submit_by_form(client, host: str, data: dict[str, object]) -> Case:
    before = set(Case.objects.values_list("pk", flat=True))
    response = client.post("/submit/", {**data, "consent_to_publish": ""}, HTTP_HOST=host)
    assert response.status_code == 302, response.content.decode()[:2000]
    (case,) = Case.objects.exclude(pk__in=before)
    return case
