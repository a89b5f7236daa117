"""A throw-away PostgreSQL server for tests and benchmarks: Debian's `postgresql` binaries, run by the caller.

    with PostgresServer.start() as pg:
        pg.execute("CREATE TABLE ...")
        url = pg.url(user="reader", password="...", database="hotline")

initdb into a fresh temporary folder, listen on 127.0.0.1 (a free port) and on a Unix socket in that
folder, stop and remove everything on exit. PostgreSQL refuses to run as root, so as root (here and in
CI) the server runs as the unprivileged user `nobody`, which owns the folder. Host connections need a
password (scram-sha-256), so a wrong password is really refused; the Unix socket trusts the superuser,
which the fixtures use to load data.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "hotline_admin"
DATABASE = "hotline"
START_TIMEOUT = 30  # seconds


def bindir() -> Path | None:
    """Where initdb and postgres are: `pg_config --bindir`, else the newest /usr/lib/postgresql/*/bin."""
    candidates = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=10)
            candidates.append(Path(out.stdout.strip()))
        except (subprocess.SubprocessError, OSError):
            pass
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name or 0))
    candidates += [Path(p) for p in reversed(versions)]
    for candidate in candidates:
        if (candidate / "initdb").exists() and (candidate / "postgres").exists():
            return candidate
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PostgresServer:
    folder: Path
    port: int
    process: subprocess.Popen
    bin: Path
    as_user: dict

    @classmethod
    def start(cls) -> PostgresServer:
        found = bindir()
        if found is None:
            raise RuntimeError("PostgreSQL server binaries not found (apt-get install -y postgresql)")
        folder = Path(tempfile.mkdtemp(prefix="hotline-pg-"))
        as_user: dict = {}
        if os.geteuid() == 0:  # postgres will not run as root: run it as nobody, in a folder nobody owns
            group = "nogroup" if _group_exists("nogroup") else "nobody"
            shutil.chown(folder, "nobody", group)
            as_user = {"user": "nobody", "group": group, "extra_groups": []}
        os.chmod(folder, 0o700)
        data = folder / "data"
        pwfile = folder / "superuser-password"
        pwfile.write_text("admin-secret\n")
        if as_user:
            shutil.chown(pwfile, "nobody")
            # the log is opened by this (root) process and handed over as a descriptor: no chown needed
        try:
            subprocess.run(
                [
                    str(found / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    SUPERUSER,
                    f"--pwfile={pwfile}",
                    "--auth-local=trust",
                    "--auth-host=scram-sha-256",
                    "--encoding=UTF8",
                    "--locale=C",
                    "--no-sync",
                ],
                check=True,
                capture_output=True,
                timeout=120,
                cwd=folder,
                **as_user,
            )
        except subprocess.CalledProcessError as error:
            shutil.rmtree(folder, ignore_errors=True)
            raise RuntimeError(f"initdb failed: {error.stderr.decode(errors='replace')[-500:]}") from None
        port = _free_port()
        log = open(folder / "server.log", "wb")
        try:
            process = subprocess.Popen(
                [
                    str(found / "postgres"),
                    "-D",
                    str(data),
                    "-p",
                    str(port),
                    "-h",
                    "127.0.0.1",
                    "-k",
                    str(folder),
                    "-c",
                    "fsync=off",  # a test server: nothing here must survive a crash
                    "-c",
                    "full_page_writes=off",
                    "-c",
                    "synchronous_commit=off",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=folder,
                **as_user,
            )
        finally:
            log.close()
        server = cls(folder=folder, port=port, process=process, bin=found, as_user=as_user)
        server._wait_ready()
        server.psql("CREATE DATABASE hotline", database="postgres")
        return server

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = (self.folder / "server.log").read_text(errors="replace")
                self.remove()
                raise RuntimeError(f"postgres exited with code {self.process.returncode}: {log[-800:]}")
            ready = subprocess.run(
                [str(self.bin / "pg_isready"), "-h", str(self.folder), "-p", str(self.port), "-q"], timeout=10
            )
            if ready.returncode == 0:
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("postgres did not become ready in time")

    # --- using it ---------------------------------------------------------------------------
    def psql(self, sql: str, database: str = DATABASE) -> str:
        """Run SQL as the superuser over the Unix socket (ON_ERROR_STOP: a failing statement raises)."""
        out = subprocess.run(
            [
                str(self.bin / "psql"),
                "-h",
                str(self.folder),
                "-p",
                str(self.port),
                "-U",
                SUPERUSER,
                "-d",
                database,
                "-v",
                "ON_ERROR_STOP=1",
                "-q",
                "-At",
            ],
            input=sql,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if out.returncode != 0:
            raise RuntimeError(f"psql failed: {out.stderr.strip()}")
        return out.stdout

    def copy_csv(self, table: str, csv_path: Path, columns: list[str]) -> None:
        """Bulk-load a CSV file (with a header) into `table` with COPY FROM STDIN."""
        with open(csv_path, "rb") as source:
            out = subprocess.run(
                [
                    str(self.bin / "psql"),
                    "-h",
                    str(self.folder),
                    "-p",
                    str(self.port),
                    "-U",
                    SUPERUSER,
                    "-d",
                    DATABASE,
                    "-v",
                    "ON_ERROR_STOP=1",
                    "-c",
                    f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, HEADER true)",
                ],
                stdin=source,
                capture_output=True,
                timeout=600,
            )
        if out.returncode != 0:
            raise RuntimeError(f"COPY failed: {out.stderr.decode(errors='replace').strip()}")

    def add_reader(self, name: str, password: str) -> None:
        """A read-only login role: CONNECT on the database, USAGE on the schema, SELECT on its tables."""
        self.psql(
            f"CREATE ROLE {name} LOGIN PASSWORD '{password}';"
            f"GRANT CONNECT ON DATABASE {DATABASE} TO {name};"
            f"GRANT USAGE ON SCHEMA public TO {name};"
            f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {name};"
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {name};"
        )

    def url(self, user: str, password: str | None = None, *, database: str = DATABASE, query: str = "") -> str:
        auth = f"{user}:{password}" if password is not None else user
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{database}{query}"

    # --- stopping ---------------------------------------------------------------------------
    def stop(self) -> None:
        """Stop the server at once ("fast" shutdown: SIGINT; SIGTERM would wait for clients to leave)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def _group_exists(name: str) -> bool:
    import grp

    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False
