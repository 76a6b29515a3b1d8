"""The holding queue: mail that matched nothing or failed a check, for moderators and administrators."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from caunoi.core.errors import NotFound, ValidationFailed

from ..access import access_held_mail, held_mail_for, may_handle_held_mail
from ..services import held_mail_add_to_case, held_mail_discard

HELD_PER_PAGE = 100


@login_required
def held_list(request: HttpRequest) -> HttpResponse:
    if not may_handle_held_mail(request.user):  # type: ignore[arg-type]
        raise Http404
    return _page(request, {})


def _page(request: HttpRequest, failed: dict[str, object], status: int = 200) -> HttpResponse:
    """The queue, oldest first; `failed` names the mail whose action was refused, its errors and the text
    typed, shown beside that mail's form."""
    held = held_mail_for(request.user).order_by("received_at", "id")[:HELD_PER_PAGE]  # type: ignore[arg-type]
    return render(request, "intake/held_mail.html", {"mails": held, "failed": failed}, status=status)


@login_required
@require_POST
def held_action(request: HttpRequest, mail_id: int, action: str) -> HttpResponse:
    try:
        mail = access_held_mail(request.user, mail_id)  # type: ignore[arg-type]
    except NotFound as exc:
        raise Http404 from exc
    if action == "discard":
        held_mail_discard(mail=mail, by=request.user)  # type: ignore[arg-type]
        messages.success(request, _("The mail was discarded."))
        return redirect("intake:held-mail")
    if action == "add-to-case":
        try:
            held_mail_add_to_case(mail=mail, tracking_code=request.POST.get("tracking_code", ""), by=request.user)  # type: ignore[arg-type]
        except ValidationFailed as exc:
            typed = request.POST.get("tracking_code", "")
            return _page(request, {"id": mail.pk, "errors": exc.errors["tracking_code"], "code": typed}, status=400)
        messages.success(request, _("The mail was added to the case."))
        return redirect("intake:held-mail")
    raise Http404
