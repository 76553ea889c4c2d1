import os
import subprocess
import sys
from pathlib import Path

from data_access.migrate import head_revision
from services import api_keys, users

REPO = Path(__file__).resolve().parents[2]


def test_user_create_reads_the_password_from_stdin(server):
    runner = server.test_cli_runner()
    result = runner.invoke(args=["user", "create", "zoe", "--role", "trader", "--password-stdin"],
                           input="zoe-password-123\n")
    assert result.exit_code == 0, result.output
    assert users.authenticate(server.extensions["powerdesk"].db, "zoe", "zoe-password-123").role == "trader"


def test_user_create_explains_bad_input_and_stores_nothing(server):
    runner = server.test_cli_runner()
    result = runner.invoke(args=["user", "create", "yan", "--role", "viewer", "--password-stdin"], input="short\n")
    assert result.exit_code != 0
    assert "at least 12 characters" in result.output
    assert "yan" not in [u.username for u in users.list_users(server.extensions["powerdesk"].db)]


def test_user_list_disable_and_set_role(server):
    runner = server.test_cli_runner()
    assert runner.invoke(args=["user", "set-role", "viewer", "trader"]).exit_code == 0
    assert runner.invoke(args=["user", "disable", "trader"]).exit_code == 0
    listing = runner.invoke(args=["user", "list"]).output
    lines = {line.split()[0]: line.split()[1:3] for line in listing.splitlines()}
    assert lines["viewer"] == ["trader", "active"]
    assert lines["trader"] == ["trader", "disabled"]
    missing = runner.invoke(args=["user", "disable", "ghost"])
    assert missing.exit_code != 0 and "no user called 'ghost'" in missing.output


def test_apikey_create_prints_the_key_once_and_it_works(server):
    runner = server.test_cli_runner()
    result = runner.invoke(args=["apikey", "create", "meter-9", "--scope", "meters:write"])
    assert result.exit_code == 0
    key = result.output.strip().splitlines()[-1]
    assert api_keys.verify_api_key(server.extensions["powerdesk"].db, key).name == "meter-9"
    listing = runner.invoke(args=["apikey", "list"]).output
    assert "meter-9" in listing and key not in listing
    assert runner.invoke(args=["apikey", "revoke", "meter-9"]).exit_code == 0
    assert api_keys.verify_api_key(server.extensions["powerdesk"].db, key) is None


FLASK_HANG_S = 900
"""Only a hang: `flask setup` loads 196,490 price rows, a few seconds idle and minutes on a starved machine."""


def run_flask(args, cwd, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "POWERDESK_", "SECRET"))}
    environment.update(env)
    return subprocess.run([sys.executable, "-m", "flask", "--app", str(REPO / "app.py"), *args], cwd=cwd,
                          env=environment, capture_output=True, text=True, timeout=FLASK_HANG_S)


def test_setup_on_an_empty_database_prints_a_random_admin_password_once(tmp_path):
    first = run_flask(["setup"], tmp_path)
    assert first.returncode == 0, first.stderr
    password = first.stdout.splitlines()[1].strip()
    assert len(password) >= 20
    # seed 10,270 + MID 38,486 + EPEX 27,408 + portal MID 2024 330 (the rest repeat the MID file) + 2025 7,486
    # + system prices 112,510
    assert "196490 demo price rows added" in first.stdout
    second = run_flask(["setup"], tmp_path)
    assert second.returncode == 0
    assert password not in second.stdout and "0 demo price rows added" in second.stdout
    # the default database and the generated secret key live under ./instance
    assert (tmp_path / "instance" / "powerdesk.db").exists()
    assert (tmp_path / "instance" / "secret_key").stat().st_mode & 0o077 == 0
    listing = run_flask(["user", "list"], tmp_path)
    assert listing.stdout.split()[:3] == ["admin", "admin", "active"]


def test_setup_uses_the_configured_admin_password(tmp_path):
    result = run_flask(["setup"], tmp_path, POWERDESK_ADMIN_PASSWORD="configured-admin-pw")
    assert result.returncode == 0
    assert "Created user 'admin'" not in result.stdout
    current = run_flask(["db", "current"], tmp_path)

    assert current.stdout.startswith(head_revision())


def test_user_enable_and_reset_password_on_the_command_line(server):
    from services import audit
    from services.users import authenticate

    runner = server.test_cli_runner()
    db = server.extensions["powerdesk"].db
    assert runner.invoke(args=["user", "disable", "viewer"]).exit_code == 0
    assert "Enabled 'viewer'" in runner.invoke(args=["user", "enable", "viewer"]).output
    result = runner.invoke(args=["user", "reset-password", "viewer", "--password-stdin"], input="cli-password-1234\n")
    assert result.exit_code == 0 and authenticate(db, "viewer", "cli-password-1234") is not None
    generated = runner.invoke(args=["user", "reset-password", "viewer"]).output.rsplit(": ", 1)[1].strip()
    assert authenticate(db, "viewer", generated) is not None
    assert {e.actor for e in audit.list_events(db, action_prefix="user.")} == {"cli"}
