"""Helpers for the DHIS2 exchange tests: a commune's approved month, the code mapping, empty units."""

from __future__ import annotations

import json
from typing import Any

from tests.reporting import (
    COMMUNE_VALUES,
    act,
    add_children,
    approved_hamlets,
    build_tree,
    consolidate,
    enter,
    start,
    who,
)
from tests.support import login, make_unit, make_user

PERIOD = "2025-06"


def approved_commune(client: Any, owner: Any) -> dict[str, Any]:
    """Tree of tests.reporting; commune A's hamlets and A approved for June 2025; an administrator."""
    t = build_tree(owner)
    officer, district = who(client, t, "oa"), who(client, t, "d1")
    hamlets = approved_hamlets(client, officer, t["ha"], PERIOD)
    commune = enter(client, officer, start(client, officer, t["a"], PERIOD), COMMUNE_VALUES)
    commune = consolidate(client, officer, commune["id"])
    commune = act(client, officer, commune["id"], "submit", version=commune["version"])
    commune = act(client, district, commune["id"], "approve", version=commune["version"])
    make_user(owner, f"rp-admin-{t['tag']}", "admin", None)
    return {"t": t, "commune": commune, "hamlets": hamlets, "admin": who(client, t, "admin")}


def map_everything(client: Any, admin: dict[str, str], tag: str) -> dict[tuple[str, str], tuple[str, str]]:
    """Every cell of the catalogue mapped to codes made from its name and ``tag``; the monthly report to
    a dataSet. Returns the cell codes."""
    mapping = client.get("/api/v1/exchange/mapping", headers=admin).json()
    cells = {
        (c["indicator"], c["cell"]): (f"DE_{c['indicator']}_{tag}"[:50], f"COC_{c['cell']}"[:50])
        for c in mapping["cells"]
    }
    body = {
        "cells": [
            {"indicator": i, "cell": c, "data_element": de, "category_option_combo": coc}
            for (i, c), (de, coc) in cells.items()
        ]
    }
    response = client.put("/api/v1/exchange/mapping/cells", headers=admin, json=body)
    assert response.status_code == 200, response.text
    for code in ("monthly", "quarterly"):
        response = client.put(
            f"/api/v1/exchange/mapping/data-sets/{code}", headers=admin, json={"data_set": f"DS_{code}_{tag}"}
        )
        assert response.status_code == 200, response.text
    return cells


def map_unit(client: Any, headers: dict[str, str], unit: Any, code: str, expect: int = 200) -> Any:
    response = client.put(f"/api/v1/units/{unit.id}/dhis2", headers=headers, json={"org_unit": code})
    assert response.status_code == expect, response.text
    return response


def empty_commune(client: Any, owner: Any, t: dict[str, Any], name: str) -> dict[str, Any]:
    """A new commune of district 1 with no reports, and its ward officer; its three hamlets hold children
    as commune A's do (tests.reporting.build_tree), so that the registry's own counts agree with A's."""
    commune = make_unit(owner, t["d1"], "commune", f"Xã {name} {t['tag']}")
    hamlets = [make_unit(owner, commune, "hamlet", f"Thôn {name}{k}") for k in (1, 2, 3)]
    for k, hamlet in enumerate(hamlets):
        add_children(owner, hamlet, 3 + k % 3, special=2 if k % 2 == 0 else 0)
    make_user(owner, f"rp-{name}-{t['tag']}", "ward_officer", commune.id)
    return {"unit": commune, "hamlets": hamlets, "officer": login(client, f"rp-{name}-{t['tag']}")}


def export(client: Any, headers: dict[str, str], unit: Any, fmt: str = "json", **params: Any) -> Any:
    query = {"unit_id": unit.id, "definition": "monthly", "period": PERIOD, "format": fmt, **params}
    return client.get("/api/v1/exchange/export", headers=headers, params=query)


def values_of(data: bytes) -> dict[tuple[str, str, str], int]:
    """A dataValueSets document's values by (orgUnit, dataElement, categoryOptionCombo)."""
    return {
        (v["orgUnit"], v["dataElement"], v["categoryOptionCombo"]): int(v["value"])
        for v in json.loads(data)["dataValues"]
    }


def typed(cells: dict[str, dict[str, int]], level: str) -> dict[str, dict[str, int]]:
    """The typed cells of a report's ``entered`` at ``level`` (hamlet or commune), for comparison."""
    hamlet = ("injuries", "injury_deaths", "water_points", "action_month")
    codes = hamlet if level == "hamlet" else tuple(COMMUNE_VALUES)
    return {code: dict(cells[code]) for code in codes if code in cells}
