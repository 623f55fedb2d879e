"""The hazardous water points register: who records and reads which points (own hamlet, sibling hamlet,
the commune above, another commune, the district and province above, another district), bad input named
by field with nothing written, a removed point kept, photos in the S3-compatible server with access and
checksum checked again on download, and the report cells counted from the register value by value."""

from __future__ import annotations

import hashlib
import struct
import uuid
import zlib
from typing import Any

import pytest
from sqlalchemy import text

from infra.db import scoped_session
from infra.storage import get_storage
from tenancy.resolve import scope_for
from tests.reporting import act, consolidate, enter, hamlet_values, start
from tests.support import audit_rows, login, make_unit, make_user


def png(seed: int = 0) -> bytes:
    """A real 1x1 PNG (its colour varies with ``seed``)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"\x00" + bytes([seed % 256, 80, 160])
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def wtree(client: Any, database: object) -> dict[str, Any]:
    """Province P > districts D1 (communes A, B), D2 (commune C); hamlets A1, A2, B1, C1; staff on each."""
    from sqlalchemy.orm import Session

    from infra.db import admin_engine

    tag = uuid.uuid4().hex[:6]
    with Session(admin_engine(), expire_on_commit=False) as owner:
        p = make_unit(owner, None, "province", f"Tỉnh nước {tag}")
        d1, d2 = (make_unit(owner, p, "district", f"Huyện {k} {tag}") for k in (1, 2))
        a, b = (make_unit(owner, d1, "commune", f"Xã {k} {tag}") for k in ("A", "B"))
        c = make_unit(owner, d2, "commune", f"Xã C {tag}")
        a1, a2 = (make_unit(owner, a, "hamlet", f"Thôn A{k}") for k in (1, 2))
        b1, c1 = make_unit(owner, b, "hamlet", "Thôn B1"), make_unit(owner, c, "hamlet", "Thôn C1")
        staff = {
            "ca1": (a1, "collaborator"),
            "ca2": (a2, "collaborator"),
            "oa": (a, "ward_officer"),
            "ob": (b, "ward_officer"),
            "d1": (d1, "district_officer"),
            "d2": (d2, "district_officer"),
            "insp": (p, "provincial_inspector"),
        }
        for key, (unit, role) in staff.items():
            make_user(owner, f"wp-{key}-{tag}", role, unit.id)
    tree: dict[str, Any] = {"tag": tag, "p": p, "d1": d1, "d2": d2, "a": a, "b": b, "c": c}
    tree |= {"a1": a1, "a2": a2, "b1": b1, "c1": c1}
    tree["h"] = {key: login(client, f"wp-{key}-{tag}") for key in staff}
    return tree


def point(hamlet: Any, **overrides: Any) -> dict[str, Any]:
    body = {
        "hamlet_id": hamlet.id,
        "kind": "pond",
        "description": "Ao nhà ông Tư, sâu khoảng 2 m",
        "listed_on": "2025-01-10",
        "latitude": 11.5361,
        "longitude": 106.8823,
        "signed": True,
        "signed_on": "2025-02-01",
    }
    return body | overrides


def fields(response: Any) -> dict[str, str]:
    return {e["field"]: e["code"] for e in response.json()["errors"]}


def test_each_role_records_and_reads_its_own_area(client, owner, wtree):
    h, t = wtree["h"], wtree
    mine = client.post("/api/v1/water-points", headers=h["ca1"], json=point(t["a1"]))
    assert mine.status_code == 201, mine.text
    made = mine.json()
    assert made["signed"] and made["signed_on"] == "2025-02-01" and not made["fenced"]
    assert made["latitude"] == 11.5361 and made["hamlet"]["id"] == t["a1"].id
    # a sibling hamlet, another commune, and the levels above that only read: refused and audited
    for who, hamlet in (("ca1", "a2"), ("ob", "a1"), ("d1", "a1"), ("insp", "a1"), ("oa", "b1")):
        refused = client.post("/api/v1/water-points", headers=h[who], json=point(t[hamlet]))
        assert refused.status_code == 403, (who, hamlet, refused.text)
    refusals = audit_rows(owner, f"wp-d1-{t['tag']}", "denied")
    assert any(r["resource"] == "water_point" for r in refusals)
    a3 = make_unit(owner, t["a"], "hamlet", f"Thôn A3 {uuid.uuid4().hex[:4]}")  # this test's alone
    officer = client.post("/api/v1/water-points", headers=h["oa"], json=point(a3, kind="well"))
    assert officer.status_code == 201, officer.text
    other = client.post("/api/v1/water-points", headers=h["ob"], json=point(t["b1"], kind="river"))
    assert other.status_code == 201, other.text

    ids = {"a1": made["id"], "a3": officer.json()["id"], "b1": other.json()["id"]}

    def listed(who: str, **query: Any) -> set[int]:
        """The points of this test the caller lists (the module's other tests add their own)."""
        found = client.get("/api/v1/water-points", headers=h[who], params=query)
        assert found.status_code == 200, found.text
        return {p["id"] for p in found.json()["items"]} & set(ids.values())

    assert listed("ca1") == {ids["a1"]} and listed("ca2") == set()
    assert listed("oa") == {ids["a1"], ids["a3"]} and listed("ob") == {ids["b1"]}
    assert listed("d1") == set(ids.values()) and listed("d2") == set()
    assert listed("insp") == set(ids.values())
    assert listed("insp", unit_id=t["a"].id) == {ids["a1"], ids["a3"]}
    assert listed("d1", kind="well") == {ids["a3"]}
    counts = client.get("/api/v1/water-points", headers=h["d1"], params={"unit_id": a3.id}).json()["counts"]
    assert counts == {"listed": 1, "signed": 1, "fenced": 0, "removed": 0}
    outside = client.get("/api/v1/water-points", headers=h["d2"], params={"unit_id": t["a"].id})
    assert outside.status_code == 422 and fields(outside) == {"unit_id": "out_of_scope"}

    url = f"/api/v1/water-points/{ids['a1']}"
    for who, status in (("ca1", 200), ("oa", 200), ("d1", 200), ("insp", 200), ("ca2", 404), ("ob", 404)):
        assert client.get(url, headers=h[who]).status_code == status, who
    assert client.get(url, headers=h["d2"]).status_code == 404
    # reading is not changing: the district reads it but may not fence it; a sibling does not see it
    fence = {"fenced": True, "fenced_on": "2025-03-01"}
    assert client.patch(url, headers=h["d1"], json=fence).status_code == 403
    assert client.patch(url, headers=h["ca2"], json=fence).status_code == 404
    done = client.patch(url, headers=h["ca1"], json=fence | {"version": made["version"]})
    assert done.status_code == 200 and done.json()["fenced_on"] == "2025-03-01"
    stale = client.patch(url, headers=h["oa"], json={"description": "x", "version": made["version"]})
    assert stale.status_code == 409
    # row-level security agrees without the service: a sibling hamlet's scope neither reads nor changes the
    # row, the district's aggregate scope reads it but cannot change it
    for scope, seen in (
        (scope_for("collaborator", t["a2"].path), 0),
        (scope_for("district_officer", t["d1"].path), 1),
    ):
        with scoped_session(scope) as session:
            sql = "SELECT count(*) FROM water_points WHERE id = :i"
            assert session.execute(text(sql), {"i": ids["a1"]}).scalar_one() == seen
            changed = session.execute(
                text("UPDATE water_points SET description = 'x' WHERE id = :i"), {"i": ids["a1"]}
            )
            assert changed.rowcount == 0  # type: ignore[attr-defined]
    detail = client.get(url, headers=h["insp"]).json()
    assert [e["action"] for e in detail["history"]] == ["update", "create"]
    assert (
        detail["history"][0]["before"]["fenced_on"] is None
        and detail["history"][0]["by"] == f"wp-ca1-{t['tag']}"
    )


def test_bad_input_is_named_by_field_and_nothing_is_written(client, owner, wtree):
    h, t = wtree["h"], wtree
    before = owner.execute(text("SELECT count(*) FROM water_points")).scalar_one()
    bad = client.post(
        "/api/v1/water-points",
        headers=h["ca1"],
        json=point(
            t["a1"],
            kind="ocean",
            description="   ",
            latitude=48.85,
            longitude=2.35,
            signed_on=None,
            fenced=False,
            fenced_on="2025-01-01",
            listed_on="2099-01-01",
        ),
    )
    assert bad.status_code == 422, bad.text
    assert fields(bad) == {
        "kind": "not_listed",
        "description": "required",
        "listed_on": "future_date",
        "latitude": "out_of_vietnam",
        "longitude": "out_of_vietnam",
        "signed_on": "required",
        "fenced_on": "not_applicable",
    }
    half = client.post("/api/v1/water-points", headers=h["ca1"], json=point(t["a1"], longitude=None))
    assert half.status_code == 422 and fields(half) == {"longitude": "required"}
    hamlet = client.post("/api/v1/water-points", headers=h["oa"], json=point(t["a"]))
    assert hamlet.status_code == 422 and fields(hamlet) == {"hamlet_id": "not_a_hamlet"}
    shape = client.post("/api/v1/water-points", headers=h["ca1"], json=point(t["a1"], signed="yes"))
    assert shape.status_code in (400, 422)
    vi = client.post(
        "/api/v1/water-points",
        headers={**h["ca1"], "Accept-Language": "vi"},
        json=point(t["a1"], latitude=99.0),
    )
    assert vi.status_code == 422 and vi.json()["errors"][0]["field"] == "latitude"
    assert owner.execute(text("SELECT count(*) FROM water_points")).scalar_one() == before


def test_a_removed_point_stays_in_the_register(client, wtree):
    h, t = wtree["h"], wtree
    made = client.post("/api/v1/water-points", headers=h["ca2"], json=point(t["a2"], kind="pit")).json()
    url = f"/api/v1/water-points/{made['id']}"
    check = client.post(
        f"{url}/checks",
        headers=h["ca2"],
        json={"checked_on": "2025-04-02", "result": "Biển báo còn, chưa có rào chắn"},
    )
    assert check.status_code == 201 and check.json()["checked_by"] == f"Test wp-ca2-{t['tag']}"
    early = client.post(f"{url}/checks", headers=h["ca2"], json={"checked_on": "2024-01-01", "result": "x"})
    assert early.status_code == 422 and fields(early) == {"checked_on": "before_listed"}
    no_reason = client.post(f"{url}/remove", headers=h["ca2"], json={"on": "2025-05-20", "reason": " "})
    assert no_reason.status_code == 422 and fields(no_reason) == {"reason": "required"}
    assert (
        client.post(f"{url}/remove", headers=h["d1"], json={"on": "2025-05-20", "reason": "x"}).status_code
        == 403
    )
    removed = client.post(
        f"{url}/remove", headers=h["oa"], json={"on": "2025-05-20", "reason": "Hố đã được san lấp"}
    )
    assert removed.status_code == 200 and removed.json()["removed_on"] == "2025-05-20"
    assert client.patch(url, headers=h["oa"], json={"description": "y"}).status_code == 409
    open_ids = {p["id"] for p in client.get("/api/v1/water-points", headers=h["oa"]).json()["items"]}
    gone = client.get("/api/v1/water-points", headers=h["oa"], params={"status": "removed"}).json()
    assert made["id"] not in open_ids and made["id"] in {p["id"] for p in gone["items"]}
    detail = client.get(url, headers=h["d1"]).json()
    assert [e["action"] for e in detail["history"]] == ["remove", "check", "create"]
    assert detail["checks"][0]["result"] == "Biển báo còn, chưa có rào chắn"


def test_photos_are_stored_checked_and_read_again_under_access(client, owner, wtree):
    h, t = wtree["h"], wtree
    made = client.post("/api/v1/water-points", headers=h["ca1"], json=point(t["a1"], kind="lake")).json()
    url = f"/api/v1/water-points/{made['id']}/photos"
    image = png(7)
    up = client.post(url, headers=h["ca1"], files={"file": ("ao.png", image, "image/png")})
    assert up.status_code == 201, up.text
    photo = up.json()
    assert photo["sha256"] == hashlib.sha256(image).hexdigest() and photo["size_bytes"] == len(image)
    key = owner.execute(
        text("SELECT storage_key FROM water_point_photos WHERE id = :i"), {"i": photo["id"]}
    ).scalar_one()
    assert key == f"water-points/{made['id']}/{photo['id']}" and get_storage().get(key) == image
    for who, status in (
        ("ca1", 200),
        ("oa", 200),
        ("d1", 200),
        ("insp", 200),
        ("ca2", 404),
        ("ob", 404),
        ("d2", 404),
    ):
        got = client.get(photo["url"], headers=h[who])
        assert got.status_code == status, who
        if status == 200:
            assert got.content == image and got.headers["content-type"] == "image/png"
    # refused before anything is stored: a reader who may not change the point, and files that are not photos
    assert client.post(url, headers=h["d1"], files={"file": ("a.png", image, "image/png")}).status_code == 403
    assert (
        client.post(url, headers=h["ca2"], files={"file": ("a.png", image, "image/png")}).status_code == 404
    )
    text_file = client.post(url, headers=h["ca1"], files={"file": ("a.png", b"not an image", "image/png")})
    assert text_file.status_code == 415 and fields(text_file) == {"file": "not_a_photo"}
    lying = client.post(url, headers=h["ca1"], files={"file": ("a.jpg", image, "image/jpeg")})
    assert lying.status_code == 415 and fields(lying) == {"file": "type_mismatch"}
    big = client.post(
        url, headers=h["ca1"], files={"file": ("a.png", image + b"\0" * (5 * 1024 * 1024), "image/png")}
    )
    assert big.status_code == 413
    held = owner.execute(
        text("SELECT count(*) FROM water_point_photos WHERE point_id = :p"), {"p": made["id"]}
    ).scalar_one()
    assert held == 1
    # the stored object changed behind the portal's back: the checksum refuses it
    get_storage().put(key, png(8), "image/png")
    assert client.get(photo["url"], headers=h["ca1"]).status_code == 503
    detail = client.get(f"/api/v1/water-points/{made['id']}", headers=h["oa"]).json()
    assert [p["id"] for p in detail["photos"]] == [photo["id"]]


def test_the_report_counts_the_register_on_the_periods_last_day(client, owner, worker, wtree):
    """June 2025 in commune B: a point signed and fenced in time, one signed only in July, one removed in
    May, one listed in July, one removed in July (still there on 30 June); and hamlet B2 with one point."""
    h, t = wtree["h"], wtree
    b2 = make_unit(owner, t["b"], "hamlet", "Thôn B2")

    def add(hamlet: Any, **body: Any) -> int:
        made = client.post("/api/v1/water-points", headers=h["ob"], json=point(hamlet, **body))
        assert made.status_code == 201, made.text
        return int(made.json()["id"])

    add(t["b1"], fenced=True, fenced_on="2025-03-01")  # listed, signed, fenced
    add(t["b1"], signed_on="2025-07-15")  # signed after the period: listed only
    removed_may = add(t["b1"], signed=False, signed_on=None)
    add(t["b1"], listed_on="2025-07-02", signed=False, signed_on=None)  # listed after the period
    removed_july = add(t["b1"], signed_on="2025-01-05")  # removed after the period: listed and signed
    add(b2, signed=False, signed_on=None, fenced=True, fenced_on="2025-06-30")  # fenced on the last day
    for pid, day in ((removed_may, "2025-05-20"), (removed_july, "2025-07-10")):
        gone = client.post(
            f"/api/v1/water-points/{pid}/remove", headers=h["ob"], json={"on": day, "reason": "San lấp"}
        )
        assert gone.status_code == 200, gone.text
    # the point recorded in test_each_role... in B1 (listed 10/01, signed 01/02) counts too
    earlier = owner.execute(
        text(
            "SELECT count(*) FROM water_points WHERE hamlet_id = :h AND description LIKE 'Ao nhà%' AND kind = 'river'"
        ),
        {"h": t["b1"].id},
    ).scalar_one()

    hamlets = []
    for hamlet in (t["b1"], b2):  # no children in these hamlets: nobody took part in the Action Month
        report = enter(client, h["ob"], start(client, h["ob"], hamlet, "2025-06"), hamlet_values(0))
        report = act(client, h["ob"], report["id"], "submit", version=report["version"])
        hamlets.append(act(client, h["ob"], report["id"], "approve", version=report["version"]))
    b1_figures, b2_figures = (r["figures"]["water_points"] for r in hamlets)
    assert b1_figures == {"listed": 3 + earlier, "signed": 2 + earlier, "fenced": 1}
    assert b2_figures == {"listed": 1, "signed": 0, "fenced": 1}
    july = start(client, h["ob"], t["b1"], "2025-07")["figures"]["water_points"]
    assert july == {"listed": 3 + earlier, "signed": 2 + earlier, "fenced": 1}  # the July changes counted
    commune = consolidate(client, h["ob"], start(client, h["ob"], t["b"], "2025-06")["id"])
    assert commune["figures"]["water_points"] == {
        "listed": 4 + earlier,
        "signed": 2 + earlier,
        "fenced": 2,
    }
    # A point typed into a draft before the register existed no longer blocks it, and the stored figures
    # of an approved report stay as they were approved.
    draft = start(client, h["ob"], t["b1"], "2025-05")
    owner.execute(
        text('UPDATE reports SET entered = entered || \'{"water_points": {"listed": 9}}\' WHERE id = :i'),
        {"i": draft["id"]},
    )
    owner.commit()
    saved = client.put(
        f"/api/v1/reports/{draft['id']}/values",
        headers=h["ob"],
        json={"values": {"injuries": {"fall": 0}}},
    )
    assert saved.status_code == 200, saved.text
    assert "water_points" not in saved.json()["entered"]
    owner.execute(
        text("UPDATE reports SET figures = jsonb_set(figures, '{water_points,listed}', '7') WHERE id = :i"),
        {"i": hamlets[0]["id"]},
    )
    owner.commit()
    kept = client.get(f"/api/v1/reports/{hamlets[0]['id']}", headers=h["ob"]).json()
    assert kept["status"] == "approved" and kept["figures"]["water_points"]["listed"] == 7
