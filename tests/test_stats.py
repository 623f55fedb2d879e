"""Aggregates: exact and live for people who keep the records; month ends only, published through the
disclosure policy (portal.stats.disclosure), for everyone else — the same figure wherever it is read."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from infra.clock import today as vn_today
from infra.db import admin_engine
from portal.stats import layer
from portal.stats.disclosure import (
    HIDDEN,
    MAX_NOISE,
    K,
    last_complete_month,
    month_end,
    period_key,
    publish_table,
)
from tests.support import child_payload, login, make_hamlet, make_user, unit

LAST_END = month_end(last_complete_month())


def _born(years: int, days: int = 90) -> str:
    """Well before the last ended month: a child's spell starts at birth, so it counts in that month."""
    return (vn_today() - timedelta(days=365 * years + days)).isoformat()


def _refresh() -> None:
    """Bring the statistics layer up to date (its own owner session: it commits per hamlet)."""
    with Session(admin_engine()) as session:
        layer.refresh_dirty(session)


def _add(client, officer, hamlet, uid, people, extras=None):
    extras = extras or {}
    for i, (sex, age) in enumerate(people):
        body = child_payload(
            hamlet.id, full_name=f"Trẻ {uid} {i}", sex=sex, date_of_birth=_born(age), **extras.get(i, {})
        )
        response = client.post("/api/v1/children", headers=officer, json=body)
        assert response.status_code == 201, response.text
    _refresh()


def _readers(client, owner, uid, ward):
    make_user(owner, f"st-officer-{uid}", "ward_officer", ward.id)
    make_user(owner, f"st-inspector-{uid}", "provincial_inspector", unit(owner, "province", "01").id)
    make_user(owner, f"st-district-{uid}", "district_officer", unit(owner, "district", "004").id)
    return (
        login(client, f"st-officer-{uid}"),
        login(client, f"st-inspector-{uid}"),
        login(client, f"st-district-{uid}"),
    )


def _counts(shown):
    """Every figure of a stats answer, flattened (to compare two readings)."""
    keys = ("total", "by_sex", "by_age_band", "by_group", "in_special_circumstances", "at_risk", "by_risk")
    return {k: shown[k] for k in (*keys, "receiving_support", "by_support", "entries", "exits")}


def test_exact_for_the_officer_on_any_day_published_month_ends_for_the_others(client, owner, uid):
    ward = unit(owner, "commune", "00139")  # Phường Bồ Đề, Long Biên
    hamlet = make_hamlet(owner, ward, f"Tổ thống kê {uid}")
    officer, inspector, district = _readers(client, owner, uid, ward)
    since = (vn_today() - timedelta(days=100)).isoformat()
    left = (vn_today() - timedelta(days=10)).isoformat()
    people = [("female", 2)] * 3 + [("male", 7)] * 6 + [("male", 12)] * 2
    extras = {
        0: {"groups": [{"code": "d", "since": since}]},
        1: {"groups": [{"code": "d", "since": since}]},
        2: {"groups": [{"code": "a", "since": since, "until": left}]},  # left the group 10 days ago
        **{i: {"at_risk": [{"code": "poor_household", "since": since}]} for i in (3, 4, 5)},
    }
    _add(client, officer, hamlet, uid, people, extras)

    exact = client.get(f"/api/v1/units/{hamlet.id}/stats", headers=officer).json()
    assert exact["suppressed"] is False and exact["disclosure"] is None
    assert exact["as_of"] == vn_today().isoformat()
    assert exact["total"] == 11 and exact["by_sex"] == {"male": 8, "female": 3}
    assert exact["by_age_band"] == {"0-5": 3, "6-9": 6, "10-13": 2, "14-15": 0}
    assert exact["by_group"]["d"] == 2 and exact["by_group"]["a"] == 0
    assert exact["in_special_circumstances"] == 2 and exact["at_risk"] == 3
    earlier = (vn_today() - timedelta(days=20)).isoformat()  # any day, exact
    before = client.get(f"/api/v1/units/{hamlet.id}/stats", params={"as_of": earlier}, headers=officer).json()
    assert (
        before["as_of"] == earlier
        and before["by_group"]["a"] == 1
        and before["in_special_circumstances"] == 3
    )

    readings = []
    for headers in (inspector, district):
        shown = client.get(f"/api/v1/units/{hamlet.id}/stats", headers=headers).json()
        assert shown["suppressed"] is True and shown["suppression_threshold"] == K
        assert shown["disclosure"] == {"method": "cell-key perturbation", "hidden_below": 5}
        assert shown["as_of"] == LAST_END.isoformat()
        assert (
            isinstance(shown["total"], int) and shown["total"] >= K and abs(shown["total"] - 11) <= MAX_NOISE
        )
        assert shown["by_sex"]["female"] == HIDDEN and abs(shown["by_sex"]["male"] - 8) <= MAX_NOISE
        assert shown["by_age_band"]["0-5"] == HIDDEN and shown["by_age_band"]["10-13"] == HIDDEN
        assert shown["by_age_band"]["14-15"] == 0 and abs(shown["by_age_band"]["6-9"] - 6) <= MAX_NOISE
        assert shown["by_group"]["d"] == HIDDEN and shown["by_group"]["a"] == 0  # left before the month end
        assert shown["at_risk"] == HIDDEN and "entries" in shown and "exits" in shown
        assert f"Trẻ {uid}" not in str(shown)
        again = client.get(
            f"/api/v1/units/{hamlet.id}/stats", params={"as_of": LAST_END.isoformat()}, headers=headers
        ).json()
        placed = client.get(
            f"/api/v1/units/{hamlet.id}/stats", params={"structure": "historical"}, headers=headers
        ).json()
        assert _counts(again) == _counts(shown) == _counts(placed)  # the same children, the same figures
        readings.append(_counts(shown))
    assert readings[0] == readings[1]


def test_aggregate_readers_get_month_ends_only(client, owner, uid):
    ward = unit(owner, "commune", "00139")
    hamlet = make_hamlet(owner, ward, f"Tổ tháng {uid}")
    _officer, inspector, district = _readers(client, owner, uid, ward)
    running_end = month_end(vn_today())
    cases = {
        (LAST_END - timedelta(days=1)).isoformat(): "month_end",  # an arbitrary day
        (LAST_END.replace(day=15)).isoformat(): "month_end",
        running_end.isoformat(): "month_not_ended",  # the month still running
        (running_end + timedelta(days=40)).isoformat(): "month_end",
        month_end(layer.window_start() - timedelta(days=1)).isoformat(): "before_window",
    }
    for headers in (inspector, district):
        for as_of, code in cases.items():
            response = client.get(
                f"/api/v1/units/{hamlet.id}/stats", params={"as_of": as_of}, headers=headers
            )
            assert response.status_code == 422, (as_of, response.text)
            error = response.json()["errors"][0]
            assert error["field"] == "as_of" and error["code"] in (code, "month_not_ended"), (as_of, error)
        case_stats = client.get(
            "/api/v1/cases/stats",
            params={"unit_id": ward.id, "from": "2026-01-15", "to": running_end.isoformat()},
            headers=headers,
        )
        assert case_stats.status_code == 422
        assert {e["field"] for e in case_stats.json()["errors"]} == {"from", "to"}


def test_a_table_of_fewer_than_five_children_shows_only_hidden_cells(client, owner, uid):
    ward = unit(owner, "commune", "00139")
    hamlet = make_hamlet(owner, ward, f"Tổ nhỏ {uid}")
    officer, inspector, _district = _readers(client, owner, uid, ward)
    _add(client, officer, hamlet, uid, [("female", 3), ("male", 8)])
    shown = client.get(f"/api/v1/units/{hamlet.id}/stats", headers=inspector).json()
    assert shown["total"] == HIDDEN
    for key in ("by_sex", "by_age_band", "by_group", "by_risk", "by_support"):
        assert set(shown[key].values()) == {HIDDEN}, key  # zeros too: a 0 would tell who the two are
    assert shown["at_risk"] == shown["entries"] == shown["exits"] == HIDDEN
    exact = client.get(f"/api/v1/units/{hamlet.id}/stats", headers=officer).json()
    assert exact["total"] == 2 and exact["by_age_band"]["14-15"] == 0


def test_stats_dashboard_report_and_case_counts_publish_the_same_figure(client, owner, uid):
    ward = unit(owner, "commune", "00139")
    hamlet = make_hamlet(owner, ward, f"Tổ cùng số {uid}")
    officer, inspector, district = _readers(client, owner, uid, ward)
    since = (vn_today() - timedelta(days=200)).isoformat()
    people = [("female", 4)] * 5 + [("male", 9)] * 4
    _add(
        client,
        officer,
        hamlet,
        uid,
        people,
        {i: {"groups": [{"code": "a", "since": since}]} for i in range(6)},
    )
    period = f"{LAST_END:%Y-%m}"
    report = client.post(
        "/api/v1/reports",
        headers=officer,
        json={"definition": "monthly", "unit_id": hamlet.id, "period": period},
    )
    assert report.status_code == 201, report.text

    for headers in (inspector, district):
        stats = client.get(f"/api/v1/units/{hamlet.id}/stats", headers=headers).json()
        board = client.get(
            f"/api/v1/units/{hamlet.id}/dashboard", headers=headers, params={"period": period, "periods": 2}
        ).json()
        assert board["suppressed"] is True and board["period"] == period
        totals = board["trend"][-1]["totals"]
        assert (
            totals["children.total"] == stats["total"]
            and totals["special.total"] == stats["in_special_circumstances"]
        )
        birth = {r["code"]: r for r in board["targets"]}["birth_registered"]
        assert birth["denominator"] == stats["total"]
        view = client.get(f"/api/v1/reports/{report.json()['id']}", headers=headers).json()
        assert view["figures"]["children"]["total"] == stats["total"]
        assert view["figures"]["children"]["male"] == stats["by_sex"]["male"]
        assert view["figures"]["special"]["a"] == stats["by_group"]["a"]
        cases = client.get(
            "/api/v1/cases/stats",
            params={
                "unit_id": hamlet.id,
                "from": LAST_END.replace(day=1).isoformat(),
                "to": LAST_END.isoformat(),
            },
            headers=headers,
        ).json()
        assert cases["suppressed"] is True and cases["received_to"] == LAST_END.isoformat()
        assert view["figures"]["abuse_cases"]["received"] == cases["total"]

    # The running month is refused to aggregate readers on the dashboard too.
    running = client.get(
        f"/api/v1/units/{hamlet.id}/dashboard", headers=inspector, params={"period": f"{vn_today():%Y-%m}"}
    )
    assert running.status_code == 422 and running.json()["errors"][0]["code"] == "period_not_ended"
    exact = client.get(f"/api/v1/reports/{report.json()['id']}", headers=officer).json()
    assert exact["suppressed"] is False and exact["figures"]["children"]["total"] == 9


def test_case_counts_add_the_months_up_before_publishing(client, owner):
    """A range of months is published from the summed counts and key sums: the same as the policy
    gives for the layer's cells, whichever way the range is asked for."""
    inspector = login(client, "demo-inspector", "demo-password")
    province = unit(owner, "province", "01")
    _refresh()
    first = layer.window_start()
    months = []
    month = first
    while month <= last_complete_month():
        months.append(month)
        month = month_end(month) + timedelta(days=1)
    with Session(admin_engine()) as session:  # read as the inspector would: the province in scope
        session.execute(text("SELECT set_config('app.agg_scope', :p, true)"), {"p": province.path})
        cells = layer.read(session, province, months)
    n = sum(cells[m].get("case_total", {}).get("", (0, 0))[0] for m in months)
    keysum = sum(cells[m].get("case_total", {}).get("", (0, 0))[1] for m in months)
    expected = publish_table(
        {"case_total": {"": (n, keysum)}}, (n, keysum), period_key(months[0], months[-1])
    )["case_total"][""]
    whole = client.get("/api/v1/cases/stats", params={"unit_id": province.id}, headers=inspector).json()
    named = client.get(
        "/api/v1/cases/stats",
        params={"unit_id": province.id, "from": first.isoformat(), "to": LAST_END.isoformat()},
        headers=inspector,
    ).json()
    assert whole["total"] == named["total"] == expected
    assert whole["received_from"] == first.isoformat() and whole["received_to"] == LAST_END.isoformat()


def test_stats_reject_future_date_and_count_the_whole_subtree(client, owner):
    officer = login(client, "demo-officer", "demo-password")
    ward = unit(owner, "commune", "00340")
    future = (vn_today() + timedelta(days=1)).isoformat()
    response = client.get(f"/api/v1/units/{ward.id}/stats", params={"as_of": future}, headers=officer)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "as_of"
    inspector = login(client, "demo-inspector", "demo-password")
    province = unit(owner, "province", "01")
    _refresh()
    whole = client.get(f"/api/v1/units/{province.id}/stats", headers=inspector).json()

    expected = owner.execute(
        text(
            "SELECT count(*) FROM children WHERE unit_path LIKE :p AND status = 'active' "
            "AND date_of_birth > CAST(:d AS date) - interval '16 years' AND date_of_birth <= :d"
        ),
        {"p": province.path + "%", "d": LAST_END},
    ).scalar_one()
    assert expected > 1000 and abs(whole["total"] - expected) <= MAX_NOISE
    assert abs(sum(whole["by_sex"].values()) - expected) <= 6
