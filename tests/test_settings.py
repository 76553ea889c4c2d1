from pathlib import Path

import pytest
from pydantic import ValidationError

from settings import Settings


def test_defaults_use_sqlite_under_instance_and_diskcache(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "POWERDESK_INSTANCE_PATH", "POWERDESK_BACKGROUND"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.resolved_database_url() == f"sqlite:///{tmp_path}/instance/powerdesk.db"
    assert settings.instance_path == tmp_path / "instance"
    assert settings.port == 8050
    assert settings.uses_celery() is False


def test_without_a_database_url_the_sqlite_file_lives_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = Settings(POWERDESK_INSTANCE_PATH=str(tmp_path / "elsewhere"))
    assert settings.resolved_database_url() == f"sqlite:///{tmp_path}/elsewhere/powerdesk.db"
    assert Settings(POWERDESK_INSTANCE_PATH=str(tmp_path), database_url="sqlite:///other.db").resolved_database_url() \
        == f"sqlite:///{Path.cwd()}/other.db"


def test_environment_variables_fill_the_fields(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db:5432/pd")
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/0")
    monkeypatch.setenv("PORT", "9000")
    monkeypatch.setenv("MAIL_SERVER", "smtp.internal")
    monkeypatch.setenv("POWERDESK_ADMIN_PASSWORD", "from-the-environment")
    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://u@db:5432/pd"
    assert settings.port == 9000 and settings.mail_server == "smtp.internal"
    assert settings.uses_celery() is True
    assert settings.powerdesk_admin_password.get_secret_value() == "from-the-environment"
    assert "from-the-environment" not in repr(settings)


def test_bad_values_are_refused_with_a_message(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mysql://x")
    with pytest.raises(ValidationError, match="sqlite:// or postgresql://"):
        Settings()
    monkeypatch.setenv("DATABASE_URL", "sqlite:///x.db")
    monkeypatch.setenv("PORT", "70000")
    with pytest.raises(ValidationError):
        Settings()


def test_generated_secret_key_is_persisted_private_and_reused(tmp_path):
    settings = Settings(POWERDESK_INSTANCE_PATH=str(tmp_path), secret_key=None)
    key = settings.flask_secret_key()
    assert len(key) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert Settings(POWERDESK_INSTANCE_PATH=str(tmp_path), secret_key=None).flask_secret_key() == key
    assert list(Path(tmp_path).glob(".secret_key.*")) == []


def test_configured_secret_key_wins(tmp_path):
    settings = Settings(POWERDESK_INSTANCE_PATH=str(tmp_path), secret_key="configured")
    assert settings.flask_secret_key() == "configured"
    assert not (tmp_path / "secret_key").exists()


def test_every_setting_is_documented_in_the_readme():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    for name, field in Settings.model_fields.items():
        env_name = (field.validation_alias or name).upper()
        assert f"`{env_name}`" in readme, f"README does not document {env_name}"


def test_price_email_time_is_a_24_hour_uk_time():
    assert Settings(price_email_time="7:05").price_email_hour_minute() == (7, 5)
    assert Settings().price_email_time == "07:00"
    for bad in ("25:00", "7am", "07:60", ""):
        with pytest.raises(ValidationError, match="PRICE_EMAIL_TIME"):
            Settings(price_email_time=bad)


def test_forecast_decision_times_are_uk_times_from_the_environment_and_in_order(monkeypatch):
    assert Settings().forecast_decision_times() == ("09:20", "15:00")
    monkeypatch.setenv("FORECAST_DA_GATE_TIME", "8:05")
    monkeypatch.setenv("FORECAST_ID_DECISION_TIME", "16:30")
    assert Settings().forecast_decision_times() == ("08:05", "16:30")
    monkeypatch.setenv("FORECAST_DA_GATE_TIME", "9.20")
    with pytest.raises(ValidationError, match="FORECAST_DA_GATE_TIME must be a 24-hour UK time"):
        Settings()
    monkeypatch.setenv("FORECAST_DA_GATE_TIME", "17:00")
    with pytest.raises(ValidationError, match="FORECAST_ID_DECISION_TIME .16:30. must not come before"):
        Settings()


def test_the_price_email_claim_lease_must_outlast_a_whole_send():
    with pytest.raises(ValidationError, match="PRICE_EMAIL_CLAIM_LEASE_S"):
        Settings(price_email_claim_lease_s=60, mail_timeout_s=10, price_email_attempts=3)
    assert Settings(price_email_claim_lease_s=200, mail_timeout_s=10, price_email_attempts=3,
                    price_email_backoff_s=5).price_email_claim_lease_s == 200
