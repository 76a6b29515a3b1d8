"""Single sign-on through an OpenID Connect provider (VNeID or a province's own), inert until configured.

Administrators configure providers per portal site in the admin (accounts.IdentityProvider); the provider
set here serves every site that names none (the built-in site of a small deployment, a test server)."""

from django.core.exceptions import ImproperlyConfigured

from caunoi.core.env import env_int, env_str, env_url

OIDC_ISSUER = env_url("OIDC_ISSUER", schemes=("https", "http")) or ""
OIDC_CLIENT_ID = env_str("OIDC_CLIENT_ID", "") or ""
OIDC_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET", "") or ""  # or OIDC_CLIENT_SECRET_FILE
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "VNeID") or "VNeID"
OIDC_SCOPES = env_str("OIDC_SCOPES", "openid profile email") or "openid profile email"
OIDC_LEVEL_CLAIM = env_str("OIDC_LEVEL_CLAIM", "acr") or "acr"
# How long a started login may take at the provider before its state is refused as expired.
OIDC_STATE_MAX_AGE_SECONDS = env_int("OIDC_STATE_MAX_AGE_SECONDS", 600, minimum=60)
# Every call to the provider (discovery, keys, token) gives up after this long: a login page must not hang.
OIDC_TIMEOUT_SECONDS = env_int("OIDC_TIMEOUT_SECONDS", 10, minimum=1)

if OIDC_ISSUER and not OIDC_CLIENT_ID:
    raise ImproperlyConfigured("OIDC_ISSUER is set: OIDC_CLIENT_ID must be set too")
if "openid" not in OIDC_SCOPES.split():
    raise ImproperlyConfigured("OIDC_SCOPES must include openid")
