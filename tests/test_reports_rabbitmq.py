"""Consolidation through RabbitMQ (the broker at 127.0.0.1:5672, as in CI) with two real Celery worker
processes on one queue, as a deployment that scales workers out would run them.

The workers get ``CELERY_BROKER_URL=amqp://...`` and no ``CELERY_RESULT_BACKEND``, so the settings
choose the ``rpc://`` backend for an AMQP broker. The queue is this test's own (``CELERY_QUEUE``),
deleted afterwards. An unreachable broker fails the test: it is not skipped.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from celery import Celery
from kombu import Connection
from sqlalchemy import text

from infra.broker import celery_app
from infra.processes import stop_process, worker_command
from infra.settings import get_settings
from portal.reports.consolidation import LOCK_CLASS
from portal.reports.models import ConsolidationRun
from tests.reporting import COMMUNE_VALUES, approved_hamlets, build_tree, children_count, enter, start, who
from tests.services import wait_for

AMQP = os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
ROOT = Path(__file__).resolve().parent.parent


def on_rabbitmq(queue: str) -> dict[str, str]:
    """This process's environment with the broker and queue of the test, and no result backend named."""
    env = {k: v for k, v in os.environ.items() if k != "CELERY_RESULT_BACKEND"}
    return env | {"CELERY_BROKER_URL": AMQP, "CELERY_QUEUE": queue, "CONSOLIDATION_CHUNK": "25"}


@contextmanager
def sending(rabbit: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Iterator[Celery]:
    """The application's Celery object (``infra.broker``) as a process in the workers' environment
    builds it. Celery reads CELERY_BROKER_URL and CELERY_RESULT_BACKEND from the environment whenever
    it connects, so the environment stays so meanwhile (no request of the test client sends then)."""
    with monkeypatch.context() as patch:
        patch.delenv("CELERY_RESULT_BACKEND", raising=False)
        for key in ("CELERY_BROKER_URL", "CELERY_QUEUE"):
            patch.setenv(key, rabbit["env"][key])
        get_settings.cache_clear()
        app = celery_app.__wrapped__()
        try:
            assert app.conf.broker_url == AMQP and app.conf.result_backend == "rpc://"
            yield app
        finally:
            app.close()
    get_settings.cache_clear()


@pytest.fixture()
def rabbit(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Two worker processes consuming this test's own queue on RabbitMQ."""
    queue = f"portal-rmq-{uuid.uuid4().hex[:12]}"
    with Connection(AMQP, connect_timeout=5) as broker:
        broker.ensure_connection(max_retries=1)  # RabbitMQ must be there: fail, never skip
    env = on_rabbitmq(queue)
    workers, logs = [], []
    for n in (1, 2):
        log = tmp_path / f"worker{n}.log"
        command = worker_command(
            "--pool=solo",
            "--concurrency=1",  # so the prefetch is one: a busy worker holds no message another could take
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            f"--hostname=rmq{n}-{queue}@%h",
        )
        with open(log, "wb") as out:
            workers.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT))
        logs.append(log)
    try:
        with Connection(AMQP, connect_timeout=5) as broker:

            def consumers() -> int:
                assert all(w.poll() is None for w in workers), [p.read_text()[-2000:] for p in logs]
                channel = broker.channel()
                try:
                    return int(channel.queue_declare(queue=queue, passive=True).consumer_count)
                except broker.channel_errors:  # not declared yet (the broker closes the channel)
                    return 0
                finally:
                    if channel.is_open:
                        channel.close()

            wait_for(lambda: consumers() == 2, "two workers consuming the queue", timeout=25, interval=0.05)
            yield {"env": env, "workers": workers, "logs": logs, "queue": queue}
            assert all(w.poll() is None for w in workers), "a worker died during the test"
    finally:
        for w in workers:
            w.terminate()  # both shut down at once
        for w in workers:
            stop_process(w)
        with Connection(AMQP, connect_timeout=5) as broker:
            broker.default_channel.queue_delete(queue=queue)  # durable: it would outlive the run


def user_id(owner: Any, username: str) -> int:
    return int(owner.execute(text("SELECT id FROM users WHERE username = :u"), {"u": username}).scalar_one())


def queued_run(owner: Any, report_id: int, total: int, requested_by: int) -> int:
    run = ConsolidationRun(
        report_id=report_id, with_missing=False, total_units=total, requested_by=requested_by
    )
    owner.add(run)
    owner.commit()
    return int(run.id)


def run_row(owner: Any, run_id: int) -> Any:
    owner.rollback()
    return owner.execute(
        text("SELECT status, done_units, attempts FROM consolidation_runs WHERE id = :i"), {"i": run_id}
    ).one()


def test_two_workers_on_rabbitmq_consolidate_each_sub_unit_once(
    client: Any, owner: Any, rabbit: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    t = build_tree(owner)
    oa, ob = who(client, t, "oa"), who(client, t, "ob")
    approved_hamlets(client, oa, t["ha"], "2025-06")
    approved_hamlets(client, ob, t["hb"], "2025-06")
    report_a = enter(client, oa, start(client, oa, t["a"], "2025-06"), COMMUNE_VALUES)
    report_b = enter(client, ob, start(client, ob, t["b"], "2025-06"), COMMUNE_VALUES)
    officer_a, officer_b = (user_id(owner, f"rp-{k}-{t['tag']}") for k in ("oa", "ob"))
    run_a = queued_run(owner, report_a["id"], 3, officer_a)
    run_b = queued_run(owner, report_b["id"], 2, officer_b)
    task = "tasks.reports.consolidate"
    locked = text(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = :c AND objid = :r AND granted"
    )
    waiting = text("SELECT status FROM consolidation_runs WHERE id = :i")

    # A hamlet report of commune A is held, so the worker that takes A's run waits inside its step
    # with the report's consolidation lock; the other worker must do what comes meanwhile.
    held = owner.execute(
        text("SELECT id FROM reports WHERE unit_id = :u AND period = '2025-06'"), {"u": t["ha"][0].id}
    ).scalar_one()
    owner.execute(text("SELECT id FROM reports WHERE id = :i FOR UPDATE"), {"i": held})
    with sending(rabbit, monkeypatch) as sender:
        first = sender.send_task(task, args=[run_a, officer_a])
        wait_for(
            lambda: owner.execute(locked, {"c": LOCK_CLASS, "r": report_a["id"]}).scalar_one() == 1,
            "A's run taken by a worker",
            timeout=20,
            interval=0.05,
        )
        again = sender.send_task(task, args=[run_a, officer_a])  # a second delivery of the same run
        assert again.get(timeout=20) == "busy"  # so the other worker: A's worker holds the lock
        other = sender.send_task(task, args=[run_b, officer_b])
        assert other.get(timeout=20) == "done"  # done while A's worker still waits
        assert owner.execute(waiting, {"i": run_a}).scalar_one() == "queued"  # A's claim not committed
        owner.rollback()  # the hold ends: A's step proceeds
        assert first.get(timeout=20) == "done"

    # Each worker consumed from the one queue: the one with A's run, the other with the rest.
    def logs() -> list[str]:
        return [log.read_text(errors="replace") for log in rabbit["logs"]]

    finished = [f"[{r.id}] succeeded" for r in (first, again, other)]
    wait_for(
        lambda: all(any(f in log for log in logs()) for f in finished), "the workers' logs", 20, interval=0.05
    )
    took_a = [n for n, log in enumerate(logs()) if finished[0] in log]
    assert len(took_a) == 1, logs()
    rest = logs()[1 - took_a[0]]
    assert f"[{again.id}] succeeded" in rest and f"[{other.id}] succeeded" in rest

    # Figures equal a direct count; each sub-unit counted once; the duplicate claimed nothing.
    assert tuple(run_row(owner, run_a)) == ("done", 3, 1)
    assert tuple(run_row(owner, run_b)) == ("done", 2, 1)
    for report, hamlets in ((report_a, t["ha"]), (report_b, t["hb"])):
        body = client.get(f"/api/v1/reports/{report['id']}", headers=oa if hamlets is t["ha"] else ob).json()
        assert body["figures"]["children"]["total"] == children_count(owner, hamlets)
        assert body["figures"]["injuries"]["total"] == 2 * len(hamlets)  # fall + drowning in each hamlet
        rows = owner.execute(
            text("SELECT unit_id FROM report_contributions WHERE report_id = :r ORDER BY unit_id"),
            {"r": report["id"]},
        ).scalars()
        assert list(rows) == sorted(h.id for h in hamlets)
