"""Helpers for the staff tests (no tests here; the name keeps it among the staff test files).

``build_org`` makes a small tree of our own, every unit in force today, and staff on it created the
way the application creates them: an administrator enrols a provincial inspector through the API,
who enrols a district officer, who enrols ward officers, who create their hamlets and enrol
collaborators; every account sets its password with its one-time code.

    P (province)                              P2 (province)
    ├── D1 (district)                         └── D3
    │   ├── C1 (commune): H1, H2 (hamlets)        └── C4: H4
    │   ├── C2: H3
    │   └── CX (closed on 1 July 2025)
    └── D2
        └── C3: H5
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import text

from tenancy.models import Unit
from tests.support import login, mailed_code, make_unit

STAFF_PASSWORD = "Rừng tràm xanh mướt 42"
DEMO_ADMIN = ("demo-admin", "demo-password")

# Written out by hand, not imported from portal.staff: the tests check the code against this table.
RANK = {"collaborator": 1, "ward_officer": 2, "district_officer": 3, "provincial_inspector": 4, "admin": 5}
LEVEL = {
    "collaborator": "hamlet",
    "ward_officer": "commune",
    "district_officer": "district",
    "provincial_inspector": "province",
}


@dataclass
class Account:
    id: int
    username: str
    role: str
    unit: Unit | None
    headers: dict[str, str]


@dataclass
class Org:
    tag: str
    units: dict[str, Unit]
    admin: dict[str, str]
    accounts: dict[str, Account] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Account:
        return self.accounts[key]


def set_password(client: Any, code: str, password: str = STAFF_PASSWORD) -> Any:
    return client.post("/api/v1/auth/set-password", json={"code": code, "password": password})


def create(
    client: Any, headers: dict[str, str], username: str, role: str, unit_id: int | None, **extra: Any
) -> Any:
    body = {"username": username, "full_name": extra.pop("full_name", f"Cán bộ {username}"), "role": role}
    body["unit_id"] = unit_id
    body["email"] = extra.pop("email", f"{username}@example.vn")
    return client.post("/api/v1/staff", json=body, headers=headers)


def setup_code_of(response: Any) -> str:
    """The setup code: from the answer when the manager may hold it, else from the person's mailbox
    (sent here by the same delivery function the worker runs, to the real test SMTP server)."""
    answer = response.json()
    if answer["setup_code"] is not None:
        return str(answer["setup_code"]["code"])
    from portal.notifications.delivery import deliver

    sent = answer["code_delivery"]
    assert deliver(sent["notification_id"]) in ("sent", "nothing to send")
    return mailed_code(f"{answer['username']}@example.vn")


def enrol(client: Any, headers: dict[str, str], username: str, role: str, unit: Unit | None) -> Account:
    """Create the account, set its password with the setup code (shown or mailed), log in."""
    response = create(client, headers, username, role, unit.id if unit else None)
    assert response.status_code == 201, response.text
    assert set_password(client, setup_code_of(response)).status_code == 200
    return Account(response.json()["id"], username, role, unit, login(client, username, STAFF_PASSWORD))


def add_hamlet(client: Any, headers: dict[str, str], commune: Unit, name: str) -> Unit:
    response = client.post(f"/api/v1/units/{commune.id}/hamlets", json={"name": name}, headers=headers)
    assert response.status_code == 201, response.text
    body = response.json()
    return Unit(
        id=body["id"],
        parent_id=commune.id,
        level="hamlet",
        code=None,
        name=body["name"],
        kind=body["kind"],
        path=body["path"],
        depth=body["depth"],
        valid_from=date.fromisoformat(body["valid_from"]),
        valid_to=None,
    )


def build_org(client: Any, owner: Any) -> Org:
    tag = uuid.uuid4().hex[:6]
    u: dict[str, Unit] = {}
    u["P"] = make_unit(owner, None, "province", f"Tỉnh nhân sự {tag}")
    u["P2"] = make_unit(owner, None, "province", f"Tỉnh khác {tag}")
    u["D1"] = make_unit(owner, u["P"], "district", f"Huyện Một {tag}")
    u["D2"] = make_unit(owner, u["P"], "district", f"Huyện Hai {tag}")
    u["D3"] = make_unit(owner, u["P2"], "district", f"Huyện Ba {tag}")
    for name, parent in (("C1", "D1"), ("C2", "D1"), ("C3", "D2"), ("C4", "D3")):
        u[name] = make_unit(owner, u[parent], "commune", f"Xã {name} {tag}")
    u["CX"] = make_unit(owner, u["D1"], "commune", f"Xã cũ {tag}", valid_to=date(2025, 7, 1))
    for unit in u.values():  # loaded and detached: the tests read them after this session is gone
        owner.refresh(unit)
        owner.expunge(unit)
    admin = login(client, *DEMO_ADMIN)
    org = Org(tag, u, admin)
    a = org.accounts
    a["insp"] = enrol(client, admin, f"insp-{tag}", "provincial_inspector", u["P"])
    a["insp2"] = enrol(client, admin, f"insp2-{tag}", "provincial_inspector", u["P2"])
    a["dist"] = enrol(client, a["insp"].headers, f"dist-{tag}", "district_officer", u["D1"])
    a["dist2"] = enrol(client, a["insp"].headers, f"dist2-{tag}", "district_officer", u["D2"])
    a["ward"] = enrol(client, a["dist"].headers, f"ward-{tag}", "ward_officer", u["C1"])
    a["ward2"] = enrol(client, a["dist"].headers, f"ward2-{tag}", "ward_officer", u["C2"])
    a["ward3"] = enrol(client, a["dist2"].headers, f"ward3-{tag}", "ward_officer", u["C3"])
    a["ward4"] = enrol(client, a["insp2"].headers, f"ward4-{tag}", "ward_officer", u["C4"])
    u["H1"] = add_hamlet(client, a["ward"].headers, u["C1"], "Thôn Đông")
    u["H2"] = add_hamlet(client, a["ward"].headers, u["C1"], "Thôn Tây")
    u["H3"] = add_hamlet(client, a["ward2"].headers, u["C2"], "Thôn Đông")  # same name, other commune: fine
    u["H5"] = add_hamlet(client, a["ward3"].headers, u["C3"], "Thôn Nam")
    u["H4"] = add_hamlet(client, a["ward4"].headers, u["C4"], "Thôn Bắc")
    a["collab"] = enrol(client, a["ward"].headers, f"collab-{tag}", "collaborator", u["H1"])
    a["collab2"] = enrol(client, a["ward"].headers, f"collab2-{tag}", "collaborator", u["H2"])
    a["collab3"] = enrol(client, a["ward2"].headers, f"collab3-{tag}", "collaborator", u["H3"])
    a["collab5"] = enrol(client, a["ward3"].headers, f"collab5-{tag}", "collaborator", u["H5"])
    a["collab4"] = enrol(client, a["ward4"].headers, f"collab4-{tag}", "collaborator", u["H4"])
    return org


def denials(owner: Any, username: str) -> list[dict[str, Any]]:
    owner.rollback()
    return [
        dict(r._mapping)
        for r in owner.execute(
            text("SELECT * FROM audit_log WHERE username = :u AND outcome = 'denied' ORDER BY id"),
            {"u": username},
        )
    ]


def changes(owner: Any, resource: str, resource_id: int) -> list[dict[str, Any]]:
    """Allowed changes to one record, oldest first."""
    owner.rollback()
    return [
        dict(r._mapping)
        for r in owner.execute(
            text(
                "SELECT * FROM audit_log WHERE resource = :r AND :i = ANY(resource_ids) AND outcome = 'allowed' "
                "ORDER BY id"
            ),
            {"r": resource, "i": str(resource_id)},
        )
    ]
