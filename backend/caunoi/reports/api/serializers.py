"""The report's query parameters (shared by the API and the dashboard page) and the documented response."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from caunoi.accounts.models import User
from caunoi.agencies.models import Category
from caunoi.cases.models import Kind
from caunoi.core.serializers import RejectUnknownFieldsMixin

from ..access import access_report_scope
from ..periods import ASCII_SPACES, Period, PeriodError, parse_period
from ..scope import Filters, Scope

DATE_ERROR = _("Enter a date as YYYY-MM-DD, for example 2026-12-31.")

# The period codes parse_period understands (a year from 2000, ASCII spaces around), stated in the OpenAPI
# document; parse_period itself refuses the rest with its own message.
PERIOD_PATTERN = r"^[ \t\n\r\f\v]*(custom|[2-9]\d{3}(-(0[1-9]|1[0-2])|-[Qq][1-4])?)?[ \t\n\r\f\v]*$"


@extend_schema_field({"type": "string", "pattern": PERIOD_PATTERN})
class PeriodField(serializers.CharField):
    """A period code (see PERIOD_PATTERN), documented with its pattern. Only ASCII spaces are trimmed, as
    parse_period does: the document's pattern and the code then agree on every string."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(trim_whitespace=False, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        return super().to_internal_value(data).strip(ASCII_SPACES)


class ReportQuerySerializer(serializers.Serializer):
    """Blank values (a form's "any" option) mean "not filtered"."""

    period = PeriodField(
        required=False,
        allow_blank=True,
        help_text="2026-07 (month), 2026-Q3 (quarter), 2026 (year), or empty with start and end. "
        "Default: the current quarter.",
    )
    start = serializers.DateField(
        required=False,
        allow_null=True,
        input_formats=["%Y-%m-%d"],
        help_text="First day of a custom period (YYYY-MM-DD).",
        error_messages={"invalid": DATE_ERROR},
    )
    end = serializers.DateField(
        required=False,
        allow_null=True,
        input_formats=["%Y-%m-%d"],
        help_text="Last day of a custom period (YYYY-MM-DD), included.",
        error_messages={"invalid": DATE_ERROR},
    )
    agency = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text="Agency code; the agency and every agency below it. Default: everything you may see.",
    )
    kind = serializers.ChoiceField(
        choices=Kind.choices,
        required=False,
        allow_blank=True,
        error_messages={"invalid_choice": _("Choose question, feedback or petition.")},
    )
    category = serializers.CharField(
        required=False, allow_blank=True, max_length=60, help_text="Category code, e.g. dat-dai."
    )

    def validate_category(self, value: str) -> Category | None:
        if not value:
            return None
        category = Category.objects.filter(slug=value).first()
        if category is None:
            raise serializers.ValidationError(_("Unknown category “%(value)s”.") % {"value": value})
        return category

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        # The period is checked even when another field is wrong, so the page lists every problem at once.
        errors: dict[str, Any] = {}
        try:
            attrs = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            errors = dict(exc.detail)  # type: ignore[arg-type]
            attrs = {}
        if not {"period", "start", "end"} & errors.keys():
            fields = {name: self.fields[name].run_validation(data.get(name, "") or None) for name in ("start", "end")}
            period = data.get("period", "")
            try:
                attrs["parsed_period"] = parse_period(period, fields["start"], fields["end"])
            except PeriodError as exc:
                errors["period" if period not in {"", "custom"} else "start"] = [str(exc)]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def resolve(self, user: User) -> tuple[Scope, Period, Filters]:
        """The scope (through the access funnel: raises NotFound), the period and the filters."""
        data = self.validated_data
        scope = access_report_scope(user, data.get("agency") or None)
        return scope, data["parsed_period"], Filters(kind=data.get("kind") or None, category=data.get("category"))


class LeagueQuerySerializer(serializers.Serializer):
    period = PeriodField(
        required=False,
        allow_blank=True,
        help_text="2026-Q3, 2026-07 or 2026. Default: this quarter.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            attrs["parsed_period"] = parse_period(attrs.get("period"))
        except PeriodError as exc:
            raise serializers.ValidationError({"period": [str(exc)]}) from exc
        return attrs


# --- The response, for the OpenAPI document -------------------------------------------------------------


class FiguresSerializer(serializers.Serializer):
    received = serializers.IntegerField(help_text="Items that reached an agency in scope (intake or transfer).")
    answered = serializers.IntegerField()
    answered_on_time = serializers.IntegerField(help_text="Answered no later than the due date in force.")
    on_time_rate = serializers.FloatField(allow_null=True, help_text="answered_on_time / answered, 0–1.")
    overdue_now = serializers.IntegerField(help_text="Open items past their due date now.")
    median_days = serializers.FloatField(allow_null=True, help_text="Working or calendar days, per policy.")
    p90_days = serializers.FloatField(allow_null=True)
    transfers = serializers.IntegerField(help_text="Items forwarded away by agencies in scope.")
    returns = serializers.IntegerField(help_text="Drafts sent back by reviewers.")
    ratings = serializers.IntegerField()
    rating_average = serializers.FloatField(allow_null=True)
    rating_distribution = serializers.DictField(child=serializers.IntegerField(), help_text="Score 1–5 → count.")
    dialogue_participation = serializers.IntegerField()
    appeals = serializers.IntegerField(help_text="Answers appealed by the citizen (cases reopened for a second stage).")
    reopen_rate = serializers.FloatField(allow_null=True, help_text="appeals / answered, 0–1.")


class KindFiguresSerializer(FiguresSerializer):
    kind = serializers.CharField()


class CategoryFiguresSerializer(FiguresSerializer):
    category = serializers.CharField()
    name = serializers.CharField()


class AgencyRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class PeriodSerializer(serializers.Serializer):
    code = serializers.CharField()
    kind = serializers.CharField()
    first_day = serializers.DateField()
    last_day = serializers.DateField()


class MonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    received = serializers.IntegerField()
    answered = serializers.IntegerField()
    answered_on_time = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True)
    backlog = serializers.IntegerField(help_text="Open at the end of the month (or now).")
    overdue = serializers.IntegerField(help_text="Open and past due at the end of the month.")
    received_by_category = serializers.DictField(child=serializers.IntegerField())


class RankedAgencySerializer(serializers.Serializer):
    agency = AgencyRefSerializer()
    answered = serializers.IntegerField()
    answered_on_time = serializers.IntegerField()
    on_time_rate = serializers.FloatField()
    appeals = serializers.IntegerField(help_text="Answers of the agency appealed by the citizen in the period.")
    reopen_rate = serializers.FloatField(help_text="appeals / answered, 0–1.")


class ReportFiltersSerializer(serializers.Serializer):
    kind = serializers.CharField(allow_null=True)
    category = serializers.CharField(allow_null=True)


class ReportSerializer(serializers.Serializer):
    agency = AgencyRefSerializer(allow_null=True)
    period = PeriodSerializer()
    filters = ReportFiltersSerializer()
    generated_at = serializers.DateTimeField()
    figures = FiguresSerializer()
    by_kind = KindFiguresSerializer(many=True)
    by_category = CategoryFiguresSerializer(many=True)
    monthly = MonthSerializer(many=True)
    ranking = RankedAgencySerializer(many=True)


class LeagueRowSerializer(RankedAgencySerializer):
    rank = serializers.IntegerField()


class LeagueSerializer(serializers.Serializer):
    period = PeriodSerializer()
    min_answered = serializers.IntegerField()
    agencies = LeagueRowSerializer(many=True)


class ExportRequestSerializer(RejectUnknownFieldsMixin, ReportQuerySerializer):
    """The report's filters and the file's format; a field it does not know is refused (core/serializers)."""

    format = serializers.ChoiceField(choices=["csv", "xlsx", "quarterly"])


class ExportJobSerializer(serializers.Serializer):
    """For the OpenAPI document: what the export endpoints answer."""

    id = serializers.UUIDField()
    format = serializers.CharField()
    query = serializers.DictField(child=serializers.CharField())
    status = serializers.ChoiceField(choices=["pending", "running", "done", "failed"])
    status_label = serializers.CharField()
    progress = serializers.IntegerField(min_value=0, max_value=100)
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    download_url = serializers.URLField(allow_null=True)
    error = serializers.CharField(allow_null=True)
