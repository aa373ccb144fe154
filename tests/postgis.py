"""A throwaway PostgreSQL + PostGIS cluster for the test suite.

Owns starting and stopping a private cluster in a temporary directory on a free
localhost port. PostgreSQL refuses to run as root: when the tests run as root the
directory is handed to the ``postgres`` user and the server binaries run through
``runuser -u postgres --``; otherwise the binaries run directly.

The ``postgis`` extension is created in ``template1`` once, so every database created
afterwards (one per test) already has it and creating one takes a fraction of a second.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import sqlalchemy as sa


class PostgisUnavailable(RuntimeError):
    """The throwaway cluster could not be started (message says why)."""


def _bindir_has_postgis(bindir: Path) -> bool:
    version = bindir.parent.name  # /usr/lib/postgresql/15/bin -> 15
    control = Path("/usr/share/postgresql") / version / "extension" / "postgis.control"
    return (bindir / "initdb").exists() and control.exists()


def find_bindir() -> Path:
    """The directory of ``initdb``/``pg_ctl``: newest server with PostGIS, else pg_config's."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    for bindir in candidates:
        if _bindir_has_postgis(bindir):
            return bindir
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        bindir = Path(out.stdout.strip())
        if (bindir / "initdb").exists():
            return bindir
    raise PostgisUnavailable(
        "no PostgreSQL server binaries with PostGIS found (looked in "
        "/usr/lib/postgresql/*/bin and `pg_config --bindir`); install e.g. "
        "`apt-get install postgresql-15-postgis-3`"
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgisCluster:
    """A private PostgreSQL cluster with PostGIS, started by :meth:`start`.

    Parameters
    ----------
    bindir
        Server binaries; found automatically when omitted.
    """

    def __init__(self, bindir: Path | None = None) -> None:
        self.bindir = bindir or find_bindir()
        self.as_root = os.geteuid() == 0
        self.dir = Path(tempfile.mkdtemp(prefix="pws-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self._started = False

    def url_for(self, database: str) -> str:
        """The URL of another database in this cluster."""
        return self.url.rsplit("/", 1)[0] + "/" + database

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        if proc.returncode != 0:
            log = self.dir / "log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise PostgisUnavailable(
                f"`{' '.join(cmd)}` failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}\n"
                f"{tail}"
            )
        return proc

    def start(self) -> str:
        """Initialise and start the cluster; return its SQLAlchemy URL (database ``postgres``)."""
        if self.as_root:
            shutil.chown(self.dir, user="postgres", group="postgres")
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.dir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.dir / "log"),
                  "-w", "start")  # fmt: skip
        self._started = True
        engine = sa.create_engine(self.url_for("template1"))
        try:
            with engine.begin() as conn:
                conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS postgis"))
        except Exception as exc:
            self.stop()
            raise PostgisUnavailable(f"CREATE EXTENSION postgis failed: {exc}") from exc
        finally:
            engine.dispose()
        return self.url

    def new_database(self) -> str:
        """Create an empty database (PostGIS already enabled); return its URL."""
        name = "t_" + uuid.uuid4().hex[:12]
        engine = sa.create_engine(self.url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()
        return self.url_for(name)

    def stop(self) -> None:
        """Stop the server and delete its directory."""
        try:
            if self._started:
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            self._started = False
            shutil.rmtree(self.dir, ignore_errors=True)
