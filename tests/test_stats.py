"""Aggregates: exact for people who keep the records, small cells suppressed for everyone else."""

from __future__ import annotations

from datetime import timedelta

from infra.clock import today as vn_today
from portal.stats.suppression import COMPLEMENT, HIDDEN, suppress_cell, suppress_partition
from tests.support import child_payload, login, make_hamlet, make_user, unit


def test_suppression_rules():
    assert [suppress_cell(n) for n in (0, 1, 4, 5, 9)] == [0, HIDDEN, HIDDEN, 5, 9]
    assert suppress_partition({"male": 3, "female": 10}, 13) == {"male": HIDDEN, "female": COMPLEMENT}
    assert suppress_partition({"a": 2, "b": 6, "c": 9, "d": 0}, 17) == {
        "a": HIDDEN,
        "b": COMPLEMENT,
        "c": 9,
        "d": 0,
    }
    assert suppress_partition({"a": 2, "b": 3, "c": 9}, 14) == {"a": HIDDEN, "b": HIDDEN, "c": 9}
    assert suppress_partition({"a": 6, "b": 9}, 15) == {"a": 6, "b": 9}


def _born(years: int, days: int = 30) -> str:
    return (vn_today() - timedelta(days=365 * years + days)).isoformat()


def test_hamlet_figures_exact_for_officer_suppressed_for_inspector(client, owner, uid):
    ward = unit(owner, "commune", "00139")  # Phường Bồ Đề, Long Biên
    hamlet = make_hamlet(owner, ward, f"Tổ thống kê {uid}")
    make_user(owner, f"st-officer-{uid}", "ward_officer", ward.id)
    make_user(owner, f"st-inspector-{uid}", "provincial_inspector", unit(owner, "province", "01").id)
    make_user(owner, f"st-district-{uid}", "district_officer", unit(owner, "district", "004").id)
    officer = login(client, f"st-officer-{uid}")
    since = (vn_today() - timedelta(days=100)).isoformat()
    left = (vn_today() - timedelta(days=10)).isoformat()
    people = [("female", 2)] * 3 + [("male", 7)] * 6 + [("male", 12)] * 2
    for i, (sex, age) in enumerate(people):
        extra = {}
        if i < 2:
            extra["groups"] = [{"code": "d", "since": since}]
        if i == 2:
            extra["groups"] = [{"code": "a", "since": since, "until": left}]  # left the group 10 days ago
        if i in (3, 4, 5):
            extra["at_risk"] = [{"code": "poor_household", "since": since}]
        response = client.post(
            "/api/v1/children",
            headers=officer,
            json=child_payload(
                hamlet.id, full_name=f"Trẻ {uid} {i}", sex=sex, date_of_birth=_born(age), **extra
            ),
        )
        assert response.status_code == 201, response.text

    exact = client.get(f"/api/v1/units/{hamlet.id}/stats", headers=officer).json()
    assert exact["suppressed"] is False
    assert exact["total"] == 11 and exact["by_sex"] == {"male": 8, "female": 3}
    assert exact["by_age_band"] == {"0-5": 3, "6-9": 6, "10-13": 2, "14-15": 0}
    assert exact["by_group"]["d"] == 2 and exact["by_group"]["a"] == 0
    assert exact["in_special_circumstances"] == 2 and exact["at_risk"] == 3

    earlier = (vn_today() - timedelta(days=20)).isoformat()
    before = client.get(f"/api/v1/units/{hamlet.id}/stats", params={"as_of": earlier}, headers=officer).json()
    assert before["by_group"]["a"] == 1 and before["in_special_circumstances"] == 3

    for who in (f"st-inspector-{uid}", f"st-district-{uid}"):
        shown = client.get(f"/api/v1/units/{hamlet.id}/stats", headers=login(client, who)).json()
        assert shown["suppressed"] is True and shown["suppression_threshold"] == 5
        assert shown["total"] == 11
        assert shown["by_sex"] == {"male": COMPLEMENT, "female": HIDDEN}
        assert shown["by_age_band"] == {"0-5": HIDDEN, "6-9": 6, "10-13": HIDDEN, "14-15": 0}
        assert shown["by_group"]["d"] == HIDDEN and shown["at_risk"] == HIDDEN
        assert f"Trẻ {uid}" not in str(shown)


def test_stats_reject_future_date_and_count_the_whole_subtree(client, owner):
    officer = login(client, "demo-officer", "demo-password")
    ward = unit(owner, "commune", "00340")
    future = (vn_today() + timedelta(days=1)).isoformat()
    response = client.get(f"/api/v1/units/{ward.id}/stats", params={"as_of": future}, headers=officer)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "as_of"
    inspector = login(client, "demo-inspector", "demo-password")
    province = unit(owner, "province", "01")
    whole = client.get(f"/api/v1/units/{province.id}/stats", headers=inspector).json()
    from sqlalchemy import text

    expected = owner.execute(
        text(
            "SELECT count(*) FROM children WHERE unit_path LIKE :p AND status = 'active' "
            "AND date_of_birth > CAST(:d AS date) - interval '16 years' AND date_of_birth <= :d"
        ),
        {"p": province.path + "%", "d": vn_today()},
    ).scalar_one()
    assert whole["total"] == expected > 1000
    assert sum(v for v in whole["by_sex"].values()) == expected
