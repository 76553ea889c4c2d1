import pytest
from dash import CeleryManager, DiskcacheManager

from jobs.background import make_background_manager
from settings import Settings


def test_diskcache_is_the_default_and_lives_in_the_instance_folder(tmp_path):
    manager = make_background_manager(Settings(POWERDESK_INSTANCE_PATH=str(tmp_path)))
    assert isinstance(manager, DiskcacheManager)
    assert (tmp_path / "jobs").is_dir()


def test_redis_url_switches_to_celery_on_that_broker(tmp_path):
    settings = Settings(POWERDESK_INSTANCE_PATH=str(tmp_path), redis_url="redis://127.0.0.1:6379/15")
    manager = make_background_manager(settings)
    assert isinstance(manager, CeleryManager)
    assert manager.handle.conf.broker_url == "redis://127.0.0.1:6379/15"
    assert manager.handle.conf.task_acks_late is True


def test_diskcache_can_be_forced_even_with_redis(tmp_path):
    settings = Settings(POWERDESK_INSTANCE_PATH=str(tmp_path), redis_url="redis://x:6379/0",
                        POWERDESK_BACKGROUND="diskcache")
    assert isinstance(make_background_manager(settings), DiskcacheManager)


def test_celery_without_redis_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="needs REDIS_URL"):
        make_background_manager(Settings(POWERDESK_INSTANCE_PATH=str(tmp_path), POWERDESK_BACKGROUND="celery"))
