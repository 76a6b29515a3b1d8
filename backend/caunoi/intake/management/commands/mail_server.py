"""`manage.py mail_server`: the embedded inbound SMTP server (what `make run` starts); for development."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from caunoi.intake.smtp import mail_server


class Command(BaseCommand):
    help = "Runs an SMTP server that takes mail for INBOUND_MAIL_DOMAIN into the platform (development)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=2525)

    def handle(self, *args: Any, **options: Any) -> None:
        server = mail_server(options["host"], options["port"])
        server.start()
        self.stdout.write(
            f"inbound mail: smtp://{options['host']}:{options['port']} for @{settings.INBOUND_MAIL_DOMAIN} "
            f"(new cases: {settings.INTAKE_MAIL_ADDRESS})"
        )
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        stop.wait()
        server.stop()
