"""Tables of reorganisations, read and written only with SQL (``tenancy.reorg``, ``tenancy.reform``,
``tenancy.structure``) on the owner connection: declared here as Core tables, not mapped classes, so
that the metadata states the whole schema (migrations 0004, 0005 and 0025) and ``alembic check`` compares it.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from infra.db import Base

_UNIT = "units.id"
_REORG = "reorganisations.id"

reorganisations = Table(
    "reorganisations",
    Base.metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("code", String(32), nullable=False),
    Column("name", Text, nullable=False),
    Column("legal_basis", Text, nullable=False),
    Column("effective_date", Date, nullable=False),
    Column("status", String(16), nullable=False, server_default="draft"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("applied_at", DateTime(timezone=True)),
    Column("applied_by", Text),
    Column("reverted_at", DateTime(timezone=True)),
    Column("summary", JSONB),
    CheckConstraint("status IN ('draft','applied','reverted')", name="status"),
    UniqueConstraint("code", name="uq_reorganisations_code"),
)

reorg_commune_targets = Table(
    "reorg_commune_targets",
    Base.metadata,
    Column("reorg_id", BigInteger, ForeignKey(_REORG, ondelete="CASCADE"), primary_key=True),
    Column("old_unit_id", BigInteger, ForeignKey(_UNIT), primary_key=True),
    Column("new_unit_id", BigInteger, ForeignKey(_UNIT), primary_key=True),
    Column("is_default", Boolean, nullable=False, server_default=false()),
    Index("ix_reorg_commune_targets_new_unit_id", "new_unit_id"),
    Index(
        "uq_reorg_commune_targets_default",
        "reorg_id",
        "old_unit_id",
        unique=True,
        postgresql_where=text("is_default"),
    ),
)

reorg_operations = Table(
    "reorg_operations",
    Base.metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("reorg_id", BigInteger, ForeignKey(_REORG, ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("source_unit_id", BigInteger, ForeignKey(_UNIT), nullable=False),
    Column("target_unit_id", BigInteger, ForeignKey(_UNIT)),
    Column("level", String(16)),
    Column("new_name", Text),
    Column("new_code", String(16)),
    CheckConstraint("kind IN ('merge','split','abolish_level','rename','move_hamlet')", name="kind"),
    UniqueConstraint("reorg_id", "seq", name="uq_reorg_operations_seq"),
)

reorg_hamlet_decisions = Table(
    "reorg_hamlet_decisions",
    Base.metadata,
    Column("reorg_id", BigInteger, ForeignKey(_REORG, ondelete="CASCADE"), primary_key=True),
    Column("hamlet_id", BigInteger, ForeignKey(_UNIT), primary_key=True),
    Column("target_unit_id", BigInteger, ForeignKey(_UNIT), nullable=False),
    Column("decided_by", Text),
    Column("decided_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

reorg_steps = Table(
    "reorg_steps",
    Base.metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("reorg_id", BigInteger, ForeignKey(_REORG, ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("unit_id", BigInteger, ForeignKey(_UNIT), nullable=False),
    Column("before", JSONB, nullable=False),
    Column("after", JSONB, nullable=False),
    CheckConstraint("kind IN ('move','close','rename')", name="kind"),
    Index("ix_reorg_steps_reorg_id", "reorg_id", "id"),
)

hamlet_placements = Table(
    "hamlet_placements",
    Base.metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("hamlet_id", BigInteger, ForeignKey(_UNIT), nullable=False),
    Column("parent_id", BigInteger, ForeignKey(_UNIT), nullable=False),
    Column("path", Text(collation="C"), nullable=False),
    Column("valid_from", Date),
    Column("valid_to", Date, nullable=False),
    Column("reorg_id", BigInteger, ForeignKey(_REORG, ondelete="CASCADE"), nullable=False),
    Index("ix_hamlet_placements_hamlet_id", "hamlet_id", "valid_to"),
    Index("ix_hamlet_placements_path", "path"),
)

unit_successions = Table(
    "unit_successions",
    Base.metadata,
    Column("reorg_id", BigInteger, ForeignKey(_REORG, ondelete="CASCADE"), primary_key=True),
    Column("predecessor_id", BigInteger, ForeignKey(_UNIT), primary_key=True),
    Column("successor_id", BigInteger, ForeignKey(_UNIT), primary_key=True),
    Index("ix_unit_successions_successor_id", "successor_id"),
)
