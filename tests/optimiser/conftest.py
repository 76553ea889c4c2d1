"""Fixtures for the optimiser tests (helpers live in ``tests.optimiser.helpers``)."""

from __future__ import annotations

import pandas as pd
import pytest

from optimiser import read_price_csv
from tests.optimiser.helpers import SEED_PRICE_FILE


@pytest.fixture(scope="session")
def seed_prices() -> pd.DataFrame:
    """The seed task's DA/ID prices (UTC, 2023-01-14 00:00 .. 2023-04-30 23:00) as the optimiser's price frame."""
    return read_price_csv(SEED_PRICE_FILE)
