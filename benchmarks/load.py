"""A crowd on the dashboard: gunicorn on 127.0.0.1, simulated users sending the requests a browser sends.

    python -m benchmarks.load                              # 10, 50, 100 users; both mixes; 60 s each
    python -m benchmarks.load --duration 20 --users 10 50  # shorter
    python -m benchmarks.load --servers 2                  # two gunicorn servers sharing one redis-server

Each user opens a shared link (the page, its layout and dependencies, then the view callback, which
draws every panel in its reply, as Dash's renderer does) and then makes 5 filter interactions, each
one the view callback's request: the bodies come from the running app's /_dash-dependencies through
benchmarks.dash_requests.Browser, the same model the tests check against a real page, and each reply
is read back into it. Then it starts again as a new user, until the run's duration is over. An
interaction's time is from sending its request to receiving the whole reply.

Mixes:
- "press day": half the users open the default view or one shared link and make the same 5 choices
  (what a press release sends a crowd to); the other half make choices of their own;
- "all different": every user opens a view of its own and makes choices of its own (new views);
- "all shared" (not run by default): every user is one of the first half of "press day", so every view
  is served from the cache of views: the most interactions these servers can answer.

The servers run the demo data with the cache of views in Redis (a redis-server started here, on a Unix
socket in a temporary folder, nothing saved, stopped after; `--no-redis`: each worker's memory only).
Every simulated user comes from 127.0.0.1, so the per-client rate limits are lifted for the run
(HOTLINE_CALLBACK_RATE_LIMIT): they exist for scripts, and here the script is the point.

The load generator (asyncio with aiohttp, one connection per user) runs on the same machine as the
servers and competes with them for the cores; its figures include that.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import numpy as np
import orjson

from benchmarks.dash_requests import Browser
from hotline import Filters, load_demo
from hotline.viewstate import ViewState, choices_of, to_query

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_LINK = "?state=TX&type=labor"  # the link "in the news"
PRESS_CHOICES = [("genders", ["female"]), ("age_groups", ["minor"]), ("methods", ["call"]),
                 ("genders", []), ("callers", ["victim_survivor"])]  # fmt: skip
INTERACTIONS = 5
FIELDS = ("states", "trafficking_types", "genders", "age_groups", "citizenships", "methods", "callers")
RESET_ERRORS = (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError)  # refused, reset, closed mid-reply
# What Chromium sends: the server compresses each reply as it would for a browser.
HEADERS = {"Accept-Encoding": "gzip, deflate, br, zstd"}
TIMEOUT = aiohttp.ClientTimeout(total=30)


def get_json(url: str, timeout: float = 60):
    with urllib.request.urlopen(url, timeout=timeout) as answer:
        return json.load(answer)


def post_json(url: str, body: dict, timeout: float = 60) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        return answer.status, json.load(answer)


# --- servers ------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Redis:
    """A redis-server on a Unix socket in a temporary folder, nothing saved to disk."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(binary).exists():
            raise SystemExit("redis-server is missing (apt-get install -y redis-server), or use --no-redis")
        self.folder = Path(tempfile.mkdtemp(prefix="hotline-load-redis-"))
        self.socket = self.folder / "redis.sock"
        self.process = subprocess.Popen(
            [binary, "--port", "0", "--unixsocket", str(self.socket), "--unixsocketperm", "700", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder), "--logfile", str(self.folder / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while not self.socket.exists():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise SystemExit("redis-server did not start")
            time.sleep(0.05)
        self.url = f"unix://{self.socket}"

    def client(self):
        import redis

        return redis.Redis(unix_socket_path=str(self.socket))

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)


class Gunicorn:
    def __init__(self, workers: int, threads: int, redis_url: str | None, settings: dict | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
        env.update(HOTLINE_CALLBACK_RATE_LIMIT="1000000 per second", HOTLINE_EXPORT_RATE_LIMIT="1000000 per second")
        if redis_url:
            env["HOTLINE_REDIS_URL"] = redis_url
        env.update(settings or {})  # more HOTLINE_* settings, e.g. HOTLINE_ALLOW_UPLOAD
        command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
                   "--threads", str(threads), "--worker-class", "gthread", "--backlog", "2048", "--timeout", "120",
                   "--log-level", "warning", "app:server"]  # fmt: skip
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 180
        answered = 0
        while answered < 4 * workers:  # every worker has built its app (and warmed its views)
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.log.seek(0)
                raise SystemExit(f"gunicorn did not start:\n{self.log.read().decode(errors='replace')[-3000:]}")
            try:
                get_json(f"{self.url}/healthz")
                answered += 1
            except OSError:
                time.sleep(0.3)

    def workers(self) -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.process.pid:
                    found.append(int(entry.name))
        return sorted(found)

    def rss_mib(self) -> list[tuple[float, float]]:
        """(RSS, peak RSS) in MiB of each worker."""
        sizes = []
        for pid in self.workers():
            status = dict(
                line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line
            )
            sizes.append((int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024))
        return sizes

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


# --- users --------------------------------------------------------------------------------------------
@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)  # seconds per interaction
    requests: int = 0
    errors: int = 0  # a reply other than 200
    resets: int = 0  # a connection refused, reset or closed mid-request
    timeouts: int = 0


def dependencies_map(dependencies: list[dict]) -> dict:
    """The callback map Browser reads, from what the page fetches (/_dash-dependencies)."""
    return {
        d["output"]: {"inputs": d["inputs"], "state": d.get("state", []), "callback": None if d.get("clientside_function") else True}
        for d in dependencies
    }


def own_link(rng: random.Random, choices) -> str:
    """A view of this user's own: a random year range, a state or two, maybe a gender."""
    first, last = choices.years
    a, b = sorted(rng.sample(range(first, last + 1), 2))
    states = rng.sample(list(choices.values["states"]), rng.randint(1, 2))
    genders = rng.sample(list(choices.values["genders"]), 1) if rng.random() < 0.5 else []
    view = ViewState(filters=Filters(years=(a, b), states=tuple(states), genders=tuple(genders)))
    return to_query(view, choices)


def own_choice(rng: random.Random, choices) -> tuple[str, list[str]]:
    name = rng.choice(FIELDS)
    values = list(choices.values[name])
    return name, sorted(rng.sample(values, rng.randint(1, min(3, len(values)))))


async def one_user(client: aiohttp.ClientSession, base: str, callback_map: dict, choices, press: bool, rng, tally, stop_at):
    async def post(body: dict):
        tally.requests += 1
        try:
            # Compact, as a browser's JSON.stringify writes it (and quicker to write than json.dumps).
            async with client.post(f"{base}/_dash-update-component", data=orjson.dumps(body),
                                   headers={"Content-Type": "application/json"}) as answer:  # fmt: skip
                content = await answer.read()
        except TimeoutError:
            tally.timeouts += 1
            return None
        except RESET_ERRORS:
            tally.resets += 1
            return None
        if answer.status != 200:
            tally.errors += 1
            return None
        return content

    async def interaction(changed: str) -> bool:
        started = time.perf_counter()
        reply = await post(browser.body(changed))
        if reply is None:
            return False
        tally.latencies.append(time.perf_counter() - started)
        browser.apply(orjson.loads(reply))  # a browser's JSON.parse is native too
        return True

    browser = Browser(callback_map, choices)
    link = (SHARED_LINK if rng.random() < 0.5 else "") if press else own_link(rng, choices)
    try:
        for path in (f"/{link}", "/_dash-layout", "/_dash-dependencies"):
            tally.requests += 1
            async with client.get(base + path) as page:
                await page.read()
            if page.status != 200:
                tally.errors += 1
                return
    except TimeoutError:
        tally.timeouts += 1
        return
    except RESET_ERRORS:
        tally.resets += 1
        return
    browser.reset(link)
    if not await interaction("url.search"):
        return
    for step in range(INTERACTIONS):
        if time.monotonic() >= stop_at:
            return
        name, values = PRESS_CHOICES[step] if press else own_choice(rng, choices)
        browser.values[f"filter-{name}.value"] = values
        if not await interaction(f"filter-{name}.value"):
            return


async def crowd(bases: list[str], users: int, mix: str, duration: float, seed: int) -> tuple[Tally, float]:
    choices = choices_of(load_demo())
    callback_map = dependencies_map(get_json(f"{bases[0]}/_dash-dependencies"))
    tally = Tally()
    stop_at = time.monotonic() + duration

    async def user_loop(number: int) -> None:
        # Seeded by the row too: a row must not replay the views of the rows before it, which the caches
        # (of views in Redis, of replies in each worker) still hold; only the press-day views are shared.
        rng = random.Random(f"{seed}:{mix}:{users}:{number}")
        base = bases[number % len(bases)]  # a load balancer sends each user to one server
        while time.monotonic() < stop_at:
            # "press day": half the users come for the shared views; every new visit is a new user.
            press = mix == "all shared" or (mix == "press day" and rng.random() < 0.5)
            connector = aiohttp.TCPConnector(limit=1)  # one connection, kept alive through the visit
            async with aiohttp.ClientSession(connector=connector, timeout=TIMEOUT, headers=HEADERS) as client:
                await one_user(client, base, callback_map, choices, press, rng, tally, stop_at)

    # The generator's cyclic garbage collector walked every simulated page's state again and again: about
    # 0.7 ms of the shared cores per interaction, taken from the servers. Off during a row; what the row
    # left is freed after it.
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        started = time.monotonic()
        await asyncio.gather(*(user_loop(n) for n in range(users)))
        return tally, time.monotonic() - started
    finally:
        gc.enable()
        gc.unfreeze()
        gc.collect()


# --- the run ------------------------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) * 1000 if values else float("nan")


def shared_cache_demo(servers: list[Gunicorn], redis: Redis) -> str:
    """Open a view nobody has asked for on server 1, then on server 2: the second answer comes from Redis."""
    choices = choices_of(load_demo())
    callback_map = dependencies_map(get_json(f"{servers[0].url}/_dash-dependencies"))
    link = "?years=2013-2021&state=OR,NV&gender=male&measure=rate"
    client = redis.client()
    times, hits, keys = [], [], []
    for server in servers:
        browser = Browser(callback_map, choices)
        browser.reset(link)
        before = client.info("stats")["keyspace_hits"]
        started = time.perf_counter()
        post_json(f"{server.url}/_dash-update-component", browser.body("url.search"))  # an error status raises
        times.append((time.perf_counter() - started) * 1000)
        hits.append(client.info("stats")["keyspace_hits"] - before)
        keys.append(len(client.keys("hotline:view:*")))
    return (
        f"Shared cache: a new view ({link}) drawn by server 1 in {times[0]:.0f} ms (Redis keyspace hits +{hits[0]}, "
        f"{keys[0]} views kept), then by server 2 in {times[1]:.0f} ms (Redis keyspace hits +{hits[1]}, {keys[1]} views "
        f"kept): server 2 {'read it from Redis' if hits[1] >= 1 and keys[1] == keys[0] else 'did NOT find it in Redis'}."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[10, 50, 100], help="simultaneous users (default 10 50 100)")
    parser.add_argument("--mixes", nargs="+", choices=["press day", "all different", "all shared"],
                        default=["press day", "all different"])  # fmt: skip
    parser.add_argument("--duration", type=float, default=60, help="seconds per user count and mix (default 60)")
    parser.add_argument("--servers", type=int, default=1, help="gunicorn servers sharing one Redis (default 1)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    parser.add_argument("--no-redis", action="store_true", help="no redis-server: each worker caches alone")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.servers > 1 and args.no_redis:
        parser.error("--servers 2 needs Redis: the servers share it")
    command = "python -m benchmarks.load" + (" " + " ".join(sys.argv[1:] if argv is None else argv) if (argv or sys.argv[1:]) else "")
    redis = None if args.no_redis else Redis()
    servers: list[Gunicorn] = []
    try:
        for _ in range(args.servers):
            servers.append(Gunicorn(args.workers, args.threads, redis.url if redis else None))
        print(f"Command: `{command}`")
        print(f"{args.servers} server(s) x gunicorn --workers {args.workers} --threads {args.threads} (gthread) on "
              f"127.0.0.1, {'one redis-server' if redis else 'no Redis'}; {os.cpu_count()} cores shared with the "
              "load generator; demo data")  # fmt: skip
        if len(servers) > 1:
            print(shared_cache_demo(servers, redis))
        print()
        print("| mix | users | interactions/s | p50 ms | p95 ms | p99 ms | interactions | requests | errors | resets "
              "| timeouts | worker RSS MiB (now / peak) |")  # fmt: skip
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for mix in args.mixes:
            for users in args.users:
                tally, elapsed = asyncio.run(crowd([s.url for s in servers], users, mix, args.duration, args.seed))
                rss = [size for server in servers for size in server.rss_mib()]
                rss_text = ", ".join(f"{now:.0f}/{peak:.0f}" for now, peak in rss)
                lat = tally.latencies
                print(f"| {mix} | {users} | {len(lat) / elapsed:.1f} | {percentile(lat, 50):.0f} | "
                      f"{percentile(lat, 95):.0f} | {percentile(lat, 99):.0f} | {len(lat):,} | {tally.requests:,} | "
                      f"{tally.errors} | {tally.resets} | {tally.timeouts} | {rss_text} |", flush=True)  # fmt: skip
        print()
        print(f"Each row: {args.duration:g} s; an interaction = the view callback's request, which draws every "
              "panel (opening the link counts as one); p50/p95/p99 over every interaction of the row.")
    finally:
        for server in servers:
            server.stop()
        if redis is not None:
            redis.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
