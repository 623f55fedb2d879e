"""Faults lose nothing: a worker killed in the middle of a consolidation, and storage down while a
report document is built."""

from __future__ import annotations

import os
import uuid

import urllib3
from minio import Minio
from sqlalchemy import text

from infra.storage import S3Storage
from portal.reports.models import ConsolidationRun, ReportDocument
from tests.reporting import COMMUNE_VALUES, approved_hamlets, build_tree, enter, start, wait_run, who
from tests.services import free_port, start_worker, stop, wait_for


def run_row(owner, run_id):
    return owner.execute(
        text("SELECT status, done_units, attempts FROM consolidation_runs WHERE id = :i"), {"i": run_id}
    ).one()


def test_a_worker_killed_mid_consolidation_is_finished_by_the_next_run_counting_nothing_twice(
    client, owner, worker, tmp_path, monkeypatch
):
    t = build_tree(owner)
    officer = who(client, t, "oa")
    hamlets = approved_hamlets(client, officer, t["ha"], "2025-06")
    commune = enter(client, officer, start(client, officer, t["a"], "2025-06"), COMMUNE_VALUES)
    expected = sum(h["figures"]["children"]["total"] for h in hamlets)
    officer_id = owner.execute(
        text("SELECT id FROM users WHERE username = :u"), {"u": f"rp-oa-{t['tag']}"}
    ).scalar()
    run = ConsolidationRun(
        report_id=commune["id"], with_missing=False, total_units=3, requested_by=officer_id
    )
    owner.add(run)
    owner.commit()
    run_id = run.id

    # A worker of its own (one sub-unit per step), on a queue nobody else reads.
    queue = f"kill-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("CELERY_QUEUE", queue)
    monkeypatch.setenv("CONSOLIDATION_CHUNK", "1")
    doomed = start_worker(tmp_path / "doomed.log")
    monkeypatch.undo()
    try:
        # Hold the report of the hamlet counted last (name order) so the run stops there, two steps done.
        last = max(t["ha"], key=lambda h: h.name)
        held = next(h["id"] for h in hamlets if h["unit"]["id"] == last.id)
        owner.execute(text("SELECT id FROM reports WHERE id = :i FOR UPDATE"), {"i": held})
        from tasks.celery_app import app

        app.send_task("tasks.reports.consolidate", args=[run_id, officer_id], queue=queue)
        wait_for(lambda: run_row(owner, run_id).done_units == 2, what="two steps done")
        os.kill(doomed.pid, 9)
        doomed.wait(timeout=30)
    finally:
        owner.rollback()
        stop(doomed)
    assert tuple(run_row(owner, run_id)) == ("running", 2, 1)

    # The officer asks again: the same run is sent again and a live worker finishes it.
    again = client.post(f"/api/v1/reports/{commune['id']}/consolidate", headers=officer, json={})
    assert again.status_code == 202 and again.json()["id"] == run_id
    done = wait_run(client, officer, run_id)
    assert done["status"] == "done" and done["attempts"] == 2 and done["done_units"] == 3
    report = client.get(f"/api/v1/reports/{commune['id']}", headers=officer).json()
    assert report["figures"]["children"]["total"] == expected
    assert report["figures"]["injuries"]["total"] == 3 * 2
    contributions = owner.execute(
        text("SELECT count(*) FROM report_contributions WHERE report_id = :r"), {"r": commune["id"]}
    ).scalar_one()
    assert contributions == 3


def test_storage_down_marks_the_document_failed_for_retry_and_the_report_stays_intact(
    client, owner, worker, monkeypatch
):
    import portal.stored_documents as documents
    import tasks.reports as report_tasks

    t = build_tree(owner)
    officer = who(client, t, "oa")
    report = approved_hamlets(client, officer, t["ha"][:1], "2025-06")[0]
    officer_id = owner.execute(
        text("SELECT id FROM users WHERE username = :u"), {"u": f"rp-oa-{t['tag']}"}
    ).scalar()
    doc_id = uuid.uuid4()  # arranged directly so the running worker never picks it up
    owner.add(
        ReportDocument(
            id=doc_id,
            report_id=report["id"],
            format="pdf",
            report_version=report["version"],
            suppressed=False,
            status="queued",
            attempts=0,
            requested_by=officer_id,
        )
    )
    owner.commit()
    no_retry = urllib3.PoolManager(retries=urllib3.Retry(total=0), timeout=2)
    dead = S3Storage(Minio(f"127.0.0.1:{free_port()}", "x", "y", secure=False, http_client=no_retry), "dead")
    monkeypatch.setattr(documents, "get_storage", lambda: dead)
    report_tasks.build_report_document.apply(args=[str(doc_id), officer_id])  # eager: every retry in turn
    body = client.get(f"/api/v1/report-documents/{doc_id}", headers=officer).json()
    assert body["status"] == "failed" and "StorageUnavailable" in body["error"]
    assert body["attempts"] == report_tasks.MAX_RETRIES + 1 and body["sha256"] is None
    assert client.get(f"/api/v1/report-documents/{doc_id}/download", headers=officer).status_code == 409
    intact = client.get(f"/api/v1/reports/{report['id']}", headers=officer).json()
    assert intact["status"] == "approved" and intact["version"] == report["version"]
    assert intact["figures"] == report["figures"]
    again = client.post(f"/api/v1/report-documents/{doc_id}/retry", headers=officer)
    assert again.status_code == 202 and again.json()["status"] == "queued"
    monkeypatch.undo()
    done = wait_for(
        lambda: (
            (b := client.get(f"/api/v1/report-documents/{doc_id}", headers=officer).json())["status"]
            in ("done", "failed")
            and b
        ),
        what="document built",
    )
    assert done["status"] == "done"
