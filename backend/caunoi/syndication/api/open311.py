"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) so existing Open311 clients work.

Every endpoint answers in XML (`.xml`, the format the specification requires) and JSON (`.json`):
- `GET discovery`: where the endpoints are and which formats they speak.
- `GET services`: our categories as services; `GET services/<code>`: a service's definition (its
  attributes: the kind of submission, and the consent to publish).
- `POST requests`: a new case through the same intake as the web form and the API (the same validator,
  `CaseSubmitSerializer`, and `case_submit`, channel `open311`). Returns the case's tracking code as
  `service_request_id`, a `token` for clients that expect one, and, beyond the standard, the secret
  `access_token` the citizen tracks it with. A parameter GeoReport does not define is refused by name.
- `GET requests`, `GET requests/<id>`: service requests by that same id. A case answers with its status
  (open until answered or decided, then closed), the public label of its status as `status_notes`, its
  service, agency and dates; its text (the question, redacted, and the answer as `status_notes`) only once
  the answer is published. Published items not made from a case (a dialogue's transcript) are listed by
  their slug, closed.
- `GET tokens/<token>`: the `service_request_id` a token stands for.

Errors are Open311's: a list of `{"code", "description"}` (`<errors><error>` in XML), one per problem,
the description starting with the Open311 parameter at fault (`service_code: Unknown category “x”.`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse
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
from caunoi.cases.models import Case, Channel, Kind
from caunoi.cases.selectors import status_label
from caunoi.core.parsers import JSONParser

from ..events import item_url, portal_base_url
from ..selectors import ServiceRequest, open311_request, open311_requests
from .open311_params import Open311Error, flatten, intake_data, list_query
from .open311_serializers import (
    CreatedSerializer,
    DiscoverySerializer,
    Open311TokenSerializer,
    ServiceDefinitionSerializer,
    ServiceRequestInput,
    ServiceRequestSerializer,
    ServiceSerializer,
)
from .open311_xml import Open311XMLRenderer

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-07T00:00:00Z"  # when this endpoint's behaviour last changed (discovery's changeset)
TOKEN_SALT = "caunoi.open311.token"  # noqa: S105  (a signing salt, not a secret)

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


def errors_response(problems: list[str], status_code: int = 400) -> Response:
    return Response([{"code": status_code, "description": p} for p in problems], status=status_code)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


class Open311View(APIView):
    """No session authentication (Open311 clients are anonymous: no CSRF token to ask them for). Each
    endpoint is routed twice, `.json` and `.xml`, each with its one renderer (open311_urls.py); `xml_root`
    names the XML document's root."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer, Open311XMLRenderer]
    parser_classes = [FormParser, MultiPartParser, JSONParser]
    xml_root = "service_requests"

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, Open311Error):
            return errors_response(exc.problems, exc.status_code)
        if isinstance(exc, exceptions.APIException):
            detail = exc.detail
            text = detail if isinstance(detail, str) else "; ".join(str(v) for v in _flat_values(detail))
            return errors_response([str(text)], exc.status_code)
        return super().handle_exception(exc)


def _flat_values(detail: Any) -> list[Any]:
    if isinstance(detail, dict):
        return [f"{key}: {value}" for key, values in detail.items() for value in _flat_values(values)]
    if isinstance(detail, list):
        return [value for entry in detail for value in _flat_values(entry)]
    return [detail]


# Discovery and services


class DiscoveryView(Open311View):
    xml_root = "discovery"

    @extend_schema(
        summary="Open311: discovery (where the endpoints are, which formats)",
        responses={200: DiscoverySerializer},
    )
    def get(self, request: Request) -> Response:
        base = portal_base_url() + reverse("open311:discovery").rsplit("/", 1)[0]
        return Response(
            {
                "changeset": CHANGESET,
                "contact": str(getattr(settings, "OPEN311_CONTACT", "") or portal_base_url()),
                "key_service": _("No key is needed: api_key is accepted and ignored."),
                "endpoints": [
                    {
                        "specification": SPECIFICATION,
                        "url": base,
                        "changeset": CHANGESET,
                        "type": "production",
                        "formats": ["text/xml", "application/json"],
                    }
                ],
            }
        )


def _service(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.slug,
        "service_name": category.display_name,
        "description": category.display_name,
        "metadata": True,  # the attributes below: the kind of submission and the consent to publish
        "type": "realtime",
        "keywords": "",
        "group": "",
    }


class ServicesView(Open311View):
    xml_root = "services"

    @extend_schema(summary="Open311: services (our categories)", responses={200: ServiceSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response([_service(c) for c in Category.objects.filter(is_active=True).order_by("name")])


def service_attributes() -> list[dict[str, Any]]:
    """The attributes every service takes (sent as attribute[<code>]): both optional."""
    return [
        {
            "variable": True,
            "code": "kind",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": _("Feedback unless chosen otherwise."),
            "order": 1,
            "description": _("What are you sending?"),
            "values": [{"key": value, "name": str(label)} for value, label in Kind.choices],
        },
        {
            "variable": True,
            "code": "consent_to_publish",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": _("false unless chosen otherwise."),
            "order": 2,
            "description": _("May the question and answer be published, with personal data removed?"),
            "values": [{"key": "true", "name": _("Yes")}, {"key": "false", "name": _("No")}],
        },
    ]


class ServiceDefinitionView(Open311View):
    xml_root = "service_definition"

    @extend_schema(
        summary="Open311: one service's definition (its attributes)",
        responses={200: ServiceDefinitionSerializer, 404: OPEN311_ERRORS},
    )
    def get(self, request: Request, service_code: str) -> Response:
        category = Category.objects.filter(slug=service_code, is_active=True).first()
        if category is None:
            raise Open311Error([_("service_code: Unknown service “%(code)s”.") % {"code": service_code}], 404)
        return Response({"service_code": category.slug, "attributes": service_attributes()})


# Requests


def service_request(found: ServiceRequest) -> dict[str, Any]:
    """A request as GeoReport v2 shows it. A case's own text is shown only once its answer is published
    (then redacted, as on the portal); before that, its status, service, agency and dates."""
    case, item = found.case, found.item
    category = case.category if case is not None else item.category  # type: ignore[union-attr]
    agency = case.agency if case is not None else item.agency  # type: ignore[union-attr]
    agency_name = agency.display_name if agency is not None else (item.origin_agency_name if item else "")
    if item is not None:
        url = item_url(item)
        notes, description = item.answer, item.question
        notice = _("Answered by %(agency)s: %(url)s") % {"agency": agency_name, "url": url}
    else:
        notes, description, notice = status_label(case), "", ""  # type: ignore[arg-type]
    closed = case is None or case.closed_at is not None
    return {
        "service_request_id": found.id,
        "status": "closed" if closed else "open",
        "status_notes": notes,
        "service_name": category.display_name if category is not None else "",
        "service_code": category.slug if category is not None else "",
        "description": description,
        "agency_responsible": agency_name,
        "service_notice": notice,
        "requested_datetime": _iso(case.received_at if case is not None else item.received_at),  # type: ignore[union-attr]
        "updated_datetime": _iso(max(d for d in (case and case.updated_at, item and item.updated_at) if d)),
        "expected_datetime": _iso(case.due_at if case is not None else item.due_at),  # type: ignore[union-attr]
        "address": "",
        "address_id": "",
        "zipcode": "",
        "lat": None,
        "long": None,
        "media_url": "",
    }


def token_for(case: Case) -> str:
    """A token for a request (GeoReport v2's deferred id): signed, so it needs no table and cannot be forged."""
    return signing.dumps(case.pk, salt=TOKEN_SALT, compress=True)


class RequestsView(Open311View):
    @extend_schema(
        summary="Open311: service requests",
        parameters=[
            OpenApiParameter(
                "service_request_id", str, description="Comma-separated ids; when given, the other filters are ignored."
            ),
            OpenApiParameter("service_code", str, description="Comma-separated service codes."),
            OpenApiParameter("start_date", str, description="ISO 8601; by the date the request was received."),
            OpenApiParameter("end_date", str, description="ISO 8601. Without dates: the last 90 days."),
            OpenApiParameter("status", str, description="open, closed or both (comma-separated)."),
            OpenApiParameter("jurisdiction_id", str, description="Accepted and ignored: one jurisdiction."),
        ],
        responses={200: ServiceRequestSerializer(many=True), 400: OPEN311_ERRORS},
    )
    def get(self, request: Request) -> Response:
        query = list_query(request.query_params)
        found = open311_requests(
            ids=query.ids, categories=query.categories, statuses=query.statuses, start=query.start, end=query.end
        )
        return Response([service_request(r) for r in found])

    @extend_schema(
        summary="Open311: send a request (a case through the intake)",
        request={"application/x-www-form-urlencoded": ServiceRequestInput, "application/json": ServiceRequestInput},
        responses={201: CreatedSerializer(many=True), 400: OPEN311_ERRORS},
    )
    def post(self, request: Request) -> Response:
        if not isinstance(request.data, dict):  # a JSON list or scalar: Open311 sends named parameters
            raise Open311Error([_("description: Send the parameters by name (form fields or a JSON object).")])
        data, extra, problems = intake_data(request.data)
        serializer = CaseSubmitSerializer(data=data)
        valid = serializer.is_valid()
        if not valid or problems:
            raise Open311Error(problems + (flatten(serializer.errors) if not valid else []))
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
                    "token": token_for(case),
                    "service_notice": notice,
                    "account_id": None,
                    "access_token": submitted.access_token,
                    "expected_datetime": _iso(case.due_at),
                }
            ],
            status=status.HTTP_201_CREATED,
        )


class RequestDetailView(Open311View):
    @extend_schema(
        summary="Open311: one service request",
        responses={200: ServiceRequestSerializer(many=True), 404: OPEN311_ERRORS},
    )
    def get(self, request: Request, request_id: str) -> Response:
        found = open311_request(request_id)
        if found is None:
            raise Open311Error([_("service_request_id: No request has this id.")], status_code=404)
        return Response([service_request(found)])


class TokenView(Open311View):
    @extend_schema(
        summary="Open311: the request id a token stands for",
        responses={200: Open311TokenSerializer(many=True), 404: OPEN311_ERRORS},
    )
    def get(self, request: Request, token: str) -> Response:
        try:
            case_id = signing.loads(token, salt=TOKEN_SALT)
        except signing.BadSignature:
            case_id = None
        code = (
            Case.objects.filter(pk=case_id).values_list("tracking_code", flat=True).first()
            if isinstance(case_id, int)
            else None
        )
        if code is None:
            raise Open311Error([_("token: No request has this token.")], status_code=404)
        return Response([{"service_request_id": code, "token": token}])
