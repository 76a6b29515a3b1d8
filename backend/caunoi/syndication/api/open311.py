"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) so existing Open311 clients work.

- `GET services.json`: our categories as services.
- `POST requests.json`: a new case through the same intake as the web form and the API (the same
  validator, `CaseSubmitSerializer`, and `case_submit`, channel `open311`). Returns the tracking code as
  `service_request_id` and, beyond the standard, the secret `access_token` the citizen tracks it with.
- `GET requests.json`, `GET requests/<id>.json`: published items as closed service requests (by slug, or
  by the tracking code a client was given when posting, once the answer is published).

Errors are Open311's: a JSON list of `{"code", "description"}`, one per problem, the description starting
with the Open311 parameter at fault (`service_code: Unknown category “x”.`).
JSON only: the XML format of the standard is not offered (`.xml` URLs do not exist).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caunoi.agencies.models import Category
from caunoi.cases.api.serializers import CaseSubmitSerializer, submit_validated
from caunoi.cases.models import Channel, Kind
from caunoi.core.parsers import JSONParser
from caunoi.publication.models import PublishedItem

from ..events import item_url
from ..selectors import published_for_open311, published_item_for_open311
from .open311_serializers import (
    CreatedSerializer,
    ServiceRequestInput,
    ServiceRequestSerializer,
    ServiceSerializer,
)

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
TITLE_LENGTH = 120
MAX_IDS = 100


# Open311 errors are a list; drf-spectacular shows a serializer with many=True on an error status as one
# object, so the list is spelled out.
OPEN311_ERRORS = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
        "required": ["code", "description"],
    },
}


class Open311Error(Exception):
    def __init__(self, problems: list[str], status_code: int = 400) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
        self.status_code = status_code


def errors_response(problems: list[str], status_code: int = 400) -> Response:
    return Response([{"code": status_code, "description": p} for p in problems], status=status_code)


class Open311View(APIView):
    """No session authentication (Open311 clients are anonymous: no CSRF token to ask them for)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]
    parser_classes = [FormParser, MultiPartParser, JSONParser]

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, Open311Error):
            return errors_response(exc.problems, exc.status_code)
        if isinstance(exc, exceptions.APIException):
            return errors_response([str(exc.detail)], exc.status_code)
        return super().handle_exception(exc)


class ServicesView(Open311View):
    @extend_schema(summary="Open311: services (our categories)", responses={200: ServiceSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(
            [
                {
                    "service_code": category.slug,
                    "service_name": category.display_name,
                    "description": category.display_name,
                    "metadata": False,
                    "type": "realtime",
                    "keywords": "",
                    "group": "",
                }
                for category in Category.objects.filter(is_active=True).order_by("name")
            ]
        )


class RequestsView(Open311View):
    @extend_schema(
        summary="Open311: published answers as closed service requests",
        parameters=[
            OpenApiParameter("service_request_id", str, description="Comma-separated slugs or tracking codes."),
            OpenApiParameter("service_code", str),
            OpenApiParameter("start_date", str, description="ISO 8601; by the date the request was received."),
            OpenApiParameter("end_date", str),
            OpenApiParameter("status", str, description="open, closed or both (comma-separated)."),
        ],
        responses={200: ServiceRequestSerializer(many=True), 400: OPEN311_ERRORS},
    )
    def get(self, request: Request) -> Response:
        query = _list_query(request.query_params)
        if query.statuses and "closed" not in query.statuses:
            return Response([])  # only answered (closed) requests are public
        items = published_for_open311(ids=query.ids, category=query.category, start=query.start, end=query.end)
        return Response([service_request(item) for item in items])

    @extend_schema(
        summary="Open311: send a request (a case through the intake)",
        request={"application/x-www-form-urlencoded": ServiceRequestInput, "application/json": ServiceRequestInput},
        responses={201: CreatedSerializer(many=True), 400: OPEN311_ERRORS},
    )
    def post(self, request: Request) -> Response:
        if not isinstance(request.data, dict):  # a JSON list or scalar: Open311 sends named parameters
            raise Open311Error([_("description: Send the parameters by name (form fields or a JSON object).")])
        data, extra, problems = _intake_data(request.data)
        serializer = CaseSubmitSerializer(data=data)
        valid = serializer.is_valid()
        if not valid or problems:
            raise Open311Error(problems + (_flatten(serializer.errors) if not valid else []))
        # The description was validated as the text; the location and media link are added for the agency.
        serializer.validated_data["body"] = "\n\n".join([serializer.validated_data["body"], *extra])
        submitted = submit_validated(serializer, channel=Channel.OPEN311, user=None)
        case = submitted.case
        notice = _("Received by %(agency)s. Keep the access code to follow your request.") % {
            "agency": case.agency.display_name
        }
        return Response(
            [
                {
                    "service_request_id": case.tracking_code,
                    "service_notice": notice,
                    "account_id": None,
                    "access_token": submitted.access_token,
                    "expected_datetime": case.due_at.isoformat() if case.due_at else None,
                }
            ],
            status=status.HTTP_201_CREATED,
        )


class RequestDetailView(Open311View):
    @extend_schema(
        summary="Open311: one published request",
        responses={200: ServiceRequestSerializer(many=True), 404: OPEN311_ERRORS},
    )
    def get(self, request: Request, request_id: str) -> Response:
        item = published_item_for_open311(request_id)
        if item is None:
            raise Open311Error([_("service_request_id: No published request has this id.")], status_code=404)
        return Response([service_request(item)])


@dataclass
class ListQuery:
    statuses: set[str]
    ids: list[str] | None
    category: Category | None
    start: dt.datetime | None
    end: dt.datetime | None


def _list_query(params: Any) -> ListQuery:
    """The GET requests.json parameters, checked. Raises Open311Error with every problem at once."""
    problems: list[str] = []
    statuses = {s.strip() for s in params.get("status", "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        problems.append(_("status: Use open or closed."))
    category = None
    if params.get("service_code"):
        category = Category.objects.filter(slug=params["service_code"].strip(), is_active=True).first()
        if category is None:
            problems.append(_("service_code: Unknown service “%(code)s”.") % {"code": params["service_code"]})
    start = _parse_moment(params.get("start_date"), "start_date", problems)
    end = _parse_moment(params.get("end_date"), "end_date", problems, end_of_day=True)
    if start and end and start > end:
        problems.append(_("end_date: The end date is before the start date."))
    ids = [i.strip() for i in params.get("service_request_id", "").split(",") if i.strip()] or None
    if ids is not None and len(ids) > MAX_IDS:
        problems.append(_("service_request_id: Ask for at most %(count)d requests at once.") % {"count": MAX_IDS})
    if problems:
        raise Open311Error(problems)
    return ListQuery(statuses=statuses, ids=ids, category=category, start=start, end=end)


def service_request(item: PublishedItem) -> dict[str, Any]:
    agency = item.agency.display_name if item.agency is not None else item.origin_agency_name
    url = item_url(item)
    return {
        "service_request_id": item.slug,
        "status": "closed",
        "status_notes": item.answer,
        "service_name": item.category.display_name if item.category is not None else "",
        "service_code": item.category.slug if item.category is not None else "",
        "description": item.question,
        "agency_responsible": agency,
        "service_notice": _("Answered by %(agency)s: %(url)s") % {"agency": agency, "url": url},
        "requested_datetime": _iso(item.received_at),
        "updated_datetime": _iso(item.updated_at),
        "expected_datetime": _iso(item.due_at),
        "address": "",
        "address_id": "",
        "zipcode": "",
        "lat": None,
        "long": None,
        "media_url": "",
    }


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _one(data: Any, name: str) -> str:
    value = data.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _intake_data(data: Any) -> tuple[dict[str, Any], list[str], list[str]]:
    """Open311 parameters → what the intake validator reads, the lines to add to the text for the agency
    (location, media link), and the problems only Open311 can have (location, coordinates)."""
    problems: list[str] = []
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


def _flatten(errors: dict[str, Any]) -> list[str]:
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
