"""``python -m optimiser run``: files in, files out, one-line errors and distinct exit codes."""

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from optimiser import INTERVAL_COLUMNS
from optimiser.cli import main
from tests.optimiser.helpers import hourly, prices_for

REPO = Path(__file__).resolve().parents[2]
DAY = date(2023, 1, 10)
HAND_CHECKED = [  # 10 MW / 10 MWh, lossless, empty, one cycle: buy hour 2 at £20, sell hour 5 at £100 → £800
    "--power-mw", "10", "--energy-mwh", "10", "--charge-efficiency", "1", "--discharge-efficiency", "1",
    "--initial-soc", "0", "--max-cycles", "1", "--markets", "da",
]  # fmt: skip
SUMMARY_KEYS = {
    "status",
    "da_revenue_gbp",
    "id_revenue_gbp",
    "degradation_cost_gbp",
    "net_revenue_gbp",
    "cycles",
    "discharged_mwh",
    "solve_seconds",
}


@pytest.fixture
def price_csv(tmp_path) -> Path:
    da = np.full(24, 50.0)
    da[2], da[5] = 20.0, 100.0
    frame = prices_for(DAY, DAY, day_ahead=hourly(da), intraday=55.0)
    path = tmp_path / "prices.csv"
    out = pd.DataFrame(
        {
            "interval_start_utc": frame.index.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "day_ahead": frame.day_ahead,
            "intraday": frame.intraday,
        }
    )
    out.to_csv(path, index=False)
    return path


def _args(price_csv: Path, tmp_path: Path, *extra: str) -> list[str]:
    return [
        "run", "--prices", str(price_csv), "--start", "2023-01-10", "--end", "2023-01-10",
        "--out", str(tmp_path / "intervals.csv"), "--summary-json", str(tmp_path / "summary.json"), *extra,
    ]  # fmt: skip


def _run_module(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "optimiser", *args], cwd=REPO, capture_output=True, text=True, timeout=120
    )


def test_cli_writes_the_hand_checked_schedule_and_summary(price_csv, tmp_path):
    done = _run_module(*_args(price_csv, tmp_path, *HAND_CHECKED))
    assert done.returncode == 0, done.stderr
    intervals = pd.read_csv(tmp_path / "intervals.csv")
    assert tuple(intervals.columns) == INTERVAL_COLUMNS
    assert len(intervals) == 48
    assert intervals.interval_start_utc.iloc[0] == "2023-01-10T00:00:00Z"
    assert intervals.settlement_date.iloc[0] == "2023-01-10"
    assert intervals.da_cash_gbp.sum() == pytest.approx(800.0)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert set(summary) >= SUMMARY_KEYS
    assert summary["status"] == "optimal"
    assert summary["net_revenue_gbp"] == pytest.approx(800.0)
    assert summary["discharged_mwh"] == pytest.approx(10.0)
    assert summary["params"]["power_mw"] == 10.0


def test_cli_bad_input_exits_non_zero_with_one_line(price_csv, tmp_path):
    done = _run_module(*_args(price_csv, tmp_path, "--initial-soc", "1.2", "--soc-max", "0.9"))
    assert done.returncode == 2
    assert done.stderr == "error: initial SoC 1.2 is above the maximum 0.9\n"
    assert not (tmp_path / "intervals.csv").exists()


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--markets", "bm"], "argument --markets: invalid choice: 'bm'"),
        (["--power-mw", "-5"], "power -5 MW must be above zero"),
        (["--end", "2023-01-11"], "day-ahead prices are missing for 48 of the 96 half-hours"),
        (["--start", "2023-01-11"], "the date range is empty"),
        (["--start", "10/01/2023"], "start date '10/01/2023' is not a date (use YYYY-MM-DD)"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_code_2(price_csv, tmp_path, capsys, extra, fragment):
    args = _args(price_csv, tmp_path)
    for flag, value in zip(extra[::2], extra[1::2], strict=True):
        if flag in args:
            args[args.index(flag) + 1] = value
        else:
            args += [flag, value]
    try:
        code = main(args)
    except SystemExit as exit_:  # argparse's own errors
        code = exit_.code
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert fragment in err


def test_cli_missing_price_file_is_one_line(tmp_path, capsys):
    assert main(_args(tmp_path / "nope.csv", tmp_path)) == 2
    assert capsys.readouterr().err == f"error: price file '{tmp_path / 'nope.csv'}' does not exist\n"


def test_cli_infeasible_problem_exits_3_and_records_the_failure(tmp_path, capsys):
    # Paid to charge on day 1 with no discharging allowed, the battery cannot get back to 50 % on day 2.
    frame = prices_for(DAY, date(2023, 1, 11), day_ahead=np.r_[np.full(48, -20.0), np.full(48, 50.0)])
    path = tmp_path / "negative.csv"
    frame.rename_axis("interval_start_utc").reset_index().assign(
        interval_start_utc=lambda f: f.interval_start_utc.dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    ).to_csv(path, index=False)
    args = _args(path, tmp_path, "--terminal-soc", "eq-initial", "--max-cycles", "0", "--markets", "da")
    args[args.index("--end") + 1] = "2023-01-11"
    assert main(args) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("error: No feasible schedule on 2023-01-11 (da stage)")
    assert json.loads((tmp_path / "summary.json").read_text())["status"] == "infeasible"
    assert not (tmp_path / "intervals.csv").exists()


def test_cli_time_limit_without_a_schedule_exits_4(price_csv, tmp_path, capsys):
    assert main(_args(price_csv, tmp_path, "--time-limit", "1e-9")) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "time limit on 2023-01-10 (da stage) before finding any schedule" in err
