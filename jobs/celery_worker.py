"""Celery worker entry point: ``celery -A jobs.celery_worker worker`` (needs REDIS_URL).

The worker builds the same Dash app as the web process, so every background callback is registered
under the same name on both sides, and the run task ``powerdesk.execute_run`` with the same time limits.
"""

from __future__ import annotations

from app import create_app
from jobs.beat import configure_beat
from settings import Settings

_settings = Settings()
if not _settings.uses_celery():
    raise SystemExit("the Celery worker needs REDIS_URL (or POWERDESK_BACKGROUND=celery with REDIS_URL)")

dash_app = create_app(_settings)
celery_app = dash_app._background_manager.handle

configure_beat(celery_app, _settings)  # the scheduled jobs (jobs/beat.py) run on these workers
