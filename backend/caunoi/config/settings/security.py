"""Security settings: HTTPS, cookies, headers, rate limits, login lockout.

HTTPS=true (production, behind TLS) turns on the redirect, secure cookies and HSTS; `manage.py check
--deploy` is clean with it (tests/integration/test_security_settings.py). Left off, the same code runs on
plain http for `make run` and the tests.
"""

import datetime as dt

from caunoi.core.env import env_bool, env_int, env_list, env_str
from caunoi.core.ratelimit import parse_limit

HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600, minimum=0) if HTTPS else 0
# Off unless configured: a portal usually lives under a government domain shared with other services, and
# includeSubDomains (or a place in the browsers' preload list, which is hard to leave) would force https on
# every one of them. The domain's owner turns them on; `check --deploy` is told this is deliberate.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [
    *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
]
# nginx (deploy/nginx) terminates TLS and says so in X-Forwarded-Proto; trusted only behind such a proxy.
if env_bool("BEHIND_TLS_PROXY", HTTPS):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /healthz and /readyz are probed over plain http inside the cluster.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (caunoi.core.middleware.ContentSecurityPolicyMiddleware): scripts, styles and
# everything else from this site only; no inline script anywhere, so an injected <script> does not run.
# Websockets (the live dialogue room) connect to this same host: the middleware adds the request's own
# ws:// or wss:// origin to connect-src (older browsers do not count it as 'self'), never any other host.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; frame-src 'none'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'; object-src 'none'"
)

# How many reverse proxies (nginx, a load balancer) stand in front and append to X-Forwarded-For; 0 when
# clients connect directly. Rate limits count per client address, so this must match the deployment.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)


def _limit(name: str, default: str):  # type: ignore[no-untyped-def]
    text = env_str(name, default) or default
    try:
        return parse_limit(text)
    except ValueError:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{name} must look like 20/60 (requests per seconds), not {text!r}") from None


# The abuse policy's limits (caunoi.core.policy: which routes count against which). "N/S": at most N in any S
# seconds (a sliding window). "<scope>" counts per client address and is generous, since a commune office
# shares one address; "<scope>:identity" counts per account, contact e-mail and phone and is strict;
# "<scope>:failures" counts wrong tracking or access codes per address; "<scope>:partner" counts per partner
# API key instead of per address.
RATE_LIMITS = {
    "intake": _limit("RATE_LIMIT_INTAKE", "20/600"),
    "intake:identity": _limit("RATE_LIMIT_INTAKE_IDENTITY", "5/3600"),
    # Per partner API key (a partner portal's server relaying many people), unless the key sets its own.
    "intake:partner": _limit("RATE_LIMIT_INTAKE_PARTNER", "600/3600"),
    "track": _limit("RATE_LIMIT_TRACK", "300/600"),
    "track:failures": _limit("RATE_LIMIT_TRACK_FAILURES", "20/600"),
    "reply": _limit("RATE_LIMIT_REPLY", "30/600"),
    "reply:identity": _limit("RATE_LIMIT_REPLY_IDENTITY", "10/600"),
    "search": _limit("RATE_LIMIT_SEARCH", "120/60"),
    "statistics": _limit("RATE_LIMIT_STATISTICS", "60/60"),
    "dialogue_ask": _limit("RATE_LIMIT_DIALOGUE_ASK", "10/60"),
    "dialogue_vote": _limit("RATE_LIMIT_DIALOGUE_VOTE", "20/3600"),
    "dialogue_device": _limit("RATE_LIMIT_DIALOGUE_DEVICE", "60/3600"),
    "login": _limit("RATE_LIMIT_LOGIN", "30/600"),
    "sso": _limit("RATE_LIMIT_SSO", "120/600"),  # a login through the provider is two requests
    "register": _limit("RATE_LIMIT_REGISTER", "10/3600"),
    # Following by e-mail (each request sends a confirmation mail) and "me too" on published items.
    "follow": _limit("RATE_LIMIT_FOLLOW", "10/3600"),
    "support": _limit("RATE_LIMIT_SUPPORT", "60/3600"),
}
# Login throttling (caunoi.accounts.lockout): growing waits, never a lock a stranger can set off. After
# LOGIN_MAX_FAILURES failures for one account from one address, that address waits LOGIN_DELAY_SECONDS,
# doubling with each further failure up to LOGIN_DELAY_MAX_MINUTES. Guessing spread over addresses (one
# account: failures from LOGIN_ACCOUNT_MAX_ADDRESSES addresses it never logged in from) or over accounts (one address:
# LOGIN_ADDRESS_MAX_FAILURES) makes those addresses wait the same way, except where the account has logged
# in before (within LOGIN_KNOWN_ADDRESS_DAYS). Counts last LOGIN_FAILURE_WINDOW_HOURS. Administrators are
# told when one address fails on LOGIN_ALERT_ACCOUNTS accounts or one account from LOGIN_ALERT_ADDRESSES.
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5, minimum=1)
LOGIN_ACCOUNT_MAX_ADDRESSES = env_int("LOGIN_ACCOUNT_MAX_ADDRESSES", 10, minimum=2)
LOGIN_ADDRESS_MAX_FAILURES = env_int("LOGIN_ADDRESS_MAX_FAILURES", 30, minimum=1)
LOGIN_DELAY_SECONDS = env_int("LOGIN_DELAY_SECONDS", 30, minimum=1)
LOGIN_DELAY_MAX_MINUTES = env_int("LOGIN_DELAY_MAX_MINUTES", 15, minimum=1)
LOGIN_FAILURE_WINDOW_HOURS = env_int("LOGIN_FAILURE_WINDOW_HOURS", 24, minimum=1)
LOGIN_KNOWN_ADDRESS_DAYS = env_int("LOGIN_KNOWN_ADDRESS_DAYS", 90, minimum=1)
LOGIN_ALERT_ACCOUNTS = env_int("LOGIN_ALERT_ACCOUNTS", 10, minimum=2)
LOGIN_ALERT_ADDRESSES = env_int("LOGIN_ALERT_ADDRESSES", 10, minimum=2)
LOGIN_THROTTLE_PREFIX = "caunoi:login"  # Redis key prefix (tests give each test its own)
AUTHENTICATION_BACKENDS = ["caunoi.accounts.backends.LockoutModelBackend"]
# Two-factor login (caunoi.accounts.two_factor): roles that must use it (TT 12/2022 asks strong
# authentication for system administration; every staff role handles citizens' personal data), and the name
# authenticator apps show beside the code.
TWO_FACTOR_REQUIRED_ROLES = env_list("TWO_FACTOR_REQUIRED_ROLES", ["official", "leader", "moderator", "admin"])
_ROLES = {"citizen", "official", "leader", "moderator", "admin"}  # accounts.models.Role (not loaded yet here)
if set(TWO_FACTOR_REQUIRED_ROLES) - _ROLES:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"TWO_FACTOR_REQUIRED_ROLES names unknown roles; choose from {sorted(_ROLES)}")
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Cầu Nối") or "Cầu Nối"

# API tokens (caunoi.accounts.tokens, on django-rest-knox): stored as SHA-512 digests, one per device name,
# each valid for API_TOKEN_DAYS; POST /api/v1/auth/token/ issues a new one on every login.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 30, minimum=1)
API_TOKEN_MAX_DEVICES = env_int("API_TOKEN_MAX_DEVICES", 10, minimum=1)  # past it, the oldest device's is revoked
KNOX_TOKEN_MODEL = "accounts.ApiToken"  # noqa: S105 (a model name)
# knox's own migrations would create its unused default table (they ignore the swap), which Django then does
# not know of when it flushes or deletes users: knox's models are all swapped out, so it needs none.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_TTL": dt.timedelta(days=API_TOKEN_DAYS),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,  # a token ends when it says it does; clients log in again
}
