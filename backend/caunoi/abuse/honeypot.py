"""The honeypot on public forms: a text field people never see (hidden by the stylesheet, `aria-hidden`, out
of the tab order, autocomplete off: frontend/templates/includes/honeypot.html) that form-filling bots fill.

A filled honeypot gets a quiet refusal: the page answers as it would to a generic failure ("could not be
sent, try again", 400), stores nothing, and says nothing about why. Not a fake success: a person whose
browser somehow filled the field would be told a tracking code that does not exist, whereas the generic
error keeps what they typed and the next press of "Send" (with the field empty again) goes through.
"""

from __future__ import annotations

import logging
from typing import Any

from django.utils.translation import gettext_lazy as _

from .counters import count_event

logger = logging.getLogger(__name__)

FIELD = "homepage"
GENERIC_FAILURE = _("Your message could not be sent. Please check it and press Send again.")


def caught(data: Any) -> bool:
    """True when a submission's honeypot field is filled (a bot); counted for the abuse figures."""
    filled = bool(str(data.get(FIELD, "") or "").strip())
    if filled:
        count_event("honeypot")
        logger.info("honeypot filled: submission dropped")
    return filled
