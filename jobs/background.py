"""One function chooses the background-callback manager, so nothing else knows which one runs.

Diskcache (local processes, state under <instance>/jobs) by default; Celery with Redis when
configured, so workers can run on other machines (`celery -A jobs.celery_worker worker`).
"""

from __future__ import annotations

from dash import CeleryManager, DiskcacheManager

from settings import Settings


def make_background_manager(settings: Settings) -> DiskcacheManager | CeleryManager:
    if settings.uses_celery():
        if not settings.redis_url:
            raise ValueError("POWERDESK_BACKGROUND=celery needs REDIS_URL (the broker and result store)")
        from celery import Celery

        celery_app = Celery("powerdesk", broker=settings.redis_url, backend=settings.redis_url)
        celery_app.conf.update(task_acks_late=True, worker_prefetch_multiplier=1, broker_connection_retry_on_startup=True)
        return CeleryManager(celery_app)
    import diskcache

    job_dir = settings.instance_path / "jobs"
    job_dir.mkdir(parents=True, exist_ok=True)
    return DiskcacheManager(diskcache.Cache(str(job_dir)))
