"""The statistics layer (migration 0016): equal to live counts, kept current incrementally, private."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, ProgrammingError
from sqlalchemy.orm import Session

from infra.clock import today
from infra.db import app_engine
from portal.stats import layer
from portal.stats.months import add_months, month_end
from tests.support import child_payload, login, make_hamlet, make_unit, make_user, unit


def _refresh_all(owner: Session) -> None:
    while owner.execute(
        text("SELECT stat_refresh_next(:f, :o)"), {"f": layer.window_start(), "o": layer.open_month()}
    ).scalar():
        owner.commit()
    owner.commit()


def _table(owner: Session) -> set[tuple[object, ...]]:
    return set(
        owner.execute(text("SELECT unit_id, month, dimension, key, n, keysum FROM stat_cells")).tuples()
    )


def _as_app(sql: str, params: dict[str, object], agg_scope: str = "") -> list[tuple[object, ...]]:
    with app_engine().connect() as conn, conn.begin():
        conn.execute(text("SELECT set_config('app.agg_scope', :s, true)"), {"s": agg_scope})
        return list(conn.execute(text(sql), params).tuples())


def _months_back(n: int) -> date:
    return add_months(layer.open_month(), -n)


# An independent recount, row by row, of what the layer keeps for a subtree at a month's end: the
# children whose residence spell in a hamlet now under it covers that day, under 16 then. (child_stats
# counts today's residents instead, so a child who left this month would differ; the suite shares
# one database and other tests move children.)
RECOUNT = """
WITH c AS (
    SELECT ch.id, ch.sex, ch.date_of_birth AS dob
    FROM child_spells s JOIN children ch ON ch.id = s.child_id JOIN units h ON h.id = s.hamlet_id
    WHERE h.path >= :p AND h.path < app_subtree_end(:p)
      AND s.since <= :e AND (s.until IS NULL OR s.until > :e)
      AND ch.date_of_birth <= :e AND ch.date_of_birth > (:e - interval '16 years')::date
), p AS (
    SELECT DISTINCT c.id, pe.kind, pe.code FROM c JOIN child_periods pe ON pe.child_id = c.id
    WHERE pe.since <= :e AND (pe.until IS NULL OR pe.until > :e)
)
SELECT 'total', '', count(*) FROM c
UNION ALL SELECT 'sex', sex, count(*) FROM c GROUP BY sex
UNION ALL SELECT 'age_band', CASE WHEN dob > (:e - interval '6 years')::date THEN '0-5'
                                  WHEN dob > (:e - interval '10 years')::date THEN '6-9'
                                  WHEN dob > (:e - interval '14 years')::date THEN '10-13'
                                  ELSE '14-15' END, count(*) FROM c GROUP BY 2
UNION ALL SELECT kind, code, count(*) FROM p GROUP BY kind, code
UNION ALL SELECT kind, '', count(DISTINCT id) FROM p GROUP BY kind
"""


def test_layer_equals_live_counts(owner):
    _refresh_all(owner)
    ward = unit(owner, "commune", "00340")
    province = unit(owner, "province", "01")
    for place in (ward, province):
        for back in (0, 1, 12):
            month = _months_back(back)
            live: dict[str, dict[str, int]] = {}
            for dimension, key, n in owner.execute(text(RECOUNT), {"p": place.path, "e": month_end(month)}):
                if n:
                    live.setdefault(dimension, {})[key] = n
            cells = _as_app(
                "SELECT dimension, key, n FROM stat_read(:u, :m, :m)",
                {"u": place.id, "m": month},
                province.path,
            )
            stored: dict[str, dict[str, int]] = {}
            for dimension, key, n in cells:
                if dimension in ("total", "sex", "age_band", "group", "risk", "support"):
                    stored.setdefault(dimension, {})[key] = n
            assert stored == live, (place.name, month)
            assert stored["total"][""] > 0


def test_incremental_refresh_equals_rebuild(client, owner, uid):
    ward = unit(owner, "commune", "00139")
    a = make_hamlet(owner, ward, f"Tổ lớp A {uid}")
    b = make_hamlet(owner, ward, f"Tổ lớp B {uid}")
    make_user(owner, f"sl-officer-{uid}", "ward_officer", ward.id)
    officer = login(client, f"sl-officer-{uid}")
    ids = []
    for i in range(4):
        body = child_payload(a.id, full_name=f"Trẻ lớp {uid} {i}", sex="male" if i % 2 else "female")
        if i == 0:
            body["groups"] = [{"code": "d", "since": "2024-05-01"}]
        response = client.post("/api/v1/children", headers=officer, json=body)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    _refresh_all(owner)
    layer.rebuild(owner)
    owner.commit()
    # a move, a departure, a period change and a sex correction
    moves = [
        (ids[0], {"hamlet_id": b.id}),
        (ids[1], {"status": "moved_away"}),
        (ids[2], {"at_risk": [{"code": "poor_household", "since": "2025-01-01"}]}),
        (ids[3], {"sex": "female"}),
    ]
    for child_id, patch in moves:
        response = client.patch(f"/api/v1/children/{child_id}", headers=officer, json=patch)
        assert response.status_code == 200, response.text
    dirty = {r[0] for r in owner.execute(text("SELECT hamlet_id FROM stat_dirty"))}
    assert {a.id, b.id} <= dirty
    owner.commit()
    _refresh_all(owner)
    incremental = _table(owner)
    layer.rebuild(owner)
    owner.commit()
    assert _table(owner) == incremental

    now = layer.open_month()
    cells = {
        (u, d, k): n
        for u, m, d, k, n, _ in incremental
        if m == now and u in (a.id, b.id) and d in ("entries", "exits", "total")
    }
    assert cells[(b.id, "entries", "")] == 1  # the move opened a spell in B today
    assert cells[(a.id, "exits", "")] == 2  # the move and the departure closed two spells in A
    assert cells[(a.id, "total", "")] == 2 and cells[(b.id, "total", "")] == 1
    spells = owner.execute(
        text("SELECT hamlet_id, since, until FROM child_spells WHERE child_id = :c ORDER BY since"),
        {"c": ids[0]},
    ).all()
    assert [(h, u) for h, _, u in spells] == [(a.id, today()), (b.id, None)]


def test_a_moved_hamlet_takes_its_rows_to_its_new_ancestors(client, owner, uid):
    province = unit(owner, "province", "01")
    district = make_unit(owner, province, "district", f"Quận thống kê {uid}")
    one = make_unit(owner, district, "commune", f"Phường một {uid}")
    two = make_unit(owner, district, "commune", f"Phường hai {uid}")
    hamlet = make_hamlet(owner, one, f"Tổ đi {uid}")
    make_user(owner, f"sl-mover-{uid}", "ward_officer", one.id)
    officer = login(client, f"sl-mover-{uid}")
    for i in range(3):
        response = client.post(
            "/api/v1/children", headers=officer, json=child_payload(hamlet.id, full_name=f"Trẻ đi {uid} {i}")
        )
        assert response.status_code == 201, response.text
    _refresh_all(owner)
    new_path = f"{two.path}{hamlet.id}/"
    owner.execute(
        text("UPDATE units SET path = :p, parent_id = :c WHERE id = :h"),
        {"p": new_path, "c": two.id, "h": hamlet.id},
    )
    owner.execute(
        text("UPDATE children SET unit_path = :p WHERE hamlet_id = :h"), {"p": new_path, "h": hamlet.id}
    )
    owner.commit()
    moved = _table(owner)
    month = layer.open_month()
    totals = {u: n for u, m, d, k, n, _ in moved if m == month and d == "total" and u in (one.id, two.id)}
    assert totals == {two.id: 3}
    layer.rebuild_rollups(owner)
    owner.commit()
    assert _table(owner) == moved


def test_the_app_role_reads_only_through_the_functions(owner):
    for table in ("stat_cells", "child_spells", "stat_dirty"):
        with pytest.raises(ProgrammingError, match="permission denied"):
            _as_app(f"SELECT count(*) FROM {table}", {})
    ward = unit(owner, "commune", "00340")
    elsewhere = unit(owner, "province", "79")  # Hồ Chí Minh City
    month = layer.open_month()
    assert (
        _as_app("SELECT count(*) FROM stat_read(:u, :m, :m)", {"u": ward.id, "m": month}, ward.path)[0][0] > 0
    )
    with pytest.raises(DBAPIError, match="outside the caller"):
        _as_app("SELECT * FROM stat_read(:u, :m, :m)", {"u": elsewhere.id, "m": month}, ward.path)
    with pytest.raises(DBAPIError, match="outside the caller"):
        _as_app("SELECT * FROM stat_read_placed(:p, :m)", {"p": elsewhere.path, "m": month}, ward.path)


def test_placed_and_current_agree_for_the_province(owner):
    _refresh_all(owner)
    province = unit(owner, "province", "01")
    month = layer.open_month()
    owner.execute(text("SELECT set_config('app.agg_scope', :s, true)"), {"s": province.path})
    current = layer.read(owner, province, [month])[month]
    assert layer.read_placed(owner, province, month) == current
    assert current["total"][""][0] > 0


# The hamlets under a place on a month's last day, their cells summed; entries and exits net of the
# flows whose other hamlet was under the place too (migration 0023: a move inside it is neither).
PLACED_SUM = """
WITH here AS (
    SELECT h.hamlet_id FROM hamlet_paths_on(:e) h WHERE h.path >= :p AND h.path < app_subtree_end(:p)
), cells AS (
    SELECT c.dimension, c.key, sum(c.n) AS n, sum(c.keysum) AS keysum
    FROM here JOIN stat_cells c ON c.unit_id = here.hamlet_id AND c.month = :m GROUP BY 1, 2
), inside AS (
    SELECT CASE c.dimension WHEN 'entries_from' THEN 'entries' ELSE 'exits' END AS dimension,
           sum(c.n) AS n, sum(c.keysum) AS keysum
    FROM cells c JOIN here ON c.dimension IN ('entries_from', 'exits_to') AND here.hamlet_id::text = c.key
    GROUP BY 1
)
SELECT c.dimension, c.key, c.n - coalesce(i.n, 0), c.keysum - coalesce(i.keysum, 0)
FROM cells c LEFT JOIN inside i ON i.dimension = c.dimension AND c.key = ''
WHERE c.dimension NOT IN ('entries_from', 'exits_to') AND c.n - coalesce(i.n, 0) <> 0
"""


def test_placed_follows_the_structure_of_the_month(client, owner, uid):
    province = unit(owner, "province", "01")
    district = make_unit(owner, province, "district", f"Quận xếp đặt {uid}")
    one = make_unit(owner, district, "commune", f"Phường cũ {uid}")
    two = make_unit(owner, district, "commune", f"Phường mới {uid}")
    hamlet = make_hamlet(owner, one, f"Tổ chuyển {uid}")
    make_user(owner, f"sl-placed-{uid}", "ward_officer", one.id)
    officer = login(client, f"sl-placed-{uid}")
    for i in range(3):
        response = client.post(
            "/api/v1/children", headers=officer, json=child_payload(hamlet.id, full_name=f"Trẻ xếp {uid} {i}")
        )
        assert response.status_code == 201, response.text
    _refresh_all(owner)
    old_path, new_path = hamlet.path, f"{two.path}{hamlet.id}/"
    owner.execute(
        text("UPDATE units SET path = :p, parent_id = :c WHERE id = :h"),
        {"p": new_path, "c": two.id, "h": hamlet.id},
    )
    owner.execute(
        text("UPDATE children SET unit_path = :p WHERE hamlet_id = :h"), {"p": new_path, "h": hamlet.id}
    )
    now = layer.open_month()
    reorg = owner.execute(
        text(
            "INSERT INTO reorganisations (code, name, legal_basis, effective_date) "
            "VALUES (:c, 'Sáp nhập', 'NQ', :d) RETURNING id"
        ),
        {"c": f"SL-{uid}"[:32], "d": now},
    ).scalar()
    owner.execute(
        text(
            "INSERT INTO hamlet_placements (hamlet_id, parent_id, path, valid_from, valid_to, reorg_id) "
            "VALUES (:h, :p, :path, NULL, :to, :r)"
        ),
        {"h": hamlet.id, "p": one.id, "path": old_path, "to": now, "r": reorg},
    )
    owner.commit()
    before = _months_back(1)
    for place in (one, two, district, province):
        for month in (before, now):
            expected = owner.execute(
                text(PLACED_SUM), {"e": month_end(month), "m": month, "p": place.path}
            ).all()
            placed = _as_app(
                "SELECT * FROM stat_read_placed(:p, :m)", {"p": place.path, "m": month}, province.path
            )
            assert sorted(placed) == sorted(tuple(r) for r in expected), (place.name, month)
    totals = {
        (p.id, m): dict(
            ((d, k), n)
            for d, k, n, _ in _as_app(
                "SELECT * FROM stat_read_placed(:p, :m)", {"p": p.path, "m": m}, province.path
            )
        ).get(("total", ""), 0)
        for p in (one, two)
        for m in (before, now)
    }
    assert totals == {(one.id, before): 3, (two.id, before): 0, (one.id, now): 0, (two.id, now): 3}
