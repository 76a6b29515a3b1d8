"""Staff pages: the review list and the review page of one item (moderators; leaders for their agencies).

Every page obtains the item through access_item_for_review; every action calls one service and says
what it did."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from caunoi.accounts.models import User
from caunoi.core.errors import ApplicationError, NotFound

from .. import services
from ..access import access_item_for_review, may_review
from ..models import RedactionKind, Status
from ..selectors import review_list


def _reviewer(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not may_review(user):
        raise Http404
    return user


@login_required
def review_index(request: HttpRequest) -> HttpResponse:
    user = _reviewer(request)
    status = request.GET.get("status", Status.PENDING_REVIEW)
    if status not in Status.values:
        status = Status.PENDING_REVIEW
    return render(
        request,
        "portal/review_list.html",
        {"items": review_list(user, status=status)[:200], "status": status, "statuses": Status.choices},
    )


@login_required
def review_item(request: HttpRequest, item_id: int) -> HttpResponse:
    user = _reviewer(request)
    try:
        item = access_item_for_review(user, item_id)
    except NotFound as exc:
        raise Http404 from exc
    return render(
        request,
        "portal/review_item.html",
        {
            "item": item,
            "redactions": item.redactions.filter(is_active=True),
            "removed": item.redactions.filter(is_active=False),
            "revisions": item.revisions.order_by("-number"),
            "events": item.events.select_related("actor").order_by("-at", "-id")[:50],
            "redaction_kinds": RedactionKind.choices,
        },
    )


@login_required
@require_POST
def review_action(request: HttpRequest, item_id: int, action: str) -> HttpResponse:
    user = _reviewer(request)
    try:
        item = access_item_for_review(user, item_id)
    except NotFound as exc:
        raise Http404 from exc
    post = request.POST
    try:
        if action == "redact":
            services.item_redaction_add(item=item, phrase=post.get("phrase", ""), kind=post.get("kind", ""), by=user)
            done = _("The words are hidden.")
        elif action == "unredact":
            services.item_redaction_remove(item=item, redaction_id=_int(post.get("redaction")), by=user)
            done = _("The redaction is removed.")
        elif action == "edit":
            services.item_edit(
                item=item,
                title=post.get("title", ""),
                question=post.get("question", ""),
                answer=post.get("answer", ""),
                by=user,
            )
            done = _("The texts are saved.")
        elif action == "publish":
            item = services.item_publish(item=item, by=user)
            done = _("The item is published.")
        elif action == "unpublish":
            services.item_unpublish(item=item, reason=post.get("reason", ""), by=user)
            done = _("The item is unpublished.")
        elif action == "correct":
            services.item_correct(
                item=item,
                title=post.get("title", ""),
                question=post.get("question", ""),
                answer=post.get("answer", ""),
                reason=post.get("reason", ""),
                by=user,
            )
            done = _("The correction is published; the previous text is kept in the history.")
        else:
            raise Http404
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return redirect("publication:review-item", item_id=item.pk)


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return 0
