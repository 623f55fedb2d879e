"""Exports through a real Celery worker into the S3-compatible server, with access re-checked."""

from __future__ import annotations

import hashlib
import io
import time
import uuid

import urllib3
from minio import Minio
from openpyxl import load_workbook
from sqlalchemy import text
from sqlalchemy.orm import Session

from infra.db import admin_engine
from infra.settings import get_settings
from infra.storage import S3Storage
from portal.exports.models import Export
from tests.services import free_port
from tests.support import hamlets_of, login, make_user, unit


def wait_for_export(client, headers, export_id, timeout=90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/exports/{export_id}", headers=headers).json()
        if body["status"] in ("done", "failed"):
            return body
        time.sleep(0.25)
    raise AssertionError(f"export {export_id} not finished in {timeout}s: {body}")


def active_children(owner, path):
    return (
        owner.execute(
            text(
                "SELECT full_name FROM children WHERE unit_path >= :p AND unit_path < :e "
                "AND status = 'active'"
            ),
            {"p": path, "e": path[:-1] + "0"},
        )
        .scalars()
        .all()
    )


def test_ward_export_round_trip_through_worker_and_s3(client, owner, worker):
    officer = login(client, "demo-officer", "demo-password")
    ward = unit(owner, "commune", "00340")
    queued = client.post(f"/api/v1/units/{ward.id}/exports", headers=officer)
    assert queued.status_code == 202 and queued.json()["status"] == "queued"
    done = wait_for_export(client, officer, queued.json()["id"])
    assert done["status"] == "done", done
    expected = active_children(owner, ward.path)
    assert done["row_count"] == len(expected) > 0

    response = client.get(f"/api/v1/exports/{done['id']}/download", headers=officer)
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == done["sha256"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:3] == ("STT", "Họ và tên", "Ngày sinh")
    assert sorted(r[1] for r in rows[2:]) == sorted(expected)

    s = get_settings()  # the object really is in the S3-compatible server
    stored = (
        Minio(s.s3_endpoint, s.s3_access_key, s.s3_secret_key, secure=False)
        .get_object(s.s3_bucket, f"exports/{done['id']}.xlsx")
        .read()
    )
    assert hashlib.sha256(stored).hexdigest() == done["sha256"]


def test_export_access_is_checked_again_on_download(client, owner, worker):
    officer = login(client, "demo-officer", "demo-password")
    ward = unit(owner, "commune", "00340")
    export_id = client.post(f"/api/v1/units/{ward.id}/exports", headers=officer).json()["id"]
    assert wait_for_export(client, officer, export_id)["status"] == "done"
    collab = login(client, "demo-collab-2", "demo-password")
    assert client.get(f"/api/v1/exports/{export_id}", headers=collab).status_code == 404
    assert client.get(f"/api/v1/exports/{export_id}/download", headers=collab).status_code == 404
    inspector = login(client, "demo-inspector", "demo-password")
    assert client.get(f"/api/v1/exports/{export_id}/download", headers=inspector).status_code == 403
    assert client.post(f"/api/v1/units/{ward.id}/exports", headers=inspector).status_code == 403


def test_collaborator_export_holds_only_their_hamlet(client, owner, worker):
    collab = login(client, "demo-collab-1", "demo-password")
    hamlet_id = client.get("/api/v1/me", headers=collab).json()["unit"]["id"]
    ward = unit(owner, "commune", "00340")
    assert client.post(f"/api/v1/units/{ward.id}/exports", headers=collab).status_code == 403
    export_id = client.post(f"/api/v1/units/{hamlet_id}/exports", headers=collab).json()["id"]
    done = wait_for_export(client, collab, export_id)
    hamlet = next(h for h in hamlets_of(owner, ward) if h.id == hamlet_id)
    assert done["row_count"] == len(active_children(owner, hamlet.path))


def test_storage_down_keeps_the_export_and_marks_it_failed_for_retry(client, owner, monkeypatch):
    """A real connection to a port where nothing listens: every retry fails, nothing is half-done."""
    import tasks.exports as export_tasks

    officer = login(client, "demo-officer", "demo-password")
    ward = unit(owner, "commune", "00340")
    # Arranged directly (not via the API) so the running worker never picks this export up.
    officer_id = owner.execute(text("SELECT id FROM users WHERE username = 'demo-officer'")).scalar_one()
    export_id = str(_queued_export(owner, ward, officer_id))
    owner.commit()
    no_retry = urllib3.PoolManager(retries=urllib3.Retry(total=0), timeout=2)
    dead = S3Storage(Minio(f"127.0.0.1:{free_port()}", "x", "y", secure=False, http_client=no_retry), "dead")
    monkeypatch.setattr(export_tasks, "get_storage", lambda: dead)
    export_tasks.build_export.apply(args=[export_id, officer_id])  # eager: runs every retry in turn
    body = client.get(f"/api/v1/exports/{export_id}", headers=officer).json()
    assert body["status"] == "failed" and "StorageUnavailable" in body["error"]
    assert body["attempts"] == export_tasks.MAX_RETRIES + 1 and body["sha256"] is None
    assert client.get(f"/api/v1/exports/{export_id}/download", headers=officer).status_code == 409
    again = client.post(f"/api/v1/exports/{export_id}/retry", headers=officer)
    assert again.status_code == 202 and again.json()["status"] == "queued"
    assert wait_for_export(client, officer, export_id)["status"] == "done"  # the real worker, storage back


def test_an_export_whose_requester_is_deactivated_before_the_worker_runs_it_is_refused(
    client, owner, worker, uid
):
    """The task carries the requester's id and resolves their scope again: an account deactivated
    between the request and the run gets nothing built, and the export ends failed saying why."""
    from tasks.celery_app import app

    ward = unit(owner, "commune", "00340")
    officer_id = owner.execute(text("SELECT id FROM users WHERE username = 'demo-officer'")).scalar_one()
    leaver = make_user(owner, f"leaver-{uid}", "ward_officer", ward.id)
    headers = login(client, leaver.username)

    # Keep the worker (one task at a time) busy on an export whose row this test holds locked, so
    # the leaver's export waits in the queue behind it until the account is deactivated.
    blocker = _queued_export(owner, ward, officer_id)
    owner.commit()
    owner.execute(text("SELECT id FROM exports WHERE id = :i FOR UPDATE"), {"i": blocker})
    try:
        app.send_task("tasks.exports.build_export", args=[str(blocker), officer_id])
        queued = client.post(f"/api/v1/units/{ward.id}/exports", headers=headers)
        assert queued.status_code == 202 and queued.json()["status"] == "queued"
        with Session(admin_engine()) as other:
            other.execute(text("UPDATE users SET is_active = false WHERE id = :i"), {"i": leaver.id})
            other.commit()
    finally:
        owner.rollback()  # the worker takes the blocker, then the leaver's export

    def row(export_id):
        owner.rollback()
        return owner.get(Export, export_id, populate_existing=True)

    deadline = time.monotonic() + 90
    while row(uuid.UUID(queued.json()["id"])).status == "queued" and time.monotonic() < deadline:
        time.sleep(0.25)
    refused = row(uuid.UUID(queued.json()["id"]))
    assert refused.status == "failed" and "inactive" in (refused.error or ""), refused.error
    assert refused.attempts == 0 and refused.storage_key is None and refused.sha256 is None
    assert row(blocker).status == "done"  # the worker itself was fine
    # Idempotent: the same message delivered again changes nothing.
    app.send_task("tasks.exports.build_export", args=[str(refused.id), leaver.id]).get(timeout=90)
    again = row(refused.id)
    assert (again.status, again.error, again.attempts) == ("failed", refused.error, 0)


def test_an_export_whose_requester_lost_the_right_or_the_area_is_refused(client, owner, uid):
    """Run in this process (eager), as the worker runs it: the requester's role and unit are read again."""
    import tasks.exports as export_tasks

    ward = unit(owner, "commune", "00340")
    other = unit(owner, "commune", "00139")
    cases = {
        "role": (
            "UPDATE users SET role = 'provincial_inspector' WHERE id = :i",
            "may no longer create export",
        ),
        "area": ("UPDATE users SET unit_id = :o WHERE id = :i", "outside the requester's area"),
    }
    for name, (change, reason) in cases.items():
        user = make_user(owner, f"moved-{name}-{uid}", "ward_officer", ward.id)
        export_id = _queued_export(owner, ward, user.id)
        owner.execute(text(change), {"i": user.id, "o": other.id})
        owner.commit()
        export_tasks.build_export.apply(args=[str(export_id), user.id])
        owner.rollback()
        row = owner.get(Export, export_id, populate_existing=True)
        assert row is not None and row.status == "failed" and reason in (row.error or ""), (name, row.error)
        assert row.attempts == 0 and row.storage_key is None


def _queued_export(owner, ward, requested_by: int) -> uuid.UUID:
    """A queued child-register export of ``ward`` arranged directly (no task is sent for it)."""
    export_id = uuid.uuid4()
    owner.add(
        Export(
            id=export_id,
            kind="child_register",
            unit_id=ward.id,
            unit_path=ward.path,
            requested_by=requested_by,
            status="queued",
            attempts=0,
        )
    )
    return export_id
