"""README's Quickstart is the contract with a new user: exactly `make run` and `make test`."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_quickstart_has_exactly_the_two_make_commands():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["make run", "make test"]


def test_make_run_sets_up_before_serving_and_make_test_lints_then_tests():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^run: setup\n\t\$\(BIN\)/python app.py$", makefile, re.M)
    assert re.search(r"^setup: install\n\t\$\(BIN\)/flask setup$", makefile, re.M)
    test_recipe = re.search(r"^test: install-test\n((?:\t.*\n)+)", makefile, re.M).group(1)
    assert "ruff check ." in test_recipe and "pytest" in test_recipe


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
