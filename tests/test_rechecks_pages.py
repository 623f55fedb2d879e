"""Re-checks on the pages (issue 16): the sampler draws and completes, the re-checker records a mismatch
on the record's page, the ward officer reads their own records that did not match. Vietnamese first."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy.orm import Session

from infra.db import admin_engine
from portal.app import create_app
from tests.e2e.site import Browser
from tests.support import child_payload, login, make_unit, make_user


@pytest.fixture(scope="module")
def app(database: object) -> object:
    return create_app()


@pytest.fixture(scope="module")
def tree(client) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:6]
    with Session(admin_engine(), expire_on_commit=False) as owner:
        p = make_unit(owner, None, "province", f"Tỉnh trang phúc tra {tag}")
        d = make_unit(owner, p, "district", f"Huyện {tag}")
        c = make_unit(owner, d, "commune", f"Xã trang {tag}")
        h = make_unit(owner, c, "hamlet", "Thôn Đông")
        users = {
            k: make_user(owner, f"ptw-{k}-{tag}", role, unit.id).username
            for k, role, unit in (
                ("sampler", "district_officer", d),
                ("checker", "district_officer", d),
                ("officer", "ward_officer", c),
            )
        }
    names = []
    headers = login(client, users["officer"])
    for i in range(5):  # a unit is sampled only from 5 records (the smallest published count)
        body = child_payload(h.id, full_name=f"Đỗ Thị Trang {tag} {i}")
        r = client.post("/api/v1/children", json=body, headers=headers)
        assert r.status_code == 201, r.text
        names.append(body["full_name"])
    return {"commune": c, "users": users, "names": names}


def _browser(app: Any, username: str) -> Browser:
    b = Browser(TestClient(app=app, base_url="http://testserver.local"))
    b.login(username)
    return b


def test_draw_recheck_complete_and_correct_on_the_pages(app, tree):
    sampler = _browser(app, tree["users"]["sampler"])
    page = sampler.get("/rechecks")
    assert (
        page.status_code == 200 and "Phúc tra dữ liệu" in page.text and str(tree["commune"].id) in page.text
    )
    base = {
        "unit_id": str(tree["commune"].id),
        "rechecker": tree["users"]["checker"],
        "days": "14",
        "threshold": "5",
    }
    refused = sampler.post("/rechecks", {**base, "stratified": "on"})
    assert refused.status_code == 422 and 'id="sample_size-error"' in refused.text
    drawn = sampler.post("/rechecks", {**base, "sample_size": "3", "stratified": "on"})
    assert drawn.status_code == 303, drawn.text
    location = drawn.headers["location"].split("?")[0]
    shown = sampler.get(drawn.headers["location"])
    assert shown.status_code == 200 and "PT-" in shown.text
    assert not [n for n in tree["names"] if n in shown.text]  # the sampler reads pseudonyms only

    checker = _browser(app, tree["users"]["checker"])
    work = checker.get(location)
    pseudos = re.findall(r'href="/rechecks/\d+/records/(PT-[0-9-]+)"', work.text)
    assert len(pseudos) == 3 and "Thôn Đông" in work.text
    record = checker.get(f"{location}/records/{pseudos[0]}")
    assert record.status_code == 200 and any(n in record.text for n in tree["names"])
    name = next(n for n in tree["names"] if n in record.text)
    missing = checker.post(f"{location}/records/{pseudos[0]}", {"match_full_name": "no", "match_sex": "yes"})
    assert missing.status_code == 422 and 'id="observed_full_name-error"' in missing.text
    saved = checker.post(
        f"{location}/records/{pseudos[0]}",
        {"match_full_name": "no", "observed_full_name": "Đỗ Thị Trâm", "match_sex": "yes"},
    )
    assert saved.status_code == 303, saved.text

    done = sampler.post(f"{location}/complete")
    assert done.status_code == 303
    results = sampler.get(location)
    assert "100.0%" in results.text and not [n for n in tree["names"] if n in results.text]
    assert checker.get(f"{location}/records/{pseudos[0]}").status_code == 403

    officer = _browser(app, tree["users"]["officer"])
    mine = officer.get(location)
    assert mine.status_code == 200 and name in mine.text and "Đỗ Thị Trâm" in mine.text
