"""Staff pages: the review list and the review page of one item (moderators; leaders for their agencies).

Every page obtains the item through access_item_for_review; every action calls one service and says
what it did."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from caunoi.accounts.models import User
from caunoi.core.errors import ApplicationError, NotFound

from .. import services
from ..access import access_item_for_review, may_review
from ..models import PublishedItem, RedactionKind, Status
from ..selectors import review_list

REVIEW_PAGE_SIZE = 50


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
    query = request.GET.get("q", "")[:200]
    items = review_list(user, status=status, query=query).select_related("agency")
    # Every waiting item is reachable: numbered pages (get_page turns a bad or too-high number into the
    # nearest page rather than an error), the status and the search kept in each page's link.
    page = Paginator(items, REVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    kept = QueryDict(mutable=True)
    kept["status"] = status
    if query:
        kept["q"] = query
    return render(
        request,
        "portal/review_list.html",
        {"page": page, "status": status, "statuses": Status.choices, "q": query, "kept": kept.urlencode()},
    )


@login_required
def review_item(request: HttpRequest, item_id: int) -> HttpResponse:
    user = _reviewer(request)
    try:
        item = access_item_for_review(user, item_id)
    except NotFound as exc:
        raise Http404 from exc
    return _review_page(request, item)


def _review_page(
    request: HttpRequest, item: PublishedItem, *, form: str = "", error: str = "", status: int = 200
) -> HttpResponse:
    """The review page; after a refused action, with the error beside the form it came from (`form`) and
    what the reviewer typed kept in it."""
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
            "text_fields": [("title", _("Title")), ("question", _("Question")), ("answer", _("Answer"))],
            "form": form,
            "error": error,
            "typed": request.POST if form else {},
            "summary_errors": {"non_field_errors": [error]} if error else {},
        },
        status=status,
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
        done = _act(item, action, post, user)
    except ApplicationError as exc:
        # Refused: the page again, the message beside the form, what was typed kept (400/409, never a 500).
        item.refresh_from_db()
        return _review_page(request, item, form=action, error=str(exc.message), status=exc.status_code)
    messages.success(request, done)
    return redirect("publication:review-item", item_id=item.pk)


def _act(item: PublishedItem, action: str, post: QueryDict, user: User) -> str:
    """Runs the service for `action` and says what it did; raises Http404 for an unknown action."""
    if action == "redact":
        services.item_redaction_add(
            item=item,
            phrase=post.get("phrase", ""),
            kind=post.get("kind", ""),
            by=user,
            field=post.get("field", ""),
            occurrence=_int(post.get("occurrence")) or None,
            everywhere=post.get("everywhere") == "1",
        )
        return _("The words are hidden.")
    if action == "unredact":
        services.item_redaction_remove(item=item, redaction_id=_int(post.get("redaction")), by=user)
        return _("The redaction is removed.")
    if action == "reredact":
        services.item_redaction_restore(item=item, redaction_id=_int(post.get("redaction")), by=user)
        return _("The words are hidden again.")
    if action == "edit":
        services.item_edit(
            item=item,
            title=post.get("title", ""),
            question=post.get("question", ""),
            answer=post.get("answer", ""),
            by=user,
        )
        return _("The texts are saved.")
    if action == "publish":
        services.item_publish(item=item, by=user)
        return _("The item is published.")
    if action == "decline":
        services.item_decline(item=item, reason=post.get("reason", ""), by=user)
        return _("The item will not be published.")
    if action == "unpublish":
        services.item_unpublish(item=item, reason=post.get("reason", ""), by=user)
        return _("The item is unpublished.")
    if action == "correct" and post.get("privacy") == "1":
        services.item_correct_privately(
            item=item,
            title=post.get("title", ""),
            question=post.get("question", ""),
            answer=post.get("answer", ""),
            reason=post.get("reason", ""),
            by=user,
        )
        return _("The text is replaced everywhere, without a public note; the reason is kept in the history.")
    if action == "correct":
        revision = services.item_correct(
            item=item,
            title=post.get("title", ""),
            question=post.get("question", ""),
            answer=post.get("answer", ""),
            reason=post.get("reason", ""),
            by=user,
        )
        if revision is None:  # it took personal data out: done as a privacy correction
            return _("The correction removes personal data: the text is replaced everywhere, without a public note.")
        return _("The correction is published; the previous text is kept in the history.")
    if action == "hide-published":
        services.item_correct_privately(
            item=item,
            hide=[(post.get("kind", ""), post.get("phrase", ""))],
            reason=post.get("reason", ""),
            by=user,
        )
        return _("The words are hidden everywhere, without a public note; the reason is kept in the history.")
    raise Http404


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return 0
