"""Reading the unit tree (public administrative data: not scoped by RLS)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenancy.models import Unit


def get_unit(session: Session, unit_id: int) -> Unit | None:
    return session.get(Unit, unit_id)


def unit_by_code(session: Session, level: str, code: str, era_from: object = None) -> Unit | None:
    stmt = select(Unit).where(Unit.level == level, Unit.code == code)
    stmt = stmt.where(Unit.valid_from.is_(None) if era_from is None else Unit.valid_from == era_from)
    return session.scalars(stmt).one_or_none()


def child_units(session: Session, parent_id: int) -> list[Unit]:
    return list(
        session.scalars(select(Unit).where(Unit.parent_id == parent_id).order_by(Unit.code, Unit.name))
    )
