"""Composition root: read the configuration, load the dataset, build the Dash app.

    python app.py [--data PATH] [--host H] [--port N] [--min-cell K] [--debug]
    gunicorn app:server            (configured by the HOTLINE_* environment variables)

Every option has an environment variable: HOTLINE_DATA, HOTLINE_HOST, HOTLINE_PORT,
HOTLINE_MIN_CELL, HOTLINE_DEBUG. Command-line options win over the environment.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import dash
from flask import jsonify, request
from werkzeug.exceptions import HTTPException

import hotline
from components import page

log = logging.getLogger("hotline")


@dataclass(frozen=True)
class Config:
    data: Path | None = None  # None: the shipped synthetic demo data
    host: str = "127.0.0.1"
    port: int = 8050
    min_cell: int = 10
    debug: bool = False

    @classmethod
    def from_env(cls, environ: os._Environ | dict = os.environ) -> Config:
        return cls(
            data=Path(environ["HOTLINE_DATA"]) if environ.get("HOTLINE_DATA") else None,
            host=environ.get("HOTLINE_HOST", cls.host),
            port=int(environ.get("HOTLINE_PORT", cls.port)),
            min_cell=int(environ.get("HOTLINE_MIN_CELL", cls.min_cell)),
            debug=environ.get("HOTLINE_DEBUG", "").lower() in ("1", "true", "yes"),
        )


def load_dataset(config: Config) -> hotline.Dataset:
    if config.data is None:
        return hotline.load_demo(min_cell=config.min_cell)
    return hotline.load(config.data, min_cell=config.min_cell)


def create_app(dataset: hotline.Dataset) -> dash.Dash:
    """A Dash app for one dataset. Everything it needs is served from this machine (no CDN)."""
    app = dash.Dash(
        __name__,
        assets_folder=str(Path(__file__).resolve().parent / "assets"),
        serve_locally=True,
        compress=True,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
        update_title=None,
    )
    page.build(app, dataset)

    @app.server.route("/healthz")
    def healthz():
        return jsonify(
            status="ok",
            records=dataset.total,
            rows=dataset.records,
            years=list(dataset.years),
            geography=dataset.geography,
            source=dataset.source.label,
            min_cell=dataset.min_cell,
        )

    @app.server.errorhandler(Exception)
    def refuse_malformed_request(error: Exception):
        """A malformed callback payload gets a short JSON refusal, never an error page or a trace."""
        if isinstance(error, HTTPException):
            if not request.path.startswith("/_dash"):
                return error
            return jsonify(error=error.description), error.code
        log.warning("refused a malformed request to %s: %s", request.path, type(error).__name__)
        log.debug("details", exc_info=error)
        return jsonify(error="The request could not be understood."), 400

    return app


def parse_args(argv: list[str], defaults: Config) -> Config:
    parser = argparse.ArgumentParser(prog="hotline-dashboard", description="Hotline Signals Dashboard")
    parser.add_argument(
        "--data", type=Path, default=defaults.data, help="CSV, Parquet or Excel file (default: demo data)"
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
        "--debug", action="store_true", default=defaults.debug, help="Dash debug mode (never in production)"
    )
    args = parser.parse_args(argv)
    if args.min_cell < 1:
        parser.error("--min-cell must be at least 1")
    return Config(data=args.data, host=args.host, port=args.port, min_cell=args.min_cell, debug=args.debug)


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
    log.info("loaded %s signals (%s-%s) from %s", f"{dataset.total:,}", *dataset.years, dataset.source.label)
    create_app(dataset).run(host=config.host, port=config.port, debug=config.debug)
    return 0


def __getattr__(name: str):
    """`gunicorn app:server` builds the app on first use, configured from the environment."""
    if name in ("app", "server"):
        built = create_app(load_dataset(Config.from_env()))
        globals().update(app=built, server=built.server)
        return globals()[name]
    raise AttributeError(name)


if __name__ == "__main__":
    sys.exit(main())
