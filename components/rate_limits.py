"""Per-client rate limits on the callback and export endpoints (flask-limiter), and a cap on deck builds.

    rate_limits.apply(app, RateLimits.from_env(os.environ), redis_url=...)

The limits are per client address and generous: one interaction of the page is one callback request,
so a person clicking as fast as they can stays far below them; a script looping
on the server meets them. Counters live in Redis when a URL is given (shared by every worker and
host), else in this process. Slide decks and reports are drawn by Chromium, seconds each: at most
`MAX_BUILDS` run at once per process, so a crowd asking for decks cannot starve the page.
"""

from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

from flask import jsonify, make_response, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

log = logging.getLogger(__name__)

# Paths of files made on request (the charts' /chart/<name>.png|svg|csv|xlsx and /embed/<name> pages).
EXPORT_PREFIXES = ("chart/", "embed/")
MAX_BUILDS = 2
BUSY_MESSAGE = "The server is busy drawing other slide decks and reports. Try again in a minute."


@dataclass(frozen=True)
class RateLimits:
    callbacks: str = "60 per second;1200 per minute"  # every callback request of the page
    exports: str = "30 per minute"  # files: chart downloads, slides and reports, embedded charts

    @classmethod
    def from_env(cls, environ) -> RateLimits:
        return cls(
            callbacks=environ.get("HOTLINE_CALLBACK_RATE_LIMIT") or cls.callbacks,
            exports=environ.get("HOTLINE_EXPORT_RATE_LIMIT") or cls.exports,
        )


def apply(app, limits: RateLimits = RateLimits(), *, redis_url: str | None = None) -> Limiter:
    """Limit one Dash app's callback endpoint, its export callbacks and any export route registered so far."""
    server = app.server
    prefix = app.config.routes_pathname_prefix
    limiter = Limiter(
        key_func=get_remote_address,
        app=server,
        storage_uri=storage_uri(redis_url),
        strategy="fixed-window",
        # No X-RateLimit-* headers on every answer: each costs the counters' store a round trip more
        # per request. A refused request says when to come back (Retry-After, in _refusal).
        headers_enabled=False,
        on_breach=_refusal,
        key_prefix="hotline-limits",
        # A Redis that is down must not break the page: count in this process until it is back.
        swallow_errors=True,
        in_memory_fallback_enabled=True,
    )
    endpoint = f"{prefix}_dash-update-component"
    view = server.view_functions[endpoint]
    view = limiter.limit(limits.callbacks, scope="callbacks")(view)
    view = limiter.limit(limits.exports, scope="exports", exempt_when=lambda: not _is_export_callback())(view)
    server.view_functions[endpoint] = view
    for rule in server.url_map.iter_rules():
        if rule.rule.startswith(tuple(prefix + p for p in EXPORT_PREFIXES)):
            function = server.view_functions[rule.endpoint]
            server.view_functions[rule.endpoint] = limiter.limit(limits.exports, scope="exports")(function)
    return limiter


def storage_uri(redis_url: str | None) -> str:
    """The counters' store for flask-limiter: it names a Redis on a Unix socket redis+unix:// (redis-py: unix://)."""
    if not redis_url:
        return "memory://"
    return "redis+" + redis_url if redis_url.startswith("unix://") else redis_url


def _is_export_callback() -> bool:
    """A callback that makes a file: its outputs are a dcc.Download's data (a chart's CSV, the deck, the report)."""
    body = request.get_json(silent=True, cache=True)
    output = body.get("output") if isinstance(body, dict) else None
    return isinstance(output, str) and "download.data" in output


def _refusal(limit):
    """429 with a message a person can act on: JSON for the page's callbacks, a line of text for a file."""
    wait = "Wait a minute and try again."
    words = f"Too many requests from your address (at most {limit.limit}). {wait}"
    log.warning("rate limit reached for %s on %s: %s", get_remote_address(), request.path, limit.limit)
    if "_dash-" in request.path:
        response = jsonify(error=words)
    else:
        response = make_response(words + "\n")
        response.mimetype = "text/plain"
    response.status_code = 429
    response.headers["Retry-After"] = str(max(1, int(limit.reset_at - time.time())))
    return response


_builds = threading.BoundedSemaphore(MAX_BUILDS)


class Busy(Exception):
    """Every build slot is taken: ask again later."""


@contextmanager
def build_slot():
    """One of the MAX_BUILDS slots for drawing a deck or report, or Busy at once (never a queue that grows)."""
    if not _builds.acquire(blocking=False):
        raise Busy(BUSY_MESSAGE)
    try:
        yield
    finally:
        _builds.release()
