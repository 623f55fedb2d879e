"""Attachments through the real S3-compatible server (moto_server, minio client): round trip with the
checksum, type read from the content, size limit, access checked again on every download, audited."""

from __future__ import annotations

import hashlib
import io
import uuid
import zlib

import pytest
from minio import Minio
from sqlalchemy import text

from infra.settings import get_settings
from portal.cases.attachments import MAX_BYTES
from tests.cases_support import act, build_world, child_in, intake_body, open_case, who
from tests.support import audit_rows


@pytest.fixture(scope="module")
def world(database):
    from sqlalchemy.orm import Session

    from infra.db import admin_engine

    with Session(admin_engine(), expire_on_commit=False) as owner:
        return build_world(owner)


def png(width: int = 4) -> bytes:
    """A real (tiny) PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(width))
    header = width.to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00"
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(client, headers, case_id, name, data, content_type):
    return client.post(
        f"/api/v1/cases/{case_id}/attachments",
        headers=headers,
        files={"data": (name, io.BytesIO(data), content_type)},
    )


def stored(key: str) -> bytes:
    s = get_settings()
    response = Minio(s.s3_endpoint, s.s3_access_key, s.s3_secret_key, secure=False).get_object(
        s.s3_bucket, key
    )
    try:
        return response.read()
    finally:
        response.close()
        response.release_conn()


@pytest.fixture()
def case(client, owner, world):
    wo = who(client, world, "wo")
    return open_case(
        client, wo, intake_body(child_in(owner, world["units"]["H1"]), assigned_to=world["users"]["col1"])
    )


def test_round_trip_through_the_s3_server_with_checksum(client, owner, world, case):
    col1 = who(client, world, "col1")
    image = png()
    response = upload(client, col1, case["id"], "ảnh vết thương.png", image, "image/png")
    assert response.status_code == 201, response.text
    meta = response.json()
    assert meta["sha256"] == hashlib.sha256(image).hexdigest() and meta["size_bytes"] == len(image)
    assert meta["content_type"] == "image/png" and meta["filename"] == "ảnh vết thương.png"
    key = owner.execute(
        text("SELECT storage_key FROM case_attachments WHERE id = :i"), {"i": meta["id"]}
    ).scalar_one()
    assert key == f"cases/{case['id']}/{meta['id']}" and stored(key) == image  # really in the bucket

    down = client.get(f"/api/v1/cases/{case['id']}/attachments/{meta['id']}", headers=col1)
    assert down.status_code == 200 and down.content == image
    assert down.headers["content-type"].startswith("image/png")
    assert down.headers["x-content-type-options"] == "nosniff" and down.headers["cache-control"] == "no-store"
    assert "filename*=UTF-8''%E1%BA%A3nh" in down.headers["content-disposition"]
    pdf = upload(client, col1, case["id"], "../../bien-ban.pdf", PDF, "application/pdf").json()
    assert pdf["filename"] == "bien-ban.pdf"  # no path from the client survives
    view = client.get(f"/api/v1/cases/{case['id']}", headers=col1).json()
    assert [a["id"] for a in view["attachments"]] == [meta["id"], pdf["id"]]
    downloads = [r for r in audit_rows(owner, f"cs-col1-{world['tag']}") if r["action"] == "download"]
    assert downloads[-1]["resource_ids"] == [case["id"], meta["id"]]


def test_oversize_and_wrong_type_are_refused_and_nothing_is_stored(client, owner, world, case):
    col1 = who(client, world, "col1")
    big = png() + b"\x00" * (MAX_BYTES + 1 - len(png()))
    too_big = upload(client, col1, case["id"], "big.png", big, "image/png")
    assert too_big.status_code == 413
    assert too_big.json()["errors"] == [
        {"field": "file", "message": "is larger than 10 MB", "code": "too_large"}
    ]

    exe = upload(client, col1, case["id"], "photo.jpg", b"MZ\x90\x00not an image", "image/jpeg")
    assert exe.status_code == 415 and exe.json()["errors"][0]["code"] == "unsupported_type"
    html = upload(client, col1, case["id"], "x.html", b"<html><script>alert(1)</script>", "text/html")
    assert html.status_code == 415
    lying = upload(client, col1, case["id"], "scan.pdf", png(), "application/pdf")
    assert lying.status_code == 415 and lying.json()["errors"][0]["code"] == "type_mismatch"
    empty = upload(client, col1, case["id"], "empty.png", b"", "image/png")
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "file"
    huge = upload(client, col1, case["id"], "huge.png", b"\x00" * (MAX_BYTES + 1024 * 1024), "image/png")
    assert huge.status_code == 413  # refused by the server before the handler reads it
    assert (
        owner.execute(
            text("SELECT count(*) FROM case_attachments WHERE case_id = :c"), {"c": case["id"]}
        ).scalar()
        == 0
    )
    s = get_settings()
    client_s3 = Minio(s.s3_endpoint, s.s3_access_key, s.s3_secret_key, secure=False)
    # The bucket is made by the first document stored: run first, this test finds none at all.
    if client_s3.bucket_exists(s.s3_bucket):
        assert list(client_s3.list_objects(s.s3_bucket, prefix=f"cases/{case['id']}/", recursive=True)) == []


def test_download_checks_access_again_every_time(client, owner, world, case):
    wo, col1, col1b, col2 = (who(client, world, k) for k in ("wo", "col1", "col1b", "col2"))
    meta = upload(client, col1, case["id"], "report.pdf", PDF, "application/pdf").json()
    url = f"/api/v1/cases/{case['id']}/attachments/{meta['id']}"
    assert client.get(url, headers=col1).status_code == 200
    assert client.get(url, headers=col2).status_code == 404  # a collaborator of another hamlet: never
    assert client.get(url, headers=who(client, world, "dist")).status_code == 403
    assert client.get(url, headers=who(client, world, "insp")).status_code == 403
    act(client, wo, case, "assign", user_id=world["users"]["col1b"])
    assert client.get(url, headers=col1).status_code == 404  # no longer the worker: the same link fails
    assert client.get(url, headers=col1b).status_code == 200
    assert upload(client, col1, case["id"], "more.pdf", PDF, "application/pdf").status_code == 404
    other = open_case(client, wo, intake_body(child_in(owner, world["units"]["H2"])))
    assert client.get(f"/api/v1/cases/{other['id']}/attachments/{meta['id']}", headers=wo).status_code == 404
    denied = audit_rows(owner, f"cs-col1-{world['tag']}", "denied")
    assert any(r["resource_ids"] == [case["id"]] and r["action"] == "read" for r in denied)


def test_tampered_object_is_not_served(client, owner, world, case):
    col1 = who(client, world, "col1")
    meta = upload(client, col1, case["id"], "a.png", png(), "image/png").json()
    s = get_settings()
    key = f"cases/{case['id']}/{meta['id']}"
    Minio(s.s3_endpoint, s.s3_access_key, s.s3_secret_key, secure=False).put_object(
        s.s3_bucket, key, io.BytesIO(png(8)), len(png(8)), content_type="image/png"
    )
    response = client.get(f"/api/v1/cases/{case['id']}/attachments/{meta['id']}", headers=col1)
    assert response.status_code == 503 and "checksum" in response.json()["detail"]


def test_a_rolled_back_upload_leaves_no_object(owner, world, case):
    """The object is written before the row; when the transaction fails, the object is removed."""
    from authz.caller import Caller
    from infra.db import new_session
    from infra.storage import ObjectMissing, get_storage
    from portal.auth.models import User
    from portal.cases import attachments
    from tenancy.models import Unit
    from tenancy.resolve import scope_for

    user = owner.get(User, world["users"]["wo"])  # the ward officer, as a request would build them
    unit = owner.get(Unit, user.unit_id)
    caller = Caller(user.id, user.username, user.full_name, user.role, unit, scope_for(user.role, unit.path))
    session = new_session(caller.scope, caller.user_id)
    try:
        row = attachments.upload(session, caller, uuid.UUID(case["id"]), "x.png", "image/png", png())
        assert get_storage().get(row.storage_key) == png()
        session.rollback()
    finally:
        session.close()
    with pytest.raises(ObjectMissing):
        get_storage().get(row.storage_key)
    assert (
        owner.execute(text("SELECT count(*) FROM case_attachments WHERE id = :i"), {"i": row.id}).scalar()
        == 0
    )
