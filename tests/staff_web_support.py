"""A tree for the staff and training pages: a province with two districts (in force, as before the 2025
reform), a commune of three hamlets under the first and another commune under the second, with an
account of every role that takes part in staff management or training, and two that take none."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.e2e.site import add_named_children
from tests.support import make_unit, make_user


def staff_tree(owner: Session) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:6]
    province = make_unit(owner, None, "province", f"Tỉnh tập huấn {tag}")
    district = make_unit(owner, province, "district", f"Huyện Đông {tag}")
    district2 = make_unit(owner, province, "district", f"Huyện Tây {tag}")
    commune = make_unit(owner, district, "commune", f"Xã An Phú {tag}")
    other = make_unit(owner, district2, "commune", f"Xã Bình Minh {tag}")
    hamlets = [make_unit(owner, commune, "hamlet", f"Thôn {n} {tag}") for n in (1, 2, 10)]
    other_hamlet = make_unit(owner, other, "hamlet", f"Thôn Tây {tag}")
    add_named_children(owner, hamlets[0], ["Trần Văn An"])
    where = {
        "collab": ("collaborator", hamlets[0]),
        "collab2": ("collaborator", hamlets[1]),
        "outsider": ("collaborator", other_hamlet),
        "officer": ("ward_officer", commune),
        "officer2": ("ward_officer", other),
        "chair": ("commune_chairman", commune),
        "district": ("district_officer", district),
        "district2": ("district_officer", district2),
        "inspector": ("provincial_inspector", province),
        "hotline": ("hotline_officer", province),
    }
    users = {k: make_user(owner, f"st-{k}-{tag}", role, unit.id) for k, (role, unit) in where.items()}
    return {
        "tag": tag,
        "province": province,
        "district": district,
        "district2": district2,
        "commune": commune,
        "other": other,
        "hamlets": hamlets,
        "other_hamlet": other_hamlet,
        "users": users,
        "names": {k: u.username for k, u in users.items()},
    }


def account_state(owner: Session, user_id: int) -> dict[str, Any]:
    """The account as stored (read past row-level security): to show that a refusal wrote nothing."""
    owner.expire_all()
    row = owner.execute(
        text("SELECT full_name, role, unit_id, is_active, email, phone FROM users WHERE id = :i"),
        {"i": user_id},
    ).one()
    return dict(row._mapping)


def attendance_of(owner: Session, course_id: int) -> set[int]:
    rows = owner.execute(
        text("SELECT user_id FROM training_attendance WHERE course_id = :c"), {"c": course_id}
    )
    return {r[0] for r in rows}


def courses_titled(owner: Session, title: str) -> list[dict[str, Any]]:
    rows = owner.execute(text("SELECT * FROM training_courses WHERE title = :t ORDER BY id"), {"t": title})
    return [dict(r._mapping) for r in rows]
