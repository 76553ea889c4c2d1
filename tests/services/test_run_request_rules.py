"""Range and SoC rules every caller (form, API, CLI) gets as it checks a request, before anything is queued."""

from datetime import date, timedelta

from services.run_requests import MAX_RUN_DAYS, field_problems

BASE = {"first_date": "2023-01-01", "last_date": "2023-01-07"}


def test_more_than_the_day_limit_is_a_problem_of_the_last_date():
    first = date.fromisoformat(BASE["first_date"])
    too_far = (first + timedelta(days=MAX_RUN_DAYS + 25)).isoformat()
    _parsed, problems = field_problems({**BASE, "last_date": too_far})
    assert problems == {"last_date": f"choose at most {MAX_RUN_DAYS} days for one run "
                                     f"(these dates span {MAX_RUN_DAYS + 26:,} days)"}
    exactly = (first + timedelta(days=MAX_RUN_DAYS - 1)).isoformat()
    assert "last_date" not in field_problems({**BASE, "last_date": exactly})[1]


def test_every_problem_is_listed_at_once_with_the_forms_labels():
    _parsed, problems = field_problems({**BASE, "power_mw": -1, "energy_mwh": 0, "import_limit_mw": "x",
                                        "max_cycles_per_day": 0, "last_date": "2022-12-01"})
    assert set(problems) == {"power_mw", "energy_mwh", "import_limit_mw", "max_cycles_per_day", "last_date"}
    assert problems["energy_mwh"].startswith("energy must be above 0 MWh")
    assert problems["import_limit_mw"].startswith("grid import limit:")
    assert problems["last_date"].startswith("the last settlement date 2022-12-01 is before the first")
    assert not any("max_cycles_per_day" in message for message in problems.values())


def test_the_soc_window_rules_are_in_percent():
    problems = field_problems({**BASE, "soc_min_frac": 0.6, "soc_max_frac": 0.5})[1]
    assert problems == {"soc_min_frac": "SoC minimum (60%) must be below the SoC maximum (50%)"}
    problems = field_problems({**BASE, "soc_max_frac": 0.8, "initial_soc_frac": 0.9})[1]
    assert problems == {"initial_soc_frac": "initial SoC (90%) must be between the SoC minimum (0%) and the SoC "
                                            "maximum (80%)"}
