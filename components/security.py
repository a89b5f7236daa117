"""What every response of the app is guarded by: security headers, a request-size cap, and no debug leftovers.

    security.protect(app, frame_ancestors=(), max_body=security.CALLBACK_MAX_BYTES)

Called last in app.create_app, once every callback is registered: Dash's inline scripts (its renderer
and the clientside callbacks given as strings) are allowed by their hashes, so the Content-Security-Policy
can refuse every other inline script. HTTPS is not forced (the app runs on 127.0.0.1 over http; a
proxy in front of it terminates TLS), and HSTS is only ever sent over HTTPS.
"""

from __future__ import annotations

import logging

from flask import abort, jsonify, request
from flask_talisman import Talisman
from werkzeug.exceptions import HTTPException
from werkzeug.serving import WSGIRequestHandler

log = logging.getLogger(__name__)

# The largest callback body the page sends is the view callback's (every control's value and the
# charts' click data): a few kB. 256 kB leaves room for long selections and still refuses floods.
CALLBACK_MAX_BYTES = 256 * 1024
FRAME_ANCESTORS_NONE = ()


def parse_frame_ancestors(text: str | None) -> tuple[str, ...]:
    """`--frame-ancestors "'self' https://intranet.example.org"` -> the CSP sources; "" or "none" -> none."""
    sources = tuple((text or "").replace(",", " ").split())
    if sources in ((), ("none",), ("'none'",)):
        return FRAME_ANCESTORS_NONE
    for source in sources:
        if any(character in source for character in ";\"\r\n") or "none" in source:
            raise ValueError(f"--frame-ancestors: {source!r} is not a CSP source (e.g. 'self' or https://example.org)")
    return sources


def content_security_policy(script_hashes: list[str], frame_ancestors: tuple[str, ...]) -> dict:
    """This origin only. Styles may be inline: Plotly and Dash's components write <style> rules at run time."""
    return {
        "default-src": "'self'",
        "script-src": ["'self'", *sorted(set(script_hashes))],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],  # chart images made in the browser ("Download PNG")
        "font-src": ["'self'", "data:"],
        "connect-src": "'self'",
        "worker-src": ["'self'", "blob:"],
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": " ".join(frame_ancestors) or "'none'",
    }


def protect(app, *, frame_ancestors: tuple[str, ...] = FRAME_ANCESTORS_NONE, max_body: int = CALLBACK_MAX_BYTES):
    """Security headers, the body cap and the debug routes of one Dash app (call after its callbacks exist)."""
    server = app.server
    prefix = app.config.requests_pathname_prefix
    # Werkzeug refuses a longer body with 413, with a Content-Length or without one (chunked): it stops
    # reading at the limit instead of buffering the body.
    server.config["MAX_CONTENT_LENGTH"] = max(max_body, server.config.get("MAX_CONTENT_LENGTH") or 0)
    Talisman(
        server,
        force_https=False,
        session_cookie_secure=False,  # no session cookie is set; and the app is served over http
        content_security_policy=content_security_policy(app.csp_hashes(), frame_ancestors),
        # X-Frame-Options for browsers without frame-ancestors; it cannot list origins, so none when embedding
        frame_options="DENY" if not frame_ancestors else None,
        referrer_policy="no-referrer",
    )

    @server.before_request
    def cap_streamed_body():
        # A chunked body has no Content-Length to refuse up front. Werkzeug stops reading it at the
        # limit but hands on what it read, which fails as malformed JSON (400); say what happened.
        limit = server.config["MAX_CONTENT_LENGTH"]
        if request.content_length is None and request.method in ("POST", "PUT", "PATCH"):
            if len(request.get_data(cache=True)) >= limit:
                abort(413)

    @server.after_request
    def html_safe_json(response):
        # Dash's JSON may carry text from the request (an ignored link parameter in a notice). Written
        # as \u003c and so on, no "<" of it can ever be read as markup, whatever reads the answer.
        if response.mimetype == "application/json" and not response.direct_passthrough and not response.is_streamed:
            body = response.get_data()
            if b"<" in body or b">" in body:
                response.set_data(body.replace(b"<", b"\\u003c").replace(b">", b"\\u003e"))
        return response

    @server.before_request
    def no_debug_routes():
        # Dash answers /_reload-hash (with the installed packages) even when hot reload is off.
        if request.path == f"{prefix}_reload-hash" and not app._dev_tools.get("hot_reload"):
            abort(404)

    @server.errorhandler(Exception)
    def refuse(error: Exception):
        """A bad request gets a short refusal, never an error page or a trace; a client's mistake is a WARNING."""
        dash_route = request.path.startswith(f"{prefix}_dash")
        if request.path.startswith(f"{prefix}_dash-component-suites/"):
            return jsonify(error="Not found."), 404  # an unknown script or package is simply not there
        if isinstance(error, HTTPException):
            if error.response is not None:  # already a full answer (the rate limits' 429)
                return error.response
            if not dash_route:
                return error
            return jsonify(error=error.description), error.code
        log.warning("refused a malformed request to %s: %s", request.path, _one_line(error))
        log.debug("details", exc_info=error)
        return jsonify(error="The request could not be understood."), 400

    return server


def _one_line(error: Exception) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text[:120]}" if text else type(error).__name__


class QuietRequestHandler(WSGIRequestHandler):
    """The development server without its "Server: Werkzeug/x Python/y" banner."""

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() != "server":
            super().send_header(keyword, value)
