"""A small tree of our own for case tests, staff on it, and the API calls of the case workflow.

P (province) ─ D (district) ─ C (commune) ─ H1, H2 (hamlets)
             │               └ C2 (commune) ─ H3
             ├ D2 (district) ─ C3 ─ H4
             └ N (commune since 2025, no district) ─ H5
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from infra.clock import utcnow
from portal.registry.models import Child
from tests.support import login, make_unit, make_user

ROLES = {
    "wo": ("C", "ward_officer"),
    "wo2": ("C2", "ward_officer"),
    "wo3": ("C3", "ward_officer"),
    "won": ("N", "ward_officer"),
    "col1": ("H1", "collaborator"),
    "col1b": ("H1", "collaborator"),
    "col2": ("H2", "collaborator"),
    "col5": ("H5", "collaborator"),
    "chair": ("C", "commune_chairman"),
    "chair2": ("C2", "commune_chairman"),
    "chair3": ("C3", "commune_chairman"),
    "hot": ("P", "hotline_officer"),
    "hot3": ("D2", "hotline_officer"),
    "dist": ("D", "district_officer"),
    "dist2": ("D2", "district_officer"),
    "insp": ("P", "provincial_inspector"),
    "admin": (None, "admin"),
}


def build_world(owner: Any) -> dict[str, Any]:
    from tests.test_reorg import add_children

    tag = uuid.uuid4().hex[:6]
    units: dict[str, Any] = {}
    units["P"] = make_unit(owner, None, "province", f"Tỉnh hồ sơ {tag}")
    units["D"] = make_unit(owner, units["P"], "district", f"Huyện hồ sơ {tag}")
    units["D2"] = make_unit(owner, units["P"], "district", f"Huyện hai {tag}")
    units["C"] = make_unit(owner, units["D"], "commune", f"Xã hồ sơ {tag}")
    units["C2"] = make_unit(owner, units["D"], "commune", f"Xã bên {tag}")
    units["C3"] = make_unit(owner, units["D2"], "commune", f"Xã xa {tag}")
    units["N"] = make_unit(owner, units["P"], "commune", f"Xã mới {tag}")
    for name, parent in (("H1", "C"), ("H2", "C"), ("H3", "C2"), ("H4", "C3"), ("H5", "N")):
        units[name] = make_unit(owner, units[parent], "hamlet", f"Thôn {name} {tag}")
        add_children(owner, units[name], 3)
    users = {}
    for key, (where, role) in ROLES.items():
        users[key] = make_user(owner, f"cs-{key}-{tag}", role, units[where].id if where else None).id
    return {"tag": tag, "units": units, "users": users, "tokens": {}}


def who(client: Any, world: dict[str, Any], key: str) -> dict[str, str]:
    if key not in world["tokens"]:
        world["tokens"][key] = login(client, f"cs-{key}-{world['tag']}")
    return world["tokens"][key]


def child_in(owner: Any, hamlet: Any) -> str:
    return str(owner.scalars(select(Child.id).where(Child.hamlet_id == hamlet.id).limit(1)).one())


def intake_body(child_id: str | None, **overrides: Any) -> dict[str, Any]:
    """Form 01 about a registry child (``child_id``), or with ``new_child=...`` when ``child_id`` is None."""
    body: dict[str, Any] = {
        "channel": "hotline_111",
        "case_type": "physical_violence",
        "description": "Trẻ có vết bầm tím ở tay, nghi bị cha đánh.",
        "place": "Tại nhà",
        "informant": {"full_name": "Bà Hàng Xóm", "phone": "0987654321", "relationship": "neighbour"},
    }
    if child_id is not None:
        body["child_id"] = child_id
    body.update(overrides)
    return body


def open_case(client: Any, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/v1/cases", headers=headers, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def act(
    client: Any, headers: dict[str, str], case: dict[str, Any], path: str, expect: int = 200, **body: Any
) -> dict[str, Any]:
    response = client.post(f"/api/v1/cases/{case['id']}/{path}", headers=headers, json=body)
    assert response.status_code == expect, response.text
    return response.json()


def hours_ago(hours: float) -> datetime:
    return (utcnow() - timedelta(hours=hours)).replace(microsecond=0)


def close_case(client: Any, world: dict[str, Any], case: dict[str, Any], **body: Any) -> dict[str, Any]:
    """The ward officer proposes the closure and the commune's chairman approves it."""
    proposed = act(client, who(client, world, "wo"), case, "close", **body)
    assert proposed["closure"]["pending"] is True and proposed["status"] == case["status"]
    return act(client, who(client, world, "chair"), proposed, "closure/approve")
