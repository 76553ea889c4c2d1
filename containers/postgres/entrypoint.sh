#!/usr/bin/env bash
# First start on an empty volume: initdb with POSTGRES_USER as the superuser (password
# POSTGRES_PASSWORD, scram-sha-256 over the network), then create POSTGRES_DB. Every start: run
# postgres in the foreground as PID 1, listening on every address of the container.
set -euo pipefail

: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
if [[ -z "${POSTGRES_PASSWORD:-}" ]]; then
    echo "powerdesk-postgres: set POSTGRES_PASSWORD" >&2
    exit 1
fi

if [[ ! -s "$PGDATA/PG_VERSION" ]]; then
    echo "powerdesk-postgres: initialising a new cluster in $PGDATA"
    pwfile=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
    initdb --username="$POSTGRES_USER" --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \
        --encoding=UTF8 --locale=C.UTF-8 -D "$PGDATA" >/dev/null
    rm -f "$pwfile"
    {
        echo "listen_addresses = '*'"
        echo "password_encryption = 'scram-sha-256'"
    } >> "$PGDATA/postgresql.conf"
    echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
    if [[ "$POSTGRES_DB" != postgres ]]; then
        postgres -D "$PGDATA" -c listen_addresses='' -k /var/run/postgresql &
        pid=$!
        for _ in $(seq 60); do pg_isready -q -h /var/run/postgresql && break; sleep 0.5; done
        psql -v ON_ERROR_STOP=1 -h /var/run/postgresql -U "$POSTGRES_USER" -d postgres \
            -c "CREATE DATABASE \"$POSTGRES_DB\" OWNER \"$POSTGRES_USER\"" >/dev/null
        kill -INT "$pid"
        wait "$pid" || true
    fi
    echo "powerdesk-postgres: cluster ready (user $POSTGRES_USER, database $POSTGRES_DB)"
fi

exec postgres -D "$PGDATA" -k /var/run/postgresql "$@"
