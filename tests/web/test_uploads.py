"""The upload helper shared by the Prices, Carbon and Runs callbacks, and the refusal messages the
browser's upload script asks for (tests/browser/test_uploads.py drives the script itself)."""

import base64

import pytest

from callbacks.uploads import UploadError, read_upload, refusal_message, upload_name
from data_access.prices import coverage
from tests.conftest import build_app, log_in, make_settings
from tests.dash_requests import callback_body, find_callback_by_input, fire

UPLOADS = {  # upload id: the element its messages go to
    "prices-upload": "prices-upload-status",
    "carbon-upload": "carbon-upload-status",
    "runs-operational-upload": "runs-operational-report",
}


def data_url(content: bytes, mime: str = "text/csv") -> str:
    return f"data:{mime};base64," + base64.b64encode(content).decode()


def test_read_upload_gives_the_bytes_of_a_data_url():
    assert read_upload(data_url(b"a,b\n1,2\n"), "x.csv", 100) == b"a,b\n1,2\n"
    assert read_upload(data_url(b"\x00\xff", "application/octet-stream"), "x.bin", 2) == b"\x00\xff"


@pytest.mark.parametrize("contents", ["not a data url", "data:text/csv;base64", "data:text/csv,a,b",
                                      "data:text/csv;base64,@@@@", "data:text/csv;base64,YQ", 42, ["x"]])
def test_read_upload_refuses_what_is_not_a_base64_data_url_with_one_message(contents):
    with pytest.raises(UploadError) as error:
        read_upload(contents, "odd.csv", 1_000)
    assert str(error.value) == "odd.csv could not be read as an uploaded file; nothing was stored. Choose it again."


@pytest.mark.parametrize("contents", ["data:", "data:text/csv;base64,"])
def test_read_upload_says_an_empty_file_is_empty(contents):
    with pytest.raises(UploadError, match=r"^empty\.csv is empty \(0 bytes\); nothing was stored"):
        read_upload(contents, "empty.csv", 1_000)


def test_read_upload_refuses_a_file_over_the_limit_naming_size_and_limit():
    with pytest.raises(UploadError, match=r"^big\.csv is 1\.1 kB; the limit is 1 kB\. Nothing was uploaded"):
        read_upload(data_url(b"x" * 1_001), "big.csv", 1_000)
    assert read_upload(data_url(b"x" * 1_000), "big.csv", 1_000) == b"x" * 1_000


def test_upload_names_are_text_of_bounded_length():
    assert upload_name(None) == upload_name("  ") == upload_name(["a"]) == "upload.csv"
    assert upload_name("<b>x</b>.csv") == "<b>x</b>.csv"
    assert len(upload_name("a" * 500)) == 200


def test_refusal_messages_for_what_the_browser_reports():
    too_large = {"reason": "too_large", "filename": "prices-2024.csv", "size_bytes": 31_200_000,
                 "limit_bytes": 25_000_000, "at": 1}
    assert refusal_message(too_large).startswith("prices-2024.csv is 31.2 MB; the limit is 25 MB.")
    assert refusal_message({"reason": "several", "count": 3}).startswith("3 files were dropped; this upload takes one")
    server = refusal_message({"reason": "server", "filename": "a.csv", "detail": "the request body is too big."})
    assert server == "a.csv was refused by the server: the request body is too big. Nothing was stored."


@pytest.mark.parametrize("refusal", [None, [], "too_large", {"reason": "other"},
                                     {"reason": "too_large", "filename": "a", "size_bytes": "9", "limit_bytes": 1},
                                     {"reason": "too_large", "size_bytes": True, "limit_bytes": 1},
                                     {"reason": "several", "count": 1}])
def test_values_the_script_never_writes_show_nothing(refusal):
    assert refusal_message(refusal) is None


@pytest.mark.parametrize("upload_id", UPLOADS)
def test_each_upload_shows_a_refused_file_in_its_own_message_area(dash_app, client_as, upload_id):
    key = find_callback_by_input(dash_app, f"{upload_id}-refused.data")
    refusal = {"reason": "too_large", "filename": "<b>big</b>.csv", "size_bytes": 700_001, "limit_bytes": 686_000}
    body = callback_body(dash_app, key, {f"{upload_id}-refused.data": refusal})
    response = client_as("trader").post("/_dash-update-component", json=body)
    assert response.status_code == 200
    alert = response.json["response"][UPLOADS[upload_id]]["children"]
    assert alert["type"] == "Alert" and alert["props"]["color"] == "danger"
    assert alert["props"]["children"].startswith("<b>big</b>.csv is 700.1 kB; the limit is 686 kB.")
    junk = client_as("viewer").post("/_dash-update-component",
                                    json=callback_body(dash_app, key, {f"{upload_id}-refused.data": {"x": 1}}))
    assert junk.status_code == 204 or UPLOADS[upload_id] not in junk.json["response"], junk.get_data(as_text=True)


@pytest.mark.parametrize("upload_id", UPLOADS)
def test_each_upload_says_an_empty_file_is_empty(dash_app, client_as, upload_id):
    values = {f"{upload_id}.contents": "data:", f"{upload_id}.filename": "empty.csv",
              "runs-operational-imported.data": 0}
    response = fire(client_as("trader"), dash_app, f"{UPLOADS[upload_id]}.children", values)
    assert response.status_code == 200
    shown = response.json["response"][UPLOADS[upload_id]]["children"]
    assert shown["props"]["children"].startswith("empty.csv is empty (0 bytes); nothing was stored.")


def test_the_server_refuses_an_upload_over_the_page_limit_and_stores_nothing(tmp_path, seeded_sqlite_url):
    """The browser does not send such a file; a client that does is told the same thing."""
    app = build_app(make_settings(tmp_path, seeded_sqlite_url, max_request_mb=0.5), seed=False)
    client = app.server.test_client()
    assert log_in(client, "trader").status_code == 302
    with app.server.extensions["powerdesk"].db.session() as session:
        before = {row.market: row.intervals for row in coverage(session)}
    rows = "".join(f"2024-01-01T00:00:00Z,{i % 90}.5,{i % 80}.25\n" for i in range(10_000))
    content = ("interval_start_utc,day_ahead,intraday\n" + rows).encode()
    assert 311_000 < len(content) < 340_000  # the limit for 0.5 MB requests is 311 kB; the body still fits
    response = fire(client, app, "prices-upload-status.children",
                    {"prices-upload.contents": data_url(content), "prices-upload.filename": "big.csv"})
    assert response.status_code == 200
    message = response.json["response"]["prices-upload-status"]["children"]["props"]["children"]
    assert message.startswith(f"big.csv is {len(content) / 1000:.1f} kB; the limit is 311 kB.")
    with app.server.extensions["powerdesk"].db.session() as session:
        assert {row.market: row.intervals for row in coverage(session)} == before
    app.server.extensions["powerdesk"].db.dispose()


def test_each_page_prints_the_limit_its_upload_enforces(server):
    from pages import carbon, prices, runs

    with server.test_request_context():  # MAX_REQUEST_MB = 20: 15 MB of file, less 64 kB for the rest
        limits = {page: page.upload_limit_bytes() for page in (prices, carbon, runs)}
        layouts = {page: str(page.layout()) for page in (prices, carbon, runs)}
    assert limits == {prices: 14_936_000, carbon: 14_936_000, runs: 5_000_000}  # runs: the metered import's own
    for page, limit in limits.items():
        assert f"data-upload-limit-bytes='{limit}'" in layouts[page] and f"max_size={limit}" in layouts[page]
    assert "Files up to 14.9 MB" in layouts[prices] and "Files up to 5 MB" in layouts[runs]
