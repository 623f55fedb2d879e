"""A quarter starts from the unit's three approved months: flows summed, stocks from the last month,
the months missing named; a cell that differs needs a reason which the approver reads; a month approved
later is taken again without touching a cell kept with a reason; another commune's months never count."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.reporting import build_tree, start, who

MONTHS = {  # commune A's monthly figures: injuries are a flow, water points and recognition stocks
    "2026-07": {
        "injuries": {"fall": 1, "drowning": 0},
        "water_points": {"listed": 4, "signed": 3, "fenced": 2},
        "child_friendly": {"recognised": 0},
    },
    "2026-08": {
        "injuries": {"fall": 2, "drowning": 1},
        "water_points": {"listed": 5, "signed": 4, "fenced": 2},
        "child_friendly": {"recognised": 0},
    },
    "2026-09": {
        "injuries": {"fall": 3, "drowning": 0},
        "water_points": {"listed": 6, "signed": 6, "fenced": 5},
        "child_friendly": {"recognised": 1},
    },
}
ENDS = {"2026-07": "2026-07-31", "2026-08": "2026-08-31", "2026-09": "2026-09-30"}


def monthly(owner: Session, unit: Any, period: str, status: str, figures: dict) -> int:
    """A monthly report of ``unit`` as the chain leaves it (the arrangement's shortcut past consolidation)."""
    report_id = owner.execute(
        text(
            "INSERT INTO reports (definition_id, unit_id, period, period_start, period_end, status, figures) "
            "SELECT id, :u, :p, CAST(:d AS date), CAST(:e AS date), :s, CAST(:f AS jsonb) FROM report_definitions "
            "WHERE code = 'monthly' RETURNING id"
        ),
        {
            "u": unit.id,
            "p": period,
            "d": period + "-01",
            "e": ENDS[period],
            "s": status,
            "f": json.dumps(figures),
        },
    ).scalar_one()
    owner.commit()
    return int(report_id)


@pytest.fixture()
def quarter(client: Any, owner: Session) -> dict[str, Any]:
    tree = build_tree(owner)
    ids = {
        m: monthly(owner, tree["a"], m, "approved" if m != "2026-09" else "submitted", f)
        for m, f in MONTHS.items()
    }
    for m in MONTHS:  # commune B's months, far larger: they must never reach A's quarter
        monthly(
            owner, tree["b"], m, "approved", {"injuries": {"fall": 100}, "child_friendly": {"recognised": 1}}
        )
    officer = who(client, tree, "oa")
    report = start(client, officer, tree["a"], "2026-Q3", definition="quarterly")
    return {"tree": tree, "ids": ids, "officer": officer, "report": report}


def test_a_quarter_starts_from_the_approved_months_and_names_the_missing_one(quarter):
    report = quarter["report"]
    taken = report["from_months"]
    assert taken["months"] == ["2026-07", "2026-08"] and taken["missing"] == ["2026-09"]
    assert taken["values"]["injuries"]["fall"] == 3 and taken["values"]["injuries"]["drowning"] == 1  # sums
    assert "water_points" not in taken["values"]  # counted from the register (0035), never typed
    assert taken["values"]["child_friendly"] == {"recognised": 0}  # a stock: August, the last approved
    assert report["entered"]["injuries"]["fall"] == 3 and report["figures"]["injuries"]["fall"] == 3
    assert "abused_children" not in taken["values"]  # no month held it: left to be typed


def test_a_month_approved_later_is_taken_again_and_a_cell_kept_with_a_reason_stays(client, owner, quarter):
    officer, report = quarter["officer"], quarter["report"]
    changed = {
        "values": {"injuries": {"fall": 5}, "child_friendly": {"recognised": 1}},
        "version": report["version"],
    }
    refused = client.put(f"/api/v1/reports/{report['id']}/values", headers=officer, json=changed)
    assert refused.status_code == 422
    fields = {e["field"] for e in refused.json()["errors"]}
    assert fields == {"reasons.injuries.fall", "reasons.child_friendly.recognised"}
    assert "differs from the months' figure (3)" in refused.text
    changed["reasons"] = {"injuries": {"fall": "Thêm 2 trẻ ngã cầu thang báo muộn sau ngày chốt tháng 8"}}
    still = client.put(f"/api/v1/reports/{report['id']}/values", headers=officer, json=changed)
    assert still.status_code == 422 and [e["field"] for e in still.json()["errors"]] == [
        "reasons.child_friendly.recognised"
    ]
    changed["values"].pop("child_friendly")
    saved = client.put(f"/api/v1/reports/{report['id']}/values", headers=officer, json=changed)
    assert saved.status_code == 200, saved.text
    assert saved.json()["reasons"] == {
        "injuries": {"fall": "Thêm 2 trẻ ngã cầu thang báo muộn sau ngày chốt tháng 8"}
    }

    owner.execute(
        text("UPDATE reports SET status = 'approved' WHERE id = :r"), {"r": quarter["ids"]["2026-09"]}
    )
    owner.commit()
    again = client.post(f"/api/v1/reports/{report['id']}/from-months", headers=officer)
    assert again.status_code == 200, again.text
    body = again.json()
    assert (
        body["from_months"]["months"] == ["2026-07", "2026-08", "2026-09"]
        and body["from_months"]["missing"] == []
    )
    assert body["entered"]["injuries"]["fall"] == 5  # kept: it has a reason
    assert body["entered"]["injuries"]["drowning"] == 1
    assert "water_points" not in body["entered"]
    assert body["entered"]["child_friendly"] == {"recognised": 1}  # September's stock
    district = who(client, quarter["tree"], "d1")
    read = client.get(f"/api/v1/reports/{report['id']}", headers=district).json()
    assert read["reasons"]["injuries"]["fall"].startswith("Thêm 2 trẻ")  # the approver reads why


def test_a_monthly_report_takes_nothing_and_cannot_be_taken_again(client, quarter):
    officer, tree = quarter["officer"], quarter["tree"]
    month = start(client, officer, tree["ha"][0], "2026-10")
    assert month["from_months"] is None and month["reasons"] == {}
    refused = client.post(f"/api/v1/reports/{month['id']}/from-months", headers=officer)
    assert refused.status_code == 409
    other = client.post(
        f"/api/v1/reports/{quarter['report']['id']}/from-months", headers=who(client, tree, "ob")
    )
    assert other.status_code == 404  # a sibling commune's officer does not see A's quarter
    long = {
        "values": {"injuries": {"fall": 9}},
        "reasons": {"injuries": {"fall": "x" * 501}},
        "version": quarter["report"]["version"],
    }
    too_long = client.put(f"/api/v1/reports/{quarter['report']['id']}/values", headers=officer, json=long)
    assert too_long.status_code == 422 and too_long.json()["errors"][0]["field"] == "reasons.injuries.fall"


def test_the_quarter_page_shows_the_months_asks_why_and_the_approver_reads_it(browser, quarter):
    tree, report = quarter["tree"], quarter["report"]
    officer = browser(f"rp-oa-{tree['tag']}")
    page = officer.get(f"/reports/{report['id']}")
    assert page.status_code == 200
    assert 'data-months="2026-07 2026-08"' in page.text and "Tháng 9/2026" in page.text
    assert "Từ các tháng đã phê duyệt: 3" in page.text  # the falls' box
    form = {"version": str(report["version"]), "values.injuries.fall": "5"}
    refused = officer.post(f"/reports/{report['id']}/values", form)
    assert refused.status_code == 422
    assert 'id="reasons.injuries.fall"' in refused.text and 'aria-invalid="true"' in refused.text
    assert (
        'value="5"' in refused.text and "Khác số liệu các tháng đã phê duyệt: ghi rõ lý do." in refused.text
    )
    form["reasons.injuries.fall"] = "Hai trẻ ngã cầu thang được báo sau ngày chốt số liệu"
    saved = officer.post(f"/reports/{report['id']}/values", form)
    assert saved.status_code == 303, saved.text
    shown = officer.get(saved.headers["location"])
    assert "Hai trẻ ngã cầu thang" in shown.text and 'class="differences"' in shown.text
    again = officer.post(
        f"/reports/{report['id']}/action", {"version": str(report["version"] + 1), "action": "from_months"}
    )
    assert again.status_code == 303
    district = browser(f"rp-d1-{tree['tag']}")
    district.client.cookies.set("portal_lang", "en")
    read = district.get(f"/reports/{report['id']}")
    assert "Differences from the monthly reports" in read.text and "Hai trẻ ngã cầu thang" in read.text
