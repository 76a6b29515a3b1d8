"""The scheduling form (leaders and administrators)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from caunoi.accounts.models import Role, User
from caunoi.agencies.models import Agency, Category

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]


def _datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


# The CSS class of each widget kind, and which fields have a hint the widget must point to.
_CLASSES = {"Textarea": "textarea", "Select": "select", "SelectMultiple": "select", "DateTimeInput": "input input--w20"}
_HINTED = {"starts_at", "ends_at", "hosts", "moderators"}


class ScheduleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none())
    category = forms.ModelChoiceField(
        label=_("Subject"), queryset=Category.objects.filter(is_active=True), required=False
    )
    hosts = forms.ModelMultipleChoiceField(label=_("Hosts"), queryset=User.objects.none())
    moderators = forms.ModelMultipleChoiceField(label=_("Moderators"), queryset=User.objects.none(), required=False)
    starts_at = forms.DateTimeField(label=_("Start"), input_formats=DATETIME_FORMATS, widget=_datetime_input())
    ends_at = forms.DateTimeField(label=_("End"), input_formats=DATETIME_FORMATS, widget=_datetime_input())
    stream_url = forms.URLField(label=_("Video stream link"), required=False, assume_scheme="https")
    confirm_short_notice = forms.BooleanField(label=_("Schedule it anyway"), required=False)

    def __init__(self, *args: Any, agencies: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(pk__in=[a.pk for a in agencies]).order_by("path")  # type: ignore[attr-defined]
        active = User.objects.filter(is_active=True).order_by("username")
        self.fields["hosts"].queryset = active.filter(role__in=[Role.LEADER, Role.ADMIN])  # type: ignore[attr-defined]
        self.fields["moderators"].queryset = active.filter(role__in=[Role.MODERATOR, Role.ADMIN])  # type: ignore[attr-defined]
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
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
            if isinstance(widget, forms.SelectMultiple):
                widget.attrs["size"] = "4"


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
