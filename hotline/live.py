"""A dataset that follows its source: re-read in the background, checked, then swapped in whole.

`LiveDataset` has the Dataset interface (every attribute is the current Dataset's) and its `current()`
returns the latest complete Dataset. A request takes `current()` once and answers from it alone, so a
page never mixes two versions; a swap is one reference assignment, so no request sees half of one.

When it re-reads:
- a file (or DuckDB database): when its size or modification time changed and then stayed the same for
  one check (so a file still being written is not read half-way); checks every `watch_seconds`;
- any source: every `every_seconds` (`--refresh-minutes`), if set.

Every gunicorn worker holds its own LiveDataset. To keep them in step without a coordinator, checks run
at wall-clock ticks (multiples of the interval since the epoch), so all workers read within the same
second or two of each other and swap to the same data; a request that lands on a lagging worker in that
window sees the previous version whole, never a mix. (A shared generation in Redis would close that
window but ties every refresh to Redis being up; see the README.)

A refresh that fails (unreadable, invalid, or a different layout than the data being served) keeps the
old data, logs one line and is reported by `status()` (for /healthz and a notice on the page).
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from hotline.dataset import Dataset
from hotline.errors import DataError

log = logging.getLogger("hotline.live")

DEFAULT_WATCH_SECONDS = 5.0


@dataclass(frozen=True)
class RefreshStatus:
    """What /healthz and the operators' notice say about refreshing."""

    every_minutes: float | None  # periodic refresh; None: off
    watches_file: bool
    last_try: datetime | None = None
    last_success: datetime | None = None  # when the source was last read and checked (changed or not)
    last_try_failed: bool = False
    last_error: str | None = None  # for the log and operators; /healthz says only that it failed
    generation: int = 1  # how many versions of the data this process has served

    def as_json(self) -> dict:
        iso = lambda t: t.isoformat(timespec="seconds") if t else None  # noqa: E731
        return {
            "every_minutes": self.every_minutes,
            "watches_file": self.watches_file,
            "last_try": iso(self.last_try),
            "last_success": iso(self.last_success),
            "last_try_failed": self.last_try_failed,
            "generation": self.generation,
        }


class LiveDataset:
    """The latest complete Dataset read by `loader`, refreshed in a background thread.

    `loader()` reads and checks the source and returns a Dataset or raises DataError. `stamp()` says when
    a file changed (hotline.sources.Source.stamp); None for sources without a file.
    """

    def __init__(
        self,
        loader: Callable[[], Dataset],
        *,
        stamp: Callable[[], object] | None = None,
        every_seconds: float | None = None,
        watch_seconds: float = DEFAULT_WATCH_SECONDS,
        clock: Callable[[], float] = time.time,
        autostart: bool = True,
    ) -> None:
        self._loader = loader
        self._stamp = stamp
        self._every = every_seconds if every_seconds and every_seconds > 0 else None
        self._watch = watch_seconds if stamp is not None else None
        self._clock = clock
        self._loaded_stamp = stamp() if stamp else None
        self._current = loader()  # the first load raises DataError: the caller refuses to start
        self._seen_stamp = self._loaded_stamp
        self._failed_stamp = None
        self._refreshing = threading.Lock()
        now = self._now()
        self._status = RefreshStatus(
            every_minutes=self._every / 60 if self._every else None,
            watches_file=self._watch is not None,
            last_try=now,
            last_success=now,
        )
        self._next_periodic = self._next_tick(self._every) if self._every else None
        self._thread: threading.Thread | None = None
        self._thread_pid: int | None = None
        self._stop = threading.Event()
        self._autostart = autostart  # False: poll() and refresh() only when called (tests)

    # --- the Dataset interface ------------------------------------------------------------------
    def current(self) -> Dataset:
        """The latest complete Dataset. Take it once per request and answer from it alone."""
        if self._autostart and self._thread_pid != os.getpid() and not self._stop.is_set():
            self.start()  # first use, or a forked worker (gunicorn --preload): threads do not survive fork
        return self._current

    def __getattr__(self, name: str):
        # Everything else a Dataset has (aggregate, years, fingerprint, source...) is the current one's.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.current(), name)

    def status(self) -> RefreshStatus:
        return self._status

    # --- refreshing -----------------------------------------------------------------------------
    def refresh(self) -> bool:
        """Read the source now; swap the new data in if they are complete and valid. True if it worked."""
        with self._refreshing:
            stamp = self._stamp() if self._stamp else None
            started = self._now()
            old = self._current
            try:
                new = self._loader()
                _check_same_layout(old, new)
                new.fingerprint  # noqa: B018 (computed here, in the background, not by the first request)
                new.aggregate([])  # warm the query path too
            except Exception as error:  # any failure keeps the old data; DataError says why in the user's terms
                reason = str(error) if isinstance(error, DataError) else f"unexpected {type(error).__name__}"
                self._failed_stamp = stamp
                self._status = replace(self._status, last_try=started, last_try_failed=True, last_error=reason)
                log.warning("data refresh failed, still serving the data read at %s: %s", _clock_time(old), reason)
                return False
            self._loaded_stamp = stamp
            self._failed_stamp = None
            generation = self._status.generation
            if new.fingerprint != old.fingerprint:
                self._current = new  # one assignment: every request after this sees only the new data
                generation += 1
                log.info("data refreshed from %s (version %d)", new.source.label, generation)
            self._status = replace(
                self._status,
                last_try=started,
                last_success=started,
                last_try_failed=False,
                last_error=None,
                generation=generation,
            )
            return True

    def poll(self) -> None:
        """One check: refresh if the periodic refresh is due, or a watched file changed and settled."""
        now = self._clock()
        if self._next_periodic is not None and now >= self._next_periodic - 0.05:
            self._next_periodic = self._next_tick(self._every, now + 0.1)
            self.refresh()
            return
        if self._stamp is None:
            return
        stamp = self._stamp()
        settled = stamp == self._seen_stamp  # unchanged since the last check: not being written right now
        self._seen_stamp = stamp
        if stamp != self._loaded_stamp and settled and stamp != self._failed_stamp:
            self.refresh()

    def start(self) -> None:
        """Run poll() at each tick in a daemon thread (nothing to do if neither trigger is on)."""
        self._thread_pid = os.getpid()
        interval = min(i for i in (self._every, self._watch, math.inf) if i)
        if interval == math.inf:
            return
        self._thread = threading.Thread(target=self._run, args=(interval,), name="hotline-refresh", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def _run(self, interval: float) -> None:
        while True:
            now = self._clock()
            if self._stop.wait(max(0.0, self._next_tick(interval, now) - now)):
                return
            try:
                self.poll()
            except Exception:  # never let the thread die: the next tick tries again
                log.exception("data refresh check failed")

    def _next_tick(self, interval: float, now: float | None = None) -> float:
        """The next wall-clock multiple of `interval`: every worker's ticks fall at the same moments."""
        now = self._clock() if now is None else now
        return (math.floor(now / interval) + 1) * interval

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)


def _check_same_layout(old: Dataset, new: Dataset) -> None:
    """The page's filters and charts are wired for the columns being served: new data must have the same."""
    if new.dimensions != old.dimensions or new.source.unit != old.source.unit:
        raise DataError(
            new.source.label,
            f"the columns changed ({', '.join(old.dimensions)} before, {', '.join(new.dimensions)} now)",
            hint="Restart the dashboard to serve data with other columns",
        )


def _clock_time(dataset: Dataset) -> str:
    read_at = dataset.source.read_at
    return read_at.strftime("%Y-%m-%d %H:%M UTC") if read_at else "start-up"
