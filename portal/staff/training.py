"""Training: courses held by a commune, district or province unit, who attended, and how many
collaborators of each commune have been trained. Never commits.

A commune (its ward officer) holds trainings for its own collaborators only: the course's unit must be
in the caller's subtree (so a ward officer's own commune), and its attendees collaborators working in it.

A course is visible to the staff of its unit's subtree and to those above it (row-level security
repeats this); attendance rows to whoever's subtree holds the attendee (and to the course's unit).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from msgspec import UNSET
from sqlalchemy import and_, delete, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize, authorize_action
from infra.clock import today, utcnow
from infra.errors import Conflict, FieldError, NotVisible, ValidationFailed
from portal.audit.service import record as audit
from portal.auth.models import User
from portal.plausible import period_day, period_year
from portal.registry.text import clean_name
from portal.staff.access import (
    in_force,
    managed_units,
    manages,
    units_in,
    visible_courses,
    works_under,
)
from portal.staff.models import TrainingAttendance, TrainingCourse
from portal.staff.responses import (
    Attendee,
    CommuneTrained,
    TrainedTotal,
    TrainingCounts,
    UnitAttendance,
    unit_ref,
)
from portal.staff.schemas import AttendanceQuery, CourseFilter, CourseIn, CoursePatch, Period
from tenancy.models import Unit

RESOURCE = "training"
HOLDING_LEVELS = ("commune", "district", "province")
MAX_PAGE_SIZE = 200


def _state(course: TrainingCourse) -> dict[str, Any]:
    return {
        "title": course.title,
        "topic": course.topic,
        "place": course.place,
        "held_on": course.held_on.isoformat(),
        "unit_id": course.unit_id,
    }


def _audit(caller: Caller, action: str, course: TrainingCourse, **detail: Any) -> None:
    audit(
        caller.actor,
        action,
        RESOURCE,
        "allowed",
        resource_ids=[course.id],
        unit_id=course.unit_id,
        detail=detail,
    )


def _text(field: str, value: str | None, errors: list[FieldError], required: bool = False) -> str | None:
    cleaned = clean_name(value) if value is not None else None
    if required and not cleaned:
        errors.append(FieldError(field, "is required", "required"))
    elif cleaned and len(cleaned) > 300:
        errors.append(FieldError(field, "must be at most 300 characters"))
    return cleaned or None


def _held_on(value: date, errors: list[FieldError]) -> date:
    if value.year < 2000 or value > date(today().year + 1, 12, 31):
        errors.append(FieldError("held_on", "must be a date from 2000 to the end of next year"))
    return value


def create_course(session: Session, caller: Caller, body: CourseIn) -> tuple[TrainingCourse, Unit]:
    authorize_action(caller, RESOURCE, "create")
    errors: list[FieldError] = []
    title = _text("title", body.title, errors, required=True)
    topic = _text("topic", body.topic, errors)
    place = _text("place", body.place, errors)
    held_on = _held_on(body.held_on, errors)
    unit = session.get(Unit, body.unit_id)
    if unit is None:
        errors.append(FieldError("unit_id", f"no unit has id {body.unit_id}", "unknown"))
    if errors:
        raise ValidationFailed(errors)
    assert unit is not None and title is not None
    authorize(caller, RESOURCE, "create", unit)
    if unit.level not in HOLDING_LEVELS:
        raise ValidationFailed(
            [
                FieldError(
                    "unit_id",
                    f"trainings are held by a commune, district or province; {unit.name} is a {unit.level}",
                )
            ]
        )
    if not in_force(unit, held_on):
        raise ValidationFailed(
            [FieldError("unit_id", f"{unit.name} did not exist on {held_on:%d/%m/%Y}", "closed")]
        )
    course = TrainingCourse(
        unit_id=unit.id, title=title, topic=topic, place=place, held_on=held_on, created_by=caller.user_id
    )
    session.add(course)
    session.flush()
    _audit(caller, "create", course, before=None, after=_state(course))
    return course, unit


def get_course(
    session: Session, caller: Caller, course_id: int, action: str = "read", lock: bool = False
) -> tuple[TrainingCourse, Unit]:
    authorize_action(caller, RESOURCE, action)
    row = session.execute(visible_courses(caller).where(TrainingCourse.id == course_id)).one_or_none()
    if row is None:
        raise NotVisible("training not found", resource=RESOURCE, action=action, resource_ids=[course_id])
    course, unit = row
    if action != "read":  # changing a course: its unit must be in the caller's subtree
        authorize(caller, RESOURCE, action, unit)
    if lock:  # after the check: a course held above the caller is visible but not theirs (403, not 404)
        session.refresh(course, with_for_update=True)
    return course, unit


def update_course(
    session: Session, caller: Caller, course_id: int, changes: CoursePatch
) -> tuple[TrainingCourse, Unit]:
    course, unit = get_course(session, caller, course_id, "update", lock=True)
    errors: list[FieldError] = []
    before = _state(course)
    if changes.title is not UNSET:
        course.title = _text("title", changes.title, errors, required=True) or course.title
    if changes.topic is not UNSET:
        course.topic = _text("topic", changes.topic, errors)
    if changes.place is not UNSET:
        course.place = _text("place", changes.place, errors)
    if changes.held_on is not UNSET:
        course.held_on = _held_on(changes.held_on, errors)
    if errors:
        raise ValidationFailed(errors)
    if course.held_on > today() and _attendee_count(session, course.id):
        raise Conflict("attendance is recorded for this course: it cannot be moved to a future date")
    course.updated_at = utcnow()
    session.flush()
    if _state(course) != before:
        _audit(caller, "update", course, before=before, after=_state(course))
    return course, unit


def _attendee_count(session: Session, course_id: int) -> int:
    return session.scalar(select(func.count()).where(TrainingAttendance.course_id == course_id)) or 0


def add_attendees(session: Session, caller: Caller, course_id: int, user_ids: list[int]) -> list[int]:
    """Record who attended (all or nothing; each account not eligible is named). Returns the ids added."""
    course, unit = get_course(session, caller, course_id, "record", lock=True)
    if course.held_on > today():
        raise Conflict(
            f"the course is on {course.held_on:%d/%m/%Y}: record attendance once it has taken place"
        )
    if not user_ids:
        raise ValidationFailed([FieldError("user_ids", "give at least one account", "required")])
    found = {
        u.id: (u, path)
        for u, path in session.execute(
            select(User, Unit.path).outerjoin(Unit, Unit.id == User.unit_id).where(User.id.in_(set(user_ids)))
        ).tuples()
    }
    errors = []
    for i, uid in enumerate(user_ids):
        row = found.get(uid)
        if row is None or not manages(caller, row[1]):
            errors.append(FieldError(f"user_ids[{i}]", f"no account {uid} in your area", "unknown"))
        elif not works_under(row[1], unit):
            errors.append(
                FieldError(
                    f"user_ids[{i}]", f"{row[0].username} does not work under {unit.name}", "out_of_unit"
                )
            )
        elif not row[0].is_active:
            errors.append(FieldError(f"user_ids[{i}]", f"{row[0].username} is deactivated", "inactive"))
        elif unit.level == "commune" and row[0].role != "collaborator":
            errors.append(
                FieldError(
                    f"user_ids[{i}]",
                    f"{row[0].username} is not a collaborator: a commune trains its collaborators",
                    "not_collaborator",
                )
            )
    if errors:
        raise ValidationFailed(errors)
    wanted = list(dict.fromkeys(user_ids))
    added = session.scalars(
        insert(TrainingAttendance)
        .values(
            [
                {
                    "course_id": course.id,
                    "user_id": uid,
                    "role": found[uid][0].role,
                    "unit_id": found[uid][0].unit_id,
                    "recorded_by": caller.user_id,
                }
                for uid in wanted
            ]
        )
        .on_conflict_do_nothing()
        .returning(TrainingAttendance.user_id)
    ).all()
    if added:
        _audit(caller, "record_attendance", course, added=sorted(added))
    return sorted(added)


def remove_attendee(session: Session, caller: Caller, course_id: int, user_id: int) -> None:
    course, _unit = get_course(session, caller, course_id, "record", lock=True)
    removed = session.execute(
        delete(TrainingAttendance).where(
            TrainingAttendance.course_id == course.id, TrainingAttendance.user_id == user_id
        )
    ).rowcount  # type: ignore[attr-defined]
    if not removed:
        raise NotVisible(
            "no such attendee of this training", resource=RESOURCE, action="record", resource_ids=[course_id]
        )
    _audit(caller, "remove_attendance", course, removed=[user_id])


def list_courses(
    session: Session, caller: Caller, params: CourseFilter
) -> list[tuple[TrainingCourse, Unit, int]]:
    """Courses the caller may see (``visible_courses``), newest first, with the attendees they may see."""
    authorize_action(caller, RESOURCE, "read")
    seen = (  # attendees the caller may see, counted per course through its primary key
        select(func.count())
        .where(TrainingAttendance.course_id == TrainingCourse.id)
        .correlate(TrainingCourse)
        .scalar_subquery()
    )
    stmt = visible_courses(caller).add_columns(seen)
    if params.unit_id is not None:
        stmt = stmt.where(TrainingCourse.unit_id == params.unit_id)
    if params.year is not None:
        year = params.year
        if wrong := period_year("year", year):
            raise ValidationFailed(wrong)
        stmt = stmt.where(
            TrainingCourse.held_on >= date(year, 1, 1), TrainingCourse.held_on <= date(year, 12, 31)
        )
    rows = session.execute(stmt.order_by(TrainingCourse.held_on.desc(), TrainingCourse.id.desc()).limit(500))
    return [(c, u, int(n)) for c, u, n in rows.tuples()]


def attendees(session: Session, caller: Caller, course: TrainingCourse, unit: Unit) -> list[Attendee]:
    """Attendees of a course the caller may see: all of them for the course's unit and the levels above
    it (wherever they work now), else those working in the caller's subtree."""
    stmt = (
        select(TrainingAttendance, User, Unit)
        .join(User, User.id == TrainingAttendance.user_id)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .where(TrainingAttendance.course_id == course.id)
        .order_by(Unit.path, User.full_name)
    )
    if not manages(caller, unit.path):
        stmt = stmt.where(managed_units(caller))
    rows = session.execute(stmt).tuples()
    return [Attendee.of(a, u, n) for a, u, n in rows]


def my_trainings(session: Session, caller: Caller) -> list[tuple[TrainingCourse, Unit]]:
    authorize_action(caller, RESOURCE, "read")
    stmt = (
        select(TrainingCourse, Unit)
        .join(Unit, Unit.id == TrainingCourse.unit_id)
        .join(TrainingAttendance, TrainingAttendance.course_id == TrainingCourse.id)
        .where(TrainingAttendance.user_id == caller.user_id)
        .order_by(TrainingCourse.held_on.desc(), TrainingCourse.id.desc())
    )
    return [(c, u) for c, u in session.execute(stmt).tuples()]


def _period(params: Period) -> tuple[date | None, date | None]:
    since, until = params.since, params.until
    errors = period_day("since", since) + period_day("until", until)
    if since and until and until < since:
        errors.append(FieldError("until", "is before 'since'"))
    if errors:
        raise ValidationFailed(errors)
    return since, until


def _held_between(since: date | None, until: date | None) -> Any:
    return and_(
        TrainingCourse.held_on >= since if since else text("true"),
        TrainingCourse.held_on <= until if until else text("true"),
    )


@dataclass(frozen=True)
class AttendancePage:
    items: list[UnitAttendance]
    total: int
    page: int
    page_size: int


def attendance_in_unit(
    session: Session, caller: Caller, unit: Unit, params: AttendanceQuery
) -> AttendancePage:
    """Every attendance of staff now working in ``unit``'s subtree (SQL-filtered), newest course first."""
    authorize(caller, RESOURCE, "attendance", unit)
    since, until = _period(params)
    page, size = params.page, params.page_size
    if not 1 <= size <= MAX_PAGE_SIZE or page < 1:
        raise ValidationFailed(
            [FieldError("page_size", f"page >= 1 and page_size from 1 to {MAX_PAGE_SIZE}")]
        )
    held = Unit.__table__.alias("held")
    stmt = (
        select(TrainingAttendance, User, Unit, TrainingCourse, held.c.name)
        .join(User, User.id == TrainingAttendance.user_id)
        .join(Unit, Unit.id == User.unit_id)
        .join(TrainingCourse, TrainingCourse.id == TrainingAttendance.course_id)
        .join(held, held.c.id == TrainingCourse.unit_id)
        .where(units_in(unit), _held_between(since, until))
    )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(
        stmt.order_by(TrainingCourse.held_on.desc(), TrainingCourse.id, Unit.path, User.full_name)
        .limit(size)
        .offset((page - 1) * size)
    ).tuples()
    items = [UnitAttendance.of_course(a, u, n, c, held_name) for a, u, n, c, held_name in rows]
    return AttendancePage(items, total, page, size)


def collaborators_trained(
    session: Session, root_path: str, since: date | None = None, until: date | None = None
) -> list[CommuneTrained]:
    """Per commune under ``root_path``: active collaborators in place and how many of them attended a
    training held in [since, until] (open ends: any time), whoever held it. Feeds the report indicator
    ``collaborators.trained``. Counts come from ``training_collaborator_counts`` (SECURITY DEFINER,
    counts only), which refuses a path outside the session's scope."""
    counts = {
        cid: (int(n), int(t))
        for cid, n, t in session.execute(
            text("SELECT * FROM training_collaborator_counts(:p, :since, :until, :today)"),
            {"p": root_path, "since": since, "until": until, "today": today()},
        ).tuples()
    }
    if not counts:
        return []
    communes = session.execute(
        select(Unit.id, Unit.code, Unit.name).where(Unit.id.in_(counts)).order_by(Unit.path)
    ).tuples()
    return [
        CommuneTrained(id=cid, code=code, name=name, in_place=counts[cid][0], trained=counts[cid][1])
        for cid, code, name in communes
    ]


def training_counts(session: Session, caller: Caller, unit: Unit, params: Period) -> TrainingCounts:
    authorize(caller, RESOURCE, "attendance", unit)
    since, until = _period(params)
    items = collaborators_trained(session, unit.path, since, until)
    return TrainingCounts(
        unit=unit_ref(unit),
        since=since,
        until=until,
        items=items,
        total=TrainedTotal(in_place=sum(i.in_place for i in items), trained=sum(i.trained for i in items)),
    )
