"""A throwaway PostgreSQL server for the tests (pytest plugin, registered in conftest.py).

The session fixture `postgres_server` starts a real server from Debian's packages
(`apt-get install postgresql`) in a temporary data directory, listening on 127.0.0.1 and a
free port only, creates a database owned by a password user, yields its connection settings
and stops the server at the end of the session. Postgres refuses to run as root: when the
tests run as root, initdb and the server run as the `postgres` user (runuser).

Without the binaries the tests that use it are skipped with the install hint, unless
REQUIRE_POSTGRES=1 (CI), where that is an error.

`running_postgres()` is the same server as a plain context manager, for scripts.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

INSTALL_HINT = "apt-get install postgresql"
RUN_AS = "postgres"  # Debian's server account; used only when we are root
SUPERUSER = "postgres"
DATABASE = "borlange"
USER = "warehouse"  # owns DATABASE; what dbt and the mirror connect as


class PostgresUnavailable(RuntimeError):
    """The binaries (or, as root, the postgres account) are missing: a reason to skip."""


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    dbname: str
    user: str
    password: str
    superuser: str
    superuser_password: str
    data_dir: Path

    def env(self, schema: str = "public") -> dict[str, str]:
        """libpq's variables, which dbt's `postgres` output and pipelines.lib.postgres_mirror
        read."""
        return {
            "PGHOST": self.host,
            "PGPORT": str(self.port),
            "PGUSER": self.user,
            "PGPASSWORD": self.password,
            "PGDATABASE": self.dbname,
            "PGSCHEMA": schema,
            "PGSSLMODE": "disable",
        }

    def connect(
        self, *, user: str | None = None, password: str | None = None, superuser: bool = False
    ):
        """A psycopg2 connection as the warehouse user, the superuser, or any other role."""
        import psycopg2

        if superuser:
            user, password = self.superuser, self.superuser_password
        return psycopg2.connect(
            host=self.host,
            port=self.port,
            dbname=self.dbname,
            user=user or self.user,
            password=self.password if password is None else password,
            sslmode="disable",
            connect_timeout=10,
        )


def find_bin_dir() -> Path | None:
    """The directory holding initdb, pg_ctl and postgres together. Debian installs them in
    /usr/lib/postgresql/<major>/bin, off PATH; PG_BIN_DIR overrides the search."""
    candidates: list[Path] = []
    if os.environ.get("PG_BIN_DIR"):
        candidates.append(Path(os.environ["PG_BIN_DIR"]))
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)  # /usr/local/bin symlinks lead there
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates.extend(versions)
    for directory in candidates:
        if all((directory / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            return directory
    return None


def _as_server_account(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", RUN_AS, "--", *cmd]


def _hand_to_server_account(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, user=RUN_AS, group=RUN_AS if _group_exists(RUN_AS) else None)


def _group_exists(name: str) -> bool:
    import grp

    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(cmd: list[str], what: str, log: Path | None = None) -> None:
    done = subprocess.run(_as_server_account(cmd), capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
        raise RuntimeError(
            f"{what} failed ({done.returncode}): {' '.join(cmd)}\n"
            f"{done.stdout}\n{done.stderr}\n{tail}"
        )


@contextlib.contextmanager
def running_postgres(bin_dir: Path | None = None) -> Iterator[PostgresServer]:
    """initdb + pg_ctl start on 127.0.0.1:<free port>; a database and a password user; stop
    and delete everything on exit."""
    bin_dir = bin_dir or find_bin_dir()
    if bin_dir is None:
        raise PostgresUnavailable(
            f"PostgreSQL server binaries (initdb, pg_ctl) not found: {INSTALL_HINT}"
        )
    if os.geteuid() == 0:
        import pwd

        try:
            pwd.getpwnam(RUN_AS)
        except KeyError:
            raise PostgresUnavailable(
                f"running as root but there is no '{RUN_AS}' account: {INSTALL_HINT}"
            ) from None

    root = Path(tempfile.mkdtemp(prefix="pg-test-"))  # /tmp: reachable by the postgres account
    _hand_to_server_account(root)
    data, log, pwfile = root / "data", root / "server.log", root / "pwfile"
    superuser_password, password = secrets.token_urlsafe(18), secrets.token_urlsafe(18)
    pwfile.write_text(superuser_password + "\n")
    pwfile.chmod(0o600)
    _hand_to_server_account(pwfile)
    started = False
    try:
        # C collation: strings sort byte by byte, as in DuckDB. No fsync: a test server.
        _run(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                SUPERUSER,
                f"--pwfile={pwfile}",
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ],
            "initdb",
        )
        pwfile.unlink()
        for attempt in range(3):
            port = _free_port()
            options = (
                f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=40"
            )
            try:
                _run(
                    [
                        str(bin_dir / "pg_ctl"),
                        "-D",
                        str(data),
                        "-l",
                        str(log),
                        "-o",
                        options,
                        "-w",
                        "-t",
                        "60",
                        "start",
                    ],
                    "pg_ctl start",
                    log,
                )
                started = True
                break
            except RuntimeError:
                if attempt == 2:  # the port was taken between probe and bind, three times
                    raise
                time.sleep(0.5)
        server = PostgresServer(
            host="127.0.0.1",
            port=port,
            dbname=DATABASE,
            user=USER,
            password=password,
            superuser=SUPERUSER,
            superuser_password=superuser_password,
            data_dir=data,
        )
        _create_database(server)
        yield server
    finally:
        if started:
            subprocess.run(
                _as_server_account(
                    [
                        str(bin_dir / "pg_ctl"),
                        "-D",
                        str(data),
                        "-m",
                        "fast",
                        "-w",
                        "-t",
                        "60",
                        "stop",
                    ]
                ),
                capture_output=True,
                timeout=120,
            )
        shutil.rmtree(root, ignore_errors=True)


def _create_database(server: PostgresServer) -> None:
    import psycopg2
    from psycopg2 import sql

    con = psycopg2.connect(
        host=server.host,
        port=server.port,
        dbname="postgres",
        user=server.superuser,
        password=server.superuser_password,
        sslmode="disable",
        connect_timeout=10,
    )
    try:
        con.autocommit = True
        with con.cursor() as cur:
            # CREATEROLE: the warehouse user's on-run-end hook creates the bi_reader role itself.
            cur.execute(
                sql.SQL("create role {} login createrole password %s").format(
                    sql.Identifier(server.user)
                ),
                (server.password,),
            )
            cur.execute(
                sql.SQL("create database {} owner {}").format(
                    sql.Identifier(server.dbname), sql.Identifier(server.user)
                )
            )
    finally:
        con.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A running PostgreSQL server for the session (skipped when the binaries are missing)."""
    required = os.environ.get("REQUIRE_POSTGRES", "") not in ("", "0")
    try:
        pytest.importorskip(
            "psycopg2", reason="psycopg2 comes with dbt-postgres: pip install -e '.[dev]'"
        )
        with running_postgres() as server:
            yield server
    except PostgresUnavailable as missing:
        if required:
            pytest.fail(f"REQUIRE_POSTGRES is set but {missing}")
        pytest.skip(str(missing))
