"""A completed move in the period figures (migration 0023): an exit of the place the child left and an
entry of the place it joined, and neither in a figure that holds both places.

A tree of our own (province P > districts D1 with communes A and B, D2 with commune C): one child moves
from A to C (another district), one from A to B (the same district). Through the report endpoints
(commune reports from the register, district and province reports consolidated by the worker) and
the statistics layer (what ``/stats`` reads, and ``/stats`` itself for an ended month).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from infra.clock import today
from infra.db import admin_engine, app_engine
from portal.stats import layer
from portal.stats.months import add_months, month_end
from tests.reporting import COMMUNE_VALUES, act, build_tree, consolidate, enter, hamlet_values, start, who

MOVED = ("children_moved_in", "children_moved_out", "special_moved_in", "special_moved_out")


@dataclass
class Moved:
    tree: dict[str, Any]
    special_child: str  # an orphan (group a) of A's first hamlet, moved to C (district D2)
    plain_child: str  # a child of the same hamlet, moved to B (district D1, like A)


def _refresh_layer() -> None:
    with Session(admin_engine()) as session:
        layer.refresh_dirty(session)


def _move(client: Any, tree: dict[str, Any], child_id: str, to: str, into: Any) -> None:
    origin, destination = who(client, tree, "oa"), who(client, tree, f"o{to}")
    body = {"moved_on": today().isoformat(), "to_unit_id": tree[to].id, "reason": "Theo gia đình"}
    opened = client.post(f"/api/v1/children/{child_id}/moves", json=body, headers=origin)
    assert opened.status_code == 201, opened.text
    accepted = client.post(
        f"/api/v1/child-moves/{opened.json()['id']}/accept", json={"hamlet_id": into.id}, headers=destination
    )
    assert accepted.status_code == 200 and accepted.json()["state"] == "completed", accepted.text


@pytest.fixture()
def moved(client, owner) -> Moved:
    tree = build_tree(owner)
    first = tree["ha"][0]
    ids = [
        str(i)
        for i in owner.execute(
            text("SELECT id FROM children WHERE hamlet_id = :h ORDER BY date_of_birth"), {"h": first.id}
        ).scalars()
    ]
    special, plain = ids[0], ids[-1]  # the first two are orphans since 2024 (tests.reporting)
    _move(client, tree, special, "c", tree["hc"][0])
    _move(client, tree, plain, "b", tree["hb"][0])
    _refresh_layer()
    return Moved(tree, special, plain)


def _quarter() -> str:
    on = today()
    return f"{on.year}-Q{(on.month - 1) // 3 + 1}"


def _stored(owner: Session, report_id: int) -> dict[str, dict[str, int]]:
    """A report's exact figures (aggregate readers see them perturbed)."""
    figures = owner.execute(text("SELECT figures FROM reports WHERE id = :i"), {"i": report_id}).scalar_one()
    return {code: figures[code] for code in MOVED}


def _approved_commune(client, tree, key, district_key) -> dict:
    officer = who(client, tree, f"o{key}")
    report = start(client, officer, tree[key], _quarter(), "quarterly")
    report = enter(client, officer, report, hamlet_values() | COMMUNE_VALUES)
    report = act(client, officer, report["id"], "submit", version=report["version"])
    return act(client, who(client, tree, district_key), report["id"], "approve", version=report["version"])


def test_reports_count_a_move_out_of_and_into_each_unit_it_crosses(client, owner, worker, moved):
    t = moved.tree
    reports = {k: _approved_commune(client, t, k, d) for k, d in (("a", "d1"), ("b", "d1"), ("c", "d2"))}
    # The commune reports, as their ward officers read them (exact): both moves leave A, one enters B, one C
    a, b, c = (
        client.get(f"/api/v1/reports/{reports[k]['id']}", headers=who(client, t, f"o{k}")).json()
        for k in ("a", "b", "c")
    )
    zero = {"total": 0, "same_commune": 0, "same_district": 0, "same_province": 0, "other_province": 0}
    assert a["figures"]["children_moved_out"] == zero | {"total": 2, "same_district": 1, "same_province": 1}
    assert a["figures"]["special_moved_out"] == zero | {"total": 1, "same_province": 1}
    assert a["figures"]["children_moved_in"] == zero
    assert b["figures"]["children_moved_in"] == zero | {"total": 1, "same_district": 1}
    assert b["figures"]["special_moved_in"] == zero
    assert c["figures"]["children_moved_in"] == zero | {"total": 1, "same_province": 1}
    assert c["figures"]["special_moved_in"] == zero | {"total": 1, "same_province": 1}
    assert c["figures"]["children_moved_out"] == zero

    # District D1 holds A and B: the move between them is neither an entry nor an exit of D1
    d1_officer, d2_officer = who(client, t, "d1"), who(client, t, "d2")
    inspector = who(client, t, "insp")
    d1 = consolidate(
        client, d1_officer, start(client, d1_officer, t["d1"], _quarter(), "quarterly")["id"], True
    )
    d2 = consolidate(
        client, d2_officer, start(client, d2_officer, t["d2"], _quarter(), "quarterly")["id"], True
    )
    d1_figures, d2_figures = _stored(owner, d1["id"]), _stored(owner, d2["id"])
    assert d1_figures["children_moved_out"] == zero | {"total": 1, "same_district": 1, "same_province": 1}
    assert d1_figures["children_moved_in"] == zero | {"same_district": 1}  # kept, but inside D1
    assert d1_figures["special_moved_out"] == zero | {"total": 1, "same_province": 1}
    assert d2_figures["children_moved_in"] == zero | {"total": 1, "same_province": 1}
    assert d2_figures["children_moved_out"] == zero

    # The province holds both ends of both moves: no entry, no exit
    for report, officer in ((d1, d1_officer), (d2, d2_officer)):
        report = act(client, officer, report["id"], "submit", version=report["version"])
        act(client, inspector, report["id"], "approve", version=report["version"])
    province = consolidate(client, inspector, start(client, inspector, t["p"], _quarter(), "quarterly")["id"])
    p_figures = _stored(owner, province["id"])
    assert p_figures["children_moved_out"] == zero | {"same_district": 1, "same_province": 1}
    assert p_figures["children_moved_in"] == zero | {"same_district": 1, "same_province": 1}
    assert p_figures["special_moved_in"]["total"] == p_figures["special_moved_out"]["total"] == 0


def _stat_read(unit: Any, month: date, scope: str) -> dict[str, int]:
    """``stat_read`` as the application role with an aggregate scope (what ``/stats`` reads)."""
    with app_engine().connect() as conn, conn.begin():
        conn.execute(text("SELECT set_config('app.agg_scope', :s, true)"), {"s": scope})
        rows = conn.execute(
            text("SELECT dimension, key, n FROM stat_read(:u, :m, :m)"), {"u": unit.id, "m": month}
        ).tuples()
        return {
            d: int(n) for d, k, n in rows if d in ("entries", "exits", "entries_from", "exits_to") or not k
        }


def test_the_layer_counts_a_move_only_where_it_crosses_the_border(moved):
    t, month = moved.tree, layer.open_month()
    scope = t["p"].path

    def flows(unit: Any) -> tuple[int, int]:
        cells = _stat_read(unit, month, scope)
        assert "entries_from" not in cells and "exits_to" not in cells  # never read out
        return cells.get("entries", 0), cells.get("exits", 0)

    assert flows(t["ha"][0]) == (0, 2)
    assert flows(t["a"]) == (0, 2)
    assert flows(t["hb"][0]) == flows(t["b"]) == (1, 0)
    assert flows(t["hc"][0]) == flows(t["c"]) == (1, 0)
    assert flows(t["d1"]) == (0, 1)  # A -> B is inside D1; A -> C leaves it
    assert flows(t["d2"]) == (1, 0)
    assert flows(t["p"]) == (0, 0)


def test_stats_publish_the_flows_of_an_ended_month(client, owner, moved):
    """The moves dated back into last month (spells as the register would have kept them then):
    ``/stats`` for an aggregate reader shows the exit of D1 and no entry, none at all for P."""
    t = moved.tree
    last = add_months(layer.open_month(), -1)
    day = last + timedelta(days=14)
    for child in (moved.special_child, moved.plain_child):
        owner.execute(
            text("UPDATE child_spells SET until = :d WHERE child_id = :c AND until IS NOT NULL"),
            {"d": day, "c": child},
        )
        owner.execute(
            text("UPDATE child_spells SET since = :d WHERE child_id = :c AND until IS NULL"),
            {"d": day, "c": child},
        )
    owner.commit()
    _refresh_layer()

    def published(headers: dict[str, str], unit: Any) -> tuple[object, object]:
        r = client.get(f"/api/v1/units/{unit.id}/stats", params={"as_of": month_end(last)}, headers=headers)
        assert r.status_code == 200, r.text
        return r.json()["entries"], r.json()["exits"]

    d1_officer, inspector = who(client, t, "d1"), who(client, t, "insp")
    assert published(d1_officer, t["d1"]) == (0, "<5")
    assert published(d1_officer, t["a"]) == (0, "<5")
    assert published(d1_officer, t["b"]) == ("<5", 0)
    assert published(inspector, t["d2"]) == ("<5", 0)
    assert published(inspector, t["p"]) == (0, 0)
