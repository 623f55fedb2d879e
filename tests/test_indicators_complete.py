"""The completed indicators (Circular 13/2021/TT-BLĐTBXH, DOMAIN.md): injuries, deaths and disabilities
from injury by cause, sex, age band and place; abused children by sex, age band and setting; births
registered on time; facilities; the campaigns. Every partition must sum to its total (the refusal names
the partition's first cell); the cells consolidate from the hamlets to the province; a report made
before the cells existed is still read, shown and consolidated."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from portal.reports.catalog import zero_cells
from portal.reports.models import Indicator
from tests.reporting import COMMUNE_VALUES, act, build_tree, consolidate, enter, in_period, start, who
from tests.test_reports_input import fields

PARTITIONED = ("injuries", "injury_deaths", "injury_disabilities", "abused_children")


@pytest.fixture()
def rtree(owner):
    return build_tree(owner)


def _indicator(owner: Session, code: str) -> Indicator:
    found = owner.scalar(select(Indicator).where(Indicator.code == code))
    assert found is not None
    return found


def test_the_catalogue_holds_every_breakdown(owner):
    causes = ["fall", "burn", "road_traffic", "poisoning", "cut", "suffocation", "animal_bite", "drowning"]
    causes += ["explosives", "electrocution", "other"]
    for code in ("injuries", "injury_deaths", "injury_disabilities"):
        assert _indicator(owner, code).partitions == [
            causes,
            ["male", "female"],
            ["0-5", "6-9", "10-13", "14-15"],
            ["home", "school", "community"],
        ]
    assert _indicator(owner, "abused_children").partitions == [
        ["male", "female"],
        ["0-5", "6-9", "10-13", "14-15"],
        ["home", "school", "community"],
    ]
    monthly = owner.execute(
        text("SELECT indicators FROM report_definitions WHERE code = 'monthly'")
    ).scalar_one()
    for code in (
        *PARTITIONED,
        "birth_registrations",
        "facilities",
        "children_day",
        "mid_autumn",
        "gender_month",
    ):
        assert code in monthly  # the loader lists every indicator in every definition again


def _complete(ind: Indicator, n: int) -> dict[str, int]:
    """Every typed cell of ``ind``: each partition's first cell ``n``, the rest 0."""
    values = {c["key"]: 0 for c in ind.cells if c["key"] != "total"}
    for part in ind.partitions:
        values[part[0]] = n
    return values


@pytest.mark.parametrize("code", PARTITIONED)
def test_each_partition_sums_to_its_total(client, owner, rtree, code):
    t = rtree
    officer = who(client, t, "oa")
    ind = _indicator(owner, code)
    unit = t["a"] if ind.entry_level == "commune" else t["ha"][0]
    report = start(client, officer, unit, "2025-06")
    url = f"/api/v1/reports/{report['id']}/values"
    for part in ind.partitions[1:]:
        wrong = _complete(ind, 3) | {part[0]: 2}
        refused = client.put(url, headers=officer, json={"values": {code: wrong}})
        assert refused.status_code == 422
        assert fields(refused) == {f"values.{code}.{part[0]}": "partition_mismatch"}, part
        assert f"must equal {' + '.join(ind.partitions[0])} = 3" in refused.json()["errors"][0]["message"]
    shifted = _complete(ind, 3) | {ind.partitions[0][0]: 1, ind.partitions[0][1]: 2}  # still 3 in all
    stored = enter(client, officer, report, {code: shifted})
    assert stored["figures"][code]["total"] == 3
    computed = client.put(url, headers=officer, json={"values": {code: {"total": 4}}})
    assert fields(computed) == {f"values.{code}.total": "computed"}


def _hamlet(k: int, participants: int) -> dict[str, dict[str, int]]:
    """Hamlet ``k``'s month: k + 1 injuries (fall k, burn 1), one death and one disability by a burn."""
    injured = {"fall": k, "burn": 1, "male": k, "female": 1, "6-9": 1, "14-15": k, "school": 1, "home": k}
    drowned = {"burn": 1, "female": 1, "10-13": 1, "community": 1}
    joined = {"participants": participants, "gifted": participants - 1}
    return {
        "injuries": zero_cells("injuries") | injured,
        "injury_deaths": zero_cells("injury_deaths") | drowned,
        "injury_disabilities": zero_cells("injury_disabilities") | drowned,
        "action_month": {"participants": participants},
        "children_day": joined,
    }


def test_the_new_cells_consolidate_from_the_hamlets_to_the_province(client, owner, worker, rtree):
    t = rtree
    oa, ob, district, inspector = (who(client, t, k) for k in ("oa", "ob", "d1", "insp"))
    hamlets = [(oa, h) for h in t["ha"]] + [(ob, h) for h in t["hb"]]
    for k, (officer, hamlet) in enumerate(hamlets, start=1):
        report = enter(client, officer, start(client, officer, hamlet, "2025-06"), _hamlet(k, 3))
        report = act(client, officer, report["id"], "submit", version=report["version"])
        act(client, officer, report["id"], "approve", version=report["version"])
    forum = {"forums": 1, "participants": 20, "proposals": 4}
    for officer, commune in ((oa, t["a"]), (ob, t["b"])):
        values = in_period(COMMUNE_VALUES, "2025-06", "commune") | {"children_forum": forum}
        report = enter(client, officer, start(client, officer, commune, "2025-06"), values)
        report = consolidate(client, officer, report["id"])
        report = act(client, officer, report["id"], "submit", version=report["version"])
        act(client, district, report["id"], "approve", version=report["version"])
    report = consolidate(client, district, start(client, district, t["d1"], "2025-06")["id"])
    report = act(client, district, report["id"], "submit", version=report["version"])
    act(client, inspector, report["id"], "approve", version=report["version"])
    province = consolidate(
        client, inspector, start(client, inspector, t["p"], "2025-06")["id"], with_missing=True
    )

    exact = _figures(owner, province["id"])
    ks = range(1, len(hamlets) + 1)  # 5 hamlets
    assert exact["injuries"]["total"] == sum(k + 1 for k in ks) == 20
    assert exact["injuries"]["fall"] == exact["injuries"]["male"] == exact["injuries"]["14-15"] == sum(ks)
    assert exact["injuries"]["burn"] == exact["injuries"]["female"] == exact["injuries"]["school"] == 5
    for code in ("injury_deaths", "injury_disabilities"):
        assert exact[code]["total"] == exact[code]["burn"] == exact[code]["10-13"] == 5
        assert exact[code]["community"] == exact[code]["female"] == 5 and exact[code]["male"] == 0
    assert exact["children_day"] == {"participants": 15, "gifted": 10}
    assert exact["children_forum"] == {"forums": 2, "participants": 40, "proposals": 8}
    assert exact["abused_children"]["6-9"] == 2 and exact["birth_registrations"] == {"total": 2, "on_time": 2}
    assert exact["facilities"] == {"facilities": 2, "children_in_care": 0, "inspected": 0}
    assert "mid_autumn" not in exact and "gender_month" not in exact  # not campaigns of June
    catalogue = {i.code: i for i in owner.scalars(select(Indicator))}
    for code, cells in exact.items():
        for part in catalogue[code].partitions:
            assert sum(cells[k] for k in part) == cells["total"], (code, part)
    assert province["suppressed"] is True  # the inspector reads it through the disclosure policy


def _figures(owner: Session, report_id: int) -> dict[str, Any]:
    owner.expire_all()
    return owner.execute(text("SELECT figures FROM reports WHERE id = :i"), {"i": report_id}).scalar_one()


def test_a_report_made_before_the_new_cells_is_still_read_and_consolidated(
    client, owner, worker, rtree, browser
):
    t = rtree
    officer = who(client, t, "oa")
    old = []
    for k, hamlet in enumerate(t["ha"], start=1):
        report = enter(client, officer, start(client, officer, hamlet, "2025-06"), _hamlet(k, 3))
        report = act(client, officer, report["id"], "submit", version=report["version"])
        old.append(act(client, officer, report["id"], "approve", version=report["version"]))
    # The first hamlet's figures as the catalogue of before had them: causes only, no disabilities.
    owner.execute(
        text(
            "UPDATE reports SET figures = figures - 'injury_disabilities' - 'children_day' "
            "#- '{injuries,male}' #- '{injuries,female}' #- '{injuries,6-9}' #- '{injuries,14-15}' "
            "#- '{injuries,home}' #- '{injuries,school}' WHERE id = :i"
        ),
        {"i": old[0]["id"]},
    )
    owner.commit()
    shown = client.get(f"/api/v1/reports/{old[0]['id']}", headers=officer).json()
    assert shown["figures"]["injuries"]["total"] == 2 and "male" not in shown["figures"]["injuries"]
    page = browser(f"rp-oa-{t['tag']}").get(f"/reports/{old[0]['id']}")
    assert page.status_code == 200
    assert '<td class="num" data-cell="male">—</td>' in page.text  # not reported, not 0

    commune = enter(client, officer, start(client, officer, t["a"], "2025-06"), COMMUNE_VALUES)
    commune = consolidate(client, officer, commune["id"])
    exact = _figures(owner, commune["id"])
    assert exact["injuries"]["total"] == 2 + 3 + 4 and exact["injuries"]["male"] == 2 + 3  # the old one: none
    assert exact["injury_disabilities"]["total"] == 2 and exact["children_day"]["participants"] == 6
