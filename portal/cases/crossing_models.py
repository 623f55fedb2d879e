"""Cases that leave their commune: referrals and transfers, and links between related cases (migration 0022).

``from_path`` and ``to_path`` copy the communes' paths (a trigger sets them) for row-level security; the
decisions on a referral are the database's ``case_referral_decide``. ``reference`` copies the case's, so
that the sender of a transfer keeps a stub that names the case and nothing else.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text, func, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from infra.db import Base


class CaseReferral(Base):
    __tablename__ = "case_referrals"
    __table_args__ = (
        CheckConstraint("kind IN ('referral', 'transfer')", name="kind"),
        CheckConstraint(
            "service IS NULL OR service IN "
            "('health', 'police', 'social_protection_centre', 'education', 'legal_aid', 'other')",
            name="service",
        ),
        CheckConstraint("state IN ('open', 'accepted', 'refused', 'cancelled')", name="state"),
        CheckConstraint("(to_unit_id IS NULL) <> (service IS NULL)", name="one_receiver"),
        CheckConstraint("kind = 'referral' OR to_unit_id IS NOT NULL", name="transfer_to_commune"),
        CheckConstraint("state <> 'refused' OR response IS NOT NULL", name="refusal_reason"),
        Index("ix_case_referrals_case_id", "case_id"),
        Index("ix_case_referrals_to_path", "to_path", postgresql_where=text("to_path IS NOT NULL")),
        Index("ix_case_referrals_from_path", "from_path"),
        Index(
            "uq_case_referrals_open_transfer",
            "case_id",
            unique=True,
            postgresql_where=text("state = 'open' AND kind = 'transfer'"),
        ),
        Index(
            "uq_case_referrals_open_receiver",
            "case_id",
            func.coalesce(text("to_unit_id"), 0),
            func.coalesce(text("service"), ""),
            unique=True,
            postgresql_where=text("state = 'open'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    reference: Mapped[str] = mapped_column(String(24))
    kind: Mapped[str] = mapped_column(String(16))
    from_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    from_path: Mapped[str] = mapped_column(Text(collation="C"))
    to_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    to_path: Mapped[str | None] = mapped_column(Text(collation="C"))
    to_hamlet_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    service: Mapped[str | None] = mapped_column(String(32))
    service_name: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="open", server_default="open")
    opened_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    response: Mapped[str | None] = mapped_column(Text)


class CaseLink(Base):
    """Two related cases, stored once (``case_id < linked_id``); readable where both cases are."""

    __tablename__ = "case_links"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('sibling', 'same_perpetrator', 'same_family', 'same_incident', 'other')", name="kind"
        ),
        CheckConstraint("case_id < linked_id", name="ordered"),
        Index("ix_case_links_linked_id", "linked_id"),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    linked_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
