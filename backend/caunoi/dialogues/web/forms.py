"""The scheduling form (leaders and administrators)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caunoi.accounts.models import Role, User
from caunoi.agencies.models import Agency, Area, Category, Membership

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]


def _datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


# The CSS class of each widget kind, and which fields have a hint the widget must point to.
_CLASSES = {"Textarea": "textarea", "Select": "select", "SelectMultiple": "select", "DateTimeInput": "input input--w20"}
_HINTED = {"starts_at", "ends_at", "stream_url"}


class PersonChoice(forms.ModelMultipleChoiceField):
    """People shown by name (never a username) with the agencies they work in, to tell two namesakes apart."""

    def label_from_instance(self, obj: Any) -> str:
        name = obj.get_full_name() or obj.email or str(_("Unnamed account %(number)s") % {"number": obj.pk})
        agencies = ", ".join(m.agency.display_name for m in obj.memberships.all())
        return f"{name} — {agencies}" if agencies else name


class ScheduleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.none(), empty_label=_("Choose an agency")
    )
    area = forms.ModelChoiceField(
        label=_("Area"),
        queryset=Area.objects.filter(kind=Area.Kind.PROVINCE).order_by("name"),
        required=False,
        empty_label=_("The agency's own area"),
    )
    category = forms.ModelChoiceField(
        label=_("Subject"),
        queryset=Category.objects.filter(is_active=True),
        required=False,
        empty_label=_("Any subject"),
    )
    # Ticked from a list of names (a search box filters it): a multi-select needs Ctrl-click, impossible on a phone.
    hosts = PersonChoice(label=_("Hosts"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple)
    moderators = PersonChoice(
        label=_("Moderators"), queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    starts_at = forms.DateTimeField(label=_("Start"), input_formats=DATETIME_FORMATS, widget=_datetime_input())
    ends_at = forms.DateTimeField(label=_("End"), input_formats=DATETIME_FORMATS, widget=_datetime_input())
    stream_url = forms.URLField(label=_("Video stream link"), required=False, assume_scheme="https")
    confirm_short_notice = forms.BooleanField(label=_("Schedule it anyway"), required=False)

    def __init__(self, *args: Any, agencies: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(pk__in=[a.pk for a in agencies]).order_by("path")  # type: ignore[attr-defined]
        active = (
            User.objects.filter(is_active=True)
            .prefetch_related(Prefetch("memberships", queryset=Membership.objects.select_related("agency")))
            .order_by("first_name", "last_name", "pk")
        )
        self.fields["hosts"].queryset = active.filter(role__in=[Role.LEADER, Role.ADMIN])  # type: ignore[attr-defined]
        self.fields["moderators"].queryset = active.filter(role__in=[Role.MODERATOR, Role.ADMIN])  # type: ignore[attr-defined]
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                continue
            css = _CLASSES.get(type(widget).__name__, "input")
            described = [f"id_{name}-hint"] if name in _HINTED else []
            if self.is_bound and name in self.errors:
                css += " input--error"
                described.append(f"id_{name}-error")
                widget.attrs["aria-invalid"] = "true"
            widget.attrs["class"] = css
            if described:
                widget.attrs["aria-describedby"] = " ".join(described)

    def clean_starts_at(self) -> Any:
        # Said beside the field at once (before any notice warning, which a past start would otherwise get).
        starts_at = self.cleaned_data["starts_at"]
        if starts_at <= timezone.now():
            raise forms.ValidationError(_("The start must be in the future."))
        return starts_at


class RescheduleForm(forms.Form):
    """The host's change of times and video link (the room is told at once)."""

    starts_at = forms.DateTimeField(label=_("Start"), input_formats=DATETIME_FORMATS, widget=_datetime_input())
    ends_at = forms.DateTimeField(label=_("End"), input_formats=DATETIME_FORMATS, widget=_datetime_input())
    stream_url = forms.URLField(label=_("Video stream link"), required=False, assume_scheme="https")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "input input--w20" if name != "stream_url" else "input"
            field.widget.attrs["id"] = f"id_re_{name}"
