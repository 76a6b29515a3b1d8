"""Pages: follow by e-mail, confirm, unsubscribe (one click), "me too", and the leaders' most supported list."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from rest_framework import serializers

from caunoi.agencies.models import Agency, Category
from caunoi.cases.web.errors import error_texts
from caunoi.cases.web.views import case_tracked_in_session
from caunoi.core.errors import NotFound
from caunoi.core.policy import refusal_for
from caunoi.dialogues.devices import device_mint, device_of
from caunoi.publication.access import access_published_item

from .access import may_see_most_supported
from .api.serializers import follow_email_field
from .models import Subscription, Target
from .selectors import most_supported, support_count
from .services import describe, follow_confirm, follow_end, follow_request, subscription_of, support_add

DEVICE_COOKIE = "caunoi_voter"  # the dialogues' signed device id (caunoi.dialogues.devices), reused


class FollowInput(serializers.Serializer):
    email = follow_email_field()
    target = serializers.ChoiceField(choices=Target.choices)
    target_id = serializers.IntegerField(min_value=1)
    frequency = serializers.ChoiceField(choices=Subscription.Frequency.choices, default="immediate")


def _follow_context(data: Any, errors: dict[str, Any]) -> dict[str, Any]:
    """The form with what it follows named (an unknown target names nothing and is refused on POST)."""
    what = ""
    try:
        target, target_id = str(data.get("target", "")), int(data.get("target_id", "0"))
    except ValueError:
        target, target_id = "", 0
    if target in Target.values and target_id > 0 and _target_exists(target, target_id):
        what = describe(Subscription(target=target, target_id=target_id))
    return {"data": data, "errors": errors, "what": what, "frequencies": Subscription.Frequency.choices}


def _target_exists(target: str, target_id: int) -> bool:
    """Whether the public may follow it: a case is followed only from its track page (follow_case)."""
    if target == Target.CASE:
        return False
    if target == Target.ITEM:
        from caunoi.publication.models import PublishedItem, Status

        return PublishedItem.objects.filter(pk=target_id, status=Status.PUBLISHED).exists()
    model = Agency if target == Target.AGENCY else Category
    return model.objects.filter(pk=target_id, is_active=True).exists()


@require_http_methods(["GET", "POST"])
def follow(request: HttpRequest) -> HttpResponse:
    """The follow form (also posted from an item's, agency's or category's page)."""
    data = request.POST if request.method == "POST" else request.GET
    if request.method == "GET":
        return render(request, "follows/follow.html", _follow_context(data, {}))
    refused = refusal_for(request, "follow")
    if refused is not None:
        errors = {"email": [_("Too many requests. Please wait a few minutes and try again.")]}
        return render(request, "follows/follow.html", _follow_context(data, errors), status=429)
    form = FollowInput(data=data)
    errors = {} if form.is_valid() else {k: error_texts(v) for k, v in form.errors.items()}
    if not errors and not _target_exists(form.validated_data["target"], form.validated_data["target_id"]):
        errors = {"target": [_("There is nothing to follow here.")]}
    if errors:
        return render(request, "follows/follow.html", _follow_context(data, errors), status=400)
    follow_request(**form.validated_data, language=get_language() or "vi")
    return render(request, "follows/requested.html", {"email": form.validated_data["email"]})


def confirm(request: HttpRequest, token: str) -> HttpResponse:
    subscription = subscription_of(token, confirming=True)
    if subscription is None:
        return render(request, "follows/link_invalid.html", status=404)
    follow_confirm(subscription=subscription)
    return render(request, "follows/confirmed.html", {"subscription": subscription})


@csrf_exempt  # RFC 8058: the mail client POSTs the one-click unsubscribe without a session; the token proves it
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows one button (link scanners must not unsubscribe anyone); POST unsubscribes at once."""
    subscription = subscription_of(token, confirming=False)
    if subscription is None:
        return render(request, "follows/unsubscribed.html", {"already": True})
    if request.method == "GET":
        return render(request, "follows/unsubscribe.html", {"token": token})
    follow_end(subscription=subscription)
    return render(request, "follows/unsubscribed.html", {})


@require_http_methods(["GET", "POST"])
def support(request: HttpRequest, slug: str) -> HttpResponse:
    """ "Me too" on a published item: once per account, or per browser (signed device id) without one. The
    item's page links here (it is cached for everyone and carries no form token); GET asks, POST counts."""
    try:
        item = access_published_item(slug)
    except NotFound as exc:
        raise Http404 from exc
    if request.method == "GET":
        return render(request, "follows/support.html", {"item": item, "count": support_count(item)})
    refused = refusal_for(request, "support")
    if refused is not None:
        context = {"item": item, "refused": True, "count": support_count(item)}
        return render(request, "follows/support.html", context, status=429)
    device = device_of(request.COOKIES.get(DEVICE_COOKIE, ""))
    new_device = None
    if request.user.is_authenticated:
        supporter = f"u:{request.user.pk}"
    else:
        if device is None:
            new_device = device_mint()
            device = device_of(new_device)
        supporter = f"d:{device}"
    added = support_add(item=item, supporter=supporter)
    context = {"item": item, "done": True, "added": added, "count": support_count(item)}
    response = render(request, "follows/support.html", context)
    if new_device:
        response.set_cookie(DEVICE_COOKIE, new_device, max_age=365 * 24 * 3600, httponly=True, samesite="Lax")
    return response


@login_required
def most_supported_page(request: HttpRequest) -> HttpResponse:
    if not may_see_most_supported(request.user):  # type: ignore[arg-type]
        raise Http404
    return render(request, "follows/most_supported.html", {"items": most_supported()})


@require_http_methods(["GET", "POST"])
def follow_case(request: HttpRequest, tracking_code: str) -> HttpResponse:
    """A citizen follows their own case by e-mail (an address besides, or instead of, the one they gave):
    only from a browser that proved the access code (the track page's session) or the account that sent it."""
    case = case_tracked_in_session(request, tracking_code)  # Http404 otherwise
    action = reverse("follows:follow-case", args=[case.tracking_code])
    data = request.POST if request.method == "POST" else {"target": Target.CASE, "target_id": case.pk}
    context = {"data": data, "errors": {}, "what": case.tracking_code, "action": action,
               "frequencies": Subscription.Frequency.choices[:1]}  # fmt: skip
    if request.method == "GET":
        return render(request, "follows/follow.html", context)
    refused = refusal_for(request, "follow")
    if refused is not None:
        context["errors"] = {"email": [_("Too many requests. Please wait a few minutes and try again.")]}
        return render(request, "follows/follow.html", context, status=429)
    form = FollowInput(data={"email": request.POST.get("email", ""), "target": Target.CASE, "target_id": case.pk})
    if not form.is_valid():
        context["errors"] = {k: error_texts(v) for k, v in form.errors.items()}
        return render(request, "follows/follow.html", context, status=400)
    follow_request(
        email=form.validated_data["email"], target=Target.CASE, target_id=case.pk,
        frequency=Subscription.Frequency.IMMEDIATE, language=case.language,
    )  # fmt: skip
    return render(request, "follows/requested.html", {"email": form.validated_data["email"]})
