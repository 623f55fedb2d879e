"""The administrative unit tree."""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Identity,
    Index,
    SmallInteger,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from infra.db import Base

LEVELS = ("province", "district", "commune", "hamlet")
REFORM_2025 = date(2025, 7, 1)


class Unit(Base):
    """One node of the tree: province, district, commune or hamlet.

    ``path`` is the chain of ancestor ids (``/1/23/456/``); ``depth`` is its length. Depth is
    data: a 2025 commune hangs straight under its province (depth 2), a pre-2025 one under a
    district (depth 3). ``code`` is the GSO code where one exists (hamlets have none).
    """

    __tablename__ = "units"
    __table_args__ = (
        CheckConstraint("level IN ('province','district','commune','hamlet')", name="level"),
        CheckConstraint("valid_to IS NULL OR valid_from IS NULL OR valid_to > valid_from", name="validity"),
        Index("ix_units_path", "path", postgresql_ops={"path": "text_pattern_ops"}),
        Index(
            "uq_units_code_era",
            "level",
            "code",
            "valid_from",
            unique=True,
            postgresql_where="code IS NOT NULL",
            postgresql_nulls_not_distinct=True,
        ),
        Index(
            "uq_units_hamlet_name",
            "parent_id",
            text("lower(name)"),
            unique=True,
            postgresql_where=text("level = 'hamlet'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    level: Mapped[str] = mapped_column(String(16))
    code: Mapped[str | None] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str | None] = mapped_column(Text)
    path: Mapped[str] = mapped_column(Text(collation="C"), unique=True)
    depth: Mapped[int] = mapped_column(SmallInteger)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)

    def name_ref(self) -> dict[str, object]:
        """The unit as answers name it without its path (``portal.shapes.UnitNameOut``)."""
        return {"id": self.id, "code": self.code, "name": self.name, "level": self.level}

    def ref(self) -> dict[str, object]:
        return {**self.name_ref(), "path": self.path}
