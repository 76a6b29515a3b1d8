"""The embedded inbound SMTP server (aiosmtpd) of `make run` and the e-mail tests: it accepts mail for
INBOUND_MAIL_DOMAIN only and hands each message to `mail_receive`. In production the site's MTA receives the
mail and pipes it to `manage.py receive_mail` instead (deploy/README.md): this server has no TLS, no
authentication and no spam filtering, which an MTA provides.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import close_old_connections

from .mail import mail_receive

logger = logging.getLogger(__name__)


def _receive(content: bytes, envelope_from: str, recipients: list[str]) -> None:
    # Runs in a worker thread: Django's connections are per thread, and a long-lived server thread must not
    # keep a connection the database has dropped.
    close_old_connections()
    try:
        mail_receive(content, envelope_from=envelope_from, recipients=recipients)
    finally:
        close_old_connections()


class InboundHandler:
    """aiosmtpd's handler: RCPT refuses other domains (no open relay); DATA stores the message, and answers
    451 (try again later) when it cannot, so the sending server keeps the mail and retries."""

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]) -> str:
        domain = address.rpartition("@")[2].lower()
        if domain != settings.INBOUND_MAIL_DOMAIN:
            return "550 5.7.1 Relaying denied: not a mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode()
        try:
            await asyncio.get_running_loop().run_in_executor(
                None, _receive, content, envelope.mail_from or "", list(envelope.rcpt_tos)
            )
        except Exception:
            logger.exception("inbound mail from %s not stored", envelope.mail_from)
            return "451 4.3.0 Not stored; try again later"
        return "250 Message accepted"


def mail_server(host: str, port: int) -> Controller:
    """An SMTP server on (host, port), not yet started: `.start()` runs it in a thread, `.stop()` ends it."""
    return Controller(
        InboundHandler(),
        hostname=host,
        port=port,
        data_size_limit=settings.INBOUND_MAIL_MAX_BYTES,
        enable_SMTPUTF8=True,
    )
