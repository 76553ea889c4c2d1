"""The compose stack's own parts, without bringing it up (scripts/stack-test.sh does that, in
`make test-faults` with POWERDESK_CONTAINER_SMOKE=1): the PostgreSQL and Redis images built from
the Debian base, the test override, the mail sink the stack test counts emails with, and the wait
for services that lets the stack start in any order."""

import os
import smtplib
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest
import yaml

from tests.conftest import POSTGRES_ADMIN_URL, missing_service
from tests.smtp_servers import free_port
from tests.test_deployment import _hadolint, _validate_compose

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((REPO / "compose.yaml").read_text())


@pytest.mark.parametrize("service, context", [("postgres", "containers/postgres"), ("redis", "containers/redis")])
def test_postgres_and_redis_are_built_here_from_the_app_images_debian_base(compose, service, context):
    definition = compose["services"][service]
    assert definition["build"] == {"context": context, "args": {"BASE_IMAGE": "${BASE_IMAGE:-python:3.11-slim}"}}
    assert "/" not in definition["image"].split(":-", 1)[1].split(":")[0]  # a local name, no registry
    dockerfile = (REPO / context / "Dockerfile").read_text()
    assert "ARG BASE_IMAGE=python:3.11-slim\nFROM ${BASE_IMAGE}" in dockerfile
    assert "HEALTHCHECK" in dockerfile and "USER 999:999" in dockerfile


@pytest.mark.parametrize("dockerfile", ["containers/postgres/Dockerfile", "containers/redis/Dockerfile"])
def test_the_service_images_are_hadolint_clean(dockerfile):
    result = subprocess.run([_hadolint(), str(REPO / dockerfile)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_stack_test_override_is_valid_and_only_changes_what_the_test_needs(compose):
    result = _validate_compose(REPO / "compose.stack-test.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    override = yaml.safe_load((REPO / "compose.stack-test.yaml").read_text())
    assert set(override["services"]) == {"mailsink", "migrate", "app", "worker", "scheduler"}
    environment = override["services"]["worker"]["environment"]
    # the redelivery window sits between a stale heartbeat (two beats of 15 s) and the reaper's deadline
    assert 30 < float(environment["CELERY_VISIBILITY_TIMEOUT_S"]) < float(environment["RUN_HEARTBEAT_DEADLINE_S"])
    assert override["services"]["mailsink"]["image"] == compose["services"]["app"]["image"]


@pytest.mark.parametrize("script", ["scripts/stack.sh", "scripts/stack-test.sh", "containers/postgres/entrypoint.sh"])
def test_the_stack_scripts_parse(script):
    assert subprocess.run(["bash", "-n", str(REPO / script)]).returncode == 0


def test_stack_sh_without_a_command_prints_its_usage():
    result = subprocess.run(["bash", str(REPO / "scripts/stack.sh")], capture_output=True, text=True,
                            env={**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"})
    assert result.returncode == 2 and "stack.sh up" in result.stdout


def test_the_mail_sink_accepts_a_message_and_prints_one_line_for_it():
    port = free_port()
    sink = subprocess.Popen([sys.executable, str(REPO / "scripts/mail_sink.py"), str(port)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert sink.stdout.readline().startswith(f"mail_sink: listening on port {port}")
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "powerdesk@example.com", "desk@example.com", "Prices"
        message.set_content("line one\n.leading dot\n")
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
            refused = client.send_message(message)
        assert refused == {}
        assert sink.stdout.readline().strip() == (
            "mail_sink: message from <powerdesk@example.com> to <desk@example.com> subject Prices")
    finally:
        sink.kill()
        sink.wait()


def _wait_for_services(database_url: str, wait_s: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DATABASE_URL": database_url, "WAIT_FOR_SERVICES_S": wait_s,
                   "PYTHONPATH": str(REPO)}
    environment.pop("REDIS_URL", None)
    return subprocess.run([sys.executable, str(REPO / "scripts/wait_for_services.py")], capture_output=True,
                          text=True, timeout=60, env=environment)


def test_waiting_for_a_database_that_refuses_gives_up_and_names_it():
    result = _wait_for_services(f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none", "0")
    assert result.returncode == 1
    assert "gave up: database: OperationalError" in result.stderr


@pytest.mark.postgres
def test_waiting_for_a_database_that_answers_returns_at_once():
    if not POSTGRES_ADMIN_URL:
        missing_service("set POWERDESK_TEST_POSTGRES_URL to run PostgreSQL tests")
    result = _wait_for_services(POSTGRES_ADMIN_URL, "30")
    assert result.returncode == 0, result.stderr
    assert "waiting" not in result.stderr
