"""How big the portal's processes and pools are on this machine: the one place that sizes them.

Everything is derived from the machine's cores and memory, and each figure can be set by an
environment variable (shown next to it). ``make run`` and the production command start
``web_workers`` uvicorn processes; each holds a pool of ``db_pool_size`` (+ ``db_max_overflow``)
connections and admits ``inflight`` requests at once with ``queue`` more waiting (portal.boundary
.admission): past that, a request is answered 503 with Retry-After at once instead of queueing for
seconds. PostgreSQL's ``max_connections`` is the sum over every process that may connect, and the
embedded server gets its memory settings from here (infra/embedded.py; ``python -m infra.sizing``
prints them for an external server).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

MB = 1024 * 1024


def _memory_bytes() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 2048 * MB


def _cpus() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _int(env: Mapping[str, str], name: str, default: int, low: int = 1) -> int:
    value = env.get(name, "").strip()
    return max(low, int(value)) if value else default


@dataclass(frozen=True)
class Sizing:
    cpus: int
    memory_bytes: int
    web_workers: int
    """WEB_WORKERS: uvicorn processes (one per core)."""
    worker_concurrency: int
    """CELERY_CONCURRENCY: the Celery worker's processes (one per core)."""
    db_pool_size: int
    """DB_POOL_SIZE: connections each process keeps."""
    db_max_overflow: int
    """DB_MAX_OVERFLOW: connections a process may open beyond its pool in a burst."""
    inflight: int
    """MAX_INFLIGHT: requests one web process works on at once (each holds a connection of the pool)."""
    queue: int
    """MAX_QUEUED: requests one web process lets wait for a turn; more are answered 503 at once."""
    queue_wait: float = 1.0
    """MAX_QUEUE_WAIT: seconds a request may wait for a turn before it is answered 503."""

    @property
    def max_connections(self) -> int:
        """Every process that may connect at its fullest, plus beat, migrations, psql and a margin."""
        per_process = self.db_pool_size + self.db_max_overflow
        owner = 6  # the owner engine (infra.db.owner_engine_for): seeding, the requester check
        return (self.web_workers + self.worker_concurrency) * (per_process + owner) + 2 * per_process + 20

    def postgres_settings(self) -> dict[str, str]:
        """PostgreSQL's settings for this machine (short OLTP statements and small aggregates)."""
        memory_mb = self.memory_bytes // MB
        return {
            "max_connections": str(self.max_connections),
            "shared_buffers": f"{max(128, min(memory_mb // 4, 16 * 1024))}MB",
            "effective_cache_size": f"{max(256, memory_mb * 3 // 4)}MB",
            "work_mem": f"{max(4, min(64, memory_mb // (4 * self.max_connections)))}MB",
            "maintenance_work_mem": f"{max(64, min(1024, memory_mb // 16))}MB",
            "jit": "off",  # compiling plans costs more than these millisecond queries take
            "random_page_cost": "1.1",  # SSD
            "effective_io_concurrency": "200",
            "max_worker_processes": str(max(8, self.cpus)),
            "max_parallel_workers_per_gather": str(max(0, min(2, self.cpus // 2))),
        }


def machine_sizing(env: Mapping[str, str] | None = None) -> Sizing:
    env = os.environ if env is None else env
    cpus = _cpus()
    pool = _int(env, "DB_POOL_SIZE", 8)
    # The work is CPU-bound under the GIL: four requests at once per process keep its core busy while
    # some wait on PostgreSQL, and more only add switching (measured, README "A province's month end").
    inflight = _int(env, "MAX_INFLIGHT", min(4, pool))
    return Sizing(
        cpus=cpus,
        memory_bytes=_memory_bytes(),
        web_workers=_int(env, "WEB_WORKERS", cpus),
        worker_concurrency=_int(env, "CELERY_CONCURRENCY", cpus),
        db_pool_size=pool,
        db_max_overflow=_int(env, "DB_MAX_OVERFLOW", 4, low=0),
        inflight=inflight,
        # about what a process answers in MAX_QUEUE_WAIT: a request further back could not be served in time
        queue=_int(env, "MAX_QUEUED", 25 * inflight, low=0),
        queue_wait=float(env.get("MAX_QUEUE_WAIT", "").strip() or 1.0),
    )


def apply_postgres_settings(conninfo: str, settings: Mapping[str, str]) -> list[str]:
    """``ALTER SYSTEM`` ``settings`` (as a superuser) and reload; the names that wait for a restart."""
    import time

    import psycopg
    from psycopg import sql

    with psycopg.connect(conninfo, autocommit=True) as conn:
        for name, value in settings.items():
            conn.execute(sql.SQL("ALTER SYSTEM SET {} = {}").format(sql.Identifier(name), sql.Literal(value)))
        conn.execute("SELECT pg_reload_conf()")
    time.sleep(0.5)  # the server reads its files again on the signal; a new session sees the outcome
    with psycopg.connect(conninfo, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT name FROM pg_settings WHERE pending_restart AND name = ANY(%s) ORDER BY name",
            [list(settings)],
        ).fetchall()
    return [r[0] for r in rows]


def main() -> None:
    """``python -m infra.sizing [--apply CONNINFO]``: print the sizes, or apply them to a PostgreSQL."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument(
        "--apply", metavar="CONNINFO", help="a superuser connection, e.g. 'host=127.0.0.1 user=postgres'"
    )
    args = parser.parse_args()
    sizing = machine_sizing()
    settings = sizing.postgres_settings()
    print(f"# {sizing.cpus} CPUs, {sizing.memory_bytes // MB} MB: {sizing}")
    for name, value in settings.items():
        print(f"ALTER SYSTEM SET {name} = '{value}';")
    if args.apply:
        pending = apply_postgres_settings(args.apply, settings)
        print(f"# applied; restart PostgreSQL for: {', '.join(pending)}" if pending else "# applied")


if __name__ == "__main__":
    main()
