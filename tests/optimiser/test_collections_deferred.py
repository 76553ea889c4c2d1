"""Building a day's model defers cyclic garbage collection and always gives it back, even when the build fails;
a process that had switched collection off keeps it off."""

import gc

import pytest

from optimiser import BatteryParams, SolverSettings
from optimiser.model import Stage
from optimiser.rolling import ProblemCache, collections_deferred


def test_collection_is_off_inside_and_back_after_a_normal_or_failed_block():
    assert gc.isenabled()
    with collections_deferred():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collections_deferred():
        assert not gc.isenabled()
        raise RuntimeError("a build that fails")
    assert gc.isenabled()


def test_a_process_that_switched_collection_off_keeps_it_off():
    gc.disable()
    try:
        with collections_deferred():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_model_is_built_with_collection_deferred_and_collection_is_back_after(monkeypatch):
    seen = []
    import optimiser.rolling as rolling

    real = rolling.DayProblem

    def spying(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(rolling, "DayProblem", spying)
    cache = ProblemCache(BatteryParams(), SolverSettings(), carbon_priced=False)
    problem = cache.get(48, Stage.DA)
    assert seen == [False] and gc.isenabled() and cache.get(48, Stage.DA) is problem
