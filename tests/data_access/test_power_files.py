"""Reading COV power files: columns, times with and without offsets, and row problems by line number."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data_access.power_files import _PADDED_FIELD, PowerFileError, _has_padded_field, _repeated_keys, read_cov_csv

HEADER = "Time,Variable,AssetId,Value\n"


def test_seed_style_rows_are_read_as_utc_to_the_microsecond():
    frame = read_cov_csv((HEADER + "2019-11-25 05:54:08.8640001,power,abc123xyz,1557.947998\n"
                          "2019-11-25T06:54:08+01:00,Power,abc123xyz,-1\n").encode(), "f.csv")
    assert list(frame["time_utc"]) == [pd.Timestamp("2019-11-25T05:54:08.864Z"), pd.Timestamp("2019-11-25T05:54:08Z")]
    assert list(frame["power_kw"]) == [1557.947998, -1.0]
    assert list(frame["line"]) == [2, 3]


def test_the_same_instant_twice_with_different_values_is_refused_naming_both_lines():
    content = (HEADER + "2019-11-25 00:00:00,power,a,1\n2019-11-25 00:00:00,power,a,1\n"
               "2019-11-25 00:01:00,power,a,5\n2019-11-25 00:01:00Z,power,a,6\n").encode()
    with pytest.raises(PowerFileError, match=r"line 5: asset a has different values at .* \(lines 4, 5\)"):
        read_cov_csv(content, "dup.csv")


def test_blank_lines_keep_line_numbers_honest_and_missing_columns_are_named():
    with pytest.raises(PowerFileError, match="line 4: value 'x'"):
        read_cov_csv((HEADER + "2019-11-25 00:00:00,power,a,1\n\n2019-11-25 00:01:00,power,a,x\n\n").encode(),
                     "blank.csv")
    with pytest.raises(PowerFileError, match="missing Value"):
        read_cov_csv(b"Time,Variable,AssetId\n2019-11-25,power,a\n", "cols.csv")
    with pytest.raises(PowerFileError, match="no readings"):
        read_cov_csv(HEADER.encode(), "empty.csv")


def test_empty_and_too_long_asset_ids_are_refused_on_their_lines_only():
    long_id = "x" * 65
    rows = ["2019-11-25 00:00:00,power,a,1", "2019-11-25 00:01:00,power,,2", f"2019-11-25 00:02:00,power,{long_id},3",
            "2019-11-25 00:03:00,power,a,4", f"2019-11-25 00:04:00,power,{'y' * 64},5",
            "2019-11-25 00:05:00,power, ,6", ",,,"]
    with pytest.raises(PowerFileError) as error:
        read_cov_csv((HEADER + "\n".join(rows) + "\n").encode(), "ids.csv")
    assert [(p.line, p.message) for p in error.value.problems] == [
        (3, "asset id '' is empty or too long"), (4, f"asset id {long_id!r} is empty or too long"),
        (7, "asset id ' ' is empty or too long")]
    frame = read_cov_csv((HEADER + "\n".join(rows[:1] + rows[3:5] + [",,,"]) + "\n").encode(), "ok.csv")
    assert frame["asset_id"].tolist() == ["a", "a", "y" * 64] and frame["line"].tolist() == [2, 3, 4]


@settings(max_examples=400, deadline=None)
@given(st.binary(min_size=0, max_size=40).map(lambda b: bytes(b' \t\f\v,\n\r"a\x00'[x % 10] for x in b)))
def test_the_padded_field_check_answers_as_the_regular_expression(content):
    assert _has_padded_field(content) is (_PADDED_FIELD.search(content) is not None)


@pytest.mark.parametrize("content", [b" a", b'" a', b"a ", b'a "', b"a ,b", b'a,"\tb', b"a\v\r\n", b"a\f\r", b"a\r b",
                                     b"a b", b"a\rb", b'a" b', b"x,a\n\"\x0bb"])
def test_the_padded_field_check_at_the_edges_of_the_data(content):
    assert _has_padded_field(content) is (_PADDED_FIELD.search(content) is not None)


def test_repeated_instants_keep_the_first_row_of_each_as_pandas_does():
    rng = np.random.default_rng(5)
    times = pd.Timestamp("2023-01-01T00:00:00Z") + pd.to_timedelta(rng.integers(0, 40, 300), unit="s")
    frame = pd.DataFrame({"asset_id": rng.choice(["a", "b", "c"], 300), "time_utc": times,
                          "power_kw": 1.0, "line": np.arange(2, 302)})
    repeated, in_group = _repeated_keys(frame["asset_id"], frame["time_utc"])
    assert repeated.tolist() == frame.duplicated(["asset_id", "time_utc"]).tolist()
    assert in_group.tolist() == frame.duplicated(["asset_id", "time_utc"], keep=False).tolist()
    rows = "".join(f"{t.isoformat()},power,{a},1\n" for t, a in zip(frame["time_utc"], frame["asset_id"], strict=True))
    read = read_cov_csv((HEADER + rows).encode(), "repeated.csv")
    kept = frame.drop_duplicates(["asset_id", "time_utc"])
    assert read["line"].tolist() == kept["line"].tolist()
    assert (read["time_utc"] == kept["time_utc"].reset_index(drop=True)).all()
