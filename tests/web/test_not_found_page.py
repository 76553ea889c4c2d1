"""An address no page serves: the app shell (navbar kept) with status 404 and a "Page not found"
notice naming the address as text, with a link to the Overview; logged-out people still go to /login."""

import pytest

from callbacks.not_found import missing_path_text
from tests.dash_requests import fire

HTML = {"Accept": "text/html,application/xhtml+xml"}


@pytest.mark.parametrize("role", ["viewer", "trader", "admin"])
def test_an_unknown_address_gets_the_app_shell_with_404_for_every_role(client_as, role):
    response = client_as(role).get("/nope", headers=HTML)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "_dash-config" in response.get_data(as_text=True)


def test_json_callers_get_a_json_404(client_as):
    response = client_as("viewer").get("/nope", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json == {"error": "not found", "detail": "no page at /nope"}


def test_logged_out_people_are_sent_to_login_not_shown_the_not_found_page(server):
    response = server.test_client().get("/nope", headers=HTML)
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/nope"


@pytest.mark.parametrize("path", ["/", "/runs", "/runs/", "/studies"])
def test_pages_that_exist_are_not_404(client_as, path):
    assert client_as("viewer").get(path, headers=HTML).status_code == 200


def test_the_page_content_for_an_unknown_address_is_the_not_found_notice(dash_app, client_as):
    response = fire(client_as("viewer"), dash_app, "_pages_content.children",
                    {"_pages_location.pathname": "/nope", "_pages_location.search": ""})
    assert response.status_code == 200
    content = response.json["response"]["_pages_content"]["children"]
    text = str(content)
    assert "Page not found" in text and "not-found-path" in text
    assert "'href': '/'" in text and "Overview" in text
    assert response.json["response"]["_pages_store"]["data"]["title"] == "Not found · Powerdesk"


def test_the_not_found_notice_names_the_address_typed(dash_app, client_as):
    response = fire(client_as("viewer"), dash_app, "not-found-path.children",
                    {"_pages_location.pathname": "/nope/deeper"})
    assert response.status_code == 200
    assert response.json["response"]["not-found-path"]["children"] == "/nope/deeper"


def test_the_address_is_decoded_to_plain_text():
    assert missing_path_text("/%3Cb%3Ebold%3C/b%3E") == "/<b>bold</b>"
    assert missing_path_text(None) == "/"


def test_the_not_found_page_is_not_in_the_navbar(client_as):
    layout = client_as("admin").get("/_dash-layout").get_data(as_text=True)
    assert "nav-overview" in layout and "nav-404" not in layout and "Not found" not in layout
