"""Reorganisations on small trees of their own: merge, split, level abolition, re-apply, revert,
the access review, and one period read under both structures with equal totals."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from infra.db import admin_engine
from portal.registry.models import Child
from portal.registry.text import fold, sort_key
from portal.stats import layer
from portal.stats.disclosure import month_start, period_key, publish
from tenancy import reorg
from tests.support import login, make_unit, make_user

EFFECTIVE = date(2025, 7, 1)
BEFORE = date(2025, 6, 30)


def add_children(owner, hamlet, n):
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


@pytest.fixture()
def tree(owner):
    tag = uuid.uuid4().hex[:6]
    p = make_unit(owner, None, "province", f"Tỉnh thử {tag}")
    d1, d2 = (make_unit(owner, p, "district", f"Huyện {k} {tag}") for k in (1, 2))
    a, b = (make_unit(owner, d1, "commune", f"Xã {k} {tag}") for k in ("A", "B"))
    c = make_unit(owner, d2, "commune", f"Xã C {tag}")
    n1, n2 = (make_unit(owner, p, "commune", f"Xã mới {k} {tag}", valid_from=EFFECTIVE) for k in (1, 2))
    hamlets = {
        "ha": [make_unit(owner, a, "hamlet", f"Thôn {k}") for k in (1, 2, 3)],
        "hb": [make_unit(owner, b, "hamlet", f"Thôn {k}") for k in (1, 4)],
        "hc": [make_unit(owner, c, "hamlet", f"Thôn {k}") for k in (1, 2)],
    }
    for group in hamlets.values():
        for k, h in enumerate(group):
            add_children(owner, h, 3 + k)
    return {"tag": tag, "p": p, "d1": d1, "d2": d2, "a": a, "b": b, "c": c, "n1": n1, "n2": n2, **hamlets}


def new_reorg(owner, ops, decisions=()):
    rid = owner.execute(
        text(
            "INSERT INTO reorganisations (code, name, legal_basis, effective_date) "
            "VALUES (:c, 'Thử', 'Nghị quyết thử 1/2025', :d) RETURNING id"
        ),
        {"c": f"T-{uuid.uuid4().hex[:8]}", "d": EFFECTIVE},
    ).scalar_one()
    for seq, (kind, source, target, level) in enumerate(ops, start=1):
        owner.execute(
            text(
                "INSERT INTO reorg_operations (reorg_id, seq, kind, source_unit_id, target_unit_id, "
                "level) VALUES (:r, :s, :k, :src, :t, :l)"
            ),
            {"r": rid, "s": seq, "k": kind, "src": source.id, "t": target.id if target else None, "l": level},
        )
    for hamlet, target in decisions:
        owner.execute(
            text(
                "INSERT INTO reorg_hamlet_decisions (reorg_id, hamlet_id, target_unit_id) VALUES (:r, :h, :t)"
            ),
            {"r": rid, "h": hamlet.id, "t": target.id},
        )
    owner.commit()
    return rid


def parent_of(owner, unit):
    return owner.execute(text("SELECT parent_id FROM units WHERE id = :i"), {"i": unit.id}).scalar_one()


def children_under(owner, unit):
    path = owner.execute(text("SELECT path FROM units WHERE id = :i"), {"i": unit.id}).scalar_one()
    return owner.execute(
        text("SELECT count(*) FROM children WHERE unit_path LIKE :p"), {"p": path + "%"}
    ).scalar_one()


def layer_total(unit, structure, as_of=BEFORE):
    """The exact total the statistics layer keeps for ``unit`` at the month of ``as_of`` (what
    ``/stats`` publishes to aggregate readers), after the worker's refresh."""
    with Session(admin_engine()) as session:
        layer.refresh_dirty(session)
        session.execute(text("SELECT set_config('app.agg_scope', '/', true)"))
        month = month_start(as_of)
        if structure == "current":
            cells = layer.read(session, unit, [month]).get(month, {})
        else:
            cells = layer.read_placed(session, unit, month)
        return cells.get("total", {}).get("", (0, 0))


def stats_total(client, headers, unit, structure, as_of=BEFORE):
    """The total an aggregate reader is shown: the layer's cell, published for that month."""
    n, keysum = layer_total(unit, structure, as_of)
    body = client.get(
        f"/api/v1/units/{unit.id}/stats",
        headers=headers,
        params={"as_of": as_of.isoformat(), "structure": structure},
    )
    assert body.status_code == 200, body.text
    assert body.json()["total"] == publish(n, keysum, period_key(month_start(as_of)))
    return n


def test_merge_moves_hamlets_records_and_scopes_and_keeps_the_old_view(client, owner, tree):
    t = tree["tag"]
    make_user(owner, f"ro-old-{t}", "ward_officer", tree["a"].id)
    make_user(owner, f"ro-new-{t}", "ward_officer", tree["n1"].id)
    make_user(owner, f"ro-collab-{t}", "collaborator", tree["ha"][0].id)
    rid = new_reorg(owner, [("merge", tree["a"], tree["n1"], None), ("merge", tree["b"], tree["n1"], None)])
    moving = children_under(owner, tree["a"]) + children_under(owner, tree["b"])

    review = reorg.dry_run(owner, rid)
    assert review["hamlets_moved"] == 5 and review["children_moved"] == moving == 3 + 4 + 5 + 3 + 4
    assert [g["username"] for g in review["access_gains"]] == [f"ro-new-{t}"]
    assert {r["username"] for r in review["staff_to_reassign"]} == {f"ro-old-{t}"}
    assert {r["username"] for r in review["access_losses"]} == {f"ro-old-{t}"}  # the collaborator moves along
    assert review["problems"] == [] and review["units_closed"] == 2
    owner.rollback()

    with pytest.raises(reorg.AccessReviewRequired):  # nobody gains access without an explicit decision
        reorg.apply(owner, rid, "test")
    owner.rollback()
    assert parent_of(owner, tree["ha"][0]) == tree["a"].id  # nothing half-applied

    applied = reorg.apply(owner, rid, "test", confirm_access_gains=True)
    owner.commit()
    assert applied["already_applied"] is False
    assert all(parent_of(owner, h) == tree["n1"].id for h in tree["ha"] + tree["hb"])
    assert children_under(owner, tree["n1"]) == moving and children_under(owner, tree["a"]) == 0
    names = (
        owner.execute(text("SELECT name FROM units WHERE parent_id = :p ORDER BY name"), {"p": tree["n1"].id})
        .scalars()
        .all()
    )
    assert len(names) == 5 and len(set(n.lower() for n in names)) == 5  # "Thôn 1" twice: told apart

    collab = login(client, f"ro-collab-{t}")  # the collaborator keeps their hamlet and its children
    listed = client.get(f"/api/v1/units/{tree['ha'][0].id}/children", headers=collab).json()
    assert listed["total"] == 3
    old_officer = login(client, f"ro-old-{t}")
    assert client.get(f"/api/v1/units/{tree['a'].id}/children", headers=old_officer).json()["total"] == 0

    placements = owner.execute(
        text("SELECT count(*) FROM hamlet_placements WHERE reorg_id = :r"), {"r": rid}
    ).scalar_one()
    again = reorg.apply(owner, rid, "test", confirm_access_gains=True)  # idempotent
    owner.commit()
    assert again["already_applied"] is True
    assert (
        owner.execute(
            text("SELECT count(*) FROM hamlet_placements WHERE reorg_id = :r"), {"r": rid}
        ).scalar_one()
        == placements
        == 5
    )

    admin = login(client, "demo-admin", "demo-password")
    old_view = sum(stats_total(client, admin, u, "historical") for u in (tree["a"], tree["b"]))
    new_view = stats_total(client, admin, tree["n1"], "current")
    assert old_view == new_view == moving
    assert stats_total(client, admin, tree["a"], "current") == 0
    assert stats_total(client, admin, tree["n1"], "historical") == 0  # N1 held no hamlet before 1 July


def test_split_follows_per_hamlet_decisions_and_lists_the_undecided(owner, tree):
    c1, c2 = tree["hc"]
    rid = new_reorg(owner, [("split", tree["c"], tree["n1"], None)], decisions=[(c2, tree["n2"])])
    review = reorg.dry_run(owner, rid)
    assert [d["hamlet_id"] for d in review["hamlets_needing_decision"]] == [c1.id]
    owner.rollback()
    reorg.apply(owner, rid, "test", confirm_access_gains=True)
    owner.commit()
    assert (parent_of(owner, c1), parent_of(owner, c2)) == (tree["n1"].id, tree["n2"].id)
    assert children_under(owner, tree["n2"]) == 4


def test_split_without_default_or_decision_is_refused(owner, tree):
    rid = new_reorg(owner, [("split", tree["c"], None, None)], decisions=[(tree["hc"][1], tree["n2"])])
    with pytest.raises(reorg.ReorgError, match="not a unit in force"):
        reorg.apply(owner, rid, "test", confirm_access_gains=True)
    owner.rollback()
    assert parent_of(owner, tree["hc"][1]) == tree["c"].id


def test_abolishing_districts_reparents_communes_and_revert_restores_everything(client, owner, tree):
    before = owner.execute(
        text("SELECT id, parent_id, path, depth, name FROM units WHERE path LIKE :p ORDER BY id"),
        {"p": tree["p"].path + "%"},
    ).all()
    child_paths = owner.execute(
        text("SELECT id, unit_path FROM children WHERE unit_path LIKE :p ORDER BY id"),
        {"p": tree["p"].path + "%"},
    ).all()
    rid = new_reorg(owner, [("abolish_level", tree["p"], None, "district")])
    reorg.apply(owner, rid, "test", confirm_access_gains=True)
    owner.commit()
    assert {parent_of(owner, u) for u in (tree["a"], tree["b"], tree["c"])} == {tree["p"].id}
    depth = owner.execute(text("SELECT depth FROM units WHERE id = :i"), {"i": tree["ha"][0].id}).scalar_one()
    assert depth == 3
    closed = (
        owner.execute(
            text("SELECT valid_to FROM units WHERE id = ANY(:i)"), {"i": [tree["d1"].id, tree["d2"].id]}
        )
        .scalars()
        .all()
    )
    assert closed == [EFFECTIVE, EFFECTIVE]
    admin = login(client, "demo-admin", "demo-password")
    assert stats_total(client, admin, tree["d1"], "historical") == children_under(
        owner, tree["a"]
    ) + children_under(owner, tree["b"])

    assert reorg.revert(owner, rid) > 0
    owner.commit()
    assert (
        owner.execute(
            text("SELECT id, parent_id, path, depth, name FROM units WHERE path LIKE :p ORDER BY id"),
            {"p": tree["p"].path + "%"},
        ).all()
        == before
    )
    assert (
        owner.execute(
            text("SELECT id, unit_path FROM children WHERE unit_path LIKE :p ORDER BY id"),
            {"p": tree["p"].path + "%"},
        ).all()
        == child_paths
    )
    assert (
        owner.execute(
            text("SELECT count(*) FROM hamlet_placements WHERE reorg_id = :r"), {"r": rid}
        ).scalar_one()
        == 0
    )


def test_the_real_2025_reform_applies_to_a_province(owner):
    from tenancy import reform
    from tests.support import make_hamlet, unit

    rid = reform.reform_2025_id(owner)
    province = owner.execute(
        text(  # the first province (other than those the demo tests use) with a split
            "SELECT min(p.code) FROM reorg_commune_targets t JOIN units o ON o.id = t.old_unit_id "
            "JOIN units p ON p.level = 'province' AND p.valid_from IS NULL AND o.path LIKE p.path || '%' "
            "WHERE p.code NOT IN ('01', '31') GROUP BY o.id HAVING count(*) > 1 ORDER BY 1 LIMIT 1"
        )
    ).scalar_one()
    communes = owner.execute(
        text(
            "SELECT o.code, count(*) FROM reorg_commune_targets t JOIN units o ON o.id = t.old_unit_id "
            "JOIN units p ON p.code = :prov AND p.level = 'province' AND p.valid_from IS NULL "
            "AND o.path LIKE p.path || '%' GROUP BY o.code ORDER BY count(*) DESC, o.code LIMIT 3"
        ),
        {"prov": province},
    ).all()
    assert communes[0][1] > 1  # one of them was divided among several new communes
    hamlets = []
    for code, _n in communes:
        old = unit(owner, "commune", code)
        hamlets += [make_hamlet(owner, old, f"Thôn {k}") for k in range(1, 5)]
    assert reform.operations_for_province(owner, rid, province) == 3
    assert reform.operations_for_province(owner, rid, province) == 0  # idempotent
    assert reform.decide_split_hamlets_in_blocks(owner, rid, "test") == 4 * sum(n > 1 for _c, n in communes)
    owner.commit()
    review = reorg.dry_run(owner, rid)
    assert review["problems"] == [] and review["hamlets_moved"] == 12
    owner.rollback()
    reorg.apply(owner, rid, "test", confirm_access_gains=True)
    owner.commit()
    wrong = owner.execute(
        text(
            "SELECT count(*) FROM units h JOIN hamlet_placements hp ON hp.hamlet_id = h.id "
            "WHERE h.id = ANY(:ids) AND NOT EXISTS (SELECT 1 FROM reorg_commune_targets t "
            "WHERE t.reorg_id = :r AND t.old_unit_id = hp.parent_id AND t.new_unit_id = h.parent_id)"
        ),
        {"ids": [h.id for h in hamlets], "r": rid},
    ).scalar_one()
    assert wrong == 0
    assert reorg.revert(owner, rid) > 0
    owner.commit()


def test_http_dry_run_apply_and_revert_are_for_admins_and_audited(client, owner, tree):
    t = tree["tag"]
    make_user(owner, f"ro-gain-{t}", "ward_officer", tree["n2"].id)
    rid = new_reorg(owner, [("merge", tree["c"], tree["n2"], None)])
    officer = login(client, "demo-officer", "demo-password")
    assert client.get(f"/api/v1/reorganisations/{rid}/dry-run", headers=officer).status_code == 403
    assert client.post(f"/api/v1/reorganisations/{rid}/apply", headers=officer, json={}).status_code == 403

    admin = login(client, "demo-admin", "demo-password")
    review = client.get(f"/api/v1/reorganisations/{rid}/dry-run", headers=admin).json()
    assert review["hamlets_moved"] == 2 and review["children_moved"] == 3 + 4
    refused = client.post(f"/api/v1/reorganisations/{rid}/apply", headers=admin, json={})
    assert refused.status_code == 409
    assert [g["username"] for g in refused.json()["access_gains"]] == [f"ro-gain-{t}"]
    assert parent_of(owner, tree["hc"][0]) == tree["c"].id

    applied = client.post(
        f"/api/v1/reorganisations/{rid}/apply", headers=admin, json={"confirm_access_gains": True}
    )
    assert applied.status_code == 200 and applied.json()["hamlets_moved"] == 2
    assert parent_of(owner, tree["hc"][0]) == tree["n2"].id
    listed = client.get("/api/v1/reorganisations", headers=admin).json()["items"]
    assert next(r for r in listed if r["id"] == rid)["status"] == "applied"

    reverted = client.post(f"/api/v1/reorganisations/{rid}/revert", headers=admin)
    assert reverted.status_code == 200 and reverted.json()["steps_undone"] >= 2
    assert parent_of(owner, tree["hc"][0]) == tree["c"].id
    outcomes = owner.execute(
        text(
            "SELECT action, outcome FROM audit_log WHERE resource = 'reorganisation' "
            "AND resource_ids = ARRAY[:r] ORDER BY id"
        ),
        {"r": str(rid)},
    ).all()
    assert [tuple(o) for o in outcomes] == [("apply", "refused"), ("apply", "allowed"), ("revert", "allowed")]
