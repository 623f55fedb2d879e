"""What a case's events say off the portal, and to whom (portal.notifications.events sends them).

Every message names the case by its reference and the commune, with a link; never the child, the
informant or what happened. Recipients: the commune's ward officers (a new case, a referral or
transfer waiting), plus the assigned worker for an emergency; the deadline watch's levels for an
escalation. The person who raised the event is not told about it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from authz.caller import Caller
from portal.cases.models import Case
from portal.cases.people import Directory
from portal.notifications.events import Message, case_link, raise_event, raise_events
from tenancy.models import Unit

URGENT_STEPS = ("assessment", "emergency_protection")  # the 12-hour steps: never held by quiet hours


def _officers(session: Session, commune: Unit | None, but: int | None) -> list[int]:
    return [u for u in Directory(session).staff(commune, ("ward_officer",)) if u != but]


def case_received(session: Session, caller: Caller, case: Case, commune: Unit | None) -> None:
    name = commune.name if commune else ""
    raise_event(
        session,
        Message(
            "case_received",
            f"case_received:{case.id}",
            f"Hồ sơ mới {case.reference} ({name}) / New case {case.reference}",
            f"Có thông báo mới về trẻ em cần bảo vệ tại {name}: hồ sơ {case.reference}. Đánh giá ban đầu "
            f"trong 12 giờ.\nA new report was received in {name}: case {case.reference}. Assess it within "
            f"12 hours.\n{case_link(case.id)}",
        ),
        _officers(session, commune, caller.user_id),
        requested_by=caller.user_id,
    )


def emergency(session: Session, caller: Caller, case: Case, commune: Unit | None) -> None:
    """Urgent danger assessed: protection within 12 hours of receipt; never held by quiet hours."""
    people = [*_officers(session, commune, caller.user_id)]
    if case.assigned_to is not None and case.assigned_to != caller.user_id:
        people.append(case.assigned_to)
    raise_event(
        session,
        Message(
            "emergency",
            f"emergency:{case.id}",
            f"KHẨN CẤP: hồ sơ {case.reference} / URGENT: case {case.reference}",
            f"Hồ sơ {case.reference} được đánh giá nguy cơ khẩn cấp: can thiệp, bảo vệ trong 12 giờ kể từ "
            f"khi tiếp nhận.\nCase {case.reference} was assessed as urgent danger: protect the child within "
            f"12 hours of receipt.\n{case_link(case.id)}",
            urgent=True,
        ),
        people,
        requested_by=caller.user_id,
    )


def referral_waiting(
    session: Session, caller: Caller, case: Case, referral_id: object, kind: str, receiver: Unit
) -> None:
    what_vi, what_en = ("chuyển hồ sơ", "transfer") if kind == "transfer" else ("chuyển gửi", "referral")
    raise_event(
        session,
        Message(
            "referral_waiting",
            f"referral:{referral_id}",
            f"Hồ sơ {case.reference} chờ tiếp nhận / Case {case.reference} awaits you",
            f"Một {what_vi} hồ sơ {case.reference} đến {receiver.name} đang chờ tiếp nhận hoặc từ chối.\n"
            f"A {what_en} of case {case.reference} to {receiver.name} awaits your acceptance or refusal.\n"
            f"{case_link(case.id)}",
        ),
        _officers(session, receiver, caller.user_id),
        requested_by=caller.user_id,
    )


def escalation_message(row: dict[str, object], level: int, text_: str) -> Message:
    """A deadline escalated to ``level`` (the watch, as the system); 12-hour steps are urgent."""
    return Message(
        "deadline_escalated",
        f"escalation:{row['deadline_id']}:{level}",
        f"Quá hạn: hồ sơ {row['reference']} (mức {level}) / Overdue: case {row['reference']}",
        f"{text_}\n{case_link(row['case_id'])}",
        urgent=row["step"] in URGENT_STEPS,
    )


def escalated(
    session: Session, notices: Iterable[tuple[dict[str, object], int, str, Iterable[int]]], now: datetime
) -> None:
    """The escalations of one chunk of the deadline watch, raised together (routes read once)."""
    raise_events(
        session,
        [(escalation_message(row, level, text_), people) for row, level, text_, people in notices],
        now=now,
    )
