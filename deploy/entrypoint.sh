#!/bin/sh
# The image's entry point: the first argument chooses the role, so one image serves every process of the
# topology (deploy/README.md). Roles:
#
#   web        uvicorn (HTTP and websockets): PORT (8000), WEB_CONCURRENCY processes (2),
#              FORWARDED_ALLOW_IPS (whose X-Forwarded-* headers to trust: the proxy in front)
#   worker     celery worker: CELERY_CONCURRENCY (2); tasks are acked late (config/settings/celery.py)
#   beat       celery beat: run exactly one in the whole deployment
#   migrate    migrate + sync_calendar, then exits; with STATIC_EXPORT_DIR set, also copies the collected
#              static files there (for a web server in another container, e.g. nginx in compose.yaml)
#   manage …   any manage.py command, e.g. `manage seed_demo`, `manage createsuperuser`
#   healthcheck  the container's health for its role (Docker HEALTHCHECK, Kubernetes exec probes)
#   anything else is executed as given (e.g. `sh`)
#
# POSIX sh on purpose: python:3.11-slim has no bash guarantee worth depending on. `exec` everywhere, so the
# server is PID 1's direct replacement and receives SIGTERM from `docker stop` / the kubelet itself.
set -eu

# CAUNOI_APP_DIR: the code's location; /app in the image (tests run this script against a checkout).
APP_DIR="${CAUNOI_APP_DIR:-/app}"
cd "$APP_DIR/backend"
ROLE_FILE="${TMPDIR:-/tmp}/caunoi-role"

remember_role() {
    # Written where the role runs, read by `healthcheck` in the same container (best effort: /tmp may be
    # read-only in odd setups, and a missing file just means the generic check).
    echo "$1" > "$ROLE_FILE" 2>/dev/null || true
}

role="${1:-web}"
[ "$#" -gt 0 ] && shift

case "$role" in
web)
    remember_role web
    # The uvicorn workers of this container share their metrics through this folder (caunoi/core/metrics.py);
    # emptied at start, as the samples of processes that are gone would otherwise be added up for ever.
    export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-${TMPDIR:-/tmp}/caunoi-metrics}"
    rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
    # --lifespan off: Django has no startup/shutdown hooks over ASGI; without it uvicorn logs a probe failure.
    # --timeout-graceful-shutdown: on SIGTERM, open requests and websockets get this long to finish.
    # --ws-per-message-deflate false: a dialogue frame is encoded once and written to thousands of viewers;
    # per-message compression would compress it again for each of them. --ws-max-size: the room refuses
    # frames over 8 KB anyway. --timeout-keep-alive: longer than any proxy's upstream idle timeout
    # (nginx's upstream block 50 s, ingress-nginx 60 s), so the proxy always closes an idle connection first.
    # --ws: uvicorn's websockets-sansio protocol, letting go of each connection's handshake once accepted:
    # ≈ 3.5 KiB less per idle dialogue viewer (caunoi/config/ws_protocol.py). Every launcher passes the same.
    exec uvicorn caunoi.config.asgi:application \
        --host 0.0.0.0 --port "${PORT:-8000}" --timeout-keep-alive "${WEB_KEEPALIVE_TIMEOUT:-75}" \
        --ws caunoi.config.ws_protocol:LeanWebSocketProtocol --ws-per-message-deflate false --ws-max-size 65536 \
        --workers "${WEB_CONCURRENCY:-2}" \
        --proxy-headers --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}" \
        --lifespan off --no-server-header \
        --timeout-graceful-shutdown "${WEB_GRACEFUL_TIMEOUT:-20}" \
        "$@"
    ;;
worker)
    remember_role worker
    exec celery -A caunoi worker --loglevel "${LOG_LEVEL:-INFO}" \
        --concurrency "${CELERY_CONCURRENCY:-2}" --hostname "worker@%h" "$@"
    ;;
beat)
    remember_role beat
    # The schedule file only records last-run times; losing it with the container is harmless (every
    # periodic task is idempotent, see config/celery.py), so it lives in the writable /tmp.
    exec celery -A caunoi beat --loglevel "${LOG_LEVEL:-INFO}" \
        --schedule "${TMPDIR:-/tmp}/celerybeat-schedule" "$@"
    ;;
migrate)
    remember_role migrate
    # A migration that cannot get its lock within MIGRATE_LOCK_TIMEOUT fails (the Job retries it) instead of
    # queueing every request of the portal behind it while a long transaction holds the table.
    PGOPTIONS="${PGOPTIONS:-} -c lock_timeout=${MIGRATE_LOCK_TIMEOUT:-5s}" python manage.py migrate --noinput
    python manage.py sync_calendar
    if [ -n "${STATIC_EXPORT_DIR:-}" ]; then
        mkdir -p "$STATIC_EXPORT_DIR"
        cp -R "${STATIC_ROOT:-$APP_DIR/staticfiles}/." "$STATIC_EXPORT_DIR/"
        echo "entrypoint: static files copied to $STATIC_EXPORT_DIR"
    fi
    ;;
manage)
    exec python manage.py "$@"
    ;;
healthcheck)
    case "$(cat "$ROLE_FILE" 2>/dev/null || echo web)" in
    web)
        # Liveness, not readiness: a database outage must not get every web container restarted.
        # Host: localhost, because ALLOWED_HOSTS refuses an unknown Host with 400.
        exec python -c 'import os, sys, urllib.request as u
r = u.Request("http://127.0.0.1:%s/healthz" % os.environ.get("PORT", "8000"), headers={"Host": "localhost"})
sys.exit(0 if u.urlopen(r, timeout=4).status == 200 else 1)'
        ;;
    worker)
        # The worker answers a ping over the broker: it is alive and connected to Redis.
        exec celery -A caunoi inspect ping --timeout 10 --destination "worker@$(cat /proc/sys/kernel/hostname)"
        ;;
    *)
        exit 0 # beat and migrate: the process running is the health (Docker restarts it if it exits)
        ;;
    esac
    ;;
*)
    exec "$role" "$@"
    ;;
esac
