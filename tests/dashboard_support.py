"""A province for the dashboard pages' tests, built through the API as the reports' tests build theirs.

Province P > D1 (communes A, B, and N in force from 1 July 2025) and D2 (commune C and twelve more,
"Xã số 1".."Xã số 12", so that a ranking has more than ten rows). June 2025: A's hamlets approved, A
entered (one abused child: a count the disclosure policy hides from aggregate-only readers), consolidated,
submitted and approved by D1; D1 consolidated with B missing. A has a quarterly draft for 2025-Q2.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from infra.db import admin_engine
from portal.stats import layer
from tests.reporting import COMMUNE_VALUES, act, approved_hamlets, build_tree, consolidate, enter, start, who
from tests.support import make_unit, make_user

PERIOD = "2025-06"


def dashboard_world(client: Any) -> dict[str, Any]:
    with Session(admin_engine(), expire_on_commit=False) as owner:
        t = build_tree(owner)
        t["more"] = [make_unit(owner, t["d2"], "commune", f"Xã số {k} {t['tag']}") for k in range(1, 13)]
        t["admin"] = make_user(owner, f"rp-admin-{t['tag']}", "admin", None).username
        layer.refresh_dirty(owner)  # the statistics layer counts the children just added
        owner.commit()
    officer, district = who(client, t, "oa"), who(client, t, "d1")
    approved_hamlets(client, officer, t["ha"], PERIOD)
    commune = enter(client, officer, start(client, officer, t["a"], PERIOD), COMMUNE_VALUES)
    commune = consolidate(client, officer, commune["id"])
    commune = act(client, officer, commune["id"], "submit", version=commune["version"])
    commune = act(client, district, commune["id"], "approve", version=commune["version"])
    d1 = consolidate(client, district, start(client, district, t["d1"], PERIOD)["id"], with_missing=True)
    quarter = start(client, officer, t["a"], "2025-Q2", "quarterly")
    return {"t": t, "commune": commune, "d1": d1, "quarter": quarter}


def username(world: dict[str, Any], key: str) -> str:
    return f"rp-{key}-{world['t']['tag']}"
