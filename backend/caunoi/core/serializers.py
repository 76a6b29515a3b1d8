"""The API's one rule for request bodies: a field the endpoint does not know is refused, not ignored.

A partner that sends `consent_publish` instead of `consent_to_publish` would otherwise lose the citizen's
consent without a word. Every serializer that reads a request body derives from `StrictSerializer` (a unit
test walks the OpenAPI's write operations and checks it), so the check lives here, once.

The web pages validate with the same serializers, but a browser form carries fields of its own (the CSRF
token, the honeypot, the submission key, the button pressed): a page passes `context={"web_form": True}`
and the check is skipped there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

UNKNOWN_FIELD = _("Unknown field. Known fields: %(known)s.")
NO_FIELDS = _("Unknown field: this request takes no fields.")


class RejectUnknownFieldsMixin:
    """Refuses (400) a body with keys that are not fields of the serializer, each unknown key named with
    a message listing the known ones. Nested serializers using the mixin check their own level."""

    fields: Any
    context: dict[str, Any]

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping) and not self.context.get("web_form"):
            writable = sorted(name for name, field in self.fields.items() if not field.read_only)
            unknown = sorted(str(key) for key in data if key not in self.fields)
            if unknown:
                message = UNKNOWN_FIELD % {"known": ", ".join(writable)} if writable else NO_FIELDS
                raise ValidationError({key: [message] for key in unknown})
        return super().to_internal_value(data)  # type: ignore[misc]


class StrictSerializer(RejectUnknownFieldsMixin, serializers.Serializer):  # type: ignore[type-arg]
    """The base of every serializer that reads a request body (see the module docstring)."""
