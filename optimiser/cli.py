"""Command line: ``python -m optimiser run --prices FILE.csv --start ... --end ... --out ... --summary-json ...``.

Exit codes: 0 when a schedule was produced (optimal or sub-optimal), 2 for bad
input (arguments, parameters, prices), 3 when the problem is infeasible, 4
when the solver hit its time limit without a schedule or failed. Every failure
prints one line, ``error: <message>``, on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from optimiser.errors import InfeasibleProblem, InvalidParameters, InvalidPrices, OptimiserError
from optimiser.params import BatteryParams, Markets, SolverSettings
from optimiser.prices import coerce_date, read_price_csv
from optimiser.results import OptimisationResult
from optimiser.rolling import optimise

EXIT_OK, EXIT_BAD_INPUT, EXIT_INFEASIBLE, EXIT_SOLVER = 0, 2, 3, 4


class _OneLineParser(argparse.ArgumentParser):
    """argparse that reports a bad argument as one ``error:`` line (no usage dump) and exits 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"error: {message}\n")
        raise SystemExit(EXIT_BAD_INPUT)


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(prog="python -m optimiser", description="Optimise a GB battery's DA and ID trading.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_OneLineParser)
    run = commands.add_parser("run", help="optimise a date range and write the schedule and a summary")
    run.add_argument("--prices", required=True, type=Path, help="CSV: interval_start_utc, day_ahead, intraday")
    run.add_argument("--start", required=True, help="first settlement date, YYYY-MM-DD (Europe/London)")
    run.add_argument("--end", required=True, help="last settlement date, YYYY-MM-DD, inclusive")
    run.add_argument("--power-mw", type=float, default=100.0, help="power [MW]")
    run.add_argument("--energy-mwh", type=float, default=100.0, help="energy capacity [MWh]")
    run.add_argument("--charge-efficiency", type=float, default=0.95, help="charge efficiency (0-1]")
    run.add_argument("--discharge-efficiency", type=float, default=0.95, help="discharge efficiency (0-1]")
    run.add_argument("--soc-min", type=float, default=0.0, help="SoC minimum, fraction of capacity")
    run.add_argument("--soc-max", type=float, default=1.0, help="SoC maximum, fraction of capacity")
    run.add_argument("--initial-soc", type=float, default=0.5, help="initial SoC, fraction of capacity")
    run.add_argument("--terminal-soc", choices=["free", "geq-initial", "eq-initial"], default="free")
    run.add_argument("--max-cycles", type=float, default=2.0, help="cycle limit per settlement date")
    run.add_argument("--degradation-cost", type=float, default=0.0, help="£ per MWh discharged")
    run.add_argument("--import-limit-mw", type=float, default=None, help="grid import limit [MW] (default: power)")
    run.add_argument("--export-limit-mw", type=float, default=None, help="grid export limit [MW] (default: power)")
    run.add_argument("--markets", choices=[m.value for m in Markets], default=Markets.DA_ID.value)
    run.add_argument("--mip-gap", type=float, default=1e-4, help="relative MIP gap")
    run.add_argument("--time-limit", type=float, default=60.0, help="time limit per daily solve [s]")
    run.add_argument("--always-binary", action="store_true", help="solve every day as a MILP")
    run.add_argument("--no-baselines", action="store_true", help="skip the naive and joint baselines")
    run.add_argument("--out", required=True, type=Path, help="intervals CSV to write")
    run.add_argument("--summary-json", required=True, type=Path, help="summary JSON to write")
    return parser


def _params(args: argparse.Namespace) -> BatteryParams:
    return BatteryParams(
        power_mw=args.power_mw,
        energy_mwh=args.energy_mwh,
        charge_efficiency=args.charge_efficiency,
        discharge_efficiency=args.discharge_efficiency,
        soc_min_frac=args.soc_min,
        soc_max_frac=args.soc_max,
        initial_soc_frac=args.initial_soc,
        terminal_soc=args.terminal_soc,
        max_cycles_per_day=args.max_cycles,
        degradation_cost_gbp_per_mwh=args.degradation_cost,
        import_limit_mw=args.import_limit_mw,
        export_limit_mw=args.export_limit_mw,
    )


def write_outputs(result: OptimisationResult, out: Path, summary_json: Path) -> None:
    """Write the intervals CSV (UTC timestamps as ISO 8601 with ``Z``) and the summary JSON."""
    frame = result.intervals.copy()
    frame["interval_start_utc"] = frame["interval_start_utc"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    frame["settlement_date"] = [d.isoformat() for d in frame["settlement_date"]]
    frame.to_csv(out, index=False)
    summary_json.write_text(json.dumps(result.summary(), indent=2) + "\n", encoding="utf-8")


def run(args: argparse.Namespace) -> int:
    params = _params(args)
    settings = SolverSettings(time_limit_s=args.time_limit, mip_gap=args.mip_gap, always_binary=args.always_binary)
    first, last = coerce_date(args.start, "start date"), coerce_date(args.end, "end date")
    prices = read_price_csv(args.prices)
    result = optimise(
        prices, first, last, params, markets=args.markets, solver=settings, baselines=not args.no_baselines
    )
    if not result.ok:
        # The summary records the failure (status, message, date) for whoever launched the run; no intervals
        # file is written, since there is no schedule.
        args.summary_json.write_text(json.dumps(result.summary(), indent=2) + "\n", encoding="utf-8")
        result.raise_for_status()
    write_outputs(result, args.out, args.summary_json)
    print(f"{result.status.value}: {result.message}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except (InvalidParameters, InvalidPrices) as exc:
        code = EXIT_BAD_INPUT
        message = str(exc)
    except InfeasibleProblem as exc:
        code = EXIT_INFEASIBLE
        message = str(exc)
    except OptimiserError as exc:
        code = EXIT_SOLVER
        message = str(exc)
    except OSError as exc:
        code = EXIT_BAD_INPUT
        message = f"cannot write output: {exc}"
    sys.stderr.write(f"error: {' '.join(message.split())}\n")
    return code
