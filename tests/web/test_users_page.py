from services import audit
from services.users import authenticate, list_users
from tests.conftest import log_in
from tests.dash_requests import fire

OUTPUT = "users-message.children"


def _row(dash_app, username):
    user = next(u for u in list_users(dash_app.server.extensions["powerdesk"].db) if u.username == username)
    return {"username": user.username, "role": user.role, "status": "active" if user.is_active else "disabled"}


def manage(client, dash_app, trigger, selected=None, **values):
    fields = {f"users-{k.replace('_', '-')}.value": v for k, v in values.items()}
    fields[f"{trigger}.n_clicks"] = 1
    if selected is not None:
        fields["users-table.selectedRows"] = [_row(dash_app, selected)] if isinstance(selected, str) else selected
    return fire(client, dash_app, OUTPUT, fields, triggered=f"{trigger}.n_clicks").json["response"]


def _users(dash_app):
    return {u.username: u for u in list_users(dash_app.server.extensions["powerdesk"].db)}


def test_admin_creates_a_user_who_can_then_log_in(dash_app, client_as):
    result = manage(client_as("admin"), dash_app, "users-create", new_name="nina", new_role="trader",
                    new_password="nina-password-12")
    assert "Created trader 'nina'" in str(result["users-message"])
    rows = {row["username"]: row for row in result["users-table"]["rowData"]}
    assert rows["nina"]["last_login"] == "never"
    assert result["users-new-password"]["value"] == ""
    assert authenticate(dash_app.server.extensions["powerdesk"].db, "nina", "nina-password-12") is not None


def test_bad_new_user_shows_an_error_and_stores_nothing(dash_app, client_as):
    result = manage(client_as("admin"), dash_app, "users-create", new_name="omar", new_role="viewer",
                    new_password="short")
    assert "at least 12 characters" in str(result["users-message"])
    assert "omar" not in _users(dash_app)


def test_wrong_types_in_the_form_get_a_message_not_a_500(dash_app, client_as):
    result = manage(client_as("admin"), dash_app, "users-create", new_name={"x": 1}, new_role=["admin"],
                    new_password="nina-password-12")
    assert "must be text" in str(result["users-message"])
    result = manage(client_as("admin"), dash_app, "users-set-role", selected=[{"username": ["x"]}],
                    target_role="viewer")
    assert "select a user" in str(result["users-message"])


def test_admin_cannot_change_disable_or_reset_themselves(dash_app, client_as):
    admin = client_as("admin")
    for trigger in ("users-confirm-disable-yes", "users-set-role", "users-reset-password"):
        result = manage(admin, dash_app, trigger, selected="admin", target_role="viewer")
        assert "your own account" in str(result["users-message"])
    user = _users(dash_app)["admin"]
    assert user.is_active and user.role == "admin"


def test_an_action_without_a_selected_row_asks_for_one(dash_app, client_as):
    result = manage(client_as("admin"), dash_app, "users-set-role", target_role="trader")
    assert "select a user in the table first" in str(result["users-message"])


def test_admin_changes_a_selected_users_role_and_it_is_audited(dash_app, client_as):
    result = manage(client_as("admin"), dash_app, "users-set-role", selected="viewer", target_role="trader")
    assert "'viewer' is now trader" in str(result["users-message"])
    rows = {row["username"]: row["role"] for row in result["users-table"]["rowData"]}
    assert rows["viewer"] == "trader"
    event = audit.list_events(dash_app.server.extensions["powerdesk"].db, action_prefix="user.role_changed")[0]
    assert (event.actor, event.target, event.detail) == ("admin", "viewer", {"from": "viewer", "to": "trader"})


def test_disable_needs_a_confirmation_then_enable_restores_the_account(dash_app, client_as):
    admin = client_as("admin")
    opened = fire(admin, dash_app, "users-confirm-disable.is_open",
                  {"users-disable.n_clicks": 1, "users-table.selectedRows": [_row(dash_app, "trader")]},
                  triggered="users-disable.n_clicks").json["response"]
    assert opened["users-confirm-disable"]["is_open"] is True
    assert "trader will not be able to log in" in str(opened)
    assert _users(dash_app)["trader"].is_active  # nothing happened yet
    result = manage(admin, dash_app, "users-confirm-disable-yes", selected="trader")
    assert "Disabled 'trader'" in str(result["users-message"])
    assert not _users(dash_app)["trader"].is_active
    refused = manage(admin, dash_app, "users-set-role", selected="trader", target_role="admin")
    assert "enable the account before making it admin" in str(refused["users-message"])
    assert _users(dash_app)["trader"].role == "trader"
    result = manage(admin, dash_app, "users-enable", selected="trader")
    assert "Enabled 'trader'" in str(result["users-message"])
    assert log_in(dash_app.server.test_client(), "trader").status_code == 302
    actions = [e.action for e in audit.list_events(dash_app.server.extensions["powerdesk"].db, action_prefix="user")]
    assert actions[:2] == ["user.enabled", "user.disabled"]


def test_password_reset_with_a_generated_password_shown_once(dash_app, client_as):
    result = manage(client_as("admin"), dash_app, "users-reset-password", selected="viewer", reset_password_value="")
    message = str(result["users-message"])
    generated = message.split("'children': '")[-1].split("'")[0]
    assert "shown once" in message and len(generated) >= 12
    assert log_in(dash_app.server.test_client(), "viewer", generated).status_code == 302
    assert log_in(dash_app.server.test_client(), "viewer").status_code == 401


def test_password_reset_with_a_chosen_password(dash_app, client_as):
    result = manage(client_as("admin"), dash_app, "users-reset-password", selected="viewer",
                    reset_password_value="chosen-password-99")
    assert "Set a new password for 'viewer'" in str(result["users-message"])
    assert result["users-reset-password-value"]["value"] == ""
    assert log_in(dash_app.server.test_client(), "viewer", "chosen-password-99").status_code == 302


def test_selecting_a_row_enables_only_the_actions_that_apply(dash_app, client_as):
    admin = client_as("admin")
    response = fire(admin, dash_app, "users-selected.children",
                    {"users-table.selectedRows": [_row(dash_app, "viewer")]}).json["response"]
    assert response["users-selected"]["children"] == "Selected: viewer (viewer, active)"
    assert response["users-enable"]["disabled"] is True and response["users-disable"]["disabled"] is False
    own = fire(admin, dash_app, "users-selected.children",
               {"users-table.selectedRows": [_row(dash_app, "admin")]}).json["response"]
    assert own["users-set-role"]["disabled"] is True
