"""Strict parsing of values that arrive from outside (query strings, callback inputs).

One place for the rules, used by the API and the page callbacks, so every date is read the
same way: exactly ``YYYY-MM-DD``, within ``EARLIEST_DATE``..``LATEST_DATE`` (far-off dates such as
9999-12-31 would overflow when turned into UTC instants). Problems raise ``InvalidInput`` with a
message for the user.
"""

from __future__ import annotations

import re
from datetime import date

from services.errors import InvalidInput

EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2099, 12, 31)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MIDNIGHT_SUFFIX = "T00:00:00"


def parse_date(value, name: str = "date", allow_midnight_suffix: bool = False) -> date:
    """``value`` as a date, if it is a ``YYYY-MM-DD`` string in the supported range.

    ``allow_midnight_suffix`` accepts ``YYYY-MM-DDT00:00:00`` too (Dash date pickers send that
    after a server callback set a date)."""
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be a date in YYYY-MM-DD form")
    text = value.strip()
    if allow_midnight_suffix and text.endswith(_MIDNIGHT_SUFFIX):
        text = text.removesuffix(_MIDNIGHT_SUFFIX)
    if not _ISO_DATE.match(text):
        raise InvalidInput(f"{name}={value[:40]!r} is not a date in YYYY-MM-DD form")
    try:
        parsed = date.fromisoformat(text)
    except ValueError as error:
        raise InvalidInput(f"{name}={text!r} is not a date: there is no such day") from error
    if not EARLIEST_DATE <= parsed <= LATEST_DATE:
        raise InvalidInput(f"{name}={text} is outside the supported range {EARLIEST_DATE} to {LATEST_DATE}")
    return parsed


_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_typed_date(value, name: str = "date") -> date:
    """A date as a person types it on a form: UK ``DD/MM/YYYY`` (``D/M/YYYY`` too) or ISO ``YYYY-MM-DD``, never
    the US month-first order. Empty, other shapes and days that do not exist raise ``InvalidInput``."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise InvalidInput(f"type the {name} as DD/MM/YYYY or YYYY-MM-DD")
    uk = _UK_DATE.match(text)
    if uk is None:
        if not _ISO_DATE.match(text):
            raise InvalidInput(f"{name} {text[:40]!r} is not a date: type DD/MM/YYYY or YYYY-MM-DD")
        try:
            return parse_date(text, name)
        except InvalidInput as error:
            if "no such day" in str(error):
                raise InvalidInput(f"{name} {text!r} is not a date: there is no such day") from None
            raise
    day, month, year = (int(part) for part in uk.groups())
    if not 1 <= month <= 12:
        raise InvalidInput(f"{name} {text!r} is not a date: there is no month {month} (type DD/MM/YYYY, day first)")
    try:
        parsed = date(year, month, day)
    except ValueError:
        raise InvalidInput(f"{name} {text!r} is not a date: {date(year, month, 1):%B %Y} has no day {day}") from None
    if not EARLIEST_DATE <= parsed <= LATEST_DATE:
        raise InvalidInput(f"{name} {text} is outside the supported range {EARLIEST_DATE} to {LATEST_DATE}")
    return parsed


def parse_date_range(start, end, allow_midnight_suffix: bool = False) -> tuple[date, date]:
    """Two dates, the first not after the second."""
    first = parse_date(start, "start", allow_midnight_suffix)
    last = parse_date(end, "end", allow_midnight_suffix)
    if last < first:
        raise InvalidInput(f"the end date {last} is before the start date {first}")
    return first, last


def parse_text(value, name: str, max_length: int = 200, required: bool = True) -> str:
    """A text input: a string (None counts as empty), at most ``max_length`` characters."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be text")
    value = value.strip()
    if required and not value:
        raise InvalidInput(f"enter {name}")
    if len(value) > max_length:
        raise InvalidInput(f"{name} is longer than {max_length} characters")
    return value


def parse_choice(value, name: str, choices) -> str:
    """One of ``choices`` (a select or radio input)."""
    if not isinstance(value, str) or value not in choices:
        raise InvalidInput(f"choose {name}: one of {', '.join(choices)}")
    return value


def parse_choices(value, name: str, choices) -> tuple[str, ...]:
    """A checklist: a list (or None) of values from ``choices``."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) and item in choices for item in value):
        raise InvalidInput(f"{name} must be a selection from {', '.join(choices)}")
    return tuple(value)
