"""Citizen and staff pages for cases. Thin: validate with the API's serializer, call services, render."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from caunoi.abuse import honeypot
from caunoi.abuse.middleware import refusal, shows_refusal
from caunoi.accounts.models import Role, User
from caunoi.accounts.sso.session import session_identity
from caunoi.agencies.models import Agency, Area, Category
from caunoi.core import hooks
from caunoi.core.errors import NotFound
from caunoi.core.ratelimit import TOO_MANY_REQUESTS
from caunoi.portals.selectors import site_by_id, site_of

from ..access import (
    access_case_for_citizen,
    access_case_for_staff,
    access_case_for_tracker,
    actions_for,
    cases_of_submitter,
)
from ..api.serializers import CaseSubmitSerializer, submit_validated
from ..api.views import attachment_response, tracked_case_data
from ..attachments import ALLOWED_EXTENSIONS
from ..clocks import case_clocks
from ..models import Case, Channel, Kind
from ..selectors import answer_templates_for, due_explanation, forwarding_state, is_overdue, status_label
from ..services.idempotency import KEY_PATTERN, IdempotencyKeyReused
from ..timeline import routing_lines, staff_timeline
from .area_choice import chosen_area, communes_of, place_errors_where_chosen, wants_communes_listed
from .errors import SentBack, error_texts

# Cases a browser session has proved it may follow (by tracking code and access code), by id.
SESSION_TRACKED = "tracked_cases"
SESSION_LAST_SUBMISSION = "last_submission"
SESSION_FORM_KEY = "submission_key"


def _form_context(request: HttpRequest, data: QueryDict | dict[str, Any], errors: dict[str, Any]) -> dict[str, Any]:
    field_errors = {field: error_texts(detail) for field, detail in errors.items()}
    return {
        "data": data,
        "errors": field_errors,
        "kinds": Kind.choices,
        "categories": Category.objects.filter(is_active=True).order_by("name"),
        "provinces": Area.objects.filter(kind=Area.Kind.PROVINCE).order_by("name"),
        "communes": communes_of(str(data.get("province") or "")),
        "accepted_types": ", ".join(e.lstrip(".").upper() for e in ALLOWED_EXTENSIONS),
        "accept_attribute": ",".join(ALLOWED_EXTENSIONS),
        "attachment_max_count": settings.ATTACHMENT_MAX_COUNT,
        "attachment_max_mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
        # Sent back with the form: pressing "Send" twice, resending after a dropped connection, or Back and
        # Send again stores one case (the key of an idempotent submission). Kept across a page with errors.
        "submission_key": data.get("submission_key") or _form_key(request),
    }


def _form_key(request: HttpRequest, *, fresh: bool = False) -> str:
    """The session's submission key. It outlives a submission, so that the form reached by Back (which the
    browser may fetch again) carries the key of the case just sent: sending the same again shows that case.
    Other content under it is a new request (see submit), which takes a fresh key."""
    key = None if fresh else request.session.get(SESSION_FORM_KEY)
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        key = uuid.uuid4().hex
        request.session[SESSION_FORM_KEY] = key
    return key


@shows_refusal
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        initial = {"kind": request.GET.get("kind", "")}
        if request.user.is_authenticated and request.user.role == Role.CITIZEN:  # theirs to change here
            initial.update(name=request.user.get_full_name(), email=request.user.email)
        return render(request, "cases/submit.html", _form_context(request, initial, {}))
    refused = refusal(request)  # the abuse policy's limits and block list (caunoi.core.policy, caunoi.abuse)
    if refused is not None:
        context = _form_context(
            request, request.POST, {"non_field_errors": [refused.message or str(TOO_MANY_REQUESTS)]}
        )
        return render(request, "cases/submit.html", context, status=refused.status)
    if honeypot.caught(request.POST):  # a quiet refusal: nothing stored, nothing said about why
        context = _form_context(request, request.POST, {"non_field_errors": [str(honeypot.GENERIC_FAILURE)]})
        return render(request, "cases/submit.html", context, status=400)
    if wants_communes_listed(request.POST):  # the province step without JavaScript: the form again, communes listed
        context = _form_context(request, request.POST, {})
        context["files_dropped"] = bool(request.FILES)
        return render(request, "cases/submit.html", context)
    data = request.POST.copy()
    data["area"], area_errors = chosen_area(request.POST)
    # The serializer reads files from the same mapping as the fields, as DRF does with request.data.
    data.setlist("attachments", request.FILES.getlist("attachments"))  # type: ignore[arg-type]
    serializer = CaseSubmitSerializer(data=data, context={"web_form": True})  # the form's own fields too
    if not serializer.is_valid() or area_errors:
        # The citizen's input comes back as typed; files cannot be refilled by a browser, so the page says so.
        errors = place_errors_where_chosen({**serializer.errors, **area_errors}, request.POST)
        context = _form_context(request, request.POST, errors)
        context["files_dropped"] = bool(request.FILES)
        return render(request, "cases/submit.html", context, status=400)
    key = request.POST.get("submission_key", "")
    if not KEY_PATTERN.fullmatch(key):
        key = _form_key(request)
    try:
        submitted = submit_validated(
            serializer,
            channel=Channel.WEB,
            user=request.user,
            idempotency_key=key,
            site=site_of(request),
            identity=session_identity(request),
        )
    except IdempotencyKeyReused:
        # The form's key already went with other content: this is a new request from the same browser.
        key = _form_key(request, fresh=True)
        submitted = submit_validated(
            serializer,
            channel=Channel.WEB,
            user=request.user,
            idempotency_key=key,
            site=site_of(request),
            identity=session_identity(request),
        )
    request.session[SESSION_FORM_KEY] = key
    case = submitted.case
    _remember(request, case)
    shown = request.session.get(SESSION_LAST_SUBMISSION) or {}
    if submitted.replayed and shown.get("code") == case.tracking_code and "token" not in shown:
        # Back and Send again in this browser: the confirmation again, but its access code was shown once.
        return redirect("cases:submit-done")
    request.session[SESSION_LAST_SUBMISSION] = {"code": case.tracking_code, "token": submitted.access_token}
    return redirect("cases:submit-done")


@never_cache
def submit_done(request: HttpRequest) -> HttpResponse:
    """The confirmation page. It shows the access code once: the session keeps only the tracking code after
    this, so a stolen or shared session never yields the secret. Never cached (it holds the secret)."""
    last = request.session.get(SESSION_LAST_SUBMISSION)
    if not last:
        return redirect("cases:submit")
    case = Case.objects.select_related("agency").get(tracking_code=last["code"])
    token = last.get("token", "")
    if token:
        request.session[SESSION_LAST_SUBMISSION] = {"code": case.tracking_code}
    return render(
        request,
        "cases/submit_done.html",
        {
            "case": case,
            "access_token": token,
            "track_link": track_link(request, case.tracking_code, token) if token else "",
            "status_label": status_label(case),
            "due": due_explanation(case),
        },
    )


def track_link(request: HttpRequest, tracking_code: str, token: str) -> str:
    """A bookmarkable address that opens the case: the access code rides in the fragment, which browsers
    never send to a server (nor in Referer headers); the track page's script posts it from there."""
    address = request.build_absolute_uri(f"{reverse('cases:track')}?{urlencode({'code': tracking_code})}")
    return f"{address}#{urlencode({'token': token})}"


def _remember(request: HttpRequest, case: Case) -> None:
    tracked = set(request.session.get(SESSION_TRACKED, []))
    tracked.add(case.pk)
    request.session[SESSION_TRACKED] = sorted(tracked)


@never_cache
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """The track form. The access code is accepted in a POST body only: in an address it would be written to
    server and proxy logs, browser history and Referer headers. A GET may prefill the tracking code alone."""
    if request.method == "GET":
        code = request.GET.get("code", "")[:20]
        if "token" in request.GET:  # an address with the secret in it: open nothing, move to a clean one
            return redirect(f"{reverse('cases:track')}?{urlencode({'code': code})}")
        return render(request, "cases/track.html", {"data": {"code": code}, "errors": {}})
    code = request.POST.get("code", "").strip()
    token = request.POST.get("token", "").strip()
    errors: dict[str, list[str]] = {}
    if not code:
        errors["code"] = [str(_("Enter the tracking code."))]
    if not token:
        errors["token"] = [str(_("Enter the access code."))]
    if not errors:
        try:
            case = access_case_for_tracker(code, token)
        except NotFound as exc:
            errors["code"] = [str(exc.message)]
        else:
            _remember(request, case)
            return redirect("cases:track-detail", tracking_code=case.tracking_code)
    return render(
        request,
        "cases/track.html",
        # What was typed comes back (in the body of this answer to a POST, never in an address).
        {"data": {"code": code, "token": token}, "errors": errors},
        status=404 if "code" in errors and code and token else 400,
    )


def case_tracked_in_session(request: HttpRequest, tracking_code: str) -> Case:
    """The case of the citizen's track pages: proved by its access code in this session, or sent by the
    logged-in user (access_case_for_citizen). Http404 otherwise."""
    try:
        return access_case_for_citizen(
            user=request.user,  # type: ignore[arg-type]
            tracked_ids=request.session.get(SESSION_TRACKED, []),
            tracking_code=tracking_code,
        )
    except NotFound as exc:
        raise Http404 from exc


MY_CASES_PER_PAGE = 20


@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    """The cases the logged-in user sent while logged in, newest first, each linking to its track page."""
    cases = cases_of_submitter(request.user).order_by("-received_at", "-id")  # type: ignore[arg-type]
    page = Paginator(cases, MY_CASES_PER_PAGE).get_page(request.GET.get("page"))
    rows = [{"case": case, "status_label": status_label(case)} for case in page]
    return render(request, "cases/my_cases.html", {"page": page, "rows": rows})


def track_detail(request: HttpRequest, tracking_code: str) -> HttpResponse:
    # Links from before the access code left addresses (`?token=`) prove nothing any more: they lead to
    # the form, without the code, so that the secret is not carried on to another address.
    if "token" in request.GET:
        return redirect("cases:track-detail", tracking_code=tracking_code)
    try:
        case = case_tracked_in_session(request, tracking_code)
    except Http404:
        return redirect(f"{reverse('cases:track')}?{urlencode({'code': tracking_code})}")
    return track_detail_page(request, case)


def track_detail_page(
    request: HttpRequest, case: Case, *, forms: dict[str, dict[str, Any]] | None = None, status: int = 200
) -> HttpResponse:
    """The citizen's page of `case`. `forms` holds a refused form's input and errors by form name (reply,
    rating, appeal: web/citizen.py), shown in that form and in the error summary."""
    context = tracked_case_data(case)
    # "messages" is Django's own key in templates (the confirmations); the case's conversation is renamed.
    context["conversation"] = context.pop("messages")
    forms = forms or {}
    context.update(
        case=case,
        attachments=case.attachments.filter(message__isnull=True),
        due=due_explanation(case),
        open_erasure=case.erasure_requests.filter(done_at__isnull=True).first(),
        # The page is theirs wherever they log in; others reach it in this browser only (by its codes).
        owner=request.user.is_authenticated and case.submitter_id == request.user.pk,
        errors={field: texts for form in forms.values() for field, texts in form["errors"].items()},
        attachment_max_count=settings.ATTACHMENT_MAX_COUNT,
        attachment_max_mb=settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
        accepted_types=", ".join(e.lstrip(".").upper() for e in ALLOWED_EXTENSIONS),
        accept_attribute=",".join(ALLOWED_EXTENSIONS),
    )
    empty: dict[str, Any] = {"data": {}, "errors": {}}
    for name in ("reply", "rating", "appeal"):
        context[f"{name}_form"] = forms.get(name, empty)
    return render(request, "cases/track_detail.html", context, status=status)


def track_attachment(request: HttpRequest, tracking_code: str, attachment_id: int) -> FileResponse:
    case = case_tracked_in_session(request, tracking_code)
    try:
        return attachment_response(case, attachment_id)
    except NotFound as exc:
        raise Http404 from exc


@login_required
def staff_case(request: HttpRequest, case_id: int) -> HttpResponse:
    try:
        case = access_case_for_staff(request.user, case_id)  # type: ignore[arg-type]
    except NotFound as exc:
        raise Http404 from exc
    return staff_case_page(request, case)


def staff_case_page(
    request: HttpRequest, case: Case, *, sent_back: SentBack | None = None, status: int = 200
) -> HttpResponse:
    """The case page for staff; `sent_back` is an action form that failed, shown open with its errors and
    the text as typed (status 400, or the refusal's own)."""
    actions = actions_for(request.user, case)  # type: ignore[arg-type]
    return render(
        request,
        "cases/staff_case.html",
        {
            # Similar cases and answers, the learned routing suggestion, answers to reuse: from the app that
            # understands text, above this one (core/hooks.py); empty when it is absent or fails.
            **hooks.case_page_context.call(case=case, actions=actions, user=request.user),
            "case": case,
            "sent_back": sent_back,
            "status_label": status_label(case, staff=True),
            "overdue": is_overdue(case),
            "due": due_explanation(case),
            "clocks": case_clocks(case),
            "forwarding": forwarding_state(case),
            "routing": case.routing_explanation,
            "routing_lines": routing_lines(case.routing_explanation),
            "routing_from": Agency.objects.filter(code=case.routing_explanation.get("transferred_from") or "").first(),
            "sent_from": site_by_id(case.site_id) if case.site_id is not None else None,
            "attachments": case.attachments.all(),
            "events": case.events.select_related("actor", "agency").order_by("at", "id"),
            "timeline": staff_timeline(case),
            "actions": actions,
            "notes": case.notes.select_related("author"),
            "answer_versions": case.answer_versions.select_related("author", "approved_by"),
            "conversation": case.messages.all(),
            "extensions": case.extensions.select_related("approved_by"),
            "duplicate_of": case.duplicate_of,
            "duplicates": case.duplicates.all(),
            "parts": case.parts.select_related("agency"),
            "answer_templates": answer_templates_for(case),
            "transfer_agencies": Agency.objects.filter(is_active=True).exclude(pk=case.agency_id).order_by("path"),
            "colleagues": User.objects.filter(
                memberships__agency=case.agency, role__in=[Role.OFFICIAL, Role.LEADER], is_active=True
            ).order_by("username"),
        },
        status=status,
    )


@login_required
def staff_attachment(request: HttpRequest, case_id: int, attachment_id: int) -> FileResponse:
    try:
        case = access_case_for_staff(request.user, case_id)  # type: ignore[arg-type]
        return attachment_response(case, attachment_id)
    except NotFound as exc:
        raise Http404 from exc
