"""DHIS2 exchange: the code mapping (who may write it), exports as dataValueSets JSON and ADX XML (exact
for the unit's record keepers, published for aggregate-only readers; the ADX valid against its schema),
imports into drafts (all or nothing, every refusal named), and the round trip into empty units."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import text

from infra.db import new_session
from portal.exchange.export import ADX_NS
from portal.reports.catalog import CATALOG
from tenancy.scope import Scope
from tests.adx.xsd_check import check, errors
from tests.exchange_support import (
    PERIOD,
    approved_commune,
    empty_commune,
    export,
    map_everything,
    map_unit,
    values_of,
)
from tests.exchange_support import typed as typed_at
from tests.reporting import add_water_points, campaign_indicators, who
from tests.support import make_unit, make_user


@pytest.fixture()
def mapped(client, owner, worker):
    """A's approved June 2025, every cell mapped, A and two of its hamlets given orgUnits by the province."""
    chain = approved_commune(client, owner)
    t = chain["t"]
    cells = map_everything(client, chain["admin"], t["tag"])
    inspector = who(client, t, "insp")
    map_unit(client, inspector, t["a"], f"OU_A_{t['tag']}")
    for k, hamlet in enumerate(t["ha"][:2]):
        map_unit(client, inspector, hamlet, f"OU_A{k + 1}_{t['tag']}")
    return {**chain, "cells": cells}


def test_who_may_write_the_mapping(client, owner, mapped):
    t, admin = mapped["t"], mapped["admin"]
    officer, district, inspector = who(client, t, "oa"), who(client, t, "d1"), who(client, t, "insp")
    one = {
        "cells": [
            {"indicator": "injuries", "cell": "fall", "data_element": "X", "category_option_combo": "Y"}
        ]
    }
    # the codes shared by the country: the administrator only
    for headers in (officer, district, inspector):
        assert client.put("/api/v1/exchange/mapping/cells", headers=headers, json=one).status_code == 403
        refused = client.put(
            "/api/v1/exchange/mapping/data-sets/monthly", headers=headers, json={"data_set": "Z"}
        )
        assert refused.status_code == 403
    # a unit's orgUnit: the administrator, or the province over it; not a ward or district officer
    map_unit(client, officer, t["a"], "NOPE_A", expect=403)
    map_unit(client, district, t["b"], "NOPE_B", expect=403)
    other = make_unit(owner, None, "province", f"Tỉnh khác {t['tag']}")
    make_user(owner, f"rp-insp2-{t['tag']}", "provincial_inspector", other.id)
    map_unit(client, who(client, t, "insp2"), t["b"], "NOPE_B", expect=403)
    map_unit(client, admin, t["b"], f"OU_B_{t['tag']}")
    # everyone who reads reports reads the codes
    seen = client.get(f"/api/v1/units/{t['a'].id}/dhis2", headers=officer).json()
    assert seen["unit"]["org_unit"] == f"OU_A_{t['tag']}"
    assert [u["org_unit"] for u in seen["below"]] == [f"OU_A1_{t['tag']}", f"OU_A2_{t['tag']}", None]
    # bad and taken codes, named by their box; nothing of the request kept
    bad = {
        "cells": [
            {
                "indicator": "injuries",
                "cell": "fall",
                "data_element": "NEW_FALL",
                "category_option_combo": "C",
            },
            {
                "indicator": "injuries",
                "cell": "burn",
                "data_element": "has space",
                "category_option_combo": "C",
            },
            {"indicator": "injuries", "cell": "nope", "data_element": "A", "category_option_combo": "B"},
        ]
    }
    refused = client.put("/api/v1/exchange/mapping/cells", headers=admin, json=bad)
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json()["errors"]} == {"de.injuries.burn", "de.injuries.nope"}
    cells = {
        (c["indicator"], c["cell"]): c
        for c in client.get("/api/v1/exchange/mapping", headers=admin).json()["cells"]
    }
    assert cells[("injuries", "fall")]["data_element"] == mapped["cells"][("injuries", "fall")][0]
    taken = map_unit(client, admin, t["c"], f"OU_A_{t['tag']}", expect=422)
    assert taken.json()["errors"][0]["field"] == "org_unit"
    too_long = client.put(f"/api/v1/units/{t['c'].id}/dhis2", headers=admin, json={"org_unit": "x" * 51})
    assert too_long.status_code in (400, 422)


def test_row_level_security_of_the_mapping(mapped):
    """Under a province's scope the database itself refuses the country's codes and other provinces'
    units; the codes are read by everyone."""
    t = mapped["t"]
    with new_session(Scope(records=None, aggregates=t["p"].path)) as app:
        assert app.execute(text("SELECT count(*) FROM dhis2_data_elements")).scalar() > 0
        changed = app.execute(
            text("UPDATE dhis2_data_elements SET data_element = 'HACK' WHERE indicator = 'injuries'")
        )
        assert changed.rowcount == 0
        mine = app.execute(
            text("UPDATE dhis2_org_units SET org_unit = org_unit || 'X' WHERE unit_id = :u"), {"u": t["a"].id}
        )
        assert mine.rowcount == 1
        app.rollback()
    with new_session(Scope(records=None, aggregates=t["c"].path)) as app:
        theirs = app.execute(
            text("UPDATE dhis2_org_units SET org_unit = org_unit || 'X' WHERE unit_id = :u"), {"u": t["a"].id}
        )
        assert theirs.rowcount == 0
        app.rollback()


def test_export_exact_for_the_ward_and_published_for_the_district(client, owner, mapped):
    t, cells = mapped["t"], mapped["cells"]
    officer, district, inspector = who(client, t, "oa"), who(client, t, "d1"), who(client, t, "insp")
    response = export(client, officer, t["a"], children="true")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["x-exchange-unmapped-units"] == "1"  # the third hamlet has no orgUnit
    body = json.loads(response.content)
    assert body["dataSet"] == f"DS_monthly_{t['tag']}" and body["period"] == "202506"
    got = values_of(response.content)
    exact = client.get(f"/api/v1/reports/{mapped['commune']['id']}", headers=officer).json()["figures"]
    for (indicator, cell), (de, coc) in cells.items():
        if indicator in exact:
            assert got[(f"OU_A_{t['tag']}", de, coc)] == exact[indicator][cell], (indicator, cell)
    first = mapped["hamlets"][0]["figures"]
    assert got[(f"OU_A1_{t['tag']}", *cells[("injuries", "fall")])] == first["injuries"]["fall"] == 1
    assert {ou for ou, _, _ in got} == {f"OU_A_{t['tag']}", f"OU_A1_{t['tag']}", f"OU_A2_{t['tag']}"}

    for reader in (district, inspector):
        published = export(client, reader, t["a"])
        assert published.status_code == 200, published.text
        shown = client.get(f"/api/v1/reports/{mapped['commune']['id']}", headers=reader).json()["figures"]
        got = values_of(published.content)
        hidden = 0
        for (indicator, cell), (de, coc) in cells.items():
            if indicator not in shown:
                continue
            value = shown[indicator][cell]
            if isinstance(value, str):  # "<5" is never sent
                assert (f"OU_A_{t['tag']}", de, coc) not in got
                hidden += 1
            else:
                assert got[(f"OU_A_{t['tag']}", de, coc)] == value
        assert hidden > 0 and published.headers["x-exchange-hidden"] == str(hidden)
        # the small exact counts the ward sees do not leave through the export
        assert got.get((f"OU_A_{t['tag']}", *cells[("abused_children", "male")])) is None

    # outside one's area: refused; a sibling commune's officer cannot export A
    assert export(client, who(client, t, "ob"), t["a"]).status_code == 403
    assert export(client, who(client, t, "d2"), t["a"]).status_code == 403
    # nothing approved in the subtree: named
    nothing = export(client, officer, t["a"], period="2025-05")
    assert nothing.status_code == 422 and nothing.json()["errors"][0]["field"] == "period"
    bad = client.get(
        "/api/v1/exchange/export",
        headers=officer,
        params={"unit_id": t["a"].id, "definition": "monthly", "period": PERIOD, "format": "csv"},
    )
    assert bad.status_code == 400


def test_adx_export_is_valid_against_the_schema(client, mapped):
    t = mapped["t"]
    response = export(client, who(client, t, "oa"), t["a"], "adx", children="true")
    assert response.status_code == 200, response.text
    assert errors(response.content) == []
    assert check(response.content) == []  # the schema's own reading, whatever library is installed
    root = ET.fromstring(response.content)
    assert root.tag == f"{{{ADX_NS}}}adx"
    groups = root.findall(f"{{{ADX_NS}}}group")
    assert [g.get("orgUnit") for g in groups] == [
        f"OU_A_{t['tag']}",
        f"OU_A1_{t['tag']}",
        f"OU_A2_{t['tag']}",
    ]
    assert {g.get("period") for g in groups} == {"2025-06-01/P1M"}
    # the check is not blind: a broken period, a missing value and a text value are each found
    broken = response.content.replace(b'period="2025-06-01/P1M"', b'period="2025-06"', 1)
    assert any("period" in e for e in check(broken))
    broken = response.content.replace(b' value="', b' valeur="', 1)
    assert any("value is required" in e for e in check(broken))
    assert check(response.content.replace(b'value="1"', b'value="one"', 1))


REGISTRY = {
    i["code"]
    for i in json.loads(CATALOG.read_text(encoding="utf-8"))["indicators"]
    if i["source"] == "registry"
}
"""Indicators counted from the registers (children, collaborators, water points): never typed."""


def typed(cells: dict[str, dict[str, int]], level: str) -> dict[str, dict[str, int]]:
    """The typed cells of ``cells`` at ``level``: those of ``exchange_support.typed`` but the counted."""
    return {code: values for code, values in typed_at(cells, level).items() if code not in REGISTRY}


def _move(data: bytes, fmt: str, codes: dict[str, str]) -> bytes:
    """The file with its orgUnits renamed (as moving figures to other units would)."""
    text_ = data.decode()
    for old, new in codes.items():
        text_ = text_.replace(f'"{old}"', f'"{new}"')
    return text_.encode()


@pytest.mark.parametrize("fmt", ["json", "adx"])
def test_round_trip_into_an_empty_commune(client, owner, mapped, fmt):
    t = mapped["t"]
    officer = who(client, t, "oa")
    sent = export(client, officer, t["a"], fmt, children="true")
    assert sent.status_code == 200, sent.text
    empty = empty_commune(client, owner, t, f"E{fmt}")
    for hamlet in empty["hamlets"]:  # the registers hold what A's do (tests.reporting.build_tree)
        add_water_points(owner, hamlet)
    admin = mapped["admin"]
    renames = {f"OU_A_{t['tag']}": f"OU_E{fmt}_{t['tag']}"}
    map_unit(client, admin, empty["unit"], renames[f"OU_A_{t['tag']}"])
    for k, hamlet in enumerate(empty["hamlets"][:2]):
        renames[f"OU_A{k + 1}_{t['tag']}"] = f"OU_E{fmt}{k + 1}_{t['tag']}"
        map_unit(client, admin, hamlet, renames[f"OU_A{k + 1}_{t['tag']}"])
    response = client.post(
        "/api/v1/exchange/import",
        headers=empty["officer"],
        params={"format": fmt},
        content=_move(sent.content, fmt, renames),
    )
    assert response.status_code == 201, response.text
    done = response.json()
    assert done["definition"] == "monthly" and done["period"] == PERIOD
    assert [r["unit"]["id"] for r in done["reports"]] == [
        empty["unit"].id,
        *(h.id for h in empty["hamlets"][:2]),
    ]
    assert done["ignored"] > 0  # registry and consolidated cells are the portal's own count
    sources = [mapped["commune"], *mapped["hamlets"][:2]]
    for imported, source in zip(done["reports"], sources, strict=True):
        source = client.get(f"/api/v1/reports/{source['id']}", headers=officer).json()  # exact
        report = client.get(f"/api/v1/reports/{imported['report_id']}", headers=empty["officer"]).json()
        assert report["status"] == "draft"
        level = "commune" if imported["unit"]["level"] == "commune" else "hamlet"
        assert typed(report["figures"], level) == typed(source["figures"], level)
        assert typed(report["entered"], level) == typed(source["entered"], level) != {}
        if level == "hamlet":  # the registry's counts are the portal's own, and agree as the children do
            assert report["figures"] == source["figures"]


def test_import_is_all_or_nothing_and_names_every_refusal(client, owner, mapped):
    t, cells = mapped["t"], mapped["cells"]
    empty = empty_commune(client, owner, t, "F")
    admin = mapped["admin"]
    map_unit(client, admin, empty["unit"], f"OU_F_{t['tag']}")
    map_unit(client, admin, empty["hamlets"][0], f"OU_F1_{t['tag']}")
    de, coc = cells[("birth_registrations", "total")]
    good = {"dataElement": de, "categoryOptionCombo": coc, "orgUnit": f"OU_F_{t['tag']}", "value": "3"}
    hamlet_de = cells[("injuries", "fall")]
    bad_values = [
        good,
        {
            **good,
            "dataElement": hamlet_de[0],
            "categoryOptionCombo": hamlet_de[1],
            "orgUnit": f"OU_F1_{t['tag']}",
            "value": "-1",
        },
        {**good, "orgUnit": "NOWHERE"},
        {**good, "dataElement": "UNKNOWN"},
        {**good, "period": "202505"},
    ]
    body = {"dataSet": f"DS_monthly_{t['tag']}", "period": "202506", "dataValues": bad_values}
    refused = client.post("/api/v1/exchange/import", headers=empty["officer"], content=json.dumps(body))
    assert refused.status_code == 422
    fields = {e["field"] for e in refused.json()["errors"]}
    assert fields == {
        "dataValues[1].value",
        "dataValues[2].orgUnit",
        "dataValues[3].dataElement",
        "dataValues[4].period",
    }
    # the service's own rule, named by the value: more registered on time than registered
    on_time = cells[("birth_registrations", "on_time")]
    rule = {
        **body,
        "dataValues": [
            good,
            {**good, "dataElement": on_time[0], "categoryOptionCombo": on_time[1], "value": "9"},
        ],
    }
    refused = client.post("/api/v1/exchange/import", headers=empty["officer"], content=json.dumps(rule))
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == ["dataValues[1].value"]
    # a campaign's cells are typed only in its periods: refused in another, named by the value
    outside = campaign_indicators(PERIOD, "hamlet")["out"][0]
    campaign = next(codes for (i, _), codes in cells.items() if i == outside)
    off_season = {
        **body,
        "dataValues": [
            good,
            {
                **good,
                "dataElement": campaign[0],
                "categoryOptionCombo": campaign[1],
                "orgUnit": f"OU_F1_{t['tag']}",
                "value": "1",
            },
        ],
    }
    refused = client.post("/api/v1/exchange/import", headers=empty["officer"], content=json.dumps(off_season))
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == ["dataValues[1].value"]
    count = owner.execute(
        text("SELECT count(*) FROM reports WHERE unit_id = ANY(:u)"),
        {"u": [empty["unit"].id, *(h.id for h in empty["hamlets"])]},
    ).scalar()
    assert count == 0  # nothing of a refused file is kept
    # an approved report is locked: named by its orgUnit, nothing else of the file kept
    locked = {**body, "dataValues": [{**good, "orgUnit": f"OU_A_{t['tag']}"}]}
    refused = client.post("/api/v1/exchange/import", headers=who(client, t, "oa"), content=json.dumps(locked))
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "dataValues[0].orgUnit"
    # another commune's unit: 403, audited
    refused = client.post(
        "/api/v1/exchange/import",
        headers=who(client, t, "ob"),
        content=json.dumps(body | {"dataValues": [good]}),
    )
    assert refused.status_code == 403
    denied = owner.execute(
        text(
            "SELECT count(*) FROM audit_log WHERE resource = 'report' AND outcome = 'denied' AND unit_id = :u"
        ),
        {"u": empty["unit"].id},
    ).scalar()
    assert denied >= 1
    # not JSON, not ADX: named
    assert (
        client.post("/api/v1/exchange/import", headers=empty["officer"], content=b"{").json()["errors"][0][
            "field"
        ]
        == "file"
    )
    not_adx = client.post(
        "/api/v1/exchange/import", headers=empty["officer"], params={"format": "adx"}, content=b"<x/>"
    )
    assert not_adx.status_code == 422 and not_adx.json()["errors"][0]["field"] == "file"
    bomb = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'
    assert (
        client.post(
            "/api/v1/exchange/import", headers=empty["officer"], params={"format": "adx"}, content=bomb
        ).status_code
        == 422
    )
    # a good file is imported; a cell counted from the registers is the portal's own, ignored
    counted = cells[("collaborators", "in_place")]
    ok = client.post(
        "/api/v1/exchange/import",
        headers=empty["officer"],
        content=json.dumps(
            body
            | {
                "dataValues": [
                    good,
                    {**good, "dataElement": counted[0], "categoryOptionCombo": counted[1], "value": "7"},
                ]
            }
        ),
    )
    assert ok.status_code == 201, ok.text
    assert ok.json()["reports"][0]["cells"] == 1 and ok.json()["ignored"] == 1
