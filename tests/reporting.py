"""Helpers for report tests: a small tree of our own, staff on it, and the API calls of the workflow."""

from __future__ import annotations

import json
import time
import uuid
from datetime import date
from typing import Any

from sqlalchemy import text

from portal.registry.models import ChildPeriod
from portal.reports.campaigns import Campaign, campaign_rows
from portal.reports.catalog import CATALOG, zero_cells
from portal.reports.periods import parse
from tests.support import login, make_unit, make_user


def hamlet_values(participants: int = 3) -> dict[str, dict[str, int]]:
    """A hamlet's month, every box typed and every breakdown adding up; the campaigns' boxes of every
    month (``enter`` keeps those of the report's period)."""
    injured = {
        "fall": 1,
        "drowning": 1,
        "male": 1,
        "female": 1,
        "6-9": 1,
        "10-13": 1,
        "home": 1,
        "community": 1,
    }
    joined = {"participants": participants, "gifted": participants}
    return {
        "injuries": zero_cells("injuries") | injured,
        "injury_deaths": zero_cells("injury_deaths"),
        "injury_disabilities": zero_cells("injury_disabilities"),
        "action_month": {"participants": participants},
        "children_day": joined,
        "mid_autumn": joined,
    }


COMMUNE_VALUES = {
    "birth_registrations": {"total": 1, "on_time": 1},
    "abused_children": {"male": 1, "female": 0, "0-5": 0, "6-9": 1, "10-13": 0, "14-15": 0}
    | {"home": 1, "school": 0, "community": 0},
    "child_friendly": {"recognised": 1},
    "facilities": {"facilities": 1, "children_in_care": 0, "inspected": 0},
}
"""A commune's month without its campaigns (``in_period`` adds those of a period)."""


def campaign_indicators(period: str, level: str | None = None) -> dict[str, list[str]]:
    """The campaigns' indicators (typed at ``level``, or at any) falling in ``period`` or not: ``{"in":
    [...], "out": [...]}``, read from the catalogue as the loader stores it."""
    catalogue = json.loads(CATALOG.read_text(encoding="utf-8"))
    levels = {i["code"]: i.get("entry_level") for i in catalogue["indicators"]}
    found = next(p for kind in ("month", "quarter", "half", "year") if (p := parse(kind, period)))
    out: dict[str, list[str]] = {"in": [], "out": []}
    for row in campaign_rows(catalogue["campaigns"]):
        campaign = Campaign(**row)
        if level is None or levels[campaign.indicator] == level:
            out["in" if campaign.falls_in(found.start, found.end) else "out"].append(campaign.indicator)
    return out


def in_period(
    values: dict[str, dict[str, int]], period: str, level: str | None = None, typed: list[str] | None = None
) -> dict[str, dict[str, int]]:
    """``values`` as the form of ``period`` takes them at ``level``: a campaign's boxes only in its months
    (those of other campaigns left out, those of the period's typed 0 where ``values`` has none).
    ``typed``: the report's ``entry_indicators``, when known, say which campaigns its form holds."""
    catalogue = {i["code"]: i for i in json.loads(CATALOG.read_text(encoding="utf-8"))["indicators"]}
    everything = campaign_indicators(period)
    if typed is not None:
        held = [c for c in everything["in"] if c in typed]
    else:
        held = campaign_indicators(period, level)["in"]
    every = everything["in"] + everything["out"]
    kept = {code: dict(cells) for code, cells in values.items() if code not in every or code in held}
    for code in held:
        kept.setdefault(code, {row[0]: 0 for row in catalogue[code]["cells"]})
    return kept


def add_children(owner: Any, hamlet: Any, n: int, *, special: int = 0) -> None:
    """``n`` children aged 7 in 2025; the first ``special`` are orphans (group a) since 2024, one supported."""
    from tests.test_reorg import add_children as add

    add(owner, hamlet, n)
    ids = (
        owner.execute(
            text("SELECT id FROM children WHERE hamlet_id = :h ORDER BY date_of_birth LIMIT :n"),
            {"h": hamlet.id, "n": special},
        )
        .scalars()
        .all()
    )
    for i, cid in enumerate(ids):
        owner.add(ChildPeriod(child_id=cid, kind="group", code="a", since=date(2024, 1, 1)))
        if i == 0:
            owner.add(
                ChildPeriod(child_id=cid, kind="support", code="monthly_allowance", since=date(2024, 2, 1))
            )
    owner.commit()


def add_water_points(owner: Any, hamlet: Any) -> None:
    """Two hazardous water points in the hamlet's register since 2024, both signed, one fenced: the report
    counts them (``water_points``: listed 2, signed 2, fenced 1)."""
    owner.execute(
        text(
            "INSERT INTO water_points (hamlet_id, kind, description, listed_on, signed_on, fenced_on) VALUES "
            "(:h, 'pond', 'Ao sau nhà văn hóa', '2024-01-01', '2024-01-01', '2024-01-01'), "
            "(:h, 'canal', 'Mương thủy lợi đầu thôn', '2024-01-01', '2024-01-01', NULL)"
        ),
        {"h": hamlet.id},
    )
    owner.commit()


def build_tree(owner: Any, staff: bool = True) -> dict[str, Any]:
    """Province P > districts D1, D2 > communes A, B (D1), C (D2), N (D1, from 1 July 2025) > hamlets."""
    tag = uuid.uuid4().hex[:6]
    p = make_unit(owner, None, "province", f"Tỉnh báo cáo {tag}")
    d1, d2 = (make_unit(owner, p, "district", f"Huyện {k} {tag}") for k in (1, 2))
    a, b = (make_unit(owner, d1, "commune", f"Xã {k} {tag}") for k in ("A", "B"))
    c = make_unit(owner, d2, "commune", f"Xã C {tag}")
    n = make_unit(owner, d1, "commune", f"Xã N {tag}", valid_from=date(2025, 7, 1))
    ha = [make_unit(owner, a, "hamlet", f"Thôn A{k}") for k in (1, 2, 3)]
    hb = [make_unit(owner, b, "hamlet", f"Thôn B{k}") for k in (1, 2)]
    hc = [make_unit(owner, c, "hamlet", f"Thôn C{k}") for k in (1, 2)]
    for k, h in enumerate(ha + hb + hc):
        add_children(owner, h, 3 + k % 3, special=2 if k % 2 == 0 else 0)
        add_water_points(owner, h)
    accounts = {
        "oa": (a, "ward_officer"),
        "ob": (b, "ward_officer"),
        "oc": (c, "ward_officer"),
        "on": (n, "ward_officer"),
        "d1": (d1, "district_officer"),
        "d2": (d2, "district_officer"),
        "insp": (p, "provincial_inspector"),
        "ca1": (ha[0], "collaborator"),
    }
    for key, (unit, role) in accounts.items() if staff else ():
        make_user(owner, f"rp-{key}-{tag}", role, unit.id)
    return {
        "tag": tag,
        "p": p,
        "d1": d1,
        "d2": d2,
        "a": a,
        "b": b,
        "c": c,
        "n": n,
        "ha": ha,
        "hb": hb,
        "hc": hc,
    }


def who(client: Any, tree: dict[str, Any], key: str) -> dict[str, str]:
    return login(client, f"rp-{key}-{tree['tag']}")


def start(client: Any, headers: dict[str, str], unit: Any, period: str, definition: str = "monthly") -> dict:
    response = client.post(
        "/api/v1/reports",
        headers=headers,
        json={"definition": definition, "unit_id": unit.id, "period": period},
    )
    assert response.status_code == 201, response.text
    return response.json()


def enter(client: Any, headers: dict[str, str], report: dict, values: dict) -> dict:
    """Type ``values`` into ``report`` as its form of the period takes them (``in_period``)."""
    values = in_period(values, report["period"], typed=report["entry_indicators"])
    response = client.put(
        f"/api/v1/reports/{report['id']}/values",
        headers=headers,
        json={"values": values, "version": report["version"]},
    )
    assert response.status_code == 200, response.text
    return response.json()


def explain_warnings(client: Any, headers: dict[str, str], report_id: int) -> None:
    """Explain every warning of the data checks the report fails, as its unit must before submitting
    (portal.reports.rule_checks); tests of the checks themselves call the API directly."""
    found = client.get(f"/api/v1/reports/{report_id}/checks", headers=headers)
    assert found.status_code == 200, found.text
    for finding in found.json()["findings"]:
        if finding["severity"] == "warning" and not finding["comment"]:
            response = client.put(
                f"/api/v1/reports/{report_id}/explanations",
                headers=headers,
                json={"rule": finding["rule"], "comment": "Đã kiểm tra lại số liệu với các thôn"},
            )
            assert response.status_code == 200, response.text


def act(
    client: Any, headers: dict[str, str], report_id: int, action: str, expect: int = 200, **body: Any
) -> dict:
    if action == "submit" and expect == 200:
        explain_warnings(client, headers, report_id)
    response = client.post(f"/api/v1/reports/{report_id}/{action}", headers=headers, json=body)
    assert response.status_code == expect, response.text
    return response.json()


def wait_run(client: Any, headers: dict[str, str], run_id: int, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    body: dict = {}
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/consolidations/{run_id}", headers=headers).json()
        if body["status"] in ("done", "failed"):
            return body
        time.sleep(0.2)
    raise AssertionError(f"consolidation {run_id} not finished in {timeout}s: {body}")


def consolidate(client: Any, headers: dict[str, str], report_id: int, with_missing: bool = False) -> dict:
    run = act(client, headers, report_id, "consolidate", expect=202, with_missing=with_missing)
    done = wait_run(client, headers, run["id"])
    assert done["status"] == "done", done
    return client.get(f"/api/v1/reports/{report_id}", headers=headers).json()


def approved_hamlets(client: Any, officer: dict[str, str], hamlets: list, period: str) -> list[dict]:
    """Hamlet reports drafted by the ward officer (standing in for the collaborators), submitted, approved."""
    out = []
    for hamlet in hamlets:
        report = enter(client, officer, start(client, officer, hamlet, period), hamlet_values())
        report = act(client, officer, report["id"], "submit", version=report["version"])
        out.append(act(client, officer, report["id"], "approve", version=report["version"]))
    return out


def children_count(owner: Any, hamlets: list) -> int:
    return owner.execute(
        text("SELECT count(*) FROM children WHERE hamlet_id = ANY(:h) AND status = 'active'"),
        {"h": [h.id for h in hamlets]},
    ).scalar_one()


def add_case(owner: Any, tree: dict[str, Any], hamlet: Any, received: str, closed: str | None = None) -> None:
    """A case about a child of ``hamlet``, received (and closed) at the given times, recorded by officer A."""
    child = owner.execute(
        text("SELECT id FROM children WHERE hamlet_id = :h LIMIT 1"), {"h": hamlet.id}
    ).scalar()
    creator = owner.execute(
        text("SELECT id FROM users WHERE username = :u"), {"u": f"rp-oa-{tree['tag']}"}
    ).scalar()
    owner.execute(
        text(
            "INSERT INTO cases (id, reference, hamlet_id, unit_path, child_id, child_name, child_date_of_birth, "
            "child_sex, case_type, channel, received_at, description, status, closure_reason, closed_at, "
            "created_by) VALUES (gen_random_uuid(), 'T-' || left(gen_random_uuid()::text, 20), :h, :p, :c, 'x', '2018-01-01', "
            "'male', 'neglect', 'hotline_111', :r, 'Báo qua tổng đài 111', :s, :reason, :closed, :u)"
        ),
        {
            "h": hamlet.id,
            "p": hamlet.path,
            "c": child,
            "r": received,
            "s": "closed" if closed else "received",
            "reason": "safe" if closed else None,
            "closed": closed,
            "u": creator,
        },
    )
    owner.commit()
