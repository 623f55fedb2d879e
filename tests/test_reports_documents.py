"""Report documents through the real worker and the S3-compatible server; dashboards and targets;
aggregate-only readers see published figures (portal.stats.disclosure)."""

from __future__ import annotations

import hashlib
import io
import time

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy.orm import Session

from infra.db import admin_engine
from portal.stats import layer
from portal.stats.disclosure import MAX_NOISE, rate
from tests.reporting import (
    COMMUNE_VALUES,
    act,
    approved_hamlets,
    build_tree,
    children_count,
    consolidate,
    enter,
    start,
    who,
)


def wait_document(client, headers, doc_id, timeout=90.0):
    deadline = time.monotonic() + timeout
    body = {}
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/report-documents/{doc_id}", headers=headers).json()
        if body["status"] in ("done", "failed"):
            return body
        time.sleep(0.2)
    raise AssertionError(f"document {doc_id} not built in {timeout}s: {body}")


def document(client, headers, report_id, fmt):
    queued = client.post(f"/api/v1/reports/{report_id}/documents", headers=headers, json={"format": fmt})
    assert queued.status_code == 202, queued.text
    done = wait_document(client, headers, queued.json()["id"])
    assert done["status"] == "done", done
    response = client.get(f"/api/v1/report-documents/{done['id']}/download", headers=headers)
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == done["sha256"]
    return done, response.content


@pytest.fixture()
def chain(client, owner, worker):
    """June 2025: A's hamlets and A approved, B not reporting; D1 consolidated with B missing."""
    t = build_tree(owner)
    with Session(admin_engine()) as session:  # the statistics layer counts the children just added
        layer.refresh_dirty(session)
    officer, district = who(client, t, "oa"), who(client, t, "d1")
    approved_hamlets(client, officer, t["ha"], "2025-06")
    commune = enter(client, officer, start(client, officer, t["a"], "2025-06"), COMMUNE_VALUES)
    commune = consolidate(client, officer, commune["id"])
    commune = act(client, officer, commune["id"], "submit", version=commune["version"])
    commune = act(client, district, commune["id"], "approve", version=commune["version"])
    d1 = consolidate(client, district, start(client, district, t["d1"], "2025-06")["id"], with_missing=True)
    return {"t": t, "commune": commune, "d1": d1}


def test_xlsx_and_pdf_round_trip_exact_for_the_ward_and_suppressed_for_the_district(client, owner, chain):
    t, commune = chain["t"], chain["commune"]
    officer, district = who(client, t, "oa"), who(client, t, "d1")
    total = children_count(owner, t["ha"])

    meta, data = document(client, officer, commune["id"], "xlsx")
    assert meta["suppressed"] is False and meta["report_version"] == commune["version"]
    book = load_workbook(io.BytesIO(data))
    rows = list(book["Báo cáo"].iter_rows(values_only=True))
    by_label = {}
    current = None
    for row in rows:
        if row and row[0]:
            current = row[0]
        if row and len(row) > 2 and row[1]:
            by_label[(current, row[1])] = row[2]
    assert by_label[("Số trẻ em (dưới 16 tuổi)", "Tổng số")] == total
    assert by_label[("Trẻ em bị xâm hại, bạo lực trong kỳ", "Tổng số")] == 1  # exact for the ward

    meta, data = document(client, officer, commune["id"], "pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert t["a"].name in text and "Tháng 06/2025" in text and "Trang 1/" in text

    # The district reads D1 (small cells hidden) and cannot open the ward's exact document.
    meta, data = document(client, district, chain["d1"]["id"], "pdf")
    assert meta["suppressed"] is True
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "<5" in text and "Tổng hợp thiếu đơn vị" in text and t["b"].name in text
    exact = client.get(f"/api/v1/reports/{commune['id']}", headers=officer).json()
    ward_doc = client.post(
        f"/api/v1/reports/{exact['id']}/documents", headers=officer, json={"format": "xlsx"}
    )
    wait_document(client, officer, ward_doc.json()["id"])
    refused = client.get(f"/api/v1/report-documents/{ward_doc.json()['id']}/download", headers=district)
    assert refused.status_code == 403
    bad = client.post(f"/api/v1/reports/{commune['id']}/documents", headers=officer, json={"format": "docx"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "format"


def test_dashboard_targets_trend_and_ranking(client, owner, chain):
    t = chain["t"]
    district, inspector, officer = who(client, t, "d1"), who(client, t, "insp"), who(client, t, "oa")
    board = client.get(
        f"/api/v1/units/{t['d1'].id}/dashboard", headers=district, params={"period": "2025-06", "periods": 3}
    ).json()
    assert board["report_id"] == chain["d1"]["id"] and board["suppressed"] is True
    targets = {r["code"]: r for r in board["targets"]}
    supported = targets["special_supported"]
    assert supported["target_pct"] == 100.0 and supported["target_set_by"] is None
    assert targets["child_friendly"]["numerator"] == 1 and targets["child_friendly"]["pct"] == 100.0
    assert [p["period"] for p in board["trend"]] == ["2025-04", "2025-05", "2025-06"]
    assert board["trend"][0]["status"] is None and board["trend"][-1]["status"] == "draft"
    ranking = {r["unit"]["id"]: r for r in board["ranking"]}
    assert ranking[t["a"].id]["status"] == "approved" and ranking[t["b"].id]["status"] == "missing"
    # The district reads A's rate from A's published figures (the same the report view shows it).
    a_figures = client.get(f"/api/v1/reports/{chain['commune']['id']}", headers=district).json()["figures"]
    participants, children = a_figures["action_month"]["participants"], a_figures["children"]["total"]
    assert isinstance(participants, int) and abs(children - children_count(owner, t["ha"])) <= MAX_NOISE
    assert ranking[t["a"].id]["rates"]["action_month"] == rate(participants, children)

    # The district's plan raises the Action Month target for itself and the communes below.
    assert (
        client.put(
            f"/api/v1/units/{t['d1'].id}/targets",
            headers=officer,
            json={"target": "action_month", "year": 2025, "pct": 95},
        ).status_code
        == 403
    )
    bad = client.put(
        f"/api/v1/units/{t['d1'].id}/targets",
        headers=district,
        json={"target": "action_month", "year": 2025, "pct": 120},
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "pct"
    assert (
        client.put(
            f"/api/v1/units/{t['d1'].id}/targets",
            headers=district,
            json={"target": "action_month", "year": 2025, "pct": 95},
        ).status_code
        == 200
    )
    ward = client.get(
        f"/api/v1/units/{t['a'].id}/dashboard", headers=officer, params={"period": "2025-06"}
    ).json()
    goal = {r["code"]: r for r in ward["targets"]}["action_month"]
    assert goal["target_pct"] == 95.0 and goal["target_set_by"] == t["d1"].name
    assert ward["suppressed"] is False and isinstance(goal["numerator"], int)

    # The inspector sees the province's aggregates only; another district is not theirs.
    assert client.get(f"/api/v1/units/{t['d1'].id}/dashboard", headers=inspector).status_code == 200
    assert (
        client.get(f"/api/v1/units/{t['d1'].id}/dashboard", headers=who(client, t, "d2")).status_code == 403
    )
