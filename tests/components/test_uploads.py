"""Upload areas and their messages, without a browser."""

from dash import dcc

from components.uploads import limit_note, refusal_store_id, size_text, too_large_message, upload_area


def test_sizes_read_in_decimal_units_to_one_decimal():
    assert size_text(31_200_000) == "31.2 MB"
    assert size_text(25_000_000) == "25 MB"
    assert size_text(311_000) == "311 kB"
    assert size_text(512) == "512 bytes"
    assert size_text(14_936_000) == "14.9 MB"
    assert size_text(14_936_000, round_up=True) == "15 MB"


def test_a_file_just_over_the_limit_never_reads_as_the_limit():
    message = too_large_message("prices-2024.csv", 14_936_001, 14_936_000)
    assert message.startswith("prices-2024.csv is 15 MB; the limit is 14.9 MB.")
    assert "Nothing was uploaded or stored" in message
    assert too_large_message("a.csv", 25_000_001, 25_000_000).startswith("a.csv is 25.1 MB; the limit is 25 MB.")
    assert too_large_message("b.csv", 31_150_000, 25_000_000).startswith("b.csv is 31.2 MB; the limit is 25 MB.")


def test_an_upload_area_limits_its_upload_and_tells_the_script_where_to_write():
    area = upload_area("x-upload", "Choose…", 311_000, className="border")
    upload, store = area.children
    assert isinstance(upload, dcc.Upload) and isinstance(store, dcc.Store)
    assert upload.id == "x-upload" and upload.max_size == 311_000 and upload.multiple is False
    assert upload.className == "border"
    assert store.id == refusal_store_id("x-upload") == "x-upload-refused"
    attributes = area.to_plotly_json()["props"]
    assert attributes["data-upload-id"] == "x-upload"
    assert attributes["data-upload-limit-bytes"] == "311000"
    assert attributes["data-upload-refusal-store"] == "x-upload-refused"
    assert limit_note(311_000) == "Files up to 311 kB; a larger file is not sent (split it)."
