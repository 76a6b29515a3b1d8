"""A dialogue's life: scheduling, moving through its states, and what happens after it ends."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from caunoi.accounts.models import Role, User
from caunoi.agencies.models import Agency, Area, Category
from caunoi.cases.services import Contact, case_submit
from caunoi.core import clock
from caunoi.core.errors import ValidationFailed
from caunoi.core.text import normalize
from caunoi.core.transactions import service_transaction
from caunoi.deadlines.calendar import WorkingCalendar
from caunoi.deadlines.selectors import calendar_in_force
from caunoi.portals.selectors import BUILT_IN
from caunoi.publication.services import item_propose_from_dialogue

from ..models import NEXT_STATE, Dialogue, DialogueQuestion, State
from ..selectors import transcript, unanswered_approved
from ..signals import dialogue_announced
from .broadcast import message_broadcast
from .errors import DialogueStateError

logger = logging.getLogger(__name__)

# Decree 154/2026: participants are told of a dialogue at least this many working days before it starts.
NOTICE_WORKING_DAYS = 5
FALLBACK_CATEGORY = "khac"


def working_days_until(start: dt.date, *, today: dt.date, calendar: WorkingCalendar) -> int:
    """Working days strictly after `today` and before `start`: the days of notice participants get."""
    days, day = 0, today + dt.timedelta(days=1)
    while day < start:
        days += calendar.is_working_day(day)
        day += dt.timedelta(days=1)
    return days


def notice_is_short(starts_at: dt.datetime) -> bool:
    """True when a dialogue starting at `starts_at` gives fewer than NOTICE_WORKING_DAYS working days of notice."""
    start = clock.local_date(starts_at)
    today = clock.local_date()
    if (start - today).days > 4 * NOTICE_WORKING_DAYS + 30:
        return False  # far enough that no run of holidays can matter; skip counting
    return working_days_until(start, today=today, calendar=calendar_in_force()) < NOTICE_WORKING_DAYS


@service_transaction
def dialogue_schedule(
    *,
    by: User,
    title: str,
    description: str,
    agency: Agency,
    hosts: Iterable[User],
    moderators: Iterable[User],
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    stream_url: str = "",
    category: Category | None = None,
    area: Area | None = None,
) -> Dialogue:
    """Announces a dialogue (state scheduled). Inputs are validated by the form/serializer, except the rules
    checked here, which raise ValidationFailed: hosts are leaders (or administrators), it ends after it starts
    and starts in the future. Sends `signals.dialogue_announced` inside the transaction."""
    hosts, moderators = list(hosts), list(moderators)
    errors: dict[str, list[str]] = {}
    if not hosts:
        errors["hosts"] = [str(_("Choose at least one host."))]
    elif any(h.role not in {Role.LEADER, Role.ADMIN} for h in hosts):
        errors["hosts"] = [str(_("Hosts must be leaders."))]
    if ends_at <= starts_at:
        errors["ends_at"] = [str(_("The end must be after the start."))]
    if starts_at <= clock.now():
        errors["starts_at"] = [str(_("The start must be in the future."))]
    if errors:
        raise ValidationFailed(errors)
    dialogue = Dialogue.objects.create(
        title=normalize(title).strip(),
        description=normalize(description).strip(),
        agency=agency,
        area=area,
        category=category,
        starts_at=starts_at,
        ends_at=ends_at,
        stream_url=stream_url.strip(),
        scheduled_by=by,
    )
    dialogue.hosts.set(hosts)
    dialogue.moderators.set(moderators)
    dialogue_announced.send(sender=Dialogue, dialogue=dialogue, by=by)
    return dialogue


@service_transaction
def dialogue_reschedule(
    *, dialogue_id: int, by: User, starts_at: dt.datetime, ends_at: dt.datetime, stream_url: str
) -> Dialogue:
    """Changes when the dialogue takes place and its video link, and tells every open page of the room (event
    "schedule"). Raises ValidationFailed if it would end before it starts, or if a dialogue not started yet
    would start in the past; DialogueStateError once it has ended."""
    dialogue = Dialogue.objects.select_for_update(no_key=True).get(pk=dialogue_id)
    if dialogue.state in {State.ENDED, State.PUBLISHED}:
        raise DialogueStateError(_("The dialogue has ended: its schedule can no longer change."))
    errors: dict[str, list[str]] = {}
    if ends_at <= starts_at:
        errors["ends_at"] = [str(_("The end must be after the start."))]
    if dialogue.state == State.SCHEDULED and starts_at <= clock.now():
        errors["starts_at"] = [str(_("The start must be in the future."))]
    if errors:
        raise ValidationFailed(errors)
    dialogue.starts_at, dialogue.ends_at, dialogue.stream_url = starts_at, ends_at, stream_url.strip()
    dialogue.save(update_fields=["starts_at", "ends_at", "stream_url", "updated_at"])
    message_broadcast(dialogue_id=dialogue.pk, type_="schedule", data=schedule_data(dialogue))
    return dialogue


def schedule_data(dialogue: Dialogue) -> dict[str, str]:
    """The "schedule" event: times as ISO strings and as the pages write them (Vietnam time)."""
    start, end = localtime(dialogue.starts_at), localtime(dialogue.ends_at)
    return {
        "starts_at": dialogue.starts_at.isoformat(),
        "ends_at": dialogue.ends_at.isoformat(),
        "when": f"{start:%H:%M, %d/%m/%Y}–{end:%H:%M, %d/%m/%Y}",
        "stream_url": dialogue.stream_url,
    }


@dataclass(frozen=True)
class Advanced:
    dialogue: Dialogue
    cases_opened: list[DialogueQuestion]


@service_transaction
def dialogue_advance(*, dialogue_id: int, to_state: str, by: User) -> Advanced:
    """Moves the dialogue to the state after its current one (raises DialogueStateError otherwise) and tells
    the room. On ending, each approved question not answered on air becomes a case (channel "dialogue"),
    routed and given its deadline like any other; an asker who left contact details gets the usual receipt
    with the tracking code. On publishing, each question answered on air becomes a publication candidate,
    reviewed like any other before the public sees it."""
    dialogue = Dialogue.objects.select_for_update().get(pk=dialogue_id)
    if NEXT_STATE.get(State(dialogue.state)) != to_state:
        raise DialogueStateError(_("The dialogue cannot move to that state now."))
    dialogue.state = to_state
    fields = ["state", "updated_at"]
    if to_state == State.ENDED:
        dialogue.now_answering = None
        fields.append("now_answering")
    dialogue.save(update_fields=fields)
    opened = _open_cases(dialogue) if to_state == State.ENDED else []
    if to_state == State.PUBLISHED:
        _propose_transcript(dialogue)
    message_broadcast(dialogue_id=dialogue.pk, type_="state", data={"state": to_state})
    return Advanced(dialogue, opened)


def _open_cases(dialogue: Dialogue) -> list[DialogueQuestion]:
    category = dialogue.category or Category.objects.filter(slug=FALLBACK_CATEGORY).first()
    if category is None:
        category = Category.objects.filter(is_active=True).order_by("id").first()
    if category is None:
        logger.error("dialogue %s: no category to open cases in; questions left as they are", dialogue.pk)
        return []
    # Routed by the rules in force like any case, but within the dialogue's own agency: a question put to a
    # province's leaders is that province's to answer (its own departments where a rule says so, else the
    # agency itself), never sent to a national desk because it came through the "dialogue" channel.
    within = dataclasses.replace(BUILT_IN, agency_id=dialogue.agency_id, agency_path=dialogue.agency.path)
    opened = []
    for question in unanswered_approved(dialogue).select_for_update():
        text = question.text
        submitted = case_submit(
            kind="question",
            title=_case_title(text),
            body=f"{text}\n\n{_asked_during(dialogue)}",
            category=category,
            area=dialogue.area,
            channel="dialogue",
            contact=Contact(name=question.asker_name, email=question.contact_email, phone=question.contact_phone),
            show_name_publicly=question.show_name,  # the asker's choice in the room holds for the case too
            submitter=question.asker,
            site=within,
            screen_flood=False,  # approved by the dialogue's moderators already
        )
        question.case = submitted.case
        question.save(update_fields=["case", "updated_at"])
        opened.append(question)
    return opened


# Outside the f-string, so that makemessages finds it.
ASKED_DURING = _("Asked during the online dialogue")


def _asked_during(dialogue: Dialogue) -> str:
    """The line that tells where a question came from. Stored with the text, so written in the portal's
    language, not in that of whoever closed the dialogue (an English page would leave English in it)."""
    with translation.override(settings.LANGUAGE_CODE):
        return f"— {ASKED_DURING} “{dialogue.title}”"


def _propose_transcript(dialogue: Dialogue) -> None:
    """Each question answered on air becomes a publication candidate (the publication review decides what
    the public sees); a merged duplicate's asker is represented by the question it was merged into."""
    for question in transcript(dialogue):
        answers = [answer.text for answer in question.answers.all()]
        item_propose_from_dialogue(
            source_ref=transcript_ref(dialogue.pk, question.pk),
            title=_case_title(question.text),
            question=f"{question.text}\n\n{_asked_during(dialogue)}",
            answer="\n\n".join(answers),
            asker_display=question.public_asker,
            names=[] if question.show_name else [question.asker_name],  # as a case hides an unshown name
            contacts=[question.contact_email, question.contact_phone],
            agency=dialogue.agency,
            category=dialogue.category,
            asked_at=question.created_at,
            answered_at=question.answered_at or dialogue.ends_at,
        )


def transcript_ref(dialogue_id: int, question_id: int) -> str:
    """How a published item names the dialogue question it was made from."""
    return f"dialogue:{dialogue_id}:question:{question_id}"


def _case_title(text: str) -> str:
    first_line = text.strip().splitlines()[0] if text.strip() else text
    return first_line if len(first_line) <= 200 else first_line[:197].rstrip() + "…"
