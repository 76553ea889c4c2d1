#!/usr/bin/env bash
# Container entrypoint.
#   no arguments: prepare the instance (migrate DB, create the admin user on first
#                 start, load demo data; all idempotent) and serve with gunicorn.
#   arguments:    run them instead, e.g. `docker run --rm powerdesk flask --app app user list`.
#
# Environment: PORT (8050), WEB_CONCURRENCY (2 gunicorn workers),
# POWERDESK_ADMIN_PASSWORD (first start only; otherwise a random one is printed once).
set -euo pipefail

cd /app

if [[ $# -gt 0 ]]; then
    exec "$@"
fi

flask --app app setup

exec gunicorn \
    --bind "0.0.0.0:${PORT:-8050}" \
    --workers "${WEB_CONCURRENCY:-2}" \
    --timeout 120 \
    --access-logfile - \
    --error-logfile - \
    app:server
