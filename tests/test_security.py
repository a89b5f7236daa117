"""Hardened by default (components/security.py): headers on every response, a request-size cap that
answers 413, no debug routes, no version banner, and a forged payload logged as one WARNING line.

Against a real server on 127.0.0.1 (werkzeug in a thread, with the handler `python app.py` uses).
"""

from __future__ import annotations

import http.client
import json
import logging
from urllib.parse import urlsplit

import pytest
from callback_requests import fetch, from_server, post, serving
from ui_helpers import demo

from app import Config, create_app, parse_args
from components import security

PAGES = ("/", "/_dash-layout", "/assets/02-dashboard.css", "/healthz")


@pytest.fixture(scope="module")
def live():
    with serving(create_app(demo())) as url:
        yield url


def policy(headers: dict) -> dict[str, list[str]]:
    parts = [p.split() for p in headers["Content-Security-Policy"].split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


@pytest.mark.parametrize("path", PAGES)
def test_every_response_has_the_security_headers_and_no_banner(live, path):
    answer = fetch(live + path)
    assert answer.status == 200
    headers = answer.headers
    csp = policy(headers)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"][0] == "'self'" and all(s.startswith("'sha256-") for s in csp["script-src"][1:])
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "Server" not in headers, headers.get("Server")  # no "Werkzeug/3.1.9 Python/3.11.7"
    assert "Strict-Transport-Security" not in headers  # http on 127.0.0.1: nothing forces HTTPS


def test_the_page_inline_scripts_are_exactly_those_the_policy_allows(live):
    import base64
    import hashlib
    import re

    page = re.sub(r"<!--.*?-->", "", fetch(live + "/").body, flags=re.S)  # Dash's note for old IE is a comment
    inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>", page, re.S)
    hashes = {"'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'" for s in inline}
    assert inline and hashes <= set(policy(fetch(live + "/").headers)["script-src"])


def test_frame_ancestors_is_opt_in_from_the_command_line_and_the_environment():
    assert Config().frame_ancestors == ()
    config = parse_args(["--frame-ancestors", "'self' https://intranet.example.org"], Config())
    assert config.frame_ancestors == ("'self'", "https://intranet.example.org")
    from_env = Config.from_env({"HOTLINE_FRAME_ANCESTORS": "https://intranet.example.org"})
    assert from_env.frame_ancestors == ("https://intranet.example.org",)
    assert Config.from_env({"HOTLINE_FRAME_ANCESTORS": "none"}).frame_ancestors == ()
    with pytest.raises(SystemExit):
        parse_args(["--frame-ancestors", "https://a.example; script-src *"], Config())
    dash_app = create_app(demo(), frame_ancestors=config.frame_ancestors)
    answer = dash_app.server.test_client().get("/")
    assert policy(dict(answer.headers))["frame-ancestors"] == ["'self'", "https://intranet.example.org"]
    assert "X-Frame-Options" not in answer.headers  # it cannot name origins: the CSP decides


def test_debug_leftovers_answer_404(live):
    assert fetch(live + "/_reload-hash").status == 404  # it lists the installed packages
    missing = fetch(live + "/_dash-component-suites/x/y.js")
    assert missing.status == 404 and "Traceback" not in missing.body


def test_a_large_callback_body_is_refused_with_413(live):
    body = b'{"output": "kpis.children", "inputs": [], "pad": "' + b"x" * (2 * security.CALLBACK_MAX_BYTES) + b'"}'
    assert post(live, body).status == 413


def test_a_streamed_body_without_content_length_is_cut_at_the_cap(live):
    """Chunked transfer has no Content-Length to refuse up front: the server stops reading at the cap."""
    address = urlsplit(live)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    chunks = (b"x" * 65536 for _ in range(200))  # 12.5 MB, never sent whole
    try:
        connection.request(
            "POST",
            "/_dash-update-component",
            body=chunks,
            headers={"Content-Type": "application/json"},
            encode_chunked=True,
        )
        status = connection.getresponse().status
    except (TimeoutError, BrokenPipeError, ConnectionResetError):
        status = 413  # the server closed the connection at the cap, before all was sent
    finally:
        connection.close()
    assert status == 413
    assert fetch(live + "/healthz").status == 200


def test_a_forged_view_payload_is_one_warning_line_and_no_traceback(live, caplog):
    sync = next(r for r in from_server(live) if "view.data" in r.output)
    body = sync.body(changed=["filter-years.value"])
    for entry in body["inputs"]:
        if isinstance(entry, dict) and entry["id"] == "filter-years":
            entry["value"] = ["<script>", {"nested": True}]
    with caplog.at_level(logging.DEBUG):
        answer = post(live, body)
    assert answer.status == 200 and "Traceback" not in answer.body and "<script>" not in answer.body
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert problems and all(r.levelno == logging.WARNING and r.exc_info is None for r in problems)
    assert all("\n" not in r.getMessage() for r in problems)


def test_a_malformed_callback_body_is_refused_as_one_warning_line(live, caplog):
    with caplog.at_level(logging.DEBUG):
        answer = post(live, json.dumps({"output": "kpis.children"}).encode())
    assert answer.status == 400 and "Traceback" not in answer.body
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r for r in caplog.records if r.levelno == logging.WARNING and r.exc_info is None]
