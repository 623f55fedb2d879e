"""Helpers for report tests: a small tree of our own, staff on it, and the API calls of the workflow."""

from __future__ import annotations

import time
import uuid
from datetime import date
from typing import Any

from sqlalchemy import text

from portal.registry.models import ChildPeriod
from portal.reports.catalog import zero_cells
from tests.support import login, make_unit, make_user


def hamlet_values(participants: int = 3) -> dict[str, dict[str, int]]:
    return {
        "injuries": zero_cells("injuries") | {"fall": 1, "drowning": 1},
        "injury_deaths": {"drowning": 0, "other": 0},
        "water_points": {"listed": 2, "signed": 2, "fenced": 1},
        "action_month": {"participants": participants},
    }


COMMUNE_VALUES = {
    "abused_children": {"male": 1, "female": 0, "home": 1, "school": 0, "community": 0},
    "child_friendly": {"recognised": 1},
    "collaborators": {"in_place": 2, "trained": 1},
}


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
