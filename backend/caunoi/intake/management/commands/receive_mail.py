"""`manage.py receive_mail`: one message on standard input, as an MTA's pipe delivers it (deploy/README.md).

Exit codes follow sysexits, which MTAs understand: 0 stored (also when held for staff), 75 (EX_TEMPFAIL)
when it could not be stored, so the MTA keeps the message and tries again.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from caunoi.intake.mail import mail_receive, recipients_of

EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Reads one e-mail message from standard input and hands it to the platform (intake or a case reply)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--sender", default="", help="the envelope sender (Postfix: ${sender})")
        parser.add_argument(
            "--recipient", action="append", default=[], help="an envelope recipient (Postfix: ${recipient}); "
            "repeat for several; without it, the message's To and Cc addresses at our domain",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        raw = sys.stdin.buffer.read()
        recipients = options["recipient"] or recipients_of(raw)
        try:
            stored = mail_receive(raw, envelope_from=options["sender"], recipients=recipients)
        except Exception as exc:
            self.stderr.write(f"not stored: {exc}")
            sys.exit(EX_TEMPFAIL)
        for mail in stored:
            self.stdout.write(f"{mail.recipient}: {mail.status} {mail.reason}".rstrip())
