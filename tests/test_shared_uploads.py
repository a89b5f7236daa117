"""Uploads under several servers: two real app servers (`python app.py --allow-upload --redis-url ...`)
share one real redis-server, and an upload made on one is explored on the other, under the same limits."""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from redis_helpers import redis_server  # noqa: F401  (a fixture)

import hotline

REPO_ROOT = Path(__file__).resolve().parents[1]
GOOD_CSV = (
    b"year,state,trafficking_type,gender,count\n2020,CA,sex,female,200\n2021,TX,labor,male,40\n2022,WY,labor,male,7\n"
)
# Several hosts publish the same numbers only with the same secret seed (README, "Several hosts").
PRIVACY_SEED = "two hosts, one seed: test only"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppServer:
    def __init__(self, log_path: Path, *args: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "app.py", "--port", str(self.port), *args]
        if shutil.which("timeout"):
            command = ["timeout", "--kill-after=5", "600", *command]
        env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
        env["HOTLINE_PRIVACY_SEED"] = PRIVACY_SEED
        self.log_path = log_path
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                pytest.fail(f"the app exited: {log_path.read_text(errors='replace')}")
            try:
                urllib.request.urlopen(f"{self.url}/healthz", timeout=5).read()
                return
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    self.stop()
                    pytest.fail("the app did not start")
                time.sleep(0.2)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(f"{self.url}{path}", timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def upload(self, name: str, data: bytes) -> str:
        """Send a file as the page's upload box does; the address of its private view."""
        dependencies = json.loads(self.get("/_dash-dependencies")[1])
        spec = next(d for d in dependencies if d["inputs"] and d["inputs"][0]["id"] == "upload-file")
        contents = f"data:text/csv;base64,{base64.b64encode(data).decode()}"
        outputs = [
            {"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1]} for o in spec["output"][2:-2].split("...")
        ]
        body = {
            "output": spec["output"],
            "outputs": outputs,
            "inputs": [{"id": "upload-file", "property": "contents", "value": contents}],
            "changedPropIds": ["upload-file.contents"],
            "state": [{"id": "upload-file", "property": "filename", "value": name}],
        }
        request = urllib.request.Request(
            f"{self.url}/_dash-update-component",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            reply = json.loads(response.read())
        return reply["response"]["upload-target"]["data"]


@pytest.fixture
def two_servers(redis_server, tmp_path):  # noqa: F811
    def start(*extra: str) -> tuple[AppServer, AppServer]:
        args = ("--allow-upload", "--redis-url", redis_server.url, *extra)
        first = AppServer(tmp_path / "first.log", *args)
        second = AppServer(tmp_path / "second.log", *args)
        started.extend([first, second])
        return first, second

    started: list[AppServer] = []
    yield start
    for server in started:
        server.stop()


def test_an_upload_made_on_one_server_opens_on_the_other(two_servers, redis_server, monkeypatch):  # noqa: F811
    monkeypatch.setenv("HOTLINE_PRIVACY_SEED", PRIVACY_SEED)
    published = int(hotline.load_bytes("good.csv", GOOD_CSV).aggregate([])["count"].iloc[0])
    assert published != 247  # the true total (200 + 40 + 7) is adjusted like every published number
    first, second = two_servers()
    address = first.upload("good.csv", GOOD_CSV)
    assert address.startswith("/upload/")
    status, layout = second.get(f"{address}_dash-layout")
    assert status == 200 and "Your upload: good.csv" in layout
    assert f"{published} signals" in layout  # the uploaded file's published total, not the demo's
    assert second.get("/upload/nosuchtokenatall0000/")[0] == 404
    # Kept in Redis's memory (this server saves nothing to disk) and nowhere on this machine's disk.
    assert redis_server.client().exists(f"hotline:{address.strip('/').replace('/', ':')}") == 1
    assert "rebuilt a shared upload" in second.log_path.read_text()


def test_shared_uploads_keep_the_limits_on_every_server(two_servers):
    first, second = two_servers("--upload-max-files", "1", "--upload-ttl-minutes", "0.05")
    old = first.upload("old.csv", GOOD_CSV)
    assert second.get(f"{old}_dash-layout")[0] == 200
    new = second.upload("new.csv", GOOD_CSV)  # one file at a time: the older one goes, everywhere
    assert first.get(f"{old}_dash-layout")[0] == 404 and second.get(f"{old}_dash-layout")[0] == 404
    assert first.get(f"{new}_dash-layout")[0] == 200
    time.sleep(3.5)  # 0.05 minutes without use
    assert first.get(f"{new}_dash-layout")[0] == 404 and second.get(f"{new}_dash-layout")[0] == 404
