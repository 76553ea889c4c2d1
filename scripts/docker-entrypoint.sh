#!/usr/bin/env bash
# Container entrypoint: one image for every role, chosen by the first argument.
#   (none)     single-container demo: prepare the instance (migrate, create admin on first start,
#              demo data; idempotent and serialised by a migration lock), then serve with gunicorn.
#   migrate    only the preparation step (compose runs it once, before the other services start).
#   serve      only gunicorn (compose: the app service; migrations already ran).
#   worker     a Celery worker for background optimisation runs (needs REDIS_URL).
#   scheduler  the scheduler process (daily email, run reaper, turbine dispatcher).
#   anything else runs as given, e.g. `docker run --rm powerdesk flask --app app user list`.
#
# Configuration comes only from the environment: PORT (8050), WEB_CONCURRENCY (2 gunicorn workers),
# GUNICORN_TIMEOUT (120 s), CELERY_CONCURRENCY (2), and the app's settings (README, "Settings").
set -euo pipefail

cd /app

serve() {
    # gunicorn.conf.py (in /app) removes the Server banner; the app writes its own access log
    # lines (with request ids), so gunicorn's access log stays off.
    exec gunicorn \
        --bind "0.0.0.0:${PORT:-8050}" \
        --workers "${WEB_CONCURRENCY:-2}" \
        --timeout "${GUNICORN_TIMEOUT:-120}" \
        --error-logfile - \
        app:server
}

# The database (and Redis, when configured) may still be starting: compose engines that ignore
# `condition: service_healthy` start everything at once. Wait up to WAIT_FOR_SERVICES_S (90 s).
wait_for_services() {
    python scripts/wait_for_services.py
}

case "${1:-}" in
    "")
        wait_for_services
        flask --app app setup
        serve
        ;;
    migrate)
        wait_for_services
        exec flask --app app setup
        ;;
    serve)
        wait_for_services
        serve
        ;;
    worker)
        wait_for_services
        # The hostname names the worker (celery@<container>), so each run records which one solved it.
        exec celery -A jobs.celery_worker worker --loglevel INFO --concurrency "${CELERY_CONCURRENCY:-2}" \
            --hostname "celery@${HOSTNAME:-$(hostname)}"
        ;;
    scheduler)
        wait_for_services
        exec python -m jobs.scheduler
        ;;
    *)
        exec "$@"
        ;;
esac
