"""Reading COV power files: columns, times with and without offsets, and row problems by line number."""

import pandas as pd
import pytest

from data_access.power_files import PowerFileError, read_cov_csv

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
