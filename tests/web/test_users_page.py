from services.users import authenticate, list_users
from tests.dash_requests import fire

OUTPUT = "users-message.children"


def manage(client, dash_app, trigger, **values):
    fields = {f"users-{k.replace('_', '-')}.value": v for k, v in values.items()}
    fields[f"{trigger}.n_clicks"] = 1
    return fire(client, dash_app, OUTPUT, fields, triggered=f"{trigger}.n_clicks").json["response"]


def test_admin_creates_a_user_who_can_then_log_in(dash_app, client_as):
    result = manage(client_as("admin"), dash_app, "users-create", new_name="nina", new_role="trader",
                    new_password="nina-password-12")
    assert "Created trader 'nina'" in str(result["users-message"])
    assert "nina" in [row["username"] for row in result["users-table"]["rowData"]]
    assert result["users-new-password"]["value"] == ""
    assert authenticate(dash_app.server.extensions["powerdesk"].db, "nina", "nina-password-12") is not None


def test_bad_new_user_shows_an_error_and_stores_nothing(dash_app, client_as):
    result = manage(client_as("admin"), dash_app, "users-create", new_name="omar", new_role="viewer",
                    new_password="short")
    assert "at least 12 characters" in str(result["users-message"])
    assert "omar" not in [u.username for u in list_users(dash_app.server.extensions["powerdesk"].db)]


def test_admin_cannot_demote_or_disable_themselves(dash_app, client_as):
    result = manage(client_as("admin"), dash_app, "users-disable", target="admin")
    assert "your own account" in str(result["users-message"])
    admin = [u for u in list_users(dash_app.server.extensions["powerdesk"].db) if u.username == "admin"][0]
    assert admin.is_active and admin.role == "admin"


def test_admin_changes_another_users_role(dash_app, client_as):
    result = manage(client_as("admin"), dash_app, "users-set-role", target="viewer", target_role="trader")
    assert "'viewer' is now trader" in str(result["users-message"])
    rows = {row["username"]: row["role"] for row in result["users-table"]["rowData"]}
    assert rows["viewer"] == "trader"
