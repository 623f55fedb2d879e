"""Tables of the statistics layer (migration 0016). The application role reaches none of them: only
the layer's SECURITY DEFINER functions read and write them, so they are Core tables, not mapped
classes; declared so that the metadata states the whole schema and ``alembic check`` compares it.
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
    Table,
    Text,
    func,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import UUID

from infra.db import Base

STAT_KEY_DEFAULT = "(floor((random() * ('2147483648'::bigint)::double precision)))::integer"


def stat_key_column() -> Column[int]:
    """``stat_key`` of children and cases: the record's random key, summed into ``keysum``.

    Drawn by the database and read only by the layer's functions. The models declare it as a table
    column that is not mapped (``exclude_properties``), so an insert never asks for it back: the
    person who records a case may not be allowed to read the row (row-level security).
    """
    # Spelt as PostgreSQL prints it back: alembic compares a default by its text, and two draws of
    # random() are never equal, so no other spelling of this one could ever compare equal.
    return Column("stat_key", Integer, nullable=False, server_default=text(STAT_KEY_DEFAULT))


child_spells = Table(
    "child_spells",
    Base.metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("child_id", UUID(as_uuid=True), ForeignKey("children.id", ondelete="CASCADE"), nullable=False),
    Column("hamlet_id", BigInteger, ForeignKey("units.id"), nullable=False),
    Column("since", Date, nullable=False),
    Column("until", Date),
    Index("ix_child_spells_child_id", "child_id"),
    Index("ix_child_spells_hamlet_id", "hamlet_id"),
    Index("uq_child_spells_open", "child_id", unique=True, postgresql_where=text("until IS NULL")),
)

stat_cells = Table(
    "stat_cells",
    Base.metadata,
    Column("unit_id", BigInteger, primary_key=True),
    Column("month", Date, primary_key=True),
    Column("dimension", Text, primary_key=True),
    Column("key", Text, primary_key=True),
    Column("n", Integer, nullable=False),
    Column("keysum", BigInteger, nullable=False),
)

stat_dirty = Table(
    "stat_dirty",
    Base.metadata,
    Column("hamlet_id", BigInteger, primary_key=True),
    Column("since_month", Date, nullable=False),
)

stat_state = Table(
    "stat_state",
    Base.metadata,
    Column("id", Boolean, primary_key=True, server_default=true()),
    Column("open_month", Date, nullable=False),
    Column("built_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("id", name="one"),
)
