"""Mail in: one message, as an MTA or the embedded SMTP server hands it over, becomes a case (sent to the
intake address), a message on a case's timeline (sent to a case's reply address), or waits for staff with a
reason (`InboundMail`, status held). Every message is kept with what became of it.

Nothing here trusts the From header for who may do what: a reply address is signed per case and per party
(caunoi.notifications.replies), and a staff member's reply must also come from their own address.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils.html import strip_tags
from mailparser_reply import EmailReplyParser
from mailparser_reply.constants import MAIL_LANGUAGES

from caunoi.accounts.models import User
from caunoi.agencies.models import Category
from caunoi.cases.access import access_case_for_action
from caunoi.cases.attachments import AttachmentRejected, CheckedFile, check_attachment
from caunoi.cases.models import Case, Channel
from caunoi.cases.services import (
    Contact,
    InvalidTransition,
    Submitted,
    case_citizen_message,
    case_note_add,
    case_submit,
)
from caunoi.core import clock
from caunoi.core.errors import ApplicationError
from caunoi.core.ratelimit import check, window_key
from caunoi.core.transactions import service_transaction
from caunoi.notifications.replies import reply_subject

from .models import InboundMail

logger = logging.getLogger(__name__)

Reason = InboundMail.Reason
_CASE_PARTY = re.compile(r"case\.(?P<case>\d+)\.(?P<party>c|s\d+)")

# Vietnamese mail clients' reply headers, added to the library's table (it ships none for Vietnamese):
# Gmail "Vào Th 2, 7 thg 12, 2026 lúc 10:00 An <an@x.vn> đã viết:", Outlook "Từ: … Gửi: … Đến: … Chủ đề: …".
MAIL_LANGUAGES.setdefault(
    "vi",
    {
        "wrote_header": r"^((?:> ?)*Vào\s(?:.+?\s?.+?)\s?đã viết:)$",
        "from_header": r"((?:(?:^|\n|\n(?:> ?)*)[* ]*(?:Từ|Gửi|Đến|Chủ đề|Ngày|Cc):[ *]*(?:\s{,2}).*){2,}(?:\n.*){,1})",
        "disclaimers": [],
        "signatures": ["Trân trọng", "Trân trọng cảm ơn", "Kính thư"],
        "sent_from": "Gửi từ|Được gửi từ",
    },
)
_REPLY_PARSER = EmailReplyParser(languages=["vi", "en"])


@dataclass
class Outcome:
    status: str
    reason: str = ""
    detail: str = ""
    case: Case | None = None
    text: str = ""
    mails: list[InboundMail] = field(default_factory=list)


class Held(Exception):
    def __init__(self, reason: str, detail: str = "", text: str = "") -> None:
        super().__init__(reason)
        self.reason, self.detail, self.text = reason, detail[:500], text


def mail_receive(raw: bytes, *, envelope_from: str, recipients: list[str]) -> list[InboundMail]:
    """Handles one message for each of its `recipients` (envelope addresses at our domain) and returns the
    stored records. Never raises for what a sender controls: anything refused is held with a reason. A
    database failure raises (the SMTP server then answers 451 and the sender's server tries again)."""
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(message, EmailMessage)
        _headers(message)  # reading the headers is where malformed mail fails
    except Exception as exc:  # any parsing failure is the sender's: hold it, never crash the server
        return [_store(raw, None, envelope_from, r, Outcome(InboundMail.Status.HELD, Reason.UNREADABLE, str(exc)))
                for r in recipients]  # fmt: skip
    stored = []
    for recipient in recipients:
        try:
            outcome = _handle(message, raw=raw, envelope_from=envelope_from, recipient=recipient.lower())
        except Held as held:
            outcome = Outcome(InboundMail.Status.HELD, held.reason, held.detail, text=held.text)
        stored.append(_store(raw, message, envelope_from, recipient, outcome))
        logger.info("mail to %s: %s %s", recipient, outcome.status, outcome.reason)
    return stored


def _headers(message: EmailMessage) -> tuple[str, str, str]:
    name, address = parseaddr(str(message.get("From", "")))
    return name, address.strip().lower(), str(message.get("Subject", "")).strip()


def _handle(message: EmailMessage, *, raw: bytes, envelope_from: str, recipient: str) -> Outcome:
    if _is_automatic(message, envelope_from):
        raise Held(Reason.AUTOMATIC, str(message.get("Auto-Submitted") or message.get("Precedence") or ""))
    if recipient == settings.INTAKE_MAIL_ADDRESS:
        return _new_case(message)
    subject = reply_subject(recipient)
    found = _CASE_PARTY.fullmatch(subject or "")
    if found is None:
        raise Held(Reason.UNKNOWN_RECIPIENT, recipient)
    case = Case.objects.filter(pk=int(found["case"])).first()
    if case is None:  # removed since: nothing to attach it to
        raise Held(Reason.UNKNOWN_RECIPIENT, recipient)
    text = reply_text(message)
    if len(text) < 2:
        raise Held(Reason.TOO_SHORT, text=text)
    if found["party"] == "c":
        attachments = _checked_attachments(message, text)  # as at intake: one refused file holds the reply
        try:
            case_citizen_message(case=case, body=text, via=Channel.EMAIL, attachments=attachments)
        except InvalidTransition as exc:
            raise Held(Reason.CASE_CLOSED, str(exc.message), text) from exc
        return Outcome(InboundMail.Status.ADDED_TO_CASE, case=case, text=text)
    return _staff_reply(message, case=case, user_id=int(found["party"][1:]), text=text)


def _staff_reply(message: EmailMessage, *, case: Case, user_id: int, text: str) -> Outcome:
    """A staff member's reply to a message about the case: an internal note, if the sender is that member
    (their account's address) and may still write notes on the case."""
    _name, sender, _subject = _headers(message)
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email or user.email.strip().lower() != sender:
        raise Held(Reason.NOT_ALLOWED, sender, text)
    try:
        allowed = access_case_for_action(user, case.pk, "note")
        case_note_add(case=allowed, by=user, body=text)
    except ApplicationError as exc:
        raise Held(Reason.NOT_ALLOWED, str(exc.message), text) from exc
    return Outcome(InboundMail.Status.ADDED_TO_CASE, case=case, text=text)


def _new_case(message: EmailMessage) -> Outcome:
    name, sender, subject = _headers(message)
    body = body_text(message).strip()
    if not sender:
        raise Held(Reason.UNREADABLE, "no From address", body)
    if check([(window_key("intake:identity", f"e:{sender}"), settings.RATE_LIMITS["intake:identity"])]):
        raise Held(Reason.RATE_LIMITED, sender, body)  # the web form's per-person limit, for the same person
    title = (subject or body.split("\n", 1)[0]).strip()[:200]
    if len(title) < 5 or len(body) < 10:
        raise Held(Reason.TOO_SHORT, subject, body)
    attachments = _checked_attachments(message, body)
    submitted = _submit(
        title=title, body=body[:10000], contact=Contact(name=(name or sender.split("@")[0])[:120], email=sender),
        attachments=attachments,
    )  # fmt: skip
    return Outcome(InboundMail.Status.CASE_CREATED, case=submitted.case, text=body)


@service_transaction
def _submit(*, title: str, body: str, contact: Contact, attachments: list[CheckedFile]) -> Submitted:
    category = Category.objects.filter(slug=settings.INBOUND_MAIL_CATEGORY).first() or Category.objects.first()
    if category is None:  # a deployment without categories cannot take cases at all: the 451 says try later
        raise RuntimeError("no category for mail intake (INBOUND_MAIL_CATEGORY)")
    return case_submit(
        kind=str(settings.INBOUND_MAIL_KIND),
        title=title,
        body=body,
        category=category,
        area=None,
        channel=Channel.EMAIL,
        contact=contact,
        attachments=attachments,
        receipt_with_access_code=True,  # the receipt is the sender's confirmation, with the tracking code
    )


def _checked_attachments(message: EmailMessage, body: str) -> list[CheckedFile]:
    """The mail's attachments through the same checks as the web form's; any refusal holds the whole mail."""
    parts = list(message.iter_attachments())
    if len(parts) > settings.ATTACHMENT_MAX_COUNT:
        raise Held(Reason.ATTACHMENT_REFUSED, f"{len(parts)} > {settings.ATTACHMENT_MAX_COUNT}", body)
    checked = []
    for part in parts:
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        upload = SimpleUploadedFile(part.get_filename() or "attachment", content, part.get_content_type())
        try:
            checked.append(check_attachment(upload))
        except AttachmentRejected as exc:
            raise Held(Reason.ATTACHMENT_REFUSED, str(exc), body) from exc
    return checked


def body_text(message: EmailMessage) -> str:
    """The message's text: its plain part, else its HTML part without tags."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = str(part.get_content())  # type: ignore[attr-defined]
    if part.get_content_type() == "text/html":
        content = strip_tags(content)
    return content.replace("\r\n", "\n")


def _readable_text(message: EmailMessage) -> str:
    try:
        return body_text(message).strip()
    except Exception:  # an undecodable body: the raw message is kept for whoever needs more
        return ""


def reply_text(message: EmailMessage) -> str:
    """What the sender wrote in a reply: quoted history and signature stripped (mail-parser-reply)."""
    text = body_text(message)
    return (_REPLY_PARSER.parse_reply(text) or "").strip()


def _is_automatic(message: EmailMessage, envelope_from: str) -> bool:
    """Bounces (empty envelope sender), auto-replies (RFC 3834) and list mail: answering them loops."""
    if envelope_from.strip() in ("", "<>"):
        return True
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(message.get("Precedence", "")).strip().lower()
    return auto != "no" or precedence in {"bulk", "junk", "list", "auto_reply"}


def _store(
    raw: bytes, message: EmailMessage | None, envelope_from: str, recipient: str, outcome: Outcome
) -> InboundMail:
    sender = subject = message_id = ""
    text = outcome.text
    if message is not None:
        _name, sender, subject = _headers(message)
        message_id = str(message.get("Message-ID", ""))[:300]
        if not text:  # held before its text was read: staff read it to decide
            text = _readable_text(message)
    with transaction.atomic():
        return InboundMail.objects.create(
            received_at=clock.now(),
            envelope_from=envelope_from[:320],
            recipient=recipient[:320],
            sender=sender[:320],
            subject=subject[:300],
            message_id=message_id,
            text=text[:20000],
            raw=raw,
            status=outcome.status,
            reason=outcome.reason,
            detail=outcome.detail[:500],
            case=outcome.case,
        )


def recipients_of(message_bytes: bytes) -> list[str]:
    """The To and Cc addresses of a message (for `receive_mail` without envelope recipients)."""
    message = BytesParser(policy=policy.compat32).parsebytes(message_bytes, headersonly=True)
    return [address.lower() for _n, address in getaddresses(message.get_all("To", []) + message.get_all("Cc", []))]
