"""Shapes of the staff, hamlet and training API answers (the response schemas of the OpenAPI document).

Times are ISO 8601 text as ``datetime.isoformat()`` writes them (``+00:00``), as the API always
answered; dates are ``date`` (the same text). A field that is ``UNSET`` is absent from the answer.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from portal.auth.models import User
from portal.notifications.outbox import Queued, mask
from portal.shapes import UnitRefOut
from portal.staff.codes import IssuedCode
from portal.staff.delivery import Delivery
from portal.staff.models import TrainingAttendance, TrainingCourse
from tenancy.models import Unit

Timestamp = Annotated[str, msgspec.Meta(extra_json_schema={"description": "ISO 8601 date and time"})]


def unit_ref(unit: Unit) -> UnitRefOut:
    return UnitRefOut(id=unit.id, code=unit.code, name=unit.name, level=unit.level, path=unit.path)


def unit_ref_or_none(unit: Unit | None) -> UnitRefOut | None:
    return unit_ref(unit) if unit is not None else None


# --- accounts -----------------------------------------------------------------------------------


class Contact(msgspec.Struct):
    """What a manager (or the person) is shown of the account's addresses: masked."""

    email: str | None
    phone: str | None

    @classmethod
    def of(cls, user: User) -> Contact:
        return cls(email=_masked(user.email), phone=_masked(user.phone))


def _masked(address: str | None) -> str | None:
    return mask(address) if address else None


class Account(msgspec.Struct):
    id: int
    username: str
    full_name: str
    role: str | None
    unit: UnitRefOut | None
    is_active: bool
    created_at: Timestamp | None
    email: str | None
    phone: str | None

    @classmethod
    def of(cls, user: User, unit: Unit | None) -> Account:
        return cls(
            id=user.id,
            username=user.username,
            full_name=user.full_name,
            role=user.role,
            unit=unit_ref_or_none(unit),
            is_active=user.is_active,
            created_at=user.created_at.isoformat() if user.created_at else None,
            email=_masked(user.email),
            phone=_masked(user.phone),
        )


class StaffPage(msgspec.Struct):
    items: list[Account]
    total: int
    page: int
    page_size: int
    grantable_roles: list[str]
    """The roles the caller may grant (for forms)."""


class Code(msgspec.Struct):
    """A one-time code, shown once."""

    code: str
    purpose: str
    expires_at: Timestamp

    @classmethod
    def of(cls, issued: IssuedCode) -> Code:
        return cls(code=issued.code, purpose=issued.purpose, expires_at=issued.expires_at.isoformat())


class CodeSent(msgspec.Struct):
    """A one-time code queued to the person's own address (shown masked)."""

    notification_id: int
    channel: str
    to: str
    status: Literal["queued"]

    @classmethod
    def of(cls, queued: Queued) -> CodeSent:
        return cls(
            notification_id=queued.notification_id, channel=queued.channel, to=queued.masked, status="queued"
        )


class AccountCreated(Account, kw_only=True):
    """Exactly one of ``setup_code`` (shown to the caller) and ``code_delivery`` (sent) is not null."""

    setup_code: Code | None
    code_delivery: CodeSent | None

    @classmethod
    def of_new(cls, user: User, unit: Unit | None, delivery: Delivery) -> AccountCreated:
        return cls(
            **msgspec.structs.asdict(Account.of(user, unit)),
            setup_code=Code.of(delivery.shown) if delivery.shown is not None else None,
            code_delivery=CodeSent.of(delivery.sent) if delivery.sent is not None else None,
        )


class ResetCode(msgspec.Struct, kw_only=True):
    """The reset code (``code``, ``expires_at``) or, when it was sent to the person, where it went
    (``code``: null, no ``expires_at``)."""

    code: str | None
    purpose: str
    expires_at: Timestamp | UnsetType = UNSET
    code_delivery: CodeSent | None

    @classmethod
    def of(cls, delivery: Delivery) -> ResetCode:
        if delivery.shown is not None:
            shown = Code.of(delivery.shown)
            return cls(
                code=shown.code, purpose=shown.purpose, expires_at=shown.expires_at, code_delivery=None
            )
        assert delivery.sent is not None
        return cls(code=None, purpose="reset", code_delivery=CodeSent.of(delivery.sent))


class SessionsRevoked(msgspec.Struct):
    revoked: int


class PasswordSet(msgspec.Struct):
    username: str
    password_set: bool


# --- hamlets ------------------------------------------------------------------------------------


class Hamlet(msgspec.Struct):
    """A hamlet: the unit as other answers name it (``UnitRefOut``), with its kind and validity."""

    id: int
    code: str | None
    name: str
    level: str
    path: str
    kind: str | None
    parent_id: int | None
    depth: int
    valid_from: date | None
    valid_to: date | None

    @classmethod
    def of(cls, unit: Unit) -> Hamlet:
        return msgspec.convert(unit, cls, from_attributes=True)


# --- training -----------------------------------------------------------------------------------


class Course(msgspec.Struct, kw_only=True):
    id: int
    title: str
    topic: str | None
    place: str | None
    held_on: date
    unit: UnitRefOut
    attendees: int | UnsetType = UNSET
    """How many attended that the caller may see (absent from the caller's own trainings)."""

    @classmethod
    def of(cls, course: TrainingCourse, unit: Unit, attendees: int | UnsetType = UNSET) -> Course:
        return cls(
            id=course.id,
            title=course.title,
            topic=course.topic,
            place=course.place,
            held_on=course.held_on,
            unit=unit_ref(unit),
            attendees=attendees,
        )


class Attendee(msgspec.Struct, kw_only=True):
    """An attendance: the account as it is now, and its role and unit when it attended."""

    user_id: int
    username: str
    full_name: str
    role: str | None
    unit: UnitRefOut | None
    role_then: str | None
    unit_id_then: int | None
    recorded_at: Timestamp | None

    @classmethod
    def of(cls, attendance: TrainingAttendance, user: User, unit: Unit | None) -> Attendee:
        return cls(
            user_id=user.id,
            username=user.username,
            full_name=user.full_name,
            role=user.role,
            unit=unit_ref_or_none(unit),
            role_then=attendance.role,
            unit_id_then=attendance.unit_id,
            recorded_at=attendance.recorded_at.isoformat() if attendance.recorded_at else None,
        )


class CourseDetail(Course, kw_only=True):
    attendance: list[Attendee]
    added: list[int] | UnsetType = UNSET
    """The accounts this call recorded (only in the answer to recording attendees)."""

    @classmethod
    def of_course(cls, course: TrainingCourse, unit: Unit, attendance: list[Attendee]) -> CourseDetail:
        return cls(**msgspec.structs.asdict(Course.of(course, unit, len(attendance))), attendance=attendance)


class HeldCourse(msgspec.Struct):
    id: int
    title: str
    held_on: date
    held_by: str
    """The name of the unit that held it."""


class UnitAttendance(Attendee, kw_only=True):
    course: HeldCourse

    @classmethod
    def of_course(
        cls,
        attendance: TrainingAttendance,
        user: User,
        unit: Unit | None,
        course: TrainingCourse,
        held_by: str,
    ) -> UnitAttendance:
        return cls(
            **msgspec.structs.asdict(Attendee.of(attendance, user, unit)),
            course=HeldCourse(id=course.id, title=course.title, held_on=course.held_on, held_by=held_by),
        )


class CommuneTrained(msgspec.Struct):
    id: int
    code: str | None
    name: str
    in_place: int
    trained: int


class TrainedTotal(msgspec.Struct):
    in_place: int
    trained: int


class TrainingCounts(msgspec.Struct):
    unit: UnitRefOut
    since: date | None
    until: date | None
    items: list[CommuneTrained]
    total: TrainedTotal
