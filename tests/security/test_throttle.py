"""The login throttle's rules, with a controlled clock (no Flask)."""

import pytest

from security.throttle import LoginThrottle, MemoryStore, RedisStore, ThrottleRules, _user_key
from tests.conftest import REDIS_URL, missing_service

RULES = ThrottleRules(free_failures=3, base_delay_s=10, max_delay_s=40, reset_after_s=600,
                      address_limit=5, address_window_s=300)


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


def test_backoff_doubles_and_is_capped():
    assert [RULES.delay_after(n) for n in range(7)] == [0, 0, 0, 10, 20, 40, 40]


REDIS_THROTTLE_TESTS = (
    "test_a_user_name_is_slowed_down_but_never_locked_for_longer_than_the_cap",
    "test_one_address_spraying_many_user_names_is_stopped",
)


@pytest.fixture(params=["memory", "redis"])
def throttle(request):
    clock = Clock()
    if request.param == "redis":
        if not REDIS_URL:
            missing_service("set POWERDESK_TEST_REDIS_URL to run Redis tests")
        # A Redis database of each test's own (12, 13, ...): the shared one carries Celery queues and the app
        # tests' counters, and tests run in parallel, so a flush must only ever empty the test's own database.
        own_db = 12 + sorted(REDIS_THROTTLE_TESTS).index(request.function.__name__)
        store = RedisStore(REDIS_URL.rsplit("/", 1)[0] + f"/{own_db}")
        store._redis.flushdb()
    else:
        store = MemoryStore()
    return LoginThrottle(RULES, store, clock), clock


def test_a_user_name_is_slowed_down_but_never_locked_for_longer_than_the_cap(throttle):
    """Per (name, address): the owner elsewhere is not slowed."""
    limiter, clock = throttle
    for _ in range(RULES.free_failures):
        assert limiter.wait_s("trader", "10.0.0.1") is None
        limiter.record_failure("trader", "10.0.0.1")
    wait, rule = limiter.wait_s("trader", "10.0.0.1")
    assert rule == "user" and wait == pytest.approx(RULES.base_delay_s)
    assert limiter.wait_s("trader", "10.0.0.9") is None  # the real user, elsewhere, is not slowed
    clock.now += wait
    limiter.record_failure("trader", "10.0.0.1")  # (below the address limit)
    wait, rule = limiter.wait_s("trader", "10.0.0.1")
    assert rule == "user" and wait == pytest.approx(2 * RULES.base_delay_s) and wait <= RULES.max_delay_s
    clock.now += wait
    assert limiter.wait_s("trader", "10.0.0.1") is None
    limiter.record_success("trader", "10.0.0.1")
    assert limiter.store.get(_user_key("trader", "10.0.0.1"), clock.now) == {}  # a success wiped the count


def test_failures_spread_over_many_addresses_slow_none_of_them_for_the_owner():
    limiter = LoginThrottle(RULES, MemoryStore(), Clock())
    for number in range(50):
        limiter.record_failure("trader", f"10.2.0.{number}")
    assert limiter.wait_s("trader", "10.9.9.9") is None


def test_one_address_spraying_many_user_names_is_stopped(throttle):
    limiter, clock = throttle
    for number in range(RULES.address_limit):
        assert limiter.wait_s(f"user{number}", "192.0.2.7") is None
        limiter.record_failure(f"user{number}", "192.0.2.7")
    wait, rule = limiter.wait_s("someone-else", "192.0.2.7")
    assert rule == "address" and wait > 0
    assert limiter.wait_s("someone-else", "192.0.2.8") is None  # other addresses are unaffected


def test_with_redis_down_logins_are_still_throttled_in_process_and_redis_is_retried_later(refusing_port):
    """An outage of Redis never stops people logging in; guessing is still slowed, per process, meanwhile."""
    import time

    from security.throttle import FallbackStore
    monotonic = Clock()
    store = FallbackStore(RedisStore(f"redis://127.0.0.1:{refusing_port}/0"), MemoryStore(), retry_s=30,
                          clock=monotonic)
    clock = Clock()
    throttle = LoginThrottle(RULES, store, clock)
    started = time.perf_counter()
    assert throttle.wait_s("alice", "10.0.0.1") is None
    for _ in range(RULES.free_failures):
        throttle.record_failure("alice", "10.0.0.1")
    assert throttle.wait_s("alice", "10.0.0.1") == (RULES.base_delay_s, "user")
    assert time.perf_counter() - started < 2.0  # Redis was tried once, then left alone for retry_s
    retried_at = monotonic.now + 30
    monotonic.now = retried_at
    assert throttle.wait_s("bob", "10.0.0.2") is None  # Redis tried again (still down): counted in memory
    assert store._down_until == retried_at + 30
