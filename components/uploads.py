"""Upload a file in the browser (off unless asked for): each upload gets a private dashboard of its own.

Every panel's callbacks are bound to one Dataset, so an uploaded file is served by a Dash app of its
own, under /upload/<token>/ on the same server. The token is the only way in: nothing lists uploads,
and other users keep seeing the server's own data. Uploads live in memory only (the bytes are parsed
where they arrive and never written to disk), at most `max_files` at a time (the least recently used
goes first), and are forgotten after `ttl_minutes` without a request.
"""

from __future__ import annotations

import base64
import binascii
import html as html_text
import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from dash import Input, Output, State, dcc, html, no_update

import hotline
from hotline.cellkey import PerturbationTable
from hotline.dataset import DEFAULT_PERTURBATION
from hotline.readers import base_name

PREFIX = "/upload/"
CARD_ID = "upload-card"
UPLOAD_ID = "upload-file"
MESSAGE_ID = "upload-message"
TARGET_ID = "upload-target"
MEGABYTE = 1024 * 1024
GENERIC_FAILURE = (
    "This file could not be read. Check that it is a CSV, Excel or Parquet file in the layout the README "
    "describes, then try again."
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UploadLimits:
    max_mb: float = 50
    ttl_minutes: float = 60
    max_files: int = 8

    @property
    def max_bytes(self) -> int:
        return int(self.max_mb * MEGABYTE)

    @property
    def request_bytes(self) -> int:
        """The largest callback request an upload can need: base64 adds a third, plus room for the JSON around it."""
        return self.max_bytes * 4 // 3 + MEGABYTE


@dataclass
class _Upload:
    app: object  # a dash.Dash
    last_used: float


class UploadRegistry:
    """The uploads being explored, by token. Safe to use from the server's threads."""

    def __init__(
        self,
        build_app: Callable[[hotline.Dataset, str], object],
        *,
        min_cell: int,
        perturbation: PerturbationTable | None = DEFAULT_PERTURBATION,
        limits: UploadLimits = UploadLimits(),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.build_app = build_app  # (dataset, path prefix) -> a Dash app served under that prefix
        self.min_cell = min_cell  # the server's rule: an upload can never lower it
        self.perturbation = perturbation  # nor turn the cell-key perturbation off
        self.limits = limits
        self.clock = clock
        self._uploads: OrderedDict[str, _Upload] = OrderedDict()
        self._lock = threading.Lock()
        # One file is parsed at a time: parsing can take several times the file's size in memory.
        self._parsing = threading.Lock()

    def open(self, name: str, data: bytes) -> str:
        """Load the file's bytes, build its dashboard and return the token of its address.

        Raises hotline.DataError (with the same text as the command line) if the file is refused.
        """
        name = base_name(name)
        if len(data) > self.limits.max_bytes:
            raise too_large(name, len(data), self.limits)
        with self._parsing:
            dataset = hotline.load_bytes(name, data, min_cell=self.min_cell, perturbation=self.perturbation)
            token = secrets.token_urlsafe(16)
            app = self.build_app(dataset, path_of(token))
        with self._lock:
            self._forget_expired()
            self._uploads[token] = _Upload(app=app, last_used=self.clock())
            while len(self._uploads) > self.limits.max_files:
                self._uploads.popitem(last=False)
        log.info("opened an upload; %d in memory", len(self))  # no sizes or counts: the log is a file too
        return token

    def get(self, token: str):
        """The Dash app of an upload still in memory (and mark it used), or None."""
        with self._lock:
            self._forget_expired()
            upload = self._uploads.get(token)
            if upload is None:
                return None
            upload.last_used = self.clock()
            self._uploads.move_to_end(token)
            return upload.app

    def __len__(self) -> int:
        return len(self._uploads)

    def forget_expired(self) -> None:
        with self._lock:
            self._forget_expired()

    def _forget_expired(self) -> None:
        oldest_allowed = self.clock() - self.limits.ttl_minutes * 60
        for token in [t for t, u in self._uploads.items() if u.last_used < oldest_allowed]:
            del self._uploads[token]


def path_of(token: str) -> str:
    return f"{PREFIX}{token}/"


def too_large(name: str, size: int, limits: UploadLimits) -> hotline.DataError:
    megabytes = size / MEGABYTE
    shown = f"{megabytes:.1f}" if megabytes >= 1 else f"{megabytes:.2g}"
    return hotline.DataError(name, f"{too_large_problem(limits)} (it is {shown} MB)")


def too_large_problem(limits: UploadLimits) -> str:
    return f"the file is larger than the {limits.max_mb:g} MB allowed for uploads"


def decode(contents: str, name: str, limits: UploadLimits) -> bytes:
    """The bytes of a dcc.Upload data URL ("data:<type>;base64,<data>"), refused before decoding if too large."""
    _, _, encoded = contents.partition(",")
    if len(encoded) * 3 // 4 - encoded.count("=", -2) > limits.max_bytes:
        raise too_large(name, len(encoded) * 3 // 4, limits)
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise hotline.DataError(base_name(name), "the file did not arrive whole", hint="Try again") from None


def receive(registry: UploadRegistry, contents: str, filename: object) -> tuple[str, str | None, str | None]:
    """(file name, address of its private view, None) or (file name, None, what the user should read)."""
    name = base_name(filename if isinstance(filename, str) else "upload")
    try:
        token = registry.open(name, decode(contents, name, registry.limits))
    except hotline.DataError as error:
        return name, None, str(error)  # word for word what the command line prints
    except Exception:  # never a trace on screen; the log says what happened
        log.exception("could not read an uploaded file")
        return name, None, GENERIC_FAILURE
    return name, path_of(token), None


# --- the card ---------------------------------------------------------------------------------------------------
def card(registry: UploadRegistry, dataset: hotline.Dataset, *, private: bool) -> html.Section:
    """The upload box; on an upload's own page it also says whose data this is and how to leave."""
    limits = registry.limits
    if private:
        title = f"Your upload: {dataset.source.name}"
        about = [
            "Only this page's address leads here; everyone else still sees the dashboard's own data. "
            f"The file is kept in memory only and forgotten after {limits.ttl_minutes:g} minutes without use. ",
            html.A("Back to the shared dashboard", href="/", className="upload-back"),
        ]
    else:
        title = "Explore your own file"
        about = [
            "It opens in a private view that only you see; the dashboard stays as it is for everyone else. "
            "The file is read in memory and never stored."
        ]
    return html.Section(
        [
            html.Div(
                [
                    html.H2(title, className="panel-title", id="upload-title"),
                    html.P(about, className="upload-about"),
                    html.P(
                        f"CSV, Excel or Parquet up to {limits.max_mb:g} MB, in the layout the README describes. "
                        f"Counts below {registry.min_cell} stay hidden.",
                        className="upload-hint",
                    ),
                ],
                className="upload-text",
            ),
            dcc.Upload(
                id=UPLOAD_ID,
                children=html.Div(
                    ["Drop a CSV, Excel or Parquet file, or ", html.Span("click to choose", className="upload-choose")]
                ),
                max_size=limits.max_bytes,
                multiple=False,
                className="upload-drop",
                className_active="upload-drop-active",
            ),
            dcc.Loading(
                html.Div(id=MESSAGE_ID, role="status", className="upload-message"),
                type="dot",
                parent_className="upload-message-slot",
            ),
            dcc.Store(id=TARGET_ID),
        ],
        id=CARD_ID,
        className="upload-card upload-card-private" if private else "upload-card",
        # Read by assets/upload-limit.js: dcc.Upload drops a file over max_size without a word.
        **{
            "data-upload-max-bytes": str(limits.max_bytes),
            "data-upload-too-large": too_large_problem(limits),
            "data-upload-message-id": MESSAGE_ID,
        },
    )


def register(app, registry: UploadRegistry) -> None:
    # The callback request carries the whole file: allow that much, and not more.
    app.server.config["MAX_CONTENT_LENGTH"] = registry.limits.request_bytes

    @app.callback(
        Output(MESSAGE_ID, "children"),
        Output(MESSAGE_ID, "className"),
        Output(TARGET_ID, "data"),
        Output(UPLOAD_ID, "contents"),
        Input(UPLOAD_ID, "contents"),
        State(UPLOAD_ID, "filename"),
        prevent_initial_call=True,
    )
    def on_upload(contents, filename):
        if not isinstance(contents, str) or not contents:
            return no_update, no_update, no_update, no_update
        name, target, problem = receive(registry, contents, filename)
        if target is None:
            return problem, "upload-message upload-error", no_update, None  # None: the file leaves the page
        opening = ["Opening your private view of ", html.Strong(name), "… ", html.A("Open it", href=target)]
        return opening, "upload-message upload-ok", target, None

    app.clientside_callback(
        "function (target) { if (target) { window.location.assign(target); } }",
        Input(TARGET_ID, "data"),
        prevent_initial_call=True,
    )


# --- routing ----------------------------------------------------------------------------------------------------
class UploadRouter:
    """WSGI middleware on the main server: /upload/<token>/... goes to that upload's app, the rest to the main app."""

    def __init__(self, main_app, registry: UploadRegistry | None) -> None:
        self.main_app = main_app
        self.registry = registry

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO") or "/"
        if path.rstrip("/") != PREFIX.rstrip("/") and not path.startswith(PREFIX):
            if self.registry is not None:
                self.registry.forget_expired()  # an idle upload leaves memory even if nobody opens uploads again
            return self.main_app(environ, start_response)
        token = path[len(PREFIX) :].split("/", 1)[0]
        upload = self.registry.get(token) if self.registry is not None and token else None
        if upload is None:
            return self._gone(start_response)

        def private_response(status, headers, exc_info=None):
            # The address is the key to the upload: keep it out of Referer headers and search engines.
            headers = [*headers, ("Referrer-Policy", "no-referrer"), ("X-Robots-Tag", "noindex")]
            return start_response(status, headers, exc_info)

        return upload.server.wsgi_app(environ, private_response)

    def _gone(self, start_response):
        if self.registry is None:
            title, text = "Uploads are off", "Uploading files is not enabled on this server."
        else:
            limits = self.registry.limits
            title = "This upload has expired"
            text = (
                "Uploaded files are kept in memory only: each is forgotten after "
                f"{limits.ttl_minutes:g} minutes without use, or sooner when more than {limits.max_files} are open "
                "at once (the least recently used goes first). Upload the file again from the dashboard to keep "
                "exploring it."
            )
        body = NOT_FOUND_PAGE.format(title=html_text.escape(title), text=html_text.escape(text)).encode()
        start_response(
            "404 Not Found",
            [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Length", str(len(body))),
                ("Cache-Control", "no-store"),
            ],
        )
        return [body]


def mount(server, registry: UploadRegistry | None) -> None:
    """Route uploads on `server` (a Flask app). Without a registry, /upload/ answers a plain 404 page."""
    server.wsgi_app = UploadRouter(server.wsgi_app, registry)


NOT_FOUND_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#212529}}
a{{color:#0059a0}}</style></head>
<body><h1>{title}</h1><p>{text}</p><p><a href="/">Back to the dashboard</a></p></body></html>
"""
