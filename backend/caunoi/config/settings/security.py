"""Security settings: HTTPS, cookies, headers, rate limits, login lockout.

HTTPS=true (production, behind TLS) turns on the redirect, secure cookies and HSTS; `manage.py check
--deploy` is clean with it (tests/integration/test_security_settings.py). Left off, the same code runs on
plain http for `make run` and the tests.
"""

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


# Per client address: submissions, login attempts, new accounts, searches.
RATE_LIMITS = {
    "intake": _limit("RATE_LIMIT_INTAKE", "20/600"),
    "login": _limit("RATE_LIMIT_LOGIN", "30/600"),
    "register": _limit("RATE_LIMIT_REGISTER", "10/3600"),
    "search": _limit("RATE_LIMIT_SEARCH", "120/60"),
}
# After this many failed logins for one account within LOGIN_LOCKOUT_MINUTES, that account cannot log in
# until the window has passed (whatever the address), which stops password guessing spread over addresses.
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5, minimum=1)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
AUTHENTICATION_BACKENDS = ["caunoi.accounts.backends.LockoutModelBackend"]
# Two-factor login (caunoi.accounts.two_factor): roles that must use it (TT 12/2022 asks strong
# authentication for system administration), and the name authenticator apps show beside the code.
TWO_FACTOR_REQUIRED_ROLES = env_list("TWO_FACTOR_REQUIRED_ROLES", ["admin"])
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Cầu Nối") or "Cầu Nối"
