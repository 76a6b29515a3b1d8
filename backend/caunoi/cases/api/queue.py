"""GET /api/v1/queue/: the work queue of the official, leader or administrator asking.

The query parameters are parsed by QueueQuerySerializer, which the page (web/queue.py) uses too, so both
refuse the same values with the same messages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils import html
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from caunoi.accounts.models import User
from caunoi.agencies.models import Area, Category
from caunoi.core import clock
from caunoi.workflows.registry import workflows

from ..models import Case, Kind
from ..queue import DEFAULT_LIMIT, MAX_LIMIT, Cursor, InvalidCursor, QueueFilters, QueuePage, case_list_for_queue
from ..selectors import clock_state, is_overdue, status_label
from .serializers import AgencyBriefSerializer

# The roles that handle cases and so have a queue. A moderator (published content) or a citizen does not:
# they are refused, not shown an empty queue.


def lifecycle_states() -> list[str]:
    """Every state name of every lifecycle version in force (cases keep the version they opened under)."""
    return sorted({state for lifecycle in workflows().lifecycles.values() for state in lifecycle.states})


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class StatusListField(serializers.Field):
    """Lifecycle states, repeated (`?status=a&status=b`) or comma-separated (`?status=a,b`)."""

    default_error_messages = {"invalid_choice": _("Unknown status “{value}”. Known statuses: {known}.")}

    def get_value(self, dictionary: Mapping[str, Any]) -> Any:
        name = self.field_name or ""
        if html.is_html_input(dictionary):
            return dictionary.getlist(name) or empty  # type: ignore[attr-defined]
        return dictionary.get(name, empty)

    def to_internal_value(self, data: Any) -> list[str] | None:
        values = data if isinstance(data, list) else [data]
        statuses = [part.strip() for value in values for part in str(value).split(",") if part.strip()]
        known = lifecycle_states()
        for status in statuses:
            if status not in known:
                self.fail("invalid_choice", value=status, known=", ".join(known))
        return list(dict.fromkeys(statuses)) or None  # in the order given, once each

    def to_representation(self, value: list[str]) -> list[str]:
        return value


LIMIT_MESSAGE = format_lazy(_("Enter a whole number from 1 to {max}."), max=MAX_LIMIT)


class QueueQuerySerializer(serializers.Serializer):
    """The queue's query parameters. Blank values (a form's "any" option) mean "not filtered"."""

    status = StatusListField(
        required=False,
        help_text="Lifecycle states, e.g. received,in_progress (repeatable or comma-separated).",
    )
    kind = serializers.ChoiceField(
        choices=Kind.choices,
        required=False,
        allow_null=True,
        error_messages={"invalid_choice": _("Choose question, feedback or petition.")},
    )
    category = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, help_text="Category code, e.g. dat-dai."
    )
    area = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="Area code, e.g. tinh-01; includes every area below it.",
    )
    assigned = serializers.ChoiceField(
        choices=[("me", "me"), ("unassigned", "unassigned")],
        required=False,
        allow_null=True,
        error_messages={"invalid_choice": _("Choose “me” or “unassigned”.")},
    )
    overdue = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="true: only cases past their due date; false: only cases not past it.",
        error_messages={"invalid": _("Choose true or false.")},
    )
    due_before = serializers.DateField(
        required=False,
        allow_null=True,
        input_formats=["%Y-%m-%d"],
        help_text="Cases due on a day before this date (YYYY-MM-DD, Vietnam time).",
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD, for example 2026-12-31.")},
    )
    q = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=200,
        help_text="Words in the title or content; diacritics and case are ignored.",
        error_messages={"max_length": _("Search for at most 200 characters.")},
    )
    cursor = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="The page to show, from the `next` link of the previous page.",
    )
    limit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_LIMIT,
        default=DEFAULT_LIMIT,
        help_text=f"Cases per page, 1 to {MAX_LIMIT}.",
        error_messages={"invalid": LIMIT_MESSAGE, "min_value": LIMIT_MESSAGE, "max_value": LIMIT_MESSAGE},
    )

    def validate_category(self, value: str | None) -> str | None:
        if value and not Category.objects.filter(slug=value).exists():
            raise serializers.ValidationError(_("Unknown category “%(value)s”.") % {"value": value})
        return value or None

    def validate_area(self, value: str | None) -> str | None:
        if value and not Area.objects.filter(code=value).exists():
            raise serializers.ValidationError(_("Unknown area “%(value)s”.") % {"value": value})
        return value or None

    def validate_q(self, value: str | None) -> str | None:
        return value or None

    def validate_cursor(self, value: str | None) -> Cursor | None:
        if not value:
            return None
        try:
            return Cursor.decode(value)
        except InvalidCursor as exc:
            raise serializers.ValidationError(exc.errors["cursor"]) from exc

    def filters(self) -> QueueFilters:
        data = self.validated_data
        return QueueFilters(
            status=data.get("status"),
            kind=data.get("kind") or None,
            category=data.get("category"),
            area=data.get("area"),
            assigned=data.get("assigned") or None,
            overdue=data.get("overdue"),
            due_before=data.get("due_before"),
            q=data.get("q"),
        )


class QueueItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    tracking_code = serializers.CharField()
    kind = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    agency = AgencyBriefSerializer()
    category = serializers.CharField(help_text="Category code.")
    area = serializers.CharField(allow_null=True, help_text="Area code.")
    assignee = serializers.CharField(allow_null=True, help_text="Username of the official handling it.")
    received_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True, help_text="Null while the clock is paused.")
    overdue = serializers.BooleanField()
    clock = serializers.ChoiceField(choices=["running", "paused", "stopped"])


class QueuePageSerializer(serializers.Serializer):
    results = QueueItemSerializer(many=True)
    next = serializers.URLField(allow_null=True, help_text="The next page, or null on the last one.")


def queue_item(case: Case, *, now: dt.datetime) -> dict[str, Any]:
    return {
        "id": case.pk,
        "tracking_code": case.tracking_code,
        "kind": case.kind,
        "title": case.title,
        "status": case.status,
        "status_label": status_label(case, staff=True),
        "agency": {"code": case.agency.code, "name": case.agency.display_name},
        "category": case.category.slug,
        "area": case.area.code if case.area else None,
        "assignee": case.assignee.username if case.assignee else None,
        "received_at": case.received_at,
        "due_at": case.due_at,
        "overdue": is_overdue(case, now=now),
        "clock": clock_state(case),
    }


class IsQueueStaff(BasePermission):
    message = _("Only officials, leaders and administrators have a work queue.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(getattr(request.user, "works_cases", False))


class QueueView(APIView):
    """The open cases the user may work on, soonest due first (paused ones last), one page at a time."""

    permission_classes = [IsQueueStaff]

    @extend_schema(parameters=[QueueQuerySerializer], responses={200: QueuePageSerializer})
    def get(self, request: Request) -> Response:
        query = QueueQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        user: User = request.user  # type: ignore[assignment]
        page: QueuePage = case_list_for_queue(
            user=user,
            filters=query.filters(),
            after=query.validated_data.get("cursor"),
            limit=query.validated_data["limit"],
        )
        now = clock.now()  # one instant for the whole page
        body = {
            "results": [queue_item(case, now=now) for case in page.rows],
            "next": replace_query_param(request.build_absolute_uri(), "cursor", page.next_cursor)
            if page.next_cursor
            else None,
        }
        return Response(QueuePageSerializer(body).data)
