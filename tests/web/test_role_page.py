"""A person typing a page their role may not open gets the app shell with a friendly notice (403),
not a raw JSON error; scripts asking for JSON still get JSON."""

from tests.dash_requests import fire


def test_a_viewer_typing_the_users_page_gets_the_app_shell_with_403(server, client_as):
    response = client_as("viewer").get("/admin/users", headers={"Accept": "text/html,application/xhtml+xml"})
    assert response.status_code == 403
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert "_dash-config" in body and "forbidden" not in body


def test_json_callers_still_get_a_json_403(server, client_as):
    response = client_as("viewer").get("/admin/users", headers={"Accept": "application/json"})
    assert response.status_code == 403 and response.json["error"] == "forbidden"


def test_the_page_content_for_a_viewer_is_the_role_notice(dash_app, client_as):
    response = fire(client_as("viewer"), dash_app, "_pages_content.children",
                    {"_pages_location.pathname": "/admin/users", "_pages_location.search": ""})
    text = str(response.json["response"])
    assert "Not available to your role" in text and "users-table" not in text


def test_a_trailing_slash_does_not_dodge_the_role_check(server, client_as):
    response = client_as("viewer").get("/admin/users/", headers={"Accept": "text/html,application/xhtml+xml"})
    assert response.status_code == 403
