from tests.conftest import build_app, make_settings


def test_an_unreachable_database_gives_503_json_with_retry_after_not_500(tmp_path):
    settings = make_settings(tmp_path, "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    client = build_app(settings, seed=False).server.test_client()
    response = client.get("/api/v1/prices?start=2023-03-01&end=2023-03-01", headers={"Authorization": "Bearer pdk_ABCDEFGH_" + "x" * 43})
    assert response.status_code == 503
    assert response.json["error"] == "service unavailable" and "Retry" in response.json["detail"]
    assert response.headers["Retry-After"] == "2"
    login = client.get("/login")  # pages that need no database still work
    assert login.status_code == 200
