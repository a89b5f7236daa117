"""Per-client rate limits (components/rate_limits.py), in this process and in a real Redis shared by two
apps (as two workers would), and the cap on deck builds. Limits are set low here to reach them quickly."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import time

import pytest
from callback_requests import fetch, from_server, post, serving
from ui_helpers import demo

import app as app_module
from components import rate_limits

LOW = {"HOTLINE_CALLBACK_RATE_LIMIT": "5 per minute", "HOTLINE_EXPORT_RATE_LIMIT": "2 per minute"}


def low_limit_app(monkeypatch, redis_url: str | None = None):
    for key, value in LOW.items():
        monkeypatch.setenv(key, value)
    if redis_url:
        monkeypatch.setenv("HOTLINE_REDIS_URL", redis_url)
    else:
        monkeypatch.delenv("HOTLINE_REDIS_URL", raising=False)
    return app_module.create_app(demo())


def kpis_body(url: str) -> dict:
    return next(r for r in from_server(url) if "kpis.children" in r.output).body()


def download_body(url: str) -> dict:
    return next(r for r in from_server(url) if r.output.startswith("..trend-download.data")).body()


def test_the_default_limits_are_far_above_what_a_person_does():
    limits = rate_limits.RateLimits()
    assert limits.callbacks == "60 per second;1200 per minute" and limits.exports == "30 per minute"


def test_callbacks_past_the_limit_get_429_with_a_message_and_other_clients_do_not(monkeypatch):
    with serving(low_limit_app(monkeypatch)) as url:
        body = kpis_body(url)
        statuses = [post(url, body).status for _ in range(5)]
        refused = post(url, body)
        assert statuses == [200] * 5 and refused.status == 429
        assert "Too many requests" in json.loads(refused.body)["error"]
        assert 1 <= int(refused.headers["Retry-After"]) <= 60  # seconds until the window of the limit met ends
        assert fetch(url + "/healthz").status == 200  # the page and the health check are not callbacks


def test_file_downloads_have_a_tighter_limit_of_their_own(monkeypatch):
    with serving(low_limit_app(monkeypatch)) as url:
        body = download_body(url)
        assert [post(url, body).status for _ in range(2)] == [200, 200]
        refused = post(url, body)
        assert refused.status == 429 and "Too many requests" in refused.body


@pytest.fixture
def redis_url(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is missing (apt-get install -y redis-server; .ci/run installs it)")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


def test_two_workers_share_their_counters_in_redis(monkeypatch, redis_url):
    import redis

    first, second = low_limit_app(monkeypatch, redis_url), low_limit_app(monkeypatch, redis_url)
    with serving(first) as one, serving(second) as two:
        body = kpis_body(one)
        statuses = [post(url, body).status for url in (one, two, one, two, one, two)]
    assert statuses == [200] * 5 + [429]  # the sixth request, to the other worker, is past the shared limit
    assert redis.Redis.from_url(redis_url).keys("*hotline-limits*")


def test_deck_builds_past_the_cap_are_refused_at_once_with_a_message():
    entered, release = threading.Event(), threading.Event()

    def build():
        with rate_limits.build_slot():
            entered.set()
            release.wait(10)

    workers = [threading.Thread(target=build) for _ in range(rate_limits.MAX_BUILDS)]
    for worker in workers:
        worker.start()
    entered.wait(5)
    time.sleep(0.1)
    started = time.monotonic()
    with pytest.raises(rate_limits.Busy, match="busy drawing other slide decks"):
        with rate_limits.build_slot():
            pass
    assert time.monotonic() - started < 0.5  # refused, not queued
    release.set()
    for worker in workers:
        worker.join()
    with rate_limits.build_slot():  # free again
        pass
