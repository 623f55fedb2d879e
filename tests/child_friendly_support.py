"""A small tree for the child-friendly assessment tests, with its evidence seeded as the portal holds it:
children and their groups (registry), cases with plans and deadlines (case register), monthly reports
(approved and not), and staff accounts."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import text

from infra.clock import VIETNAM
from portal.reports.models import Report, ReportDefinition
from tests.reporting import build_tree
from tests.support import login, make_unit, make_user

YEAR = 2026


def _child_ids(owner: Any, hamlet: Any) -> list[Any]:
    return list(
        owner.execute(
            text("SELECT id FROM children WHERE hamlet_id = :h ORDER BY date_of_birth, id"), {"h": hamlet.id}
        ).scalars()
    )


def add_case(
    owner: Any,
    hamlet: Any,
    child: Any,
    creator: int,
    case_type: str,
    received: datetime,
    approved: datetime | None = None,
    due: datetime | None = None,
) -> None:
    """A case of ``case_type`` about ``child``; with ``due`` its plan deadline, with ``approved`` its plan."""
    case_id = uuid.uuid4()
    owner.execute(
        text(
            "INSERT INTO cases (id, reference, hamlet_id, unit_path, child_id, child_name, child_date_of_birth,"
            " child_sex, case_type, channel, received_at, description, status, created_by) VALUES (:id,"
            " :ref, :h, :p, :c, 'x', '2018-01-01', 'male', :t, 'hotline_111', :r, 'Báo qua tổng đài 111',"
            " 'received', :u)"
        ),
        {
            "id": case_id,
            "ref": f"CF-{case_id.hex[:16]}",
            "h": hamlet.id,
            "p": hamlet.path,
            "c": child,
            "t": case_type,
            "r": received,
            "u": creator,
        },
    )
    if due is not None:
        owner.execute(
            text(
                "INSERT INTO case_deadlines (id, case_id, step, due_at) VALUES (gen_random_uuid(), :c, 'plan', :d)"
            ),
            {"c": case_id, "d": due},
        )
    if approved is not None:
        owner.execute(
            text(
                "INSERT INTO case_plans (id, case_id, number, status, goals, review_on, created_by, approved_at)"
                " VALUES (gen_random_uuid(), :c, 1, 'approved', 'An toàn cho trẻ', :rv, :u, :a)"
            ),
            {"c": case_id, "rv": date(YEAR, 12, 1), "u": creator, "a": approved},
        )


def add_report(owner: Any, unit: Any, month: int, status: str, figures: dict[str, dict[str, int]]) -> None:
    definition = owner.query(ReportDefinition).filter_by(code="monthly").one()
    start = date(YEAR, month, 1)
    end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    owner.add(
        Report(
            definition_id=definition.id,
            unit_id=unit.id,
            period=f"{YEAR}-{month:02d}",
            period_start=start,
            period_end=end,
            status=status,
            figures=figures,
        )
    )


def water(listed: int, signed: int, fenced: int, injuries: int, deaths: int = 0) -> dict[str, dict[str, int]]:
    return {
        "injuries": {"total": injuries},
        "injury_deaths": {"total": deaths},
        "water_points": {"listed": listed, "signed": signed, "fenced": fenced},
    }


def build(owner: Any) -> dict[str, Any]:
    """The reports' tree (P > D1 > A, B; P > D2 > C), and Z: a commune straight under P (no district).

    Commune A: 12 children in 3 hamlets, one without a registered birth; 4 in special circumstances, 2
    assisted; collaborators in 2 of its 3 hamlets; 3 cases in the year about 2 children (neglect, sexual
    abuse with a plan approved in time, abandonment with none), one of last year; approved January and
    February reports (injuries 2 + 1, water points 4/4/3 then 5/5/5), a draft March (7 injuries)."""
    tree = build_tree(owner)
    tag = tree["tag"]
    z = make_unit(owner, tree["p"], "commune", f"Xã Z {tag}", valid_from=date(2025, 7, 1))
    hz = [make_unit(owner, z, "hamlet", f"Thôn Z{k}") for k in (1, 2)]
    make_user(owner, f"rp-oz-{tag}", "ward_officer", z.id)
    for k, hamlet in enumerate(hz):
        make_user(owner, f"rp-cz{k}-{tag}", "collaborator", hamlet.id)
    make_user(owner, f"rp-ca2-{tag}", "collaborator", tree["ha"][1].id)
    make_user(owner, f"rp-cx-{tag}", "collaborator", tree["ha"][2].id, active=False)
    first = _child_ids(owner, tree["ha"][0])
    owner.execute(
        text("UPDATE children SET birth_registered = (id <> :c) WHERE hamlet_id = ANY(:h)"),
        {"c": first[0], "h": [h.id for h in tree["ha"]]},
    )
    creator = owner.execute(text("SELECT id FROM users WHERE username = :u"), {"u": f"rp-oa-{tag}"}).scalar()
    ha0 = tree["ha"][0]
    received = datetime(YEAR, 3, 2, 9, tzinfo=VIETNAM)
    add_case(owner, ha0, first[0], creator, "neglect", received)
    add_case(
        owner,
        ha0,
        first[1],
        creator,
        "sexual_abuse",
        received,
        approved=received + timedelta(days=5),
        due=received + timedelta(days=7),
    )
    add_case(
        owner,
        ha0,
        first[1],
        creator,
        "abandonment",
        received + timedelta(days=30),
        due=received + timedelta(days=37),
    )
    add_case(owner, ha0, first[2], creator, "trafficking", datetime(YEAR - 1, 6, 1, tzinfo=VIETNAM))
    add_report(owner, tree["a"], 1, "approved", water(4, 4, 3, injuries=2))
    add_report(owner, tree["a"], 2, "approved", water(5, 5, 5, injuries=1))
    add_report(owner, tree["a"], 3, "draft", water(6, 0, 0, injuries=7, deaths=1))
    add_report(owner, tree["b"], 1, "approved", water(9, 9, 9, injuries=9, deaths=2))
    owner.commit()
    tree.update({"z": z, "hz": hz})
    return tree


def who(client: Any, tree: dict[str, Any], key: str) -> dict[str, str]:
    return login(client, f"rp-{key}-{tree['tag']}")
