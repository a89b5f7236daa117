"""Replies of callbacks that depend on nothing but their request and the data: kept, and sent again.

A crowd on one view sends the very same callback requests: the same link opened, the same choices
made, so byte for byte the same bodies. The view callback (components/view.py, drawing every panel
through components/panels.py) answers them from its request and the data served alone. Its reply is
then the same for everyone who sends that body, so it is kept here, in this process, by a hash of the
body and the data's fingerprint, and sent again without Dash's dispatch: reading the inputs, calling
the callback, serializing every panel's output. For a view already in the cache of views, that was
most of the cost of an interaction.

A callback says its reply may be kept (`may_keep`) only when it depends on nothing else. The view
callback says so only when every panel was drawn (a failed panel's fallback is tried again), and a
reply is not kept when the data changed while it was computed. The rate limits (components/
rate_limits.py) wrap this, so a repeated reply counts like any other. What is kept went through the
privacy layer like everything on screen: never a small count.
"""

from __future__ import annotations

import functools
import hashlib

from flask import Response, g, request

from hotline.caches import MemoryCache, MiB

_MAY_KEEP = "hotline_reply_may_be_kept"


def may_keep() -> None:
    """Called by a callback whose reply depends only on its request and the data's version."""
    setattr(g, _MAY_KEEP, True)


def cache() -> MemoryCache:
    """Replies of this process, for every app it serves (the main one and each upload's)."""
    # A reply is a view's panels with the view callback's other outputs: some 40 KiB. The replies worth
    # keeping are those of the few views a crowd shares; a view of one's own is rarely asked for twice.
    return MemoryCache(max_entries=512, max_bytes=24 * MiB, ttl_seconds=3600)


def keep(app, replies: MemoryCache, version) -> None:
    """Answer `app`'s callback requests from `replies` when a callback said its reply may be kept.

    `version()`: the fingerprint of the data served now; a reply is only sent again for the same one.
    Call before the rate limits wrap the callback endpoint.
    """
    server = app.server
    endpoint = f"{app.config.routes_pathname_prefix}_dash-update-component"
    dispatch = server.view_functions[endpoint]

    @functools.wraps(dispatch)
    def dispatch_or_repeat():
        before = version()
        body = hashlib.blake2b(request.get_data(cache=True), digest_size=16).hexdigest()
        key = f"{endpoint}:{before}:{body}"
        kept = replies.get(key)
        if kept is not None:
            return Response(kept, mimetype="application/json")
        response = dispatch()
        if getattr(g, _MAY_KEEP, False) and response.status_code == 200 and version() == before:
            replies.set(key, response.get_data())
        return response

    server.view_functions[endpoint] = dispatch_or_repeat
