"""Sentry: inert unless SENTRY_DSN is set."""

from caunoi.core.env import env_str, env_url

SENTRY_DSN = env_url("SENTRY_DSN", schemes=("https", "http"))

if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    from caunoi.core.scrubbing import sentry_before_send

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", "production"),
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,  # citizens' contact details never leave the platform
        # What Sentry does send (request bodies, local variables, messages) is scrubbed first.
        before_send=sentry_before_send,
        before_send_transaction=sentry_before_send,
        traces_sample_rate=float(env_str("SENTRY_TRACES_SAMPLE_RATE", "0") or 0),
    )
