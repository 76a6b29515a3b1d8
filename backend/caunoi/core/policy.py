"""The abuse policy: which requests count against which rate limits, in one table (`SCOPES`).

Every way in is listed by its URL name, whatever interface serves it (web form, API, Open311; e-mail and
staff-entered channels are added here when they get routes), so a new route of an existing kind is limited
by adding its name, and views stay free of limit checks. `AbusePolicyMiddleware` (caunoi.abuse.middleware)
applies the table before the view runs; a few places that are not routes (login and registration forms, the
dialogue room's websocket) call `refusal_for` or `core.ratelimit.check` themselves with the same limits.

Limits (`settings.RATE_LIMITS`, each from an environment variable, deploy/env.example) come in three kinds:
- `<scope>`: per client address. Generous, because a commune office or a school shares one address (NAT).
- `<scope>:identity`: per account and per contact e-mail and phone given in the request. Strict: one
  person's allowance does not grow by changing address, and neighbours behind one NAT do not share it.
- `<scope>:partner`: per partner API key, in place of the per-address limit, for a partner portal's server
  that relays many people's requests from one address (caunoi.accounts.partner_keys; a key may carry its
  own limit).
- `<scope>:failures`: per client address, counting only answers that say "not found" (a wrong tracking code
  or access code). Checked before the view, counted after it, so guessing codes stops early while following
  one's own case freely does not.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError

from . import safejson
from .ratelimit import Limit, check, client_address, parse_limit, window_key

ALL_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"})
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# Tracking secrets are guessed through every route that takes a tracking code and an access code.
TRACKING_ROUTES = frozenset(
    {
        "cases:track",
        "cases:track-detail",
        "cases:track-attachment",
        "cases:track-reply",
        "cases:track-rating",
        "api-case-track",
        "api-case-track-attachment",
        "api-case-track-reply",
        "api-case-track-rating",
        # The citizen's appeal and data rights take the same codes.
        "cases:track-appeal",
        "cases:track-consent-withdraw",
        "cases:track-personal-data",
        "cases:track-erasure",
        "api-case-track-appeal",
        "api-case-track-consent-withdraw",
        "api-case-track-personal-data",
        "api-case-track-erasure",
        # Following one's own case by e-mail (caunoi.follows) takes the code of a case the session proved.
        "follows:follow-case",
    }
)


@dataclass(frozen=True)
class Scope:
    name: str
    routes: frozenset[str] = field(default_factory=frozenset)  # URL names (namespace:name) it covers
    methods: frozenset[str] = WRITES  # the methods that count
    identities: bool = False  # also limited per account, contact e-mail and phone (RATE_LIMITS["<name>:identity"])
    failures: bool = False  # also limited on "not found" answers (RATE_LIMITS["<name>:failures"])
    screened: bool = False  # refused when the address, e-mail domain or phone is on the block list (abuse app)
    # Which of the covered requests count (all when None): the search page without a query is a form.
    counts: Callable[[HttpRequest], bool] | None = None


def _searching(request: HttpRequest) -> bool:
    if request.resolver_match is not None and request.resolver_match.view_name != "publication:search":
        return True
    return any(request.GET.get(name) for name in ("q", "agency", "category", "kind", "from", "to", "page"))


SCOPES: tuple[Scope, ...] = (
    # New cases, through every channel that creates them: each starts a legal clock and sends a receipt.
    Scope(
        "intake",
        frozenset({"cases:submit", "api-case-submit", "open311:requests", "open311:requests-xml"}),
        identities=True,
        screened=True,
    ),
    # Following a case: every look counts a little; wrong codes count a lot.
    Scope("track", TRACKING_ROUTES, methods=ALL_METHODS, failures=True),
    # A citizen's reply to a question of the agency, ratings and appeals.
    Scope(
        "reply",
        frozenset(
            {
                "cases:track-reply",
                "cases:track-rating",
                "cases:track-appeal",
                "api-case-track-reply",
                "api-case-track-rating",
                "api-case-track-appeal",
            }
        ),
        identities=True,
        screened=True,
    ),
    # Search of published answers (page and API), and "asked already?" suggestions while typing.
    Scope(
        "search",
        frozenset({"publication:search", "published-list", "published-similar"}),
        methods=frozenset({"GET", "HEAD"}),
        counts=_searching,
    ),
    # Public statistics (the league page and the API behind it): read from aggregates and a cache, but still a
    # database read each, so a scraper looping over periods is held back per address.
    Scope(
        "statistics",
        frozenset({"reports:league", "reports-league"}),
        methods=frozenset({"GET", "HEAD"}),
    ),
    # Anonymous participants of live dialogues, per address (the room's websocket and the page's forms both
    # go through caunoi.dialogues.ratelimit, which also limits each account and signed device id): questions
    # per dialogue, votes per question, and new device ids handed out by the dialogue's page.
    Scope("dialogue_ask"),
    Scope("dialogue_vote"),
    Scope("dialogue_device"),
    # Checked by their views (caunoi.follows.views), which show the refusal on the page: following by e-mail
    # sends a confirmation mail each time; "me too" counts once per person, and per address these bound how
    # many device ids one client can spend. Their API routes are counted here, by the middleware.
    Scope("follow", frozenset({"api-follow"})),
    Scope("support", frozenset({"api-published-support"})),
    # Single sign-on: each return from the provider costs a call to its token endpoint (and a start, a fresh
    # state in the session), so one address cannot make us hammer the provider.
    Scope("sso", frozenset({"accounts:sso-start", "accounts:sso-callback"}), methods=frozenset({"GET", "HEAD"})),
    # Checked by their forms (caunoi.accounts.forms), which show the refusal beside the form.
    Scope("login"),
    Scope("register"),
)
SCOPES_BY_NAME = {scope.name: scope for scope in SCOPES}
SCOPES_BY_ROUTE: dict[str, tuple[Scope, ...]] = {}
for _scope in SCOPES:
    for _route in _scope.routes:
        SCOPES_BY_ROUTE[_route] = (*SCOPES_BY_ROUTE.get(_route, ()), _scope)

# Where the wait of a refused request is kept, for the Retry-After header of the 429.
RETRY_AFTER_ATTRIBUTE = "_rate_limit_wait"


@dataclass(frozen=True)
class Refusal:
    scope: str
    wait: float  # seconds until the request would be allowed (0: not a matter of time, no Retry-After)
    status: int = 429
    message: str = ""  # what the client is told ("" for TOO_MANY_REQUESTS)


def scopes_for(request: HttpRequest) -> tuple[Scope, ...]:
    match = request.resolver_match
    if match is None:
        return ()
    return tuple(
        scope
        for scope in SCOPES_BY_ROUTE.get(match.view_name, ())
        if request.method in scope.methods and (scope.counts is None or scope.counts(request))
    )


def refusal_for(request: HttpRequest, scope_name: str) -> Refusal | None:
    """Counts `request` against the limits of `scope_name` (its address, its identities, and whether its
    address has used up its failures); returns None when allowed, else a Refusal (whose wait is also kept on
    the request for Retry-After). Nothing is counted when refused."""
    scope = SCOPES_BY_NAME[scope_name]
    limits = settings.RATE_LIMITS
    address = client_address(request)
    django_request = getattr(request, "_request", request)  # a DRF Request wraps the one the middleware sees
    partner = getattr(django_request, "partner_key", None)
    if partner is not None:
        # A partner portal's server relays many people from one address: its key has its own window
        # (caunoi.accounts.partner_keys), in place of the address's; people's own limits still apply.
        windows = [(window_key(f"{scope.name}:partner", partner.prefix), partner_limit(partner, scope.name))]
    else:
        windows = [(window_key(scope.name, address), limits[scope.name])]
    if scope.identities and f"{scope.name}:identity" in limits:
        identity_limit = limits[f"{scope.name}:identity"]
        windows += [(window_key(f"{scope.name}:identity", who), identity_limit) for who in identities_of(request)]
    wait = 0.0
    if scope.failures:
        # Peeked, not counted: only answers that say "not found" count (record_failure).
        wait = check([(window_key(f"{scope.name}:failures", address), limits[f"{scope.name}:failures"])], count=False)
    if wait == 0:
        wait = check(windows)
    if wait == 0:
        return None
    setattr(django_request, RETRY_AFTER_ATTRIBUTE, max(wait, getattr(django_request, RETRY_AFTER_ATTRIBUTE, 0)))
    return Refusal(scope.name, wait)


def partner_limit(partner: Any, scope_name: str) -> Limit:
    """A partner key's limit in a scope: its own (`rate_limit`, count/seconds), else RATE_LIMITS
    ["<scope>:partner"], else the scope's per-address limit."""
    if getattr(partner, "rate_limit", ""):
        return parse_limit(partner.rate_limit)
    limits = settings.RATE_LIMITS
    return limits.get(f"{scope_name}:partner") or limits[scope_name]


def record_failure(request: HttpRequest, scope_name: str) -> None:
    """Counts a "not found" answer to `request` against its address's failures in `scope_name`."""
    limit: Limit = settings.RATE_LIMITS[f"{scope_name}:failures"]
    check([(window_key(f"{scope_name}:failures", client_address(request)), limit)])


def identities_of(request: HttpRequest) -> list[str]:
    """Who the request says it comes from, beyond its address: the case it is about (routes with a tracking
    code), the signed-in account, and the contact e-mail and phone it gives (form fields or a JSON object, as
    intake reads them). Normalised so that "A@X.vn " and "a@x.vn", or "0912 345 678" and "0912345678", are
    one person."""
    found: list[str] = []
    match = request.resolver_match
    if match is not None and match.kwargs.get("tracking_code"):  # replies and ratings: one case is one person
        found.append(f"c:{str(match.kwargs['tracking_code'])[:40].upper()}")
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        found.append(f"u:{user.pk}")
    data = request_fields(request)
    email = normalise_email(data.get("email"))
    if email:
        found.append(f"e:{email}")
    phone = normalise_phone(data.get("phone"))
    if phone:
        found.append(f"p:{phone}")
    return found


def request_fields(request: HttpRequest) -> dict[str, Any]:
    """The request's named fields: the form's, or a JSON object's top level; {} for anything else."""
    if request.method not in WRITES:
        return {}
    try:
        if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return request.POST.dict()
        if request.content_type == "application/json":
            data = safejson.loads(request.body or b"{}")  # the one decoder for bodies: depth-limited
            return data if isinstance(data, dict) else {}
    except (ValueError, UnicodeDecodeError, SuspiciousOperation, MultiPartParserError):
        # Malformed or too large: the view reads it again and answers 400 in its own way (the body is not
        # consumed: Django refuses an oversized body before reading it).
        return {}
    return {}


def normalise_email(value: Any) -> str:
    return value.strip().casefold()[:254] if isinstance(value, str) else ""


def normalise_phone(value: Any) -> str:
    digits = re.sub(r"\D", "", value) if isinstance(value, str) else ""
    # +84 912 345 678 and 0912 345 678 are one number.
    return ("0" + digits[2:] if digits.startswith("84") and len(digits) > 10 else digits)[:20]
