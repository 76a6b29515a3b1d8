"""Password rules whose messages Django's own Vietnamese catalogue lacks (its minimum-length message, made
plural in Django 5, has no Vietnamese yet): the same rule, with messages from our catalogue."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short: use at least %(count)d character.",
            "This password is too short: use at least %(count)d characters.",
            self.min_length,
        ) % {"count": self.min_length}

    def get_help_text(self) -> str:
        return ngettext("Use at least %(count)d character.", "Use at least %(count)d characters.", self.min_length) % {
            "count": self.min_length
        }
