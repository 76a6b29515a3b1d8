"""The Celery application. Every periodic job is declared in BEAT_SCHEDULE below, with its reason."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caunoi.config.settings")

app = Celery("caunoi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic jobs: name → task and schedule, each with why it runs when it does.
BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Reminders, overdue escalations and late-status updates. Deadlines are whole days, so every 15 minutes
    # is prompt enough; the sweep is idempotent, so a missed or doubled run does no harm.
    "deadline-sweep": {"task": "caunoi.cases.tasks.run_deadline_sweep", "schedule": 15 * 60},
    # API tokens past their expiry no longer work (knox refuses them); their rows are removed hourly so the
    # admin and the devices pages list only live ones and the table stays small.
    "delete-expired-api-tokens": {"task": "caunoi.accounts.tasks.delete_expired_api_tokens", "schedule": 60 * 60},
    # Personal data of cases closed ANONYMISE_AFTER_MONTHS ago: a batch every 10 minutes keeps up with any
    # volume (cases close at most a few thousand a day) without one long transaction.
    "anonymise-closed-cases": {"task": "caunoi.cases.tasks.anonymise_closed_cases", "schedule": 10 * 60},
    # Askers' personal data in dialogues that ended ANONYMISE_AFTER_MONTHS ago: dialogues are few (a handful a
    # week), so hourly is prompt; each is one transaction.
    "anonymise-ended-dialogues": {"task": "caunoi.dialogues.tasks.anonymise_ended_dialogues", "schedule": 60 * 60},
    # Daily digests to those who follow an item, agency or category "once a day" (caunoi.follows): hourly
    # runs send each subscriber's digest once 24 hours have passed since their last, so a missed run only
    # delays it; the dedupe key per subscriber and day makes a doubled run send nothing twice.
    "follow-digests": {"task": "caunoi.follows.tasks.send_follow_digests", "schedule": 60 * 60},
    # Idempotency-Keys of submissions are remembered for IDEMPOTENCY_KEY_HOURS; hourly keeps the table small.
    "expire-intake-keys": {"task": "caunoi.cases.tasks.expire_intake_keys", "schedule": 60 * 60},
    # Messages left to it by hot paths (intake's receipts), messages whose earlier attempt failed and is due
    # again, and messages whose dispatch was lost (Redis down at commit time). Every 5 seconds so a receipt
    # arrives promptly; an idle run is one indexed query. `expires` drops runs that queued up while workers
    # were down: the next one does the same work.
    "dispatch-pending-notifications": {
        "task": "caunoi.notifications.tasks.dispatch_pending_notifications",
        "schedule": 5,
        "options": {"expires": 4},
    },
    # Signed webhooks to partner portals: deliveries due again after a backoff (30 s, doubling) and those
    # whose dispatch after commit was lost. Every 15 seconds is well inside the first backoff; an idle run
    # is one indexed query, and `expires` drops runs that queued up while workers were down.
    "dispatch-pending-webhooks": {
        "task": "caunoi.syndication.tasks.dispatch_pending_webhooks",
        "schedule": 15,
        "options": {"expires": 14},
    },
    # Partner portals' feeds (admin: Syndication → partner sources), each pulled every `pull_every_minutes`:
    # checking every 5 minutes is fine-grained enough for intervals counted in minutes to hours; a source
    # whose interval has not passed costs nothing, and `expires` drops runs that queued up.
    "pull-partner-feeds": {
        "task": "caunoi.syndication.tasks.pull_partner_feeds",
        "schedule": 5 * 60,
        "options": {"expires": 4 * 60},
    },
    # Progress, answers and satisfaction for the Government portal (QĐ 31/2021 Art. 30(3)): new case events
    # become messages, then due messages are sent. Every minute; inert until GOV_PORTAL_SYNC_URL is set.
    "gov-portal-sync": {
        "task": "caunoi.syndication.tasks.sync_gov_portal",
        "schedule": 60,
        "options": {"expires": 55},
    },
    # Posts to agencies' social channels: posts due again after a backoff (1 minute, doubling) and those whose
    # dispatch after commit was lost. Every 30 seconds is well inside the first backoff, and nobody waits on
    # a page post by the second; an idle run is one indexed query.
    "dispatch-pending-social-posts": {
        "task": "caunoi.social.tasks.dispatch_pending_social_posts",
        "schedule": 30,
        "options": {"expires": 29},
    },
    # Views and searches counted in Redis on the request path, moved to PostgreSQL's daily tables. Every
    # minute keeps Redis small and the pages current to the minute; the move is exactly-once however runs
    # overlap or crash, and `expires` drops runs that queued up while workers were down.
    "flush-analytics-counts": {
        "task": "caunoi.analytics.tasks.flush_counts",
        "schedule": 60,
        "options": {"expires": 55},
    },
    # The statistics' per-agency aggregates (caunoi/reports/aggregates.py), which the league, the dashboards
    # and the exports read: every minute, reading only the events and ratings added since the last run, so the
    # figures are a minute behind at most. `expires` drops runs that queued up while workers were down.
    "refresh-statistics": {
        "task": "caunoi.reports.tasks.refresh_statistics",
        "schedule": 60,
        "options": {"expires": 55},
    },
    # The last REPORTS_STATS_REBUILD_DAYS days of aggregates rebuilt from the timeline at night (03:15, when
    # the portal is quiet): catches figures that read mutable columns (a case's kind or category changed).
    "rebuild-recent-statistics": {
        "task": "caunoi.reports.tasks.rebuild_recent_statistics",
        "schedule": crontab(hour=3, minute=15),
    },
    # Report files built for leaders (reports/export_jobs.py) are kept REPORTS_EXPORT_HOURS; hourly removal keeps
    # private storage from filling with files nobody will fetch again.
    "delete-expired-exports": {"task": "caunoi.reports.tasks.delete_expired_exports", "schedule": 60 * 60},
    # The public league of the current quarter and month, recomputed into the cache so that no reader ever
    # waits for it (caunoi/reports/league.py). Every 4 minutes: well inside the cache's 10, and the figures
    # are a day's business, not a second's. `expires` drops runs that queued up while workers were down.
    "refresh-current-league": {
        "task": "caunoi.reports.tasks.refresh_current_league",
        "schedule": 4 * 60,
        "options": {"expires": 3 * 60},
    },
    # Routing suggestions learn from the day's routing decisions and transfers (caunoi/understanding): a new
    # model version each night, when the triage desk is quiet; training a few thousand cases takes seconds.
    "retrain-routing-model": {
        "task": "caunoi.understanding.tasks.retrain_routing_model",
        "schedule": crontab(hour=2, minute=30),
        "options": {"expires": 6 * 60 * 60},
    },
    # The meaning half's HNSW file (caunoi/understanding/ann.py) takes in the vectors written since, so the
    # rows every web process holds beside it stay few; a no-op until build_semantic_index made the file.
    "update-semantic-index": {
        "task": "caunoi.understanding.tasks.update_semantic_index",
        "schedule": 10 * 60,
        "options": {"expires": 9 * 60},
    },
}
app.conf.beat_schedule = BEAT_SCHEDULE
