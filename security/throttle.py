"""Login throttling that slows guessing without locking a real user out.

Two rules, both counting failed logins only:

- per client address: after ``address_limit`` failures within ``address_window_s`` the address
  gets HTTP 429 until the window ends (stops one machine spraying many user names);
- per (user name, client address): the first ``free_failures`` failures cost nothing; after that
  each attempt must wait ``base_delay_s * 2**(n - free_failures)`` seconds (capped at
  ``max_delay_s``) after the last failure. There is no hard lock: once the delay has passed the
  right password works, and a success clears the pair's count. A pair's count is forgotten
  ``reset_after_s`` after its last failure.

Neither rule counts a name's failures across addresses, so someone who knows a user name cannot
keep its owner out by failing on purpose: the owner, from their own address, is not slowed by
anyone else's failures (as Grafana and Superset throttle).

The counters live in Redis when ``REDIS_URL`` is set (shared by every worker and machine), else in
process memory (one process: the development server, tests). While Redis does not answer, each process
counts in its own memory (and tries Redis again every ``REDIS_RETRY_S``), so an outage of Redis never
stops people logging in, and guessing is still slowed, per process, meanwhile.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

KEY_PREFIX = "powerdesk:login:"
REDIS_RETRY_S = 30.0
"""Seconds between attempts to reach Redis again after it failed to answer."""
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ThrottleRules:
    free_failures: int = 5
    base_delay_s: float = 5.0
    max_delay_s: float = 300.0
    reset_after_s: float = 3600.0
    address_limit: int = 30
    address_window_s: float = 900.0

    def delay_after(self, failures: int) -> float:
        """Seconds an attempt must wait after the last failure, given ``failures`` so far."""
        if failures < self.free_failures:
            return 0.0
        return min(self.max_delay_s, self.base_delay_s * 2 ** min(failures - self.free_failures, 30))


class MemoryStore:
    """Counters in this process only."""

    def __init__(self):
        self._lock = threading.Lock()
        self._values: dict[str, tuple[dict, float]] = {}

    def _live(self, key: str, now: float) -> dict:
        value, expires = self._values.get(key, ({}, 0.0))
        return value if expires > now else {}

    def get(self, key: str, now: float) -> dict:
        with self._lock:
            return dict(self._live(key, now))

    def add_failure(self, key: str, now: float, ttl_s: float, keep_expiry: bool) -> dict:
        with self._lock:
            value = dict(self._live(key, now))
            expires = self._values.get(key, ({}, 0.0))[1] if keep_expiry and value else now + ttl_s
            value["count"] = value.get("count", 0) + 1
            value["last"] = now
            self._values[key] = (value, expires)
            return dict(value)

    def delete(self, key: str) -> None:
        with self._lock:
            self._values.pop(key, None)


class RedisStore:
    """Counters in Redis, shared by every worker (hash ``count``/``last`` with a TTL)."""

    def __init__(self, url: str):
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def get(self, key: str, now: float) -> dict:
        count, last = self._redis.hmget(key, "count", "last")
        if count is None:
            return {}
        return {"count": int(count), "last": float(last or 0)}

    def add_failure(self, key: str, now: float, ttl_s: float, keep_expiry: bool) -> dict:
        pipe = self._redis.pipeline()
        pipe.hincrby(key, "count", 1)
        pipe.hset(key, "last", now)
        if keep_expiry:
            pipe.expire(key, math.ceil(ttl_s), nx=True)
        else:
            pipe.expire(key, math.ceil(ttl_s))
        count = pipe.execute()[0]
        return {"count": int(count), "last": now}

    def delete(self, key: str) -> None:
        self._redis.delete(key)


class FallbackStore:
    """``primary`` (Redis), or ``fallback`` (process memory) for ``retry_s`` after ``primary`` failed to answer.

    Without the pause every login would wait for Redis's connect timeout several times while it is down.
    """

    def __init__(self, primary, fallback, retry_s: float = REDIS_RETRY_S, clock: Callable[[], float] = time.monotonic):
        import redis

        self.primary, self.fallback, self.retry_s, self.clock = primary, fallback, retry_s, clock
        self._errors = (redis.RedisError, OSError)
        self._down_until = float("-inf")

    def _call(self, method: str, *args):
        if self.clock() >= self._down_until:
            try:
                return getattr(self.primary, method)(*args)
            except self._errors as error:
                self._down_until = self.clock() + self.retry_s
                log.warning("login throttle: Redis did not answer (%s: %s); counting in this process for %.0f s",
                            type(error).__name__, error, self.retry_s)
        return getattr(self.fallback, method)(*args)

    def get(self, key: str, now: float) -> dict:
        return self._call("get", key, now)

    def add_failure(self, key: str, now: float, ttl_s: float, keep_expiry: bool) -> dict:
        return self._call("add_failure", key, now, ttl_s, keep_expiry)

    def delete(self, key: str) -> None:
        self._call("delete", key)


def _key(kind: str, value: str) -> str:
    # hashed: user names and addresses are not stored in clear in Redis
    return KEY_PREFIX + kind + ":" + hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()[:32]


def _user_key(username: str, address: str) -> str:
    return _key("user", f"{username}\x00{address}")


class LoginThrottle:
    def __init__(self, rules: ThrottleRules, store, clock: Callable[[], float] = time.time):
        self.rules = rules
        self.store = store
        self.clock = clock

    def wait_s(self, username: str, address: str) -> tuple[float, str] | None:
        """(seconds to wait, which rule) when this attempt must be refused now, else None."""
        now = self.clock()
        by_address = self.store.get(_key("addr", address), now)
        if by_address.get("count", 0) >= self.rules.address_limit:
            # the window started at this address's first failure: it ends within address_window_s
            return self.rules.address_window_s, "address"
        by_user = self.store.get(_user_key(username, address), now)
        delay = self.rules.delay_after(by_user.get("count", 0))
        remaining = by_user.get("last", 0.0) + delay - now
        if delay and remaining > 0:
            return remaining, "user"
        return None

    def record_failure(self, username: str, address: str) -> None:
        now = self.clock()
        self.store.add_failure(_key("addr", address), now, self.rules.address_window_s, keep_expiry=True)
        self.store.add_failure(_user_key(username, address), now, self.rules.reset_after_s, keep_expiry=False)

    def record_success(self, username: str, address: str) -> None:
        self.store.delete(_user_key(username, address))


def make_login_throttle(settings) -> LoginThrottle:
    rules = ThrottleRules(
        free_failures=settings.login_free_failures,
        base_delay_s=settings.login_backoff_base_s,
        max_delay_s=settings.login_backoff_max_s,
        reset_after_s=settings.login_failure_memory_s,
        address_limit=settings.login_address_failure_limit,
        address_window_s=settings.login_address_window_s,
    )
    store = FallbackStore(RedisStore(settings.redis_url), MemoryStore()) if settings.redis_url else MemoryStore()
    return LoginThrottle(rules, store)
