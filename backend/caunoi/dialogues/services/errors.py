"""Refusals of the dialogue services (ApplicationError subclasses, mapped to HTTP and to error frames)."""

from __future__ import annotations

from caunoi.core.errors import ApplicationError


class DialogueStateError(ApplicationError):
    """The dialogue's state does not allow this now (e.g. questions before it opens)."""

    status_code = 409


class QuestionStateError(ApplicationError):
    """The question's status does not allow this (e.g. voting on a question not approved)."""

    status_code = 409


class AlreadyVoted(ApplicationError):
    status_code = 409


class RateLimited(ApplicationError):
    status_code = 429
