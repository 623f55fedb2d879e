"""The DHIS2 exchange on the pages, in both languages: a ward officer downloads the ADX of the commune's
approved month and an empty commune's officer imports it into drafts (refusals listed by their place in
the file, nothing kept); the administrator keeps the codes of reports and cells, a province those of its
units; the others read them and get the 403 page when they post."""

from __future__ import annotations

import json

from sqlalchemy import text

from tests.adx.xsd_check import errors as adx_errors
from tests.exchange_support import PERIOD, empty_commune, export
from tests.reporting import who
from tests.test_exchange import mapped  # noqa: F401 - fixture


def _user(t, key):
    return f"rp-{key}-{t['tag']}"


def test_send_and_bring_in_on_the_pages(browser, client, owner, mapped):  # noqa: F811
    t = mapped["t"]
    officer = browser(_user(t, "oa"))
    page = officer.get("/exchange")
    assert page.status_code == 200 and "Trao đổi dữ liệu với DHIS2" in page.text
    assert f'<option value="{t["ha"][0].id}">' in page.text  # the commune and its hamlets
    query = {"unit": t["a"].id, "definition": "monthly", "period": PERIOD, "format": "adx", "children": "on"}
    sent = officer.get("/exchange/export", params=query)
    assert sent.status_code == 200 and sent.headers["content-type"].startswith("application/adx+xml")
    assert adx_errors(sent.content) == []
    nothing = officer.get("/exchange/export", params=query | {"period": "2025-05"})
    assert nothing.status_code == 422
    assert "Không có số liệu đã phê duyệt của đơn vị có mã DHIS2 trong kỳ này." in nothing.text

    empty = empty_commune(client, owner, t, "W")
    client.put(
        f"/api/v1/units/{empty['unit'].id}/dhis2",
        headers=mapped["admin"],
        json={"org_unit": f"OU_W_{t['tag']}"},
    )
    data = json.loads(export(client, who(client, t, "oa"), t["a"]).content)
    for value in data["dataValues"]:
        value["orgUnit"] = f"OU_W_{t['tag']}"
    bad = {**data, "dataValues": [{**data["dataValues"][0], "value": "-2"}, *data["dataValues"][1:]]}
    new_officer = browser(_user(t, "W"))
    new_officer.get("/exchange")
    files = {"data": ("bad.json", json.dumps(bad).encode(), "application/json")}
    refused = new_officer.post("/exchange/import", {"format": "json"}, files=files)
    assert refused.status_code == 422
    assert "dataValues[0].value: " in refused.text  # the place in the file, then what is wrong
    count = owner.execute(
        text("SELECT count(*) FROM reports WHERE unit_id = :u"), {"u": empty["unit"].id}
    ).scalar()
    assert count == 0
    files = {"data": ("good.json", json.dumps(data).encode(), "application/json")}
    done = new_officer.post("/exchange/import", {"format": "json"}, files=files)
    assert done.status_code == 201, done.text
    assert "Đã nhập vào bản nháp kỳ 2025-06: 1 báo cáo." in done.text and empty["unit"].name in done.text

    english = browser(_user(t, "oa"))
    english.client.cookies.set("portal_lang", "en")
    page = english.get("/exchange")
    assert "Data exchange with DHIS2" in page.text and "Send approved figures" in page.text


def test_codes_on_the_pages(browser, mapped):  # noqa: F811
    t = mapped["t"]
    admin = browser(_user(t, "admin"))
    page = admin.get("/exchange/mapping")
    assert (
        page.status_code == 200
        and 'name="ds.monthly"' in page.text
        and 'name="de.injuries.fall"' in page.text
    )
    refused = admin.post(
        "/exchange/mapping",
        {"ds.monthly": "bad code", "de.injuries.fall": "ONLY_DE", "coc.injuries.fall": ""},
    )
    assert refused.status_code == 422
    assert 'id="coc.injuries.fall-error"' in refused.text
    saved = admin.post("/exchange/mapping", {"ds.monthly": f"DS_PAGE_{t['tag']}"})
    assert saved.status_code == 303, saved.text
    assert f'value="DS_PAGE_{t["tag"]}"' in admin.get("/exchange/mapping?msg=saved").text
    refused = admin.post("/exchange/mapping", {"ds.monthly": "bad code"})
    assert refused.status_code == 422 and "Phải gồm từ 1 đến 50 chữ cái" in refused.text

    inspector = browser(_user(t, "insp"))
    page = inspector.get(f"/exchange/units?unit={t['a'].id}")
    assert page.status_code == 200 and f'name="ou.{t["ha"][2].id}"' in page.text
    saved = inspector.post(
        "/exchange/units", {"unit": str(t["a"].id), f"ou.{t['ha'][2].id}": f"OU_A3_{t['tag']}"}
    )
    assert saved.status_code == 303, saved.text
    assert f'value="OU_A3_{t["tag"]}"' in inspector.get(f"/exchange/units?unit={t['a'].id}").text
    # the mapping is read by a ward officer, who cannot change it
    officer = browser(_user(t, "oa"))
    page = officer.get("/exchange/mapping")
    assert page.status_code == 200 and 'name="ds.monthly"' not in page.text
    assert officer.post("/exchange/mapping", {"ds.monthly": "X"}).status_code == 403
    officer.get(f"/exchange/units?unit={t['a'].id}")
    assert (
        officer.post("/exchange/units", {"unit": str(t["a"].id), f"ou.{t['a'].id}": "X"}).status_code == 403
    )
