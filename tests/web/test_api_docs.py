"""/api/docs: vendored Swagger UI for logged-in users, no inline script, no outside URLs."""

import re


def test_api_docs_need_a_login_and_load_only_vendored_files(server, client_as):
    assert server.test_client().get("/api/docs").status_code == 401
    page = client_as("viewer").get("/api/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts and all('src="/api/docs/files/' in attrs and not body.strip() for attrs, body in scripts)
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html


def test_api_docs_files_are_served_and_nothing_else(client_as):
    client = client_as("viewer")
    bundle = client.get("/api/docs/files/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and b"SwaggerUIBundle" in bundle.data
    init = client.get("/api/docs/files/powerdesk-docs-init.js")
    assert b"/api/openapi.json" in init.data
    assert client.get("/api/docs/files/docs.py").status_code == 404
    assert client.get("/api/docs/files/VENDORED.md").status_code == 404
