"""The one interface every platform implements, and the two ways a post can fail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..models import SocialChannel


@dataclass(frozen=True)
class Outgoing:
    """A post as a connector sends it: the rendered message and the public link, plus what some platforms
    need besides (Zalo articles have a title; webhook receivers de-duplicate on `delivery_id`)."""

    message: str
    link: str
    title: str
    event: str
    delivery_id: str
    agency_code: str
    agency_name: str


class ConnectorError(Exception):
    """The platform did not take the post. The message is shown to administrators: it never holds a
    credential (connectors scrub the channel's secret from anything the platform echoes)."""

    retryable = False

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class RetryableError(ConnectorError):
    """Worth trying again later: a timeout, a refused connection, 429, a 5xx, a platform's rate limit."""

    retryable = True


class PermanentError(ConnectorError):
    """Trying again will not help until someone changes something (an expired token, a wrong page id, a
    message the platform refuses): the post is marked failed at once."""


class Connector(Protocol):
    def post(self, channel: SocialChannel, outgoing: Outgoing) -> str:
        """Publishes `outgoing` on the channel; returns the platform's id for the post. Raises
        RetryableError or PermanentError; never anything else for a failure of the platform."""
        ...
