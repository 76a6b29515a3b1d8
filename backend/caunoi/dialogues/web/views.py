"""Dialogue pages. Thin: access, validate with the shared serializers and forms, call services, render.
Every page works without JavaScript; dialogue-room.js makes the viewer page live."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST

from caunoi.abuse import honeypot
from caunoi.core.errors import ApplicationError, NotFound, ValidationFailed
from caunoi.core.ratelimit import client_address, hit

from .. import services
from ..access import (
    HOST,
    MODERATOR,
    access_dialogue,
    access_dialogue_for_role,
    agencies_for_scheduling,
    is_staff_of,
    may_schedule,
    room_roles,
)
from ..api.serializers import QuestionInput
from ..devices import device_mint, device_of
from ..models import ASKING_STATES, NEXT_STATE, QuestionStatus, State
from ..selectors import (
    dialogues_announced,
    most_similar_first,
    public_questions,
    staff_questions,
    transcript,
    unanswered_approved,
)
from ..services.lifecycle import NOTICE_WORKING_DAYS
from ..services.words import dialogue_words, restricted_words_set
from ..ws import VOTER_COOKIE, RoomEntry, person_of, run_action
from .forms import RescheduleForm, ScheduleForm

LIVE_REFRESH_SECONDS = 30
SCHEDULED_REFRESH_SECONDS = 60
VOTER_COOKIE_AGE = 365 * 24 * 3600


def _room_strings() -> dict[str, Any]:
    """The words dialogue-room.js writes into the page, translated here (the module has no catalogue)."""
    return {
        "states": {state.value: str(state.label) for state in State},
        "asking": sorted(ASKING_STATES),
        "closed": _("This dialogue is no longer taking questions. Your text is still here: copy it if you need it."),
        "ended": _("The dialogue has ended. Thank you for taking part."),
        "newPending": _("New question waiting"),
        "askedBy": _("Asked by %(name)s"),
        "participant": _("Participant %(number)s"),
        "votes": _("votes"),
        "answer": _("Answer"),
        "answered": pgettext("dialogue question", "Answered"),
        "vote": _("I want this answered too"),
        "voted": _("Your vote was counted."),
        "live": _("Live: this page updates by itself."),
        "reconnecting": _("Connection lost. Reconnecting…"),
        "newAnswer": _("New answer"),
        "newQuestions": _("New questions are waiting. Refresh to see them."),
        "changed": _("Something changed. Refresh to see it."),
        "refresh": _("Refresh"),
    }


def _dialogue_or_404(dialogue_id: int, user: Any = None, role: str = "") -> Any:
    try:
        return access_dialogue_for_role(user, dialogue_id, role) if role else access_dialogue(dialogue_id)
    except NotFound as exc:
        raise Http404 from exc


def dialogue_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "dialogues/list.html",
        {"dialogues": dialogues_announced()[:100], "may_schedule": may_schedule(request.user)},
    )


def dialogue_detail(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    dialogue = _dialogue_or_404(dialogue_id)
    roles = room_roles(request.user, dialogue)
    questions = public_questions(dialogue)
    response = render(
        request,
        "dialogues/detail.html",
        {
            "dialogue": dialogue,
            "questions": questions,
            "now_answering": next((q for q in questions if q.pk == dialogue.now_answering_id), None),
            "asking": dialogue.state in ASKING_STATES,
            # Without JavaScript the page refreshes itself until the dialogue ends (a scheduled one less often).
            "refresh_seconds": _refresh_seconds(dialogue.state),
            "is_moderator": MODERATOR in roles,
            "is_host": HOST in roles,
            "strings": _room_strings(),
        },
    )
    # Lets a person without an account vote once per question (from this browser): a device id the server
    # signs, a few per address (a script fetching the page for new ids soon gets none).
    if (
        not request.user.is_authenticated
        and device_of(request.COOKIES.get(VOTER_COOKIE, "")) is None
        and hit("dialogue_device", client_address(request), settings.RATE_LIMITS["dialogue_device"])
    ):
        response.set_cookie(VOTER_COOKIE, device_mint(), max_age=VOTER_COOKIE_AGE, httponly=True, samesite="Lax")
    return response


def _refresh_seconds(state: str) -> int | None:
    if state in ASKING_STATES:
        return LIVE_REFRESH_SECONDS
    return SCHEDULED_REFRESH_SECONDS if state == State.SCHEDULED else None


@require_http_methods(["GET", "POST"])
def dialogue_ask(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    dialogue = _dialogue_or_404(dialogue_id)
    context: dict[str, Any] = {
        "dialogue": dialogue,
        "data": {},
        "errors": {},
        "open": dialogue.state in ASKING_STATES,
        "strings": _room_strings(),
    }
    if request.method == "GET":
        return render(request, "dialogues/ask.html", context)
    if honeypot.caught(request.POST):  # a quiet refusal (caunoi.abuse.honeypot)
        errors = {"non_field_errors": [str(honeypot.GENERIC_FAILURE)]}
        context.update(data=request.POST, errors=errors, error_list=_error_list(errors, QuestionInput().fields))
        return render(request, "dialogues/ask.html", context, status=400)
    reply = run_action(_entry(request, dialogue.pk), "ask", request.POST.dict())
    if reply["type"] == "ok":
        messages.success(request, _("Thank you. Your question was sent and will appear once a moderator approves it."))
        return redirect("dialogues:detail", dialogue_id=dialogue.pk)
    errors = _field_errors(reply)
    context.update(data=request.POST, errors=errors, error_list=_error_list(errors, QuestionInput().fields))
    return render(request, "dialogues/ask.html", context, status=429 if reply["code"] == "rate_limited" else 400)


def _field_errors(reply: dict[str, Any]) -> dict[str, list[str]]:
    if reply.get("errors"):
        return {field: [str(m) for m in messages_] for field, messages_ in reply["errors"].items()}
    return {"non_field_errors": [reply["message"]]}


def _error_list(errors: dict[str, list[str]], fields: Any) -> list[tuple[str, str, list[str]]]:
    """(field, label, messages) for the error summary; errors of no field come without a label."""
    return [(name, str(fields[name].label) if name in fields else "", messages_) for name, messages_ in errors.items()]


def _entry(request: HttpRequest, dialogue_id: int) -> RoomEntry:
    dialogue = access_dialogue(dialogue_id)
    user = request.user if request.user.is_authenticated else None
    roles = room_roles(request.user, dialogue)
    person = person_of(user, request.COOKIES.get(VOTER_COOKIE, ""))  # type: ignore[arg-type]
    return RoomEntry(
        dialogue_id,
        user,
        roles,
        is_staff_of(roles),
        person,
        request.LANGUAGE_CODE,
        client_address(request),  # type: ignore[arg-type]
    )


# Where each action's form lives: the page to return to.
_RETURN_TO = {
    "vote": "dialogues:detail",
    "approve": "dialogues:moderate",
    "reject": "dialogues:moderate",
    "merge": "dialogues:moderate",
    "move_up": "dialogues:moderate",
    "pick": "dialogues:host",
    "answer": "dialogues:host",
    "mark_answered": "dialogues:host",
}
_DONE = {
    "vote": _("Your vote was counted."),
    "approve": _("The question was approved and is now shown to everyone."),
    "reject": _("The question was rejected."),
    "merge": _("The question was merged."),
    "move_up": _("The running order was changed."),
    "pick": _("Everyone now sees that you are answering this question."),
    "answer": _("Your answer was published."),
    "mark_answered": _("The question was marked answered."),
}


@require_POST
def dialogue_act(request: HttpRequest, dialogue_id: int, action: str) -> HttpResponse:
    """The forms of the viewer, moderator and host pages: the same checks and services as the live room."""
    if action not in _RETURN_TO:
        raise Http404
    entry = _entry(request, _dialogue_or_404(dialogue_id).pk)
    data: dict[str, Any] = request.POST.dict()
    room_action = action
    if action == "move_up":
        room_action, data = "reorder", {"ids": _moved_up(dialogue_id, request.POST.get("question", ""))}
    reply = run_action(entry, room_action, data)
    if reply["type"] == "ok":
        messages.success(request, _DONE[action])
    else:
        errors = reply.get("errors") or {}
        detail = "; ".join(str(m) for field in errors.values() for m in field) if errors else reply["message"]
        messages.error(request, detail)
    target = reverse(_RETURN_TO[action], args=[dialogue_id])
    question = request.POST.get("question", "")
    return redirect(f"{target}#q-{question}" if question.isdigit() else target)


def _moved_up(dialogue_id: int, question: str) -> list[int]:
    ids = [q.pk for q in staff_questions(access_dialogue(dialogue_id), QuestionStatus.APPROVED)]
    if question.isdigit() and int(question) in ids:
        index = ids.index(int(question))
        if index > 0:
            ids[index - 1], ids[index] = ids[index], ids[index - 1]
    return ids


@login_required
def dialogue_moderate(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    dialogue = _dialogue_or_404(dialogue_id, request.user, MODERATOR)
    waiting = staff_questions(dialogue, QuestionStatus.PENDING)
    approved = staff_questions(dialogue, QuestionStatus.APPROVED)
    for question in waiting:
        question.merge_targets = most_similar_first(question, approved)  # type: ignore[attr-defined]
    return render(
        request,
        "dialogues/moderate.html",
        {
            "dialogue": dialogue,
            "held": [q for q in waiting if q.held_words],
            "pending": [q for q in waiting if not q.held_words],
            "approved": approved,
            "words": dialogue_words(dialogue),
            "strings": _room_strings(),
        },
    )


@login_required
@require_POST
def dialogue_words_page(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    """The dialogue's restricted words, from the moderation desk."""
    dialogue = _dialogue_or_404(dialogue_id, request.user, MODERATOR)
    try:
        restricted_words_set(dialogue_id=dialogue.pk, words=request.POST.get("words", ""), by=request.user)  # type: ignore[arg-type]
    except ValidationFailed as exc:
        messages.error(request, "; ".join(str(m) for errors in exc.errors.values() for m in errors))
    else:
        messages.success(request, _("The restricted words were saved. New questions are checked against them."))
    return redirect("dialogues:moderate", dialogue_id=dialogue.pk)


@login_required
def dialogue_host(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    dialogue = _dialogue_or_404(dialogue_id, request.user, HOST)
    return _host_page(request, dialogue)


def _host_page(
    request: HttpRequest, dialogue: Any, reschedule: RescheduleForm | None = None, status: int = 200
) -> HttpResponse:
    if reschedule is None:
        reschedule = RescheduleForm(
            initial={
                "starts_at": localtime(dialogue.starts_at),
                "ends_at": localtime(dialogue.ends_at),
                "stream_url": dialogue.stream_url,
            }
        )
    approved = staff_questions(dialogue, QuestionStatus.APPROVED)
    return render(
        request,
        "dialogues/host.html",
        {
            "dialogue": dialogue,
            "approved": approved,
            "answered": staff_questions(dialogue, QuestionStatus.ANSWERED),
            "now_answering": next((q for q in approved if q.pk == dialogue.now_answering_id), None),
            "next_state": NEXT_STATE.get(State(dialogue.state)),
            "next_state_label": State(NEXT_STATE[State(dialogue.state)]).label if dialogue.state in NEXT_STATE else "",
            "reschedule": reschedule,
            "reschedule_errors": {field: [str(e) for e in errs] for field, errs in reschedule.errors.items()},
            "strings": _room_strings(),
        },
        status=status,
    )


@login_required
@require_POST
def dialogue_reschedule_page(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    """A host changes the times or the video link; every open page of the room shows the change."""
    dialogue = _dialogue_or_404(dialogue_id, request.user, HOST)
    form = RescheduleForm(request.POST)
    if form.is_valid():
        try:
            services.dialogue_reschedule(
                dialogue_id=dialogue.pk,
                by=request.user,  # type: ignore[arg-type]
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                stream_url=form.cleaned_data["stream_url"],
            )
        except ValidationFailed as exc:
            for field, errors in exc.errors.items():
                for error in errors:
                    form.add_error(field, error)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The schedule was changed. Everyone in the room sees it now."))
            return redirect("dialogues:host", dialogue_id=dialogue.pk)
    return _host_page(request, dialogue, reschedule=form, status=400)


@login_required
@require_POST
def dialogue_advance_page(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    dialogue = _dialogue_or_404(dialogue_id, request.user, HOST)
    to_state = request.POST.get("to_state", "")
    if to_state == State.ENDED and dialogue.state == State.LIVE and request.POST.get("confirm") != "1":
        # Ending cannot be undone and sends questions to agencies: the host sees which, and confirms.
        return render(
            request,
            "dialogues/end_confirm.html",
            {"dialogue": dialogue, "becoming_cases": list(unanswered_approved(dialogue))},
        )
    try:
        result = services.dialogue_advance(
            dialogue_id=dialogue.pk,
            to_state=to_state,
            by=request.user,  # type: ignore[arg-type]
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The dialogue is now: %(state)s.") % {"state": State(result.dialogue.state).label})
        if result.cases_opened:
            messages.info(
                request,
                _("%(count)d questions not answered on air were sent to agencies as cases.")
                % {"count": len(result.cases_opened)},
            )
    return redirect("dialogues:host", dialogue_id=dialogue.pk)


def dialogue_transcript(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    dialogue = _dialogue_or_404(dialogue_id)
    return render(request, "dialogues/transcript.html", {"dialogue": dialogue, "questions": transcript(dialogue)})


@login_required
@require_http_methods(["GET", "POST"])
def dialogue_schedule_page(request: HttpRequest) -> HttpResponse:
    if not may_schedule(request.user):
        raise Http404
    agencies = agencies_for_scheduling(request.user)  # type: ignore[arg-type]
    form = ScheduleForm(request.POST or None, agencies=agencies)
    short_notice = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        short_notice = services.notice_is_short(data["starts_at"])
        if not short_notice or data["confirm_short_notice"]:
            try:
                dialogue = services.dialogue_schedule(
                    by=request.user,  # type: ignore[arg-type]
                    title=data["title"],
                    description=data["description"],
                    agency=data["agency"],
                    category=data["category"],
                    area=data["area"],
                    hosts=data["hosts"],
                    moderators=data["moderators"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    stream_url=data["stream_url"],
                )
            except ValidationFailed as exc:
                for field, errors in exc.errors.items():
                    for error in errors:
                        form.add_error(field, error)
            else:
                messages.success(request, _("The dialogue was scheduled and is announced on the portal."))
                return redirect("dialogues:detail", dialogue_id=dialogue.pk)
    form_errors = {field: [str(e) for e in errs] for field, errs in form.errors.items()}
    status = 400 if form_errors else 200
    return render(
        request,
        "dialogues/schedule.html",
        {
            "form": form,
            "errors": form_errors,
            "error_list": _error_list(form_errors, form.fields),
            "short_notice": short_notice,
            "notice_days": NOTICE_WORKING_DAYS,
        },
        status=status,
    )
