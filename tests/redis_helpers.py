"""A real redis-server (Debian's `redis-server`) for the tests: on a Unix socket in a temporary folder,
nothing saved to disk, stopped and removed after. Imported by the test modules (not a conftest)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
LIFETIME = 1800  # seconds: the server ends by itself even if pytest is killed


@dataclass
class RedisServer:
    socket: Path
    process: subprocess.Popen
    log_path: Path

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def client(self):
        import redis

        return redis.Redis(unix_socket_path=str(self.socket))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_redis(folder: Path, *extra: str) -> RedisServer:
    if not Path(REDIS_SERVER).exists():
        message = "redis-server not found (apt-get install -y redis-server)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: CI must provide it")
        pytest.skip(message)
    folder.mkdir(parents=True, exist_ok=True)
    socket, log_path = folder / "redis.sock", folder / "redis.log"
    command = [
        REDIS_SERVER,
        "--port", "0",  # no TCP at all: only the socket below
        "--unixsocket", str(socket),
        "--unixsocketperm", "700",
        "--save", "",
        "--appendonly", "no",
        "--dir", str(folder),
        "--logfile", str(log_path),
        *extra,
    ]  # fmt: skip
    timeout = shutil.which("timeout")
    if timeout:
        command = [timeout, "--kill-after=5", str(LIFETIME), *command]
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    server = RedisServer(socket=socket, process=process, log_path=log_path)
    deadline = time.monotonic() + 10
    while True:
        if process.poll() is not None:
            log = log_path.read_text(errors="replace") if log_path.exists() else ""
            pytest.fail(f"redis-server exited with code {process.returncode}:\n{log}")
        if socket.exists():
            try:
                if server.client().ping():
                    return server
            except Exception:
                pass
        if time.monotonic() > deadline:
            server.stop()
            pytest.fail("redis-server did not answer within 10 s")
        time.sleep(0.05)


@pytest.fixture
def redis_server():
    # A short folder of its own: a Unix socket's path must stay under about 100 characters.
    folder = Path(tempfile.mkdtemp(prefix="hotline-redis-"))
    try:
        server = start_redis(folder)
        yield server
        server.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
