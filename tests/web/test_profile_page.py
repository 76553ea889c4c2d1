"""Profile page: the daily price email opt-in through real Dash callback requests."""

from services import price_email
from tests.dash_requests import fire

SAVE_OUTPUT = "profile-message.children"
ADMIN_OUTPUT = "profile-admin-message.children"


def save_own(client, dash_app, email, opt_in):
    return fire(client, dash_app, SAVE_OUTPUT,
                {"profile-save.n_clicks": 1, "profile-email.value": email, "profile-opt-in.value": opt_in},
                triggered="profile-save.n_clicks")


def test_every_role_opens_the_profile_page(client_as):
    for role in ("viewer", "trader", "admin"):
        assert client_as(role).get("/profile").status_code == 200


def test_a_viewer_opts_in_and_the_form_shows_it_next_time(dash_app, client_as):
    client = client_as("viewer")
    response = save_own(client, dash_app, "  viewer@example.com ", True)
    assert response.status_code == 200
    assert "the daily prices go to viewer@example.com" in str(response.json["response"])
    db = dash_app.server.extensions["powerdesk"].db
    assert price_email.opted_in_addresses(db) == ["viewer@example.com"]
    loaded = fire(client, dash_app, "profile-email.value", {"profile-load.data": 0})
    assert loaded.json["response"] == {"profile-email": {"value": "viewer@example.com"},
                                       "profile-opt-in": {"value": True}}
    off = save_own(client, dash_app, "viewer@example.com", False)
    assert "no daily price email" in str(off.json["response"])
    assert price_email.opted_in_addresses(db) == []


def test_a_bad_address_is_refused_with_a_message_and_nothing_stored(dash_app, client_as):
    client = client_as("trader")
    for bad, reason in (("", "enter an email address"), ("trader@", "is not an email address"),
                        ("<script>@x.com", "is not an email address")):
        response = save_own(client, dash_app, bad, True)
        assert response.status_code == 200
        assert reason in str(response.json["response"])
    assert price_email.get_preference(dash_app.server.extensions["powerdesk"].db, "trader").email is None


def test_an_admin_sets_another_users_address_and_sees_everyone(dash_app, client_as):
    client = client_as("admin")
    response = fire(client, dash_app, ADMIN_OUTPUT,
                    {"profile-admin-save.n_clicks": 1, "profile-admin-user.value": "trader",
                     "profile-admin-email.value": "desk@example.com", "profile-admin-opt-in.value": True},
                    triggered="profile-admin-save.n_clicks")
    result = response.json["response"]
    assert "trader: the daily prices go to desk@example.com" in str(result["profile-admin-message"])
    rows = {row["username"]: row for row in result["profile-recipients-table"]["rowData"]}
    assert rows["trader"]["daily_email"] == "on" and rows["trader"]["email"] == "desk@example.com"
    assert rows["viewer"]["email"] == "not set" and rows["trader"]["last_email"] == "none yet"
    assert [o["value"] for o in result["profile-admin-user"]["options"]] == ["admin", "trader", "viewer"]


def test_a_trader_cannot_manage_other_recipients(dash_app, client_as):
    response = fire(client_as("trader"), dash_app, ADMIN_OUTPUT,
                    {"profile-admin-save.n_clicks": 1, "profile-admin-user.value": "viewer",
                     "profile-admin-email.value": "x@example.com", "profile-admin-opt-in.value": True},
                    triggered="profile-admin-save.n_clicks")
    assert response.status_code == 403
    assert price_email.opted_in_addresses(dash_app.server.extensions["powerdesk"].db) == []
