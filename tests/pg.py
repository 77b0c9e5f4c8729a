"""A throwaway PostgreSQL server for the tests of the PostgreSQL engine.

`TempServer` runs initdb into a fresh folder under the system temp dir and
starts the server with pg_ctl, listening only on a unix socket in that folder
(listen_addresses = ''), no TCP port; `stop()` stops it and deletes the folder.
Each test database is made with `create_database()` and named in a URL
(`postgresql://archive@/NAME?host=FOLDER&port=5432`).

`TempCluster` is three of them: a coordinator and two shards. Its
`create_database()` makes a database of one name on each and lays the archive
out over them (`init_cluster`), giving the coordinator's URL, the one a
`PostgresEngine` takes; `stop_shard(i)` and `start_shard(i)` stop and restart
a shard's server (its data kept). The `pg_server` and `pg_cluster` fixtures
give one of each for the whole session.

initdb refuses to run as root (tests run as root in CI): as root, the server
is initialised and run as the `postgres` user, which Debian's `postgresql`
package creates, through `runuser` (util-linux; `su` where it is missing). The
folder is made that user's; root reaches its socket all the same. As any other
user the server runs as that user.

The binaries are found in $ARCHIVE_PG_BIN, else the newest
/usr/lib/postgresql/*/bin (Debian's layout), else PATH; without them the tests
are skipped, saying what to install (`apt-get install postgresql`).
"""

import atexit
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

SUPERUSER = "archive"  # the role initdb creates (trust authentication on the socket only)
PORT = 5432  # names the socket file in the folder (no TCP port is opened); given in URLs, whatever $PGPORT says


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (a killed ingest's workers, a server's backends)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def find_bindir() -> Path | None:
    """The folder holding initdb, pg_ctl and postgres, or None."""
    wanted = os.environ.get("ARCHIVE_PG_BIN")
    if wanted:  # (only there)
        folder = Path(wanted)
        return folder if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file() else None
    candidates = []

    def version(path: str) -> tuple:
        part = Path(path).parent.name
        return tuple(int(x) for x in part.split(".") if x.isdigit()) or (0,)

    candidates += [Path(p).parent for p in sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                                                  key=lambda p: version(str(Path(p).parent)), reverse=True)]
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).parent)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def missing_reason() -> str | None:
    """Why a server cannot be started here, or None."""
    if find_bindir() is None:
        return ("PostgreSQL binaries not found (initdb, pg_ctl): `apt-get install postgresql`, "
                "or set ARCHIVE_PG_BIN to their folder")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no `postgres` user to run the server as (initdb refuses root)"
        if not (shutil.which("runuser") or shutil.which("su")):
            return "running as root and neither runuser nor su is available to run the server as `postgres`"
    return None


class TempServer:
    def __init__(self, fsync: bool = False, max_connections: int = 60):
        reason = missing_reason()
        if reason:
            raise RuntimeError(reason)
        self.bindir = find_bindir()
        # Under /tmp: the server's user must reach the folder (a root's $TMPDIR may be closed to it),
        # and a unix socket's path must stay short (107 bytes).
        self.folder = Path(tempfile.mkdtemp(prefix="archive-pg-", dir="/tmp" if os.path.isdir("/tmp") else None))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.user = None  # the OS user the server runs as, when not the current one
        if os.geteuid() == 0:
            self.user = pwd.getpwnam("postgres")
            os.chown(self.folder, self.user.pw_uid, self.user.pw_gid)
        os.chmod(self.folder, 0o755)
        self.fsync = fsync
        self.max_connections = max_connections
        self.started = False

    # -- running the binaries ----------------------------------------------------

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = env["LANG"] = "C"
        if self.user is not None:
            if shutil.which("runuser"):
                cmd = ["runuser", "-u", "postgres", "--", *cmd]
            else:
                cmd = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(_quote(c) for c in cmd)]
        result = subprocess.run(cmd, env=env, cwd=str(self.folder), capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            log = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}\n{log}")
        return result

    def start(self) -> "TempServer":
        args = ["initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust", "--encoding=UTF8", "--locale=C"]
        if not self.fsync:
            args.append("--nosync")
        if self._initdb_has_no_instructions():
            args.append("--no-instructions")
        self._run(*args)
        settings = {
            "listen_addresses": "''",
            "port": str(PORT),
            "unix_socket_directories": f"'{self.folder}'",
            "unix_socket_permissions": "0777",
            "fsync": "on" if self.fsync else "off",
            "synchronous_commit": "on" if self.fsync else "off",
            "full_page_writes": "on" if self.fsync else "off",
            "max_connections": str(self.max_connections),
            "shared_buffers": "128MB",
            "logging_collector": "off",
        }
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as f:
            f.write("\n# tests/pg.py\n" + "".join(f"{k} = {v}\n" for k, v in settings.items()))
        self.start_server()
        atexit.register(self.stop)  # (also when the session ends without its fixture's teardown)
        return self

    def start_server(self) -> None:
        """Start the initialised server (again)."""
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")
        self.started = True

    def stop_server(self) -> None:
        """Stop the server, keeping its data (start_server() starts it again)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        self.started = False

    def _initdb_has_no_instructions(self) -> bool:
        try:
            out = subprocess.run([str(self.bindir / "initdb"), "--help"], capture_output=True, text=True).stdout
        except OSError:
            return False
        return "--no-instructions" in out

    def stop(self) -> None:
        try:
            if self.started:
                self.stop_server()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    # -- databases ---------------------------------------------------------------

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@/{quote(dbname)}?host={quote(str(self.folder))}&port={PORT}"

    def create_database(self, name: str | None = None, options: str = "") -> str:
        """A new empty database (`options` of CREATE DATABASE, e.g. "TEMPLATE template0 LOCALE 'C.utf8'"); its URL."""
        import psycopg
        name = name or f"t{int(time.time() * 1e6)}{os.getpid()}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" {options}')
        return self.url(name)

    def require_password(self, *roles: str) -> None:
        """Password (SCRAM) authentication on the socket for these roles, the others still trusted: as a
        production server asks it (postgres_fdw lets a role that is not a superuser reach a shard only so)."""
        hba = self.data / "pg_hba.conf"
        hba.write_text("".join(f"local all {role} scram-sha-256\n" for role in roles) + hba.read_text())
        self._run("pg_ctl", "-D", str(self.data), "reload")
        time.sleep(0.5)  # (the postmaster reloads on SIGHUP, after pg_ctl returns)

    def role_url(self, dbname: str, role: str, password: str) -> str:
        """A URL to the database as a role with a password."""
        return (f"postgresql://{quote(role)}:{quote(password, safe='')}@/{quote(dbname)}"
                f"?host={quote(str(self.folder))}&port={PORT}")

    def __enter__(self) -> "TempServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class TempCluster:
    """A coordinator and `shards` shard servers (TempServer each), for archives laid out by init_cluster."""

    def __init__(self, shards: int = 2):
        # Each coordinator connection opens one to every shard it reads: room for a few engines' pools.
        self.coordinator = TempServer(max_connections=120)
        self.shards = [TempServer(max_connections=120) for _ in range(shards)]

    def start(self) -> "TempCluster":
        try:
            for server in (self.coordinator, *self.shards):
                server.start()
        except BaseException:
            self.stop()
            raise
        return self

    def create_database(self, name: str | None = None) -> str:
        """A new clustered archive (empty, laid out over the shards); the coordinator's URL."""
        from archive.engines.postgres.cluster import init_cluster
        name = name or f"c{int(time.time() * 1e6)}{os.getpid()}"
        url = self.coordinator.create_database(name)
        init_cluster(url, [shard.create_database(name) for shard in self.shards])
        return url

    def stop_shard(self, i: int) -> None:
        self.shards[i].stop_server()

    def start_shard(self, i: int) -> None:
        self.shards[i].start_server()

    def stop(self) -> None:
        failed = []
        for server in (self.coordinator, *self.shards):  # each, whatever the others do
            try:
                server.stop()
            except Exception as exc:
                failed.append(exc)
        if failed:
            raise failed[0]

    def __enter__(self) -> "TempCluster":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _quote(s: str) -> str:
    import shlex
    return shlex.quote(s)


if __name__ == "__main__":  # by hand: python -m tests.pg [--cluster] prints the URL to use (Ctrl-C stops it)
    import signal
    import sys
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # (stopped by kill too: the servers with it)
    server = TempCluster() if "--cluster" in sys.argv[1:] else TempServer()
    server.start()
    print(server.create_database("archive"), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


try:
    import pytest
except ImportError:  # (python -m tests.pg without pytest)
    pytest = None

if pytest is not None:
    _running: list = [None]  # the test being set up (a server is started for the first test that needs it)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(item):
        _running[0] = item

    def _refuse_unless_slow(name: str) -> None:
        """`pytest -m "not slow"` starts no server: a test reaching one through getfixturevalue must say slow.
        (A warning, not a failure: pytest would keep a failed session fixture's error for every later test.)"""
        item = _running[0]
        if item is not None and item.get_closest_marker("slow") is None:
            import warnings
            warnings.warn(pytest.PytestWarning(f"{item.nodeid} starts PostgreSQL ({name}) but is not marked slow"))

    @pytest.fixture(scope="session")
    def pg_server():
        """A throwaway server for the whole test session (skipped, saying why, where none can start)."""
        _refuse_unless_slow("pg_server")
        reason = missing_reason()
        if reason:
            pytest.skip(reason)
        server = TempServer().start()
        try:
            yield server
        finally:
            server.stop()

    @pytest.fixture(scope="session")
    def pg_cluster():
        """A coordinator and two shards for the whole session (skipped, saying why, where none can start).

        `pg_cluster.create_database()` gives the URL of a fresh clustered archive, for
        `PostgresEngine(url)` (or `open_engine(database=url)`) exactly as a one-node database URL;
        `pg_cluster.stop_shard(i)` / `start_shard(i)` take a shard down and up (a test that stops one
        starts it again, in a `finally`).
        """
        _refuse_unless_slow("pg_cluster")
        reason = missing_reason()
        if reason:
            pytest.skip(reason)
        cluster = TempCluster().start()
        try:
            yield cluster
        finally:
            cluster.stop()
