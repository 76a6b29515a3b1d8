"""Connectors: one per platform, behind one interface (`base.Connector`). To add a platform, see
CONTRIBUTING.md, "How to add a social connector"."""

from __future__ import annotations

from ..models import Platform
from .base import Connector, ConnectorError, Outgoing, PermanentError, RetryableError
from .facebook import FacebookPage
from .webhook import Webhook
from .zalo import ZaloOfficialAccount

CONNECTORS: dict[str, Connector] = {
    Platform.FACEBOOK: FacebookPage(),
    Platform.ZALO: ZaloOfficialAccount(),
    Platform.WEBHOOK: Webhook(),
}


def connector_for(platform: str) -> Connector:
    return CONNECTORS[platform]


__all__ = ["Connector", "ConnectorError", "Outgoing", "PermanentError", "RetryableError", "connector_for"]
