"""A small tree with a reorganisation of its own, for the admin console's page and browser tests.

Province > commune C (two hamlets with children) and a new commune N in force from the reorganisation's
effective date; the reorganisation merges C into N. N's ward officer would see C's records once it is
applied: an access gain the administrator must confirm.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.e2e.site import add_named_children
from tests.support import make_unit, make_user

EFFECTIVE = date(2025, 7, 1)


def new_reorg(owner: Session, name: str, ops: list[tuple[str, Any, Any]]) -> int:
    """A reorganisation (not applied) of (kind, source, target) operations, committed."""
    rid = owner.execute(
        text(
            "INSERT INTO reorganisations (code, name, legal_basis, effective_date) "
            "VALUES (:c, :n, 'Nghị quyết thử 1/2025/NQ-UBTVQH15', :d) RETURNING id"
        ),
        {"c": f"T-{uuid.uuid4().hex[:8]}", "n": name, "d": EFFECTIVE},
    ).scalar_one()
    for seq, (kind, source, target) in enumerate(ops, start=1):
        owner.execute(
            text(
                "INSERT INTO reorg_operations (reorg_id, seq, kind, source_unit_id, target_unit_id) "
                "VALUES (:r, :s, :k, :src, :t)"
            ),
            {"r": rid, "s": seq, "k": kind, "src": source.id, "t": target.id},
        )
    owner.commit()
    return int(rid)


def reorg_tree(owner: Session) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:6]
    province = make_unit(owner, None, "province", f"Tỉnh sắp xếp {tag}")
    old = make_unit(owner, province, "commune", f"Xã Cũ {tag}")
    hamlets = [make_unit(owner, old, "hamlet", f"Thôn {k} {tag}") for k in (1, 2)]
    new = make_unit(owner, province, "commune", f"Xã Mới {tag}", valid_from=EFFECTIVE)
    add_named_children(owner, hamlets[0], ["Trần Văn An", "Lê Thị Bình"])
    add_named_children(owner, hamlets[1], ["Phạm Minh Châu"])
    gains = make_user(owner, f"reorg-gain-{tag}", "ward_officer", new.id)
    officer = make_user(owner, f"reorg-officer-{tag}", "ward_officer", old.id)
    name = f"Nhập Xã Cũ vào Xã Mới {tag}"
    rid = new_reorg(owner, name, [("merge", old, new)])
    return {
        "tag": tag,
        "province": province,
        "old": old,
        "new": new,
        "hamlets": hamlets,
        "rid": rid,
        "name": name,
        "gains": gains.username,
        "officer": officer.username,
    }


def parent_of(owner: Session, unit: Any) -> int:
    owner.expire_all()
    return int(owner.execute(text("SELECT parent_id FROM units WHERE id = :i"), {"i": unit.id}).scalar_one())


def reorg_state(owner: Session, rid: int) -> tuple[str, int, int]:
    """(status, steps logged, audit entries) of one reorganisation: what a dry run must leave alone."""
    status = owner.execute(text("SELECT status FROM reorganisations WHERE id = :r"), {"r": rid}).scalar_one()
    steps = owner.execute(
        text("SELECT count(*) FROM reorg_steps WHERE reorg_id = :r"), {"r": rid}
    ).scalar_one()
    audited = owner.execute(
        text("SELECT count(*) FROM audit_log WHERE resource = 'reorganisation' AND resource_ids = ARRAY[:r]"),
        {"r": str(rid)},
    ).scalar_one()
    return str(status), int(steps), int(audited)
