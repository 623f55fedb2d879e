"""Campaigns as data: their days on the solar and the lunar calendar, their cells typed only in the
periods they fall in (refused and absent outside them, required at submission inside), their targets
on the dashboards, and the campaigns page with each unit's participation, scoped like the reports."""

from __future__ import annotations

import re
from datetime import date

import pytest
from holidays.calendars.chinese import VIETNAMESE_CALENDAR, _ChineseLunisolar
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from portal.reports.campaigns import Campaign
from portal.workdays.lunar import solar_date
from tests.reporting import act, build_tree, enter, hamlet_values, in_period, start, who
from tests.test_reports_input import fields


@pytest.fixture()
def rtree(owner):
    return build_tree(owner)


def _campaign(owner: Session, code: str) -> Campaign:
    found = owner.scalar(select(Campaign).where(Campaign.code == code))
    assert found is not None, code
    return found


@pytest.mark.parametrize(
    ("year", "day"),
    [
        (2023, date(2023, 9, 29)),
        (2024, date(2024, 9, 17)),
        (2025, date(2025, 10, 6)),
        (2026, date(2026, 9, 25)),
    ],
)
def test_mid_autumn_falls_on_the_known_days(owner, year, day):
    assert solar_date(year, 8, 15) == day
    assert _campaign(owner, "mid_autumn").days(year) == (day, day)


def test_the_lunar_calendar_agrees_with_the_holiday_tables():
    """Tết (1/1) and the Hùng Kings (10/3) as the ``holidays`` package keeps them for Vietnam, every year
    2000-2099; Mid-Autumn as its (Chinese, UTC+8) table has it, or one day earlier where the new moon
    falls between 16:00 and 17:00 UTC (Vietnam's calendar is reckoned at UTC+7)."""
    lunisolar = _ChineseLunisolar(VIETNAMESE_CALENDAR)
    earlier = []
    for year in range(2000, 2100):
        assert solar_date(year, 1, 1) == lunisolar.lunar_new_year_date(year, VIETNAMESE_CALENDAR)[0]
        assert solar_date(year, 3, 10) == lunisolar.hung_kings_date(year, VIETNAMESE_CALENDAR)[0]
        table = lunisolar.mid_autumn_date(year)[0]
        assert table is not None
        ours = solar_date(year, 8, 15)
        assert ours in (table, date.fromordinal(table.toordinal() - 1)), year
        if ours != table:
            earlier.append(year)
    assert len(earlier) < 10  # rare: 2034, 2041, 2065, 2080, 2099
    with pytest.raises(ValueError):
        solar_date(2025, 13, 1)


def test_campaigns_fall_in_their_periods(owner):
    gender, day, mid = (_campaign(owner, c) for c in ("gender_month", "trafficking_day", "mid_autumn"))
    assert gender.days(2025) == (date(2025, 11, 15), date(2025, 12, 15))
    assert gender.falls_in(date(2025, 11, 1), date(2025, 11, 30))
    assert gender.falls_in(date(2025, 12, 1), date(2025, 12, 31))
    assert not gender.falls_in(date(2025, 10, 1), date(2025, 10, 31))
    assert not gender.falls_in(date(2026, 1, 1), date(2026, 1, 31))
    assert day.falls_in(date(2025, 7, 1), date(2025, 7, 31)) and not day.falls_in(
        date(2025, 8, 1), date(2025, 8, 31)
    )
    assert mid.falls_in(date(2025, 10, 1), date(2025, 10, 31)) and not mid.falls_in(
        date(2025, 9, 1), date(2025, 9, 30)
    )
    assert mid.falls_in(date(2026, 9, 1), date(2026, 9, 30)) and not mid.falls_in(
        date(2026, 10, 1), date(2026, 10, 31)
    )
    assert mid.falls_in(date(2025, 7, 1), date(2025, 12, 31))  # the second half of 2025
    codes = [c.code for c in owner.scalars(select(Campaign).order_by(Campaign.sort))]
    assert codes == [
        "children_day",
        "action_month",
        "children_forum",
        "dv_month",
        "trafficking_day",
        "mid_autumn",
        "gender_month",
    ]
    targets = dict(owner.execute(text("SELECT code, target_code FROM report_campaigns")).tuples().all())
    assert targets["action_month"] == "action_month" and targets["mid_autumn"] == "mid_autumn"
    assert targets["children_forum"] is None


def test_a_campaign_is_typed_in_its_months_only(client, owner, rtree):
    t = rtree
    officer = who(client, t, "oa")
    hamlet = t["ha"][0]  # 3 children

    june = start(client, officer, hamlet, "2025-06")
    assert {"action_month", "children_day"} <= set(june["entry_indicators"])
    assert "mid_autumn" not in june["entry_indicators"] and "mid_autumn" not in june["figures"]
    june = enter(client, officer, june, hamlet_values(3))
    assert june["figures"]["children_day"] == {"participants": 3, "gifted": 3}

    july = start(client, officer, hamlet, "2025-07")
    assert not {"action_month", "children_day", "mid_autumn"} & set(july["entry_indicators"])
    assert "action_month" not in july["figures"]
    url = f"/api/v1/reports/{july['id']}/values"
    refused = client.put(url, headers=officer, json={"values": {"action_month": {"participants": 1}}})
    assert refused.status_code == 422
    assert fields(refused) == {"values.action_month": "outside_campaign"}
    assert "Action Month for Children" in refused.json()["errors"][0]["message"]
    after = client.get(f"/api/v1/reports/{july['id']}", headers=officer).json()
    assert after["entered"] == {} and after["version"] == july["version"]

    # Mid-Autumn by the lunar calendar: October in 2025, September in 2026.
    september, october = (start(client, officer, hamlet, p) for p in ("2025-09", "2025-10"))
    assert "mid_autumn" in october["entry_indicators"] and "mid_autumn" not in september["entry_indicators"]
    assert "mid_autumn" in start(client, officer, hamlet, "2026-09")["entry_indicators"]
    late = client.put(
        f"/api/v1/reports/{september['id']}/values",
        headers=officer,
        json={"values": {"mid_autumn": {"participants": 2, "gifted": 2}}},
    )
    assert fields(late) == {"values.mid_autumn": "outside_campaign"}

    # In its month a campaign's boxes are required at submission.
    typed = in_period(hamlet_values(3), "2025-10", typed=october["entry_indicators"])
    without = {k: v for k, v in typed.items() if k != "mid_autumn"}
    october = client.put(
        f"/api/v1/reports/{october['id']}/values", headers=officer, json={"values": without}
    ).json()
    submit = client.post(f"/api/v1/reports/{october['id']}/submit", headers=officer, json={})
    assert submit.status_code == 422
    assert {f for f, code in fields(submit).items() if code == "required"} == {
        "values.mid_autumn.participants",
        "values.mid_autumn.gifted",
    }

    # The commune's campaigns: the gender-equality month in November and December, not October.
    for period, held in (("2025-10", False), ("2025-11", True), ("2025-12", True)):
        commune = start(client, officer, t["a"], period)
        assert ("gender_month" in commune["entry_indicators"]) is held, period
    third = start(client, officer, t["a"], "2025-Q3", definition="quarterly")["entry_indicators"]
    fourth = start(client, officer, t["a"], "2025-Q4", definition="quarterly")["entry_indicators"]
    assert "trafficking_day" in third and "mid_autumn" not in third and "action_month" not in third
    assert {"mid_autumn", "gender_month"} <= set(fourth) and "trafficking_day" not in fourth


def test_the_report_page_shows_a_campaign_in_its_month(client, rtree, browser):
    t = rtree
    officer = who(client, t, "oa")
    june = start(client, officer, t["ha"][1], "2025-06")
    july = start(client, officer, t["ha"][1], "2025-07")
    page = browser(f"rp-oa-{t['tag']}")
    shown = page.get(f"/reports/{june['id']}").text
    assert 'name="values.action_month.participants"' in shown and 'name="values.children_day.gifted"' in shown
    later = page.get(f"/reports/{july['id']}").text
    assert "values.action_month" not in later and "values.children_day" not in later
    refused = page.post(f"/reports/{july['id']}/values", {"values.action_month.participants": "2"})
    assert refused.status_code == 422  # a box the form does not offer: refused, nothing stored
    assert client.get(f"/api/v1/reports/{july['id']}", headers=officer).json()["entered"] == {}


def test_a_campaign_target_applies_in_the_campaign_period(client, owner, rtree):
    t = rtree
    officer = who(client, t, "oa")
    hamlet = t["ha"][2]  # 5 children
    october = enter(client, officer, start(client, officer, hamlet, "2025-10"), hamlet_values(4))
    act(client, officer, october["id"], "submit", version=october["version"])
    november = enter(client, officer, start(client, officer, hamlet, "2025-11"), hamlet_values(0))
    act(client, officer, november["id"], "submit", version=november["version"])
    board = client.get(
        f"/api/v1/units/{hamlet.id}/dashboard", params={"period": "2025-11", "periods": 2}, headers=officer
    ).json()
    rows = {r["code"]: r for r in board["targets"]}
    assert rows["mid_autumn"]["applies"] is False and rows["action_month"]["applies"] is False
    assert board["trend"][0]["period"] == "2025-10" and board["trend"][0]["rates"]["mid_autumn"] == 80.0


def test_the_campaigns_page_per_unit_and_scope(client, owner, worker, rtree, browser):
    t = rtree
    officer = who(client, t, "oa")
    for k, hamlet in enumerate(t["ha"]):  # 3, 4 and 5 children
        report = enter(client, officer, start(client, officer, hamlet, "2025-06"), hamlet_values(k + 3))
        act(client, officer, report["id"], "submit", version=report["version"])
    mine = browser(f"rp-oa-{t['tag']}")
    page = mine.get(f"/campaigns?unit={t['a'].id}&year=2025")
    assert page.status_code == 200
    action = re.search(r'data-campaign="action_month".*?</section>', page.text, re.S).group(0)
    assert 'data-first="2025-06-01" data-last="2025-06-30"' in action
    row = re.search(rf'<tr data-unit="{t["ha"][2].id}">.*?</tr>', action, re.S).group(0)
    assert '<td class="num" data-cell="participants">5</td>' in row
    assert (
        '<td class="num" data-cell="rate">100%</td>' in row
        and '<td class="num" data-cell="target">90%</td>' in row
    )
    mid = re.search(r'data-campaign="mid_autumn".*?</section>', page.text, re.S).group(0)
    assert 'data-first="2025-10-06"' in mid and "15/8" in mid
    assert re.search(rf'<tr data-unit="{t["ha"][0].id}">.*?data-cell="participants">—<', mid, re.S)
    english = mine.get(f"/campaigns?unit={t['a'].id}&year=2025", cookies={"portal_lang": "en"}).text
    assert "Action Month for Children" in english and "Mid-Autumn festival" in english

    # Another commune's officer: the 403 page, audited; a sibling's own page works.
    other = browser(f"rp-ob-{t['tag']}")
    assert other.get(f"/campaigns?unit={t['a'].id}&year=2025").status_code == 403
    denied = owner.execute(
        text(
            "SELECT count(*) FROM audit_log WHERE username = :u AND outcome = 'denied' "
            "AND at > now() - interval '1 minute'"
        ),
        {"u": f"rp-ob-{t['tag']}"},
    ).scalar_one()
    assert denied >= 1
    assert other.get(f"/campaigns?unit={t['b'].id}&year=2025").status_code == 200
    # The district above reads the commune: published counts, never the exact small ones.
    district = browser(f"rp-d1-{t['tag']}").get(f"/campaigns?unit={t['a'].id}&year=2025")
    assert district.status_code == 200 and 'data-cell="participants">&lt;5<' in district.text
    # A collaborator reads only its hamlet; a bad year is a 422 page naming it.
    assert mine.get("/campaigns?year=1999").status_code == 422
    assert "Năm" in mine.get("/campaigns?year=abcd").text


def test_the_api_lists_the_campaigns_with_this_years_days(client, rtree):
    from infra.clock import today

    body = client.get("/api/v1/report-definitions", headers=who(client, rtree, "insp")).json()
    found = {c["code"]: c for c in body["campaigns"]}
    year = today().year
    mid = found["mid_autumn"]
    assert mid["calendar"] == "lunar" and mid["start"] == [8, 15] and mid["target"] == "mid_autumn"
    assert mid["first_day"] == mid["last_day"] == solar_date(year, 8, 15).isoformat()
    assert (
        found["gender_month"]["first_day"] == f"{year}-11-15"
        and found["gender_month"]["last_day"] == f"{year}-12-15"
    )
    assert found["children_forum"]["target"] is None and found["action_month"]["indicator"] == "action_month"
