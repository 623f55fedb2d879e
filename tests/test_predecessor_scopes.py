"""Predecessor scopes: staff of a unit made by a reorganisation read the history of the units that became
it, and only those, only as of days before the change, and only to read.

The reported case ("the new Yên Sở officer gets 403 on the old Yên Sở's history; an inspector reassigned
to the 2025 Hà Nội cannot read the old Hà Nội's historical view") on a small tree of its own: old province
OP (communes A, B, C in district D1) becomes NP (A and B merged into N1, C into N2); old province OQ
(commune Q) becomes NQ (N3). Reports of A, C and OQ for December 2024 stay keyed by the old units.
"""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from infra.db import admin_engine
from portal.registry.models import Child
from portal.registry.text import fold, sort_key
from portal.reports.models import Report, ReportDefinition
from portal.stats import layer
from portal.stats.disclosure import month_start, period_key, publish
from tenancy import reorg
from tests.support import login, make_unit, make_user

EFFECTIVE = date(2025, 7, 1)
BEFORE = date(2025, 6, 30)
FIGURES = {"children": {"total": 12, "male": 9, "female": 3, "0-5": 12, "6-9": 0, "10-13": 0, "14-15": 0}}


def _children(owner: Session, hamlet, n: int) -> None:
    for i in range(n):
        name = f"Trẻ {hamlet.name} {i}"
        owner.add(
            Child(
                id=uuid.uuid4(),
                hamlet_id=hamlet.id,
                unit_path=hamlet.path,
                full_name=name,
                search_name=fold(name),
                sort_name=sort_key(name),
                date_of_birth=date(2018, 1, 1 + i),
                sex="female" if i % 2 else "male",
                ethnicity="Kinh",
                school_status="primary",
                status="active",
            )
        )
    owner.commit()


def _report(owner: Session, unit, period: str = "2024-12") -> int:
    monthly = owner.scalar(select(ReportDefinition.id).where(ReportDefinition.code == "monthly"))
    year, month = (int(x) for x in period.split("-"))
    report = Report(
        definition_id=monthly,
        unit_id=unit.id,
        period=period,
        period_start=date(year, month, 1),
        period_end=date(year, month, 28),
        status="submitted",
        figures=FIGURES,
        entered={},
        missing_units=[],
    )
    owner.add(report)
    owner.commit()
    return report.id


def _reorg(owner: Session, merges) -> int:
    rid = owner.execute(
        text(
            "INSERT INTO reorganisations (code, name, legal_basis, effective_date) "
            "VALUES (:c, 'Thử', 'Nghị quyết thử 2/2025', :d) RETURNING id"
        ),
        {"c": f"P-{uuid.uuid4().hex[:8]}", "d": EFFECTIVE},
    ).scalar_one()
    for seq, (source, target) in enumerate(merges, start=1):
        owner.execute(
            text(
                "INSERT INTO reorg_operations (reorg_id, seq, kind, source_unit_id, target_unit_id) "
                "VALUES (:r, :s, 'merge', :src, :t)"
            ),
            {"r": rid, "s": seq, "src": source.id, "t": target.id},
        )
    owner.commit()
    return rid


def build(owner: Session) -> dict:
    tag = uuid.uuid4().hex[:6]
    op = make_unit(owner, None, "province", f"Tỉnh cũ P {tag}", valid_to=EFFECTIVE)
    oq = make_unit(owner, None, "province", f"Tỉnh cũ Q {tag}", valid_to=EFFECTIVE)
    d1 = make_unit(owner, op, "district", f"Huyện 1 {tag}", valid_to=EFFECTIVE)
    dq = make_unit(owner, oq, "district", f"Huyện Q {tag}", valid_to=EFFECTIVE)
    a, b, c = (make_unit(owner, d1, "commune", f"Xã {k} {tag}") for k in ("A", "B", "C"))
    q = make_unit(owner, dq, "commune", f"Xã Q {tag}")
    np_ = make_unit(owner, None, "province", f"Tỉnh mới P {tag}", valid_from=EFFECTIVE)
    nq = make_unit(owner, None, "province", f"Tỉnh mới Q {tag}", valid_from=EFFECTIVE)
    n1, n2 = (make_unit(owner, np_, "commune", f"Xã mới {k} {tag}", valid_from=EFFECTIVE) for k in (1, 2))
    n3 = make_unit(owner, nq, "commune", f"Xã mới 3 {tag}", valid_from=EFFECTIVE)
    hamlets = {key: make_unit(owner, parent, "hamlet", "Thôn 1") for key, parent in (("ha", a), ("hb", b))}
    hamlets |= {"hc": make_unit(owner, c, "hamlet", "Thôn 1"), "hq": make_unit(owner, q, "hamlet", "Thôn 1")}
    for k, h in enumerate(hamlets.values()):
        _children(owner, h, 6 + k)
    reports = {key: _report(owner, unit) for key, unit in (("a", a), ("c", c), ("op", op), ("oq", oq))}
    for role, key, unit in (
        ("ward_officer", "n1", n1),
        ("ward_officer", "n2", n2),
        ("provincial_inspector", "np", np_),
        ("provincial_inspector", "nq", nq),
    ):
        make_user(owner, f"ps-{key}-{tag}", role, unit.id)
    rid = _reorg(owner, [(a, n1), (b, n1), (c, n2), (q, n3)])
    reorg.apply(owner, rid, "test", confirm_access_gains=True)
    owner.commit()
    layer.refresh_dirty(owner)
    units = {"op": op, "oq": oq, "d1": d1, "a": a, "b": b, "c": c, "q": q, "np": np_, "nq": nq, "n1": n1}
    return {"tag": tag, "rid": rid, "reports": reports, **units, "n2": n2, "n3": n3, **hamlets}


@pytest.fixture(scope="module")
def world(database):
    owner = Session(admin_engine(), expire_on_commit=False)
    built = build(owner)
    owner.close()
    return built


def as_(client, world, key):
    return login(client, f"ps-{key}-{world['tag']}")


def stats(client, headers, unit, as_of=BEFORE, structure="historical"):
    params = {"structure": structure} | ({"as_of": as_of.isoformat()} if as_of else {})
    return client.get(f"/api/v1/units/{unit.id}/stats", headers=headers, params=params)


def test_the_reorganisation_records_who_became_whom(owner, world):
    pairs = set(
        owner.execute(
            text("SELECT predecessor_id, successor_id FROM unit_successions WHERE reorg_id = :r"),
            {"r": world["rid"]},
        ).tuples()
    )
    w = world
    expected = {(w["a"].id, w["n1"].id), (w["b"].id, w["n1"].id), (w["c"].id, w["n2"].id)}
    expected |= {(w["q"].id, w["n3"].id), (w["op"].id, w["np"].id), (w["oq"].id, w["nq"].id)}
    assert pairs == expected  # the abolished district has no counterpart: it is read through its province


def test_the_successor_officer_reads_the_old_communes_history(client, world):
    officer = as_(client, world, "n1")
    answer = stats(client, officer, world["a"])
    assert answer.status_code == 200, answer.text  # was 403: the reported case
    body = answer.json()
    assert body["suppressed"] is False and body["total"] == 6  # exact, as the commune's own staff read it
    assert stats(client, officer, world["b"]).json()["total"] == 7  # both communes merged into N1
    assert client.get(f"/api/v1/units/{world['a'].id}", headers=officer).status_code == 200

    report_id = world["reports"]["a"]
    read = client.get(f"/api/v1/reports/{report_id}", headers=officer)
    assert read.status_code == 200, read.text
    assert read.json()["suppressed"] is False and read.json()["allowed_actions"] == []
    assert read.json()["figures"]["children"]["total"] == 12
    listed = client.get("/api/v1/reports", headers=officer, params={"unit_id": world["a"].id}).json()
    assert [r["id"] for r in listed["items"]] == [report_id]


def test_a_neighbours_old_commune_stays_out_of_reach(client, world):
    officer = as_(client, world, "n1")
    assert stats(client, officer, world["c"]).status_code == 403  # C went to N2
    assert stats(client, officer, world["d1"]).status_code == 403  # the old district is not a predecessor
    assert client.get(f"/api/v1/reports/{world['reports']['c']}", headers=officer).status_code == 404
    assert client.get(f"/api/v1/reports/{world['reports']['op']}", headers=officer).status_code == 404
    listed = client.get("/api/v1/reports", headers=officer, params={"unit_id": world["c"].id}).json()
    assert listed["items"] == []
    assert client.get(f"/api/v1/units/{world['c'].id}", headers=officer).status_code == 403


def test_history_is_read_only_and_only_before_the_change(client, world):
    officer = as_(client, world, "n1")
    report_id = world["reports"]["a"]
    for action in ("approve", "return", "submit"):
        refused = client.post(f"/api/v1/reports/{report_id}/{action}", headers=officer, json={})
        assert refused.status_code == 404, (action, refused.text)
    assert stats(client, officer, world["a"], as_of=EFFECTIVE).status_code == 403  # the day it closed
    assert stats(client, officer, world["a"], as_of=None).status_code == 403  # a current read: unchanged
    assert stats(client, officer, world["a"], structure="current").status_code == 200  # the old tree's day
    assert client.get(f"/api/v1/units/{world['a'].id}/children", headers=officer).status_code == 403


def test_the_reassigned_inspector_reads_the_old_provinces_view_as_aggregates(client, world):
    inspector = as_(client, world, "np")
    answer = stats(client, inspector, world["op"])
    assert answer.status_code == 200, answer.text  # was 403: the reported case
    body = answer.json()
    assert body["suppressed"] is True and body["disclosure"] is not None  # published, never exact
    n, keysum = _layer_total(world["op"])
    assert n == 6 + 7 + 8 and body["total"] == publish(n, keysum, period_key(month_start(BEFORE)))
    read = client.get(f"/api/v1/reports/{world['reports']['op']}", headers=inspector)
    assert read.status_code == 200 and read.json()["suppressed"] is True
    assert read.json()["allowed_actions"] == []
    assert client.get(f"/api/v1/reports/{world['reports']['a']}", headers=inspector).status_code == 200
    assert client.get(f"/api/v1/units/{world['a'].id}/children", headers=inspector).status_code == 403

    summary = {"from": "2025-06-01", "to": BEFORE.isoformat()}  # its staff's audit entries stay under it
    path = f"/api/v1/units/{world['op'].id}/audit-summary"
    assert client.get(path, headers=inspector, params=summary).status_code == 200
    assert client.get(path, headers=inspector).status_code == 403  # the last 30 days: a current read
    other_path = f"/api/v1/units/{world['oq'].id}/audit-summary"
    assert client.get(other_path, headers=inspector, params=summary).status_code == 403

    assert stats(client, inspector, world["oq"]).status_code == 403  # another province's past
    assert stats(client, inspector, world["q"]).status_code == 403
    assert client.get(f"/api/v1/reports/{world['reports']['oq']}", headers=inspector).status_code == 404
    other = as_(client, world, "nq")
    assert stats(client, other, world["op"]).status_code == 403
    assert stats(client, other, world["oq"]).status_code == 200


def test_an_account_at_a_sibling_successor_is_refused(client, world):
    sibling = as_(client, world, "n2")
    assert stats(client, sibling, world["a"]).status_code == 403
    assert client.get(f"/api/v1/reports/{world['reports']['a']}", headers=sibling).status_code == 404
    assert stats(client, sibling, world["c"]).json()["total"] == 8  # its own predecessor


def test_current_reads_are_unchanged(client, world):
    officer = as_(client, world, "n1")
    own = stats(client, officer, world["n1"], as_of=None, structure="current")
    assert own.status_code == 200 and own.json()["total"] == 6 + 7
    children = client.get(f"/api/v1/units/{world['n1'].id}/children", headers=officer).json()
    assert children["total"] == 6 + 7
    inspector = as_(client, world, "np")
    assert stats(client, inspector, world["nq"], as_of=None, structure="current").status_code == 403
    assert client.get(f"/api/v1/units/{world['n3'].id}", headers=inspector).status_code == 403


def test_revert_takes_the_predecessors_back(client, owner):
    built = build(owner)
    officer = as_(client, built, "n1")
    assert stats(client, officer, built["a"]).status_code == 200
    reorg.revert(owner, built["rid"])
    owner.commit()
    left = owner.execute(
        text("SELECT count(*) FROM unit_successions WHERE reorg_id = :r"), {"r": built["rid"]}
    ).scalar_one()
    assert left == 0
    assert stats(client, officer, built["a"]).status_code == 403


def _layer_total(unit):
    with Session(admin_engine()) as session:
        layer.refresh_dirty(session)
        session.execute(text("SELECT set_config('app.agg_scope', '/', true)"))
        cells = layer.read_placed(session, unit, month_start(BEFORE))
        return cells.get("total", {}).get("", (0, 0))
