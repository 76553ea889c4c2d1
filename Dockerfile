# Powerdesk container image.
#
# With a normal Docker engine:  docker build -t powerdesk .
# Without registry access (podman, locally built Debian base):
#   bash scripts/build-base-image.sh
#   podman build --format docker \
#       --build-arg BASE_IMAGE=localhost/powerdesk-python:3.11-slim -t powerdesk .
# (scripts/container-smoke.sh does both and tests the result.)
#
# Works on the official python:3.11-slim (python at /usr/local/bin) and on the
# debootstrapped Debian base (python at /usr/bin): we only ever call `python3`
# and then use the venv at /opt/venv.
ARG BASE_IMAGE=python:3.11-slim
FROM ${BASE_IMAGE}

# Build-time only pip settings (ARGs are not kept in the image's environment).
# Behind a TLS-intercepting proxy, mount the host CA bundle into the build and
# point pip at it, e.g.
#   -v /etc/ssl/certs:/etc/ssl/certs:ro --build-arg PIP_CERT=/etc/ssl/certs/ca-certificates.crt
ARG PIP_INDEX_URL
ARG PIP_EXTRA_INDEX_URL
ARG PIP_CERT
ARG PIP_DEFAULT_TIMEOUT=120

ENV LANG=C.UTF-8 \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

# The HEALTHCHECK uses python3 (always present), so the image needs no extra system packages.
RUN groupadd --system --gid 10001 powerdesk \
    && useradd --system --uid 10001 --gid powerdesk --create-home \
        --home-dir /home/powerdesk --shell /usr/sbin/nologin powerdesk

WORKDIR /app

# Dependency layer: only invalidated when pyproject.toml or the lock changes.
# Installs the runtime dependencies declared in pyproject.toml (not the test
# extras that are also pinned in the lock), constrained to the locked versions.
COPY pyproject.toml requirements.lock ./
RUN python3 -m venv /opt/venv \
    && python3 -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/runtime-requirements.txt \
    && pip install -c requirements.lock -r /tmp/runtime-requirements.txt \
    && rm -f /tmp/runtime-requirements.txt \
    && python -c "import dash, pyomo, highspy, sqlalchemy, flask_login, gunicorn"

# Application source (see .dockerignore). Run from /app rather than installing
# the package, so `flask --app app` finds app.py and the instance folder is
# /app/instance. Code stays root-owned and read-only for the app user.
COPY . .
RUN python -m compileall -q -j 0 /app \
    && chmod 0755 /app/scripts/docker-entrypoint.sh \
    && install -d -o powerdesk -g powerdesk -m 0750 /app/instance

ENV FLASK_APP=app \
    PYTHONPATH=/app \
    PORT=8050

USER 10001:10001
# SQLite database and the generated secret key live here.
VOLUME ["/app/instance"]
EXPOSE 8050

# Liveness only (/health answers without touching the database); readiness is /ready.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('PORT', '8050'), timeout=4)"]

ENTRYPOINT ["/app/scripts/docker-entrypoint.sh"]
