"""Answer drafts that survive: autosave while the official types, and a page that gives the text back when
saving is refused (the case moved to another agency, another version was saved meanwhile, the case closed).

Nothing typed is lost: a refused draft is never answered with "not found" or a bare error; the page shows the
text, says what changed, and offers a way to keep it (save as a new version, as an internal note, copy it, or
download it as a text file).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from caunoi.core.errors import ApplicationError, NotFound

from ..access import access_case_for_action, actions_for, cases_for_staff, transfer_out_of_reach
from ..api.actions import DraftInput
from ..models import AnswerVersion, Case
from ..selectors import status_label
from ..services import DraftConflict, case_answer_autosave
from .errors import error_texts


def _moved_sentence(request: HttpRequest, case_id: int) -> str | None:
    """ "Transferred to X by Y at hh:mm" when the case left the user's agencies; None otherwise."""
    event = transfer_out_of_reach(request.user, case_id)  # type: ignore[arg-type]
    if event is None:
        return None
    from caunoi.agencies.models import Agency

    to = Agency.objects.filter(code=event.payload.get("to", "")).first()
    who = event.actor.get_full_name() or event.actor.get_username() if event.actor else _("the system")
    return _(
        "While you were writing, %(who)s transferred case %(code)s to %(agency)s (%(when)s). "
        "It has left your agencies, so the draft can no longer be saved on it."
    ) % {
        "who": who,
        "code": event.case.tracking_code,
        "agency": to.display_name if to else event.payload.get("to", ""),
        "when": date_format(timezone.localtime(event.at), "H:i d/m/Y"),
    }


def draft_rescue(request: HttpRequest, *, case_id: int, refusal: ApplicationError) -> HttpResponse:
    """The text of a draft that could not be saved, with what changed and the ways to keep it (HTTP 409).
    Raises Http404 when the case is not one the user may open and never was (nothing is said about it)."""
    text = request.POST.get("body", "")
    moved = _moved_sentence(request, case_id) if isinstance(refusal, NotFound) else None
    if isinstance(refusal, NotFound) and moved is None:
        raise Http404
    case = cases_for_staff(request.user).filter(pk=case_id).first()  # type: ignore[arg-type]
    latest: AnswerVersion | None = None
    if case is not None:
        latest = case.answer_versions.select_related("author").order_by("-number").first()
    context = {
        "case": case,
        "text": text,
        "what_changed": moved or _what_changed(case, refusal),
        "status_label": status_label(case, staff=True) if case else "",
        "latest": latest if isinstance(refusal, DraftConflict) else None,
        "may_save_version": isinstance(refusal, DraftConflict),
        "may_save_note": case is not None and "note" in actions_for(request.user, case),  # type: ignore[arg-type]
    }
    return render(request, "cases/draft_rescue.html", context, status=409)


def _what_changed(case: Case | None, refusal: ApplicationError) -> str:
    if isinstance(refusal, DraftConflict) or case is None:
        return str(refusal.message)
    return _(
        "The case's status changed while you were writing: it is now “%(status)s”, and a draft cannot be saved."
    ) % {"status": status_label(case, staff=True)}


@login_required
@require_POST
def draft_autosave(request: HttpRequest, case_id: int) -> JsonResponse:
    """Keeps the answer being typed (js/draft-autosave.js): 200 with the version and the time it was saved;
    409 with what changed when it may not be saved (the page's form then leads to draft_rescue); 400 with
    the messages by field. The case may also have moved out of reach: 409 too, never a bare 404."""
    try:
        case = access_case_for_action(request.user, case_id, "draft")  # type: ignore[arg-type]
    except NotFound as exc:
        moved = _moved_sentence(request, case_id)
        if moved is None:
            raise Http404 from exc
        return JsonResponse({"conflict": moved}, status=409)
    except ApplicationError as exc:
        return JsonResponse({"conflict": str(exc.message)}, status=exc.status_code)
    form = DraftInput(data=request.POST, context={"user": request.user, "case": case, "web_form": True})
    if not form.is_valid():
        return JsonResponse({"errors": {k: error_texts(v) for k, v in form.errors.items()}}, status=400)
    base = form.validated_data["base_version"]
    try:
        version = case_answer_autosave(
            case=case,
            by=request.user,  # type: ignore[arg-type]
            body=form.validated_data["body"],
            base_version=base or 0,
        )
    except DraftConflict as exc:
        return JsonResponse({"conflict": str(exc.message), "latest": exc.extra.get("latest")}, status=409)
    except ApplicationError as exc:
        case.refresh_from_db()
        return JsonResponse({"conflict": _what_changed(case, exc)}, status=exc.status_code)
    saved_at = date_format(timezone.localtime(), "H:i")
    return JsonResponse(
        {
            "version": version.number,
            "saved_at": saved_at,
            "status": _("Saved at %(time)s (version %(number)s).") % {"time": saved_at, "number": version.number},
        }
    )


@login_required
@require_POST
def draft_download(request: HttpRequest) -> HttpResponse:
    """The text sent, back as a text file to keep: the way out when nothing else can hold it (the case moved
    to another agency). Staff only; nothing is stored."""
    if not request.user.works_cases:  # type: ignore[union-attr]
        raise Http404
    code = "".join(ch for ch in request.POST.get("code", "") if ch.isalnum() or ch == "-")[:30]
    response = HttpResponse(request.POST.get("body", ""), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="du-thao-{code or "tra-loi"}.txt"'
    return response
