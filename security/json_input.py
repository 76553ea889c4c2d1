"""JSON request bodies a hostile client can send that would crash the code reading them.

- nesting thousands of levels deep: ``json.loads`` raises RecursionError (a 500), and walking the
  result recursively would too;
- a lone UTF-16 surrogate (``"\\ud800"``): valid JSON, a valid Python string, but it cannot be encoded
  as UTF-8, so the database driver fails on it (a 500) wherever it is stored or looked up.

``body_problem`` finds either before any endpoint or Dash callback reads the body; the request checks
answer 400 with a message, and nothing is stored.
"""

from __future__ import annotations

import json
import re

MAX_API_JSON_DEPTH = 32
"""Deepest nesting an API body may have; the deepest real body (a run's parameters) has 4 levels."""
_SURROGATE = re.compile("[\ud800-\udfff]")


def parse(raw: bytes | str):
    """The parsed body; raises RecursionError for absurd nesting, ValueError when it is not JSON."""
    return json.loads(raw)


def problem_in(value, max_depth: int) -> str | None:
    """Why the parsed ``value`` is refused (too deep, a lone surrogate), or None. Iterative: no recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > max_depth:
            return f"the body is nested deeper than {max_depth} levels"
        if isinstance(item, dict):
            for key, child in item.items():
                if _SURROGATE.search(key):
                    return "the body holds a lone UTF-16 surrogate (\\ud800-\\udfff), which is not text"
                stack.append((child, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
        elif isinstance(item, str) and _SURROGATE.search(item):
            return "the body holds a lone UTF-16 surrogate (\\ud800-\\udfff), which is not text"
    return None


def body_problem(raw: bytes, max_depth: int = MAX_API_JSON_DEPTH) -> str | None:
    """Why a JSON body is refused, or None (also None when it is not JSON at all: the endpoint says so)."""
    if not raw:
        return None
    try:
        value = parse(raw)
    except RecursionError:
        return f"the body is nested deeper than {max_depth} levels"
    except ValueError:
        return None
    return problem_in(value, max_depth)
