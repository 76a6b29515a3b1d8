"""Open311 GeoReport v2's parameters, checked: the list filters, and a POST's fields mapped onto intake's.

Every problem is reported at once, each starting with the Open311 parameter at fault.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from caunoi.agencies.models import Category
from caunoi.cases.models import Kind

# Our intake's field → the Open311 parameter a client sent it in (for error messages).
OPEN311_PARAMETER = {
    "kind": "attribute[kind]",
    "title": "description",
    "body": "description",
    "category": "service_code",
    "area": "address_id",
    "name": "first_name",
    "email": "email",
    "phone": "phone",
    "consent_to_publish": "attribute[consent_to_publish]",
}
# What a GeoReport v2 POST may carry (the specification's list; `attribute[...]` per service definition).
POST_PARAMETERS = frozenset(
    {
        "api_key", "jurisdiction_id", "service_code", "lat", "long", "address_string", "address_id", "email",
        "device_id", "account_id", "first_name", "last_name", "phone", "description", "media_url",
    }
)  # fmt: skip
ATTRIBUTES = ("kind", "consent_to_publish")
TITLE_LENGTH = 120
MAX_IDS = 100


class Open311Error(Exception):
    def __init__(self, problems: list[str], status_code: int = 400) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
        self.status_code = status_code


@dataclass
class ListQuery:
    statuses: set[str]
    ids: list[str] | None
    categories: list[Category] | None
    start: dt.datetime | None
    end: dt.datetime | None


def list_query(params: Any) -> ListQuery:
    """The GET requests.json parameters, checked. Raises Open311Error with every problem at once."""
    problems: list[str] = []
    statuses = {s.strip() for s in params.get("status", "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        problems.append(_("status: Use open or closed."))
    codes = [c.strip() for c in params.get("service_code", "").split(",") if c.strip()]
    categories = list(Category.objects.filter(slug__in=codes, is_active=True))
    for code in sorted(set(codes) - {c.slug for c in categories}):
        problems.append(_("service_code: Unknown service “%(code)s”.") % {"code": code})
    start = _parse_moment(params.get("start_date"), "start_date", problems)
    end = _parse_moment(params.get("end_date"), "end_date", problems, end_of_day=True)
    if start and end and start > end:
        problems.append(_("end_date: The end date is before the start date."))
    ids = [i.strip() for i in params.get("service_request_id", "").split(",") if i.strip()] or None
    if ids is not None and len(ids) > MAX_IDS:
        problems.append(_("service_request_id: Ask for at most %(count)d requests at once.") % {"count": MAX_IDS})
    if problems:
        raise Open311Error(problems)
    return ListQuery(statuses=statuses, ids=ids, categories=categories or None, start=start, end=end)


def _one(data: Any, name: str) -> str:
    value = data.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def intake_data(data: Any) -> tuple[dict[str, Any], list[str], list[str]]:
    """Open311 parameters → what the intake validator reads, the lines to add to the text for the agency
    (location, media link), and the problems only Open311 can have (parameters it does not define,
    location, coordinates)."""
    problems: list[str] = [
        _("%(name)s: Unknown parameter.") % {"name": name}
        for name in sorted(str(key) for key in data)
        if name not in POST_PARAMETERS and name not in {f"attribute[{a}]" for a in ATTRIBUTES}
    ]
    description = _one(data, "description")
    address = _one(data, "address_string")
    lat, long = _one(data, "lat"), _one(data, "long")
    if (lat or long) and not _coordinates_valid(lat, long):
        problems.append(_("lat: Send latitude and longitude as decimal degrees (lat -90 to 90, long -180 to 180)."))
    if not (address or _one(data, "address_id") or (lat and long)):
        problems.append(_("address_string: Give a location: address_string, address_id, or lat and long."))
    extra = []
    if address or (lat and long):
        place = ", ".join(p for p in (address, f"{lat}, {long}" if lat and long else "") if p)
        extra.append(_("Location: %(place)s") % {"place": place})
    if _one(data, "media_url"):
        extra.append(_("Media: %(url)s") % {"url": _one(data, "media_url")[:500]})
    fields = {
        "kind": _one(data, "attribute[kind]") or Kind.FEEDBACK,
        "title": _title(description),
        "body": description,
        "category": _one(data, "service_code"),
        "area": _one(data, "address_id") or None,
        "name": " ".join(p for p in (_one(data, "first_name"), _one(data, "last_name")) if p),
        "email": _one(data, "email"),
        "phone": _one(data, "phone"),
        "consent_to_publish": _one(data, "attribute[consent_to_publish]") or False,
    }
    return fields, extra, problems


def _title(description: str) -> str:
    """Open311 has no title: the start of the description, cut at a word before TITLE_LENGTH."""
    text = " ".join(description.split())
    if len(text) <= TITLE_LENGTH:
        return text
    return text[:TITLE_LENGTH].rsplit(" ", 1)[0] + "…"


def _coordinates_valid(lat: str, long: str) -> bool:
    try:
        latitude, longitude = float(lat), float(long)
    except ValueError:
        return False
    return math.isfinite(latitude) and math.isfinite(longitude) and abs(latitude) <= 90 and abs(longitude) <= 180


def flatten(errors: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    for field, messages in errors.items():
        if field == "title" and "body" in errors:
            continue  # both come from the description: say it once
        parameter = OPEN311_PARAMETER.get(field, field)
        for message in messages if isinstance(messages, list) else [messages]:
            problems.append(f"{parameter}: {message}")
    return problems


def _parse_moment(value: str | None, name: str, problems: list[str], *, end_of_day: bool = False) -> Any:
    """An ISO 8601 date-time (a date alone means the start, or end, of that day in Vietnam)."""
    if not value:
        return None
    try:
        moment = parse_datetime(value.strip())
        if moment is None:
            day = parse_date(value.strip())
            if day is not None:
                moment = dt.datetime.combine(day, dt.time.max if end_of_day else dt.time.min)
    except ValueError:
        moment = None
    if moment is None:
        problems.append(_("%(name)s: Use an ISO 8601 date, e.g. 2026-05-01T00:00:00+07:00.") % {"name": name})
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)  # the portal's time zone (Vietnam)
    return moment
