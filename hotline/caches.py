"""Byte caches: one in this process (bounded in entries and bytes, with an expiry), one shared in Redis.

They hold values that are already safe to publish (a view's suppressed and perturbed response, an
upload's file for its owner's private address), keyed by strings the caller builds. Neither ever
breaks the caller: a Redis that is down, slow or full answers like an empty cache, and is left
alone for a few seconds before it is tried again, with one WARNING when it fails and one INFO line
when it is back, not a line per request.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import cachetools

log = logging.getLogger(__name__)

MiB = 1024 * 1024


@dataclass
class CacheStats:
    hits: int = 0  # answered from this process's memory
    shared_hits: int = 0  # answered from the shared cache (so computed by another worker or host)
    misses: int = 0
    stores: int = 0
    failures: int = 0  # times the shared cache failed (each outage logs once)


class MemoryCache:
    """An LRU of bytes with a time to live, at most `max_entries` values and `max_bytes` bytes in all.

    Thread-safe. A value larger than a `max_bytes` share of one entry still fits (it counts as what it
    weighs); one larger than `max_bytes` is not kept.
    """

    def __init__(
        self, *, max_entries: int = 256, max_bytes: int = 64 * MiB, ttl_seconds: float = 3600, timer=time.monotonic
    ) -> None:
        if max_entries < 1 or max_bytes < 1:
            raise ValueError("a cache needs room for at least one entry and one byte")
        self.max_entries, self.max_bytes = max_entries, max_bytes
        # Each entry weighs at least max_bytes / max_entries: the weights' bound then bounds both.
        floor = max(1, max_bytes // max_entries)
        self._values = cachetools.TTLCache(
            maxsize=max_bytes, ttl=ttl_seconds, timer=timer, getsizeof=lambda value: max(len(value), floor)
        )
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            return self._values.get(key)

    def set(self, key: str, value: bytes) -> bool:
        """Keep `value` (evicting the least recently used as needed). False if it is too large to keep."""
        with self._lock:
            try:
                self._values[key] = value
            except ValueError:  # larger than the whole cache
                return False
            return True

    def delete(self, key: str) -> None:
        with self._lock:
            self._values.pop(key, None)

    def __len__(self) -> int:
        with self._lock:
            self._values.expire()
            return len(self._values)

    @property
    def nbytes(self) -> int:
        """Bytes held by the values (not counting the small fixed cost of each entry)."""
        with self._lock:
            return sum(len(v) for v in self._values.values())


class SharedCache:
    """Byte values in Redis, under `prefix`, each with an expiry. Every failure reads as a miss.

    `client`: a redis.Redis (or anything with get/set/delete/expire); `from_url` builds one with short
    timeouts so that an unreachable server costs a request milliseconds, not seconds.
    """

    def __init__(self, client, *, prefix: str = "hotline:", retry_after: float = 5.0, timer=time.monotonic) -> None:
        self.client = client
        self.prefix = prefix
        self.retry_after = retry_after
        self.timer = timer
        self.failures = 0
        self._down_until = 0.0
        self._down = False
        self._lock = threading.Lock()

    @classmethod
    def from_url(cls, url: str, **options) -> SharedCache:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # No retries: a failed call is a miss, and the next request tries again (after retry_after).
        client = redis.Redis.from_url(
            url, socket_timeout=0.5, socket_connect_timeout=0.5, health_check_interval=30, retry=Retry(NoBackoff(), 0)
        )
        return cls(client, **options)

    # --- the calls ---------------------------------------------------------------------------------
    def get(self, key: str) -> bytes | None:
        return self._call("read", lambda: self.client.get(self.prefix + key))

    def set(self, key: str, value: bytes, ttl_seconds: float) -> bool:
        done = self._call("write", lambda: self.client.set(self.prefix + key, value, px=max(1, int(ttl_seconds * 1000))))
        return bool(done)

    def touch(self, key: str, ttl_seconds: float) -> bool | None:
        """Renew a key's expiry. True if it exists, False if it has gone, None if the cache cannot be reached."""
        found = self._call("renew", lambda: self.client.pexpire(self.prefix + key, max(1, int(ttl_seconds * 1000))))
        return None if found is None else bool(found)

    def delete(self, *keys: str) -> None:
        if keys:
            self._call("delete", lambda: self.client.delete(*(self.prefix + k for k in keys)))

    def run(self, what: str, operation: Callable[[object, str], object]):
        """Run operation(client, prefix) under the same failure rule (None if the cache is down)."""
        return self._call(what, lambda: operation(self.client, self.prefix))

    @property
    def available(self) -> bool:
        return not self._down or self.timer() >= self._down_until

    # --- failing softly ------------------------------------------------------------------------------
    def _call(self, what: str, operation: Callable[[], object]):
        if self._down and self.timer() < self._down_until:
            return None
        try:
            result = operation()
        except Exception as error:  # redis.RedisError, OSError, an out-of-memory refusal: all mean "not now"
            self._failed(what, error)
            return None
        if self._down:
            with self._lock:
                if self._down:
                    self._down = False
                    log.info("the shared cache answers again")
        return result

    def _failed(self, what: str, error: Exception) -> None:
        with self._lock:
            self.failures += 1
            self._down_until = self.timer() + self.retry_after
            if not self._down:
                self._down = True
                log.warning(
                    "the shared cache (Redis) failed to %s: %s; answering without it, trying again every %gs",
                    what,
                    " ".join(str(error).split())[:200] or type(error).__name__,
                    self.retry_after,
                )


class LayeredCache:
    """This process's MemoryCache in front of an optional SharedCache: memory first, then Redis.

    A value found in Redis is kept in memory too, so a crowd on one view reads Redis once per worker.
    """

    def __init__(self, local: MemoryCache, shared: SharedCache | None = None, *, ttl_seconds: float = 3600) -> None:
        self.local = local
        self.shared = shared
        self.ttl_seconds = ttl_seconds
        self.stats = CacheStats()
        self._stats_lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        value = self.local.get(key)
        if value is not None:
            self._count("hits")
            return value
        if self.shared is not None:
            value = self.shared.get(key)
            if value is not None:
                self.local.set(key, value)
                self._count("shared_hits")
                return value
        self._count("misses")
        return None

    def set(self, key: str, value: bytes) -> None:
        self.local.set(key, value)
        if self.shared is not None:
            self.shared.set(key, value, self.ttl_seconds)
        self._count("stores")

    def _count(self, name: str) -> None:
        with self._stats_lock:
            setattr(self.stats, name, getattr(self.stats, name) + 1)
            if self.shared is not None:
                self.stats.failures = self.shared.failures
