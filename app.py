"""Composition root: read the configuration, load the dataset, build the Dash app.

    python app.py [--data PATH|URL [--query SQL] [--format NAME]] [--refresh-minutes N] [--host H] [--port N]
                  [--min-cell K] [--privacy cellkey|exact] [--perturbation D,V] [--debug]
                  [--allow-upload [--upload-max-mb MB] [--upload-ttl-minutes M] [--upload-max-files N]]
                  [--frame-ancestors SOURCES] [--redis-url URL]
    gunicorn app:server            (configured by the HOTLINE_* environment variables)

Every option has an environment variable: HOTLINE_DATA, HOTLINE_QUERY, HOTLINE_REFRESH_MINUTES, HOTLINE_FORMAT,
HOTLINE_HOST, HOTLINE_PORT, HOTLINE_MIN_CELL, HOTLINE_DEBUG, HOTLINE_ALLOW_UPLOAD, HOTLINE_UPLOAD_MAX_MB,
HOTLINE_UPLOAD_TTL_MINUTES, HOTLINE_UPLOAD_MAX_FILES, HOTLINE_FRAME_ANCESTORS, HOTLINE_PRIVACY, HOTLINE_PERTURBATION,
HOTLINE_REDIS_URL (and HOTLINE_PRIVACY_SEED, the secret that fixes the cell-key perturbation: see hotline/seeds.py).
Command-line options win over the environment.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import dash
from flask import jsonify

import hotline
from components import page, panels, rate_limits, replies, security, uploads
from hotline import sources
from hotline.caches import LayeredCache, MemoryCache, SharedCache
from hotline.cellkey import PerturbationTable
from hotline.dataset import DEFAULT_PERTURBATION
from hotline.importers import FORMATS
from hotline.live import LiveDataset

log = logging.getLogger("hotline")

PRIVACY_MODES = ("cellkey", "exact")


@dataclass(frozen=True)
class Config:
    data: Path | str | None = None  # a file, or a database URL / DuckDB file (str); None: the synthetic demo data
    query: str | None = None  # SQL to read from the `data` database instead of a ?table=
    refresh_minutes: float | None = None  # re-read the data this often (files are also re-read when they change)
    format: str | None = None  # layout of `data` (hotline.importers.FORMATS); None: detected from its columns
    host: str = "127.0.0.1"
    port: int = 8050
    min_cell: int = 10
    debug: bool = False
    allow_upload: bool = False  # users may explore their own file, privately (components/uploads.py)
    upload_max_mb: float = 50
    upload_ttl_minutes: float = 60
    upload_max_files: int = 8
    privacy: str = "cellkey"  # "cellkey": published counts are perturbed; "exact": not (internal staff only)
    perturbation: PerturbationTable = DEFAULT_PERTURBATION  # the cell-key table's D and V
    frame_ancestors: tuple[str, ...] = ()  # pages that may frame this one (CSP sources); none by default
    # Redis shared by every worker and host: the cache of views, uploads and rate-limit counters.
    redis_url: str | None = None

    @classmethod
    def from_env(cls, environ: os._Environ | dict = os.environ) -> Config:
        return cls(
            data=data_spec(environ["HOTLINE_DATA"]) if environ.get("HOTLINE_DATA") else None,
            query=environ.get("HOTLINE_QUERY") or None,
            refresh_minutes=_minutes(environ.get("HOTLINE_REFRESH_MINUTES") or None),
            format=_known_format(environ.get("HOTLINE_FORMAT") or None),
            host=environ.get("HOTLINE_HOST", cls.host),
            port=int(environ.get("HOTLINE_PORT", cls.port)),
            min_cell=int(environ.get("HOTLINE_MIN_CELL", cls.min_cell)),
            debug=environ.get("HOTLINE_DEBUG", "").lower() in ("1", "true", "yes"),
            allow_upload=environ.get("HOTLINE_ALLOW_UPLOAD", "").lower() in ("1", "true", "yes"),
            upload_max_mb=float(environ.get("HOTLINE_UPLOAD_MAX_MB", cls.upload_max_mb)),
            upload_ttl_minutes=float(environ.get("HOTLINE_UPLOAD_TTL_MINUTES", cls.upload_ttl_minutes)),
            upload_max_files=int(environ.get("HOTLINE_UPLOAD_MAX_FILES", cls.upload_max_files)),
            privacy=_known_privacy(environ.get("HOTLINE_PRIVACY") or cls.privacy),
            perturbation=PerturbationTable.parse(environ["HOTLINE_PERTURBATION"])
            if environ.get("HOTLINE_PERTURBATION")
            else cls.perturbation,
            frame_ancestors=security.parse_frame_ancestors(environ.get("HOTLINE_FRAME_ANCESTORS")),
            redis_url=environ.get("HOTLINE_REDIS_URL") or None,
        )

    @property
    def perturbation_table(self) -> PerturbationTable | None:
        """What the dataset perturbs with: None for exact counts."""
        return None if self.privacy == "exact" else self.perturbation


def load_dataset(config: Config) -> hotline.Dataset | LiveDataset:
    """The demo data, or a LiveDataset that follows the configured file or database (hotline/live.py)."""
    if config.data is None:
        return hotline.load_demo(min_cell=config.min_cell, perturbation=config.perturbation_table)
    source = sources.parse(config.data, config.query)
    every = config.refresh_minutes * 60 if config.refresh_minutes else None
    return LiveDataset(
        lambda: hotline.load_source(
            source, min_cell=config.min_cell, format=config.format, perturbation=config.perturbation_table
        ),
        stamp=source.stamp if source.path is not None else None,
        every_seconds=every,
    )


def data_spec(text: str) -> Path | str:
    """--data as given: a database URL or DuckDB spec stays text (a Path would fold its "//"), a file is a Path."""
    if sources.looks_like_url(text) or "?" in text or Path(text).suffix.lower() in sources.DUCKDB_SUFFIXES:
        return text
    return Path(text)


def _minutes(text: str | None) -> float | None:
    if text is None:
        return None
    value = float(text)
    if not 0 <= value < float("inf"):
        raise ValueError(f"HOTLINE_REFRESH_MINUTES must be a positive number, not {text!r}")
    return value or None


def _known_privacy(name: str) -> str:
    if name not in PRIVACY_MODES:
        raise ValueError(f"HOTLINE_PRIVACY must be one of {', '.join(PRIVACY_MODES)}, not {name!r}")
    return name


def _known_format(name: str | None) -> str | None:
    if name is not None and name not in FORMATS:
        raise ValueError(f"HOTLINE_FORMAT must be one of {', '.join(FORMATS)}, not {name!r}")
    return name


def shared_cache(config: Config) -> SharedCache | None:
    return SharedCache.from_url(config.redis_url) if config.redis_url else None


def build_app(config: Config, dataset: hotline.Dataset, *, warm: bool = True) -> dash.Dash:
    """The main app, with the upload registry when uploads are allowed; `warm`: compute the first views now."""
    shared = shared_cache(config)
    views = panels.ViewCache(LayeredCache(MemoryCache(), shared))
    common = dict(cache=views, reply_cache=replies.cache(), frame_ancestors=config.frame_ancestors, redis_url=config.redis_url)
    registry = None
    if config.allow_upload:
        registry = uploads.UploadRegistry(
            lambda uploaded, prefix: create_app(uploaded, registry=registry, prefix=prefix, **common),
            min_cell=config.min_cell,
            perturbation=config.perturbation_table,
            limits=uploads.UploadLimits(config.upload_max_mb, config.upload_ttl_minutes, config.upload_max_files),
            shared=shared,
        )
    app = create_app(dataset, registry=registry, **common)
    if warm:
        page.warm(views, dataset)
    return app


def create_app(
    dataset: hotline.Dataset,
    *,
    registry: uploads.UploadRegistry | None = None,
    prefix: str = "/",
    cache: panels.ViewCache | None = None,
    reply_cache: MemoryCache | None = None,
    frame_ancestors: tuple[str, ...] = (),
    redis_url: str | None = None,
) -> dash.Dash:
    """A Dash app for one dataset, served under `prefix`. Everything it needs is served from this machine (no CDN).

    With a `registry`, the page has an upload card; the main app (prefix "/") also routes /upload/<token>/.
    """
    app = dash.Dash(
        __name__,
        url_base_pathname=prefix,
        assets_folder=str(Path(__file__).resolve().parent / "assets"),
        assets_path_ignore=["^embed$"],  # the embed page's own files (components/chart_links.py)
        serve_locally=True,
        compress=True,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
        update_title=None,
    )
    card = uploads.card(registry, dataset, private=prefix != "/") if registry is not None else None
    app.view_cache = page.build(app, dataset, upload_card=card, cache=cache)
    if registry is not None:
        uploads.register(app, registry)
    if prefix == "/":
        uploads.mount(app.server, registry)

    @app.server.route("/healthz")
    def healthz():
        current = dataset.current()
        status = dataset.status() if isinstance(dataset, LiveDataset) else None
        read_at, latest = current.source.read_at, current.source.latest
        # What a visitor may see, and nothing finer: the published total under the same rule as the page.
        total = current.aggregate([]).iloc[0]
        return jsonify(
            status="ok",
            records=None if total["suppressed"] else int(total["count"]),
            records_hidden=f"fewer than {current.min_cell}" if total["suppressed"] else None,
            years=list(current.years),
            geography=current.geography,
            source=current.source.label,
            min_cell=current.min_cell,
            perturbation=current.perturbation.label if current.perturbation else "off (exact counts)",
            data_read_at=read_at.isoformat(timespec="seconds") if read_at else None,
            latest_month=(f"{latest[0]}-{latest[1]:02d}" if latest[1] else str(latest[0])) if latest else None,
            fingerprint=current.fingerprint,
            refresh=status.as_json() if status else None,
        )

    # Before the rate limits wrap the callback endpoint: a reply sent again counts like any other.
    replies.keep(app, reply_cache if reply_cache is not None else replies.cache(), lambda: dataset.current().fingerprint)
    # Last: the CSP allows the inline scripts of every callback registered above, by their hashes.
    security.protect(app, frame_ancestors=frame_ancestors)
    redis_url = redis_url or os.environ.get("HOTLINE_REDIS_URL") or None  # counters shared by every worker when set
    rate_limits.apply(app, rate_limits.RateLimits.from_env(os.environ), redis_url=redis_url)
    return app


def parse_args(argv: list[str], defaults: Config) -> Config:
    parser = argparse.ArgumentParser(prog="hotline-dashboard", description="Hotline Signals Dashboard")
    parser.add_argument(
        "--data",
        type=data_spec,
        default=defaults.data,
        help="CSV, Parquet or Excel file; a database URL with ?table=NAME (e.g. postgresql://user@host/db?table="
        "signals); or a DuckDB file (signals.duckdb?table=signals). Default: demo data",
    )
    parser.add_argument(
        "--query", default=defaults.query, help='SQL that reads the signals from the --data database ("SELECT ...")'
    )
    parser.add_argument(
        "--refresh-minutes",
        type=float,
        default=defaults.refresh_minutes,
        help="re-read the data this often without a restart (files are also re-read when they change)",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=defaults.format,
        help="layout of the --data file (default: recognised from its columns)",
    )
    parser.add_argument("--host", default=defaults.host, help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=defaults.port, help="port (default 8050)")
    parser.add_argument(
        "--min-cell",
        type=int,
        default=defaults.min_cell,
        help="hide counts below this (default 10; 1 turns suppression off, for internal use only)",
    )
    parser.add_argument(
        "--privacy",
        choices=PRIVACY_MODES,
        default=defaults.privacy,
        help="cellkey (default): published counts are slightly adjusted so views cannot be subtracted; "
        "exact: no adjustment, for internal staff only",
    )
    parser.add_argument(
        "--perturbation",
        type=_perturbation_option,
        default=defaults.perturbation,
        metavar="D,V",
        help=f"the cell-key perturbation: maximum change D and variance V (default {DEFAULT_PERTURBATION.label})",
    )
    parser.add_argument(
        "--debug", action="store_true", default=defaults.debug, help="Dash debug mode (never in production)"
    )
    parser.add_argument(
        "--allow-upload",
        action="store_true",
        default=defaults.allow_upload,
        help="let users explore their own file in a private view (off by default)",
    )
    parser.add_argument(
        "--upload-max-mb", type=float, default=defaults.upload_max_mb, help="largest upload (default 50 MB)"
    )
    parser.add_argument(
        "--upload-ttl-minutes",
        type=float,
        default=defaults.upload_ttl_minutes,
        help="forget an upload after this long without use (default 60)",
    )
    parser.add_argument(
        "--upload-max-files",
        type=int,
        default=defaults.upload_max_files,
        help="uploads kept in memory at once; the least recently used goes first (default 8)",
    )
    parser.add_argument(
        "--frame-ancestors",
        type=_frame_ancestors,
        default=defaults.frame_ancestors,
        help="pages allowed to embed this one in a frame, as CSP sources (\"'self' https://intranet.example.org\";"
        " default: none)",
    )
    parser.add_argument(
        "--redis-url",
        default=defaults.redis_url,
        help="Redis shared by every worker and host, e.g. redis://127.0.0.1:6379/0 (default: none)",
    )
    args = parser.parse_args(argv)
    if args.min_cell < 1:
        parser.error("--min-cell must be at least 1")
    for option, value in (("--upload-max-mb", args.upload_max_mb), ("--upload-ttl-minutes", args.upload_ttl_minutes)):
        if not 0 < value < float("inf"):
            parser.error(f"{option} must be a positive number")
    if args.upload_max_files < 1:
        parser.error("--upload-max-files must be at least 1")
    if args.refresh_minutes is not None and not 0 <= args.refresh_minutes < float("inf"):
        parser.error("--refresh-minutes must be a positive number")
    if args.query and args.data is None:
        parser.error("--query needs --data: the database to run it on")
    return Config(
        data=args.data,
        query=args.query or None,
        refresh_minutes=args.refresh_minutes or None,
        format=args.format,
        host=args.host,
        port=args.port,
        min_cell=args.min_cell,
        debug=args.debug,
        allow_upload=args.allow_upload,
        upload_max_mb=args.upload_max_mb,
        upload_ttl_minutes=args.upload_ttl_minutes,
        upload_max_files=args.upload_max_files,
        privacy=args.privacy,
        perturbation=args.perturbation,
        frame_ancestors=args.frame_ancestors,
        redis_url=args.redis_url or None,
    )


def _perturbation_option(text: str) -> PerturbationTable:
    try:
        return PerturbationTable.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _frame_ancestors(text: str) -> tuple[str, ...]:
    try:
        return security.parse_frame_ancestors(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        config = parse_args(sys.argv[1:] if argv is None else argv, Config.from_env())
    except ValueError as error:  # a malformed HOTLINE_* variable
        print(f"hotline-dashboard: bad environment setting: {error}", file=sys.stderr)
        return 2
    try:
        dataset = load_dataset(config)
    except hotline.DataError as error:
        print(f"hotline-dashboard: cannot load data: {error}", file=sys.stderr)
        return 2
    if config.min_cell == 1:
        log.warning("small-count suppression is OFF (--min-cell 1): for internal staff use only")
    if config.privacy == "exact":
        log.warning("cell-key perturbation is OFF (--privacy exact): views can be subtracted; internal staff use only")
    total = dataset.aggregate([]).iloc[0]  # a log is a file too: the total obeys the suppression rule
    amount = f"fewer than {dataset.min_cell}" if total["suppressed"] else f"{int(total['count']):,}"
    log.info("loaded %s %s (%s-%s) from %s", amount, dataset.source.unit, *dataset.years, dataset.source.label)
    if config.allow_upload:
        log.info(
            "uploads are ON: up to %g MB, kept in memory for %g minutes%s",
            config.upload_max_mb,
            config.upload_ttl_minutes,
            ", shared through Redis" if config.redis_url else " (one process: use one worker)",
        )
    if config.redis_url:
        log.info("views and uploads are shared through Redis")  # never the URL: it may hold a password
    built = build_app(config, dataset)
    prepare_garbage_collector()
    built.run(host=config.host, port=config.port, debug=config.debug, request_handler=security.QuietRequestHandler)
    return 0


# The collector's first generation is examined after this many more allocations than frees of
# containers (Python's default: 700). Drawing one view allocates some tens of thousands of dicts and
# lists, nearly all freed by reference counting: at 700 a worker ran ten or more collections a view,
# 4% of its time; at this, a few per hundred views. Cycles, rare here, wait a little longer.
FIRST_GENERATION_THRESHOLD = 20_000


def prepare_garbage_collector() -> None:
    """Take what start-up built out of the garbage collector's rounds: the data, the layouts and the warmed
    views, most of a worker's quarter of a million objects, kept until it exits. A full collection walked
    them all, some 100 ms in which a worker answered nobody; refcounting still frees what a refresh drops.
    Then collect young objects less often (FIRST_GENERATION_THRESHOLD)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(FIRST_GENERATION_THRESHOLD, *gc.get_threshold()[1:])


def __getattr__(name: str):
    """`gunicorn app:server` builds the app on first use, configured from the environment."""
    if name in ("app", "server"):
        config = Config.from_env()
        try:
            dataset = load_dataset(config)
        except hotline.DataError as error:  # the same one-line message as the command line, no traceback
            log.error("cannot load data: %s", error)
            raise SystemExit(2) from None
        built = build_app(config, dataset)
        prepare_garbage_collector()
        globals().update(app=built, server=built.server)
        return globals()[name]
    raise AttributeError(name)


if __name__ == "__main__":
    sys.exit(main())
