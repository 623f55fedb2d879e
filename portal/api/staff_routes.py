"""Staff management: accounts (create, change, move, deactivate, reset), one-time password codes,
hamlets of a commune, and training courses with their attendance."""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec
from litestar import Request, delete, get, patch, post
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy.orm import Session

from authz.caller import Caller
from portal.api.unit_routes import _unit
from portal.auth.client_address import client_address
from portal.boundary.deps import CallerDep, DbDep, provide_anonymous_db
from portal.boundary.pagination import Page
from portal.staff import hamlets, service, training
from portal.staff.models import TrainingCourse
from portal.staff.own_password import change_own_password
from portal.staff.responses import (
    Account,
    AccountCreated,
    Contact,
    Course,
    CourseDetail,
    Hamlet,
    PasswordSet,
    ResetCode,
    SessionsRevoked,
    StaffPage,
    TrainingCounts,
    UnitAttendance,
)
from portal.staff.schemas import (
    AttendanceQuery,
    AttendeesIn,
    ContactIn,
    CourseFilter,
    CourseIn,
    CoursePatch,
    HamletIn,
    HamletPatch,
    Period,
    SetPasswordIn,
    StaffCreate,
    StaffFilter,
    StaffPatch,
)
from tenancy.models import Unit

STAFF = ["staff"]
TRAINING = ["training"]


@get("/api/v1/staff", sync_to_thread=False, tags=STAFF, summary="Accounts the caller manages")
def list_staff(
    caller: CallerDep,
    db: DbDep,
    unit_id: FromQuery[int | None] = None,
    role: FromQuery[str | None] = None,
    active: FromQuery[bool | None] = None,
    q: FromQuery[str | None] = None,
    page: FromQuery[int] = 1,
    page_size: FromQuery[int] = 50,
) -> StaffPage:
    params = StaffFilter(unit_id=unit_id, role=role, active=active, q=q, page=page, page_size=page_size)
    result = service.list_accounts(db, caller, params)
    return StaffPage(
        items=[Account.of(u, n) for u, n in result.items],
        total=result.total,
        page=result.page,
        page_size=result.page_size,
        grantable_roles=service.manageable_roles(caller),
    )


@post(
    "/api/v1/staff",
    sync_to_thread=False,
    status_code=201,
    tags=STAFF,
    summary="Create an account (a lower role, at a unit of the caller's area) with a one-time setup code",
    description=(
        "The setup code is in the answer (`setup_code`) only when the caller already reads everything the "
        "new account will read (a ward officer creating a collaborator of its commune). Otherwise it is "
        "sent to the person's `email` (required then) by the notification outbox, and the answer says "
        "only where it went (`code_delivery`, a masked address)."
    ),
)
def post_staff(data: JSONBody[StaffCreate], caller: CallerDep, db: DbDep) -> AccountCreated:
    created = service.create_account(db, caller, data)
    return AccountCreated.of_new(created.user, created.unit, created.delivery)


@get("/api/v1/staff/{user_id:int}", sync_to_thread=False, tags=STAFF)
def read_staff(user_id: FromPath[int], caller: CallerDep, db: DbDep) -> Account:
    return Account.of(*service.read_account(db, caller, user_id))


@patch(
    "/api/v1/staff/{user_id:int}",
    sync_to_thread=False,
    tags=STAFF,
    summary="Rename, move to another unit or change the role (a move ends the account's sessions)",
)
def patch_staff(user_id: FromPath[int], data: JSONBody[StaffPatch], caller: CallerDep, db: DbDep) -> Account:
    return Account.of(*service.update_account(db, caller, user_id, data))


@post(
    "/api/v1/staff/{user_id:int}/deactivate",
    sync_to_thread=False,
    status_code=200,
    tags=STAFF,
    summary="End the account's access at once (its records stay)",
)
def post_deactivate(user_id: FromPath[int], caller: CallerDep, db: DbDep) -> Account:
    return Account.of(*service.deactivate_account(db, caller, user_id))


@post("/api/v1/staff/{user_id:int}/activate", sync_to_thread=False, status_code=200, tags=STAFF)
def post_activate(user_id: FromPath[int], caller: CallerDep, db: DbDep) -> Account:
    return Account.of(*service.activate_account(db, caller, user_id))


@post(
    "/api/v1/staff/{user_id:int}/password-reset",
    sync_to_thread=False,
    status_code=201,
    tags=STAFF,
    summary="Issue a one-time code with which the account sets a new password",
    description=(
        "The code is in the answer (shown once) only when the caller already reads everything the account "
        "reads; otherwise it is sent to the account's own address and the answer says where (masked)."
    ),
)
def post_password_reset(user_id: FromPath[int], caller: CallerDep, db: DbDep) -> ResetCode:
    return ResetCode.of(service.issue_reset_code(db, caller, user_id))


@patch(
    "/api/v1/me/contact",
    sync_to_thread=False,
    tags=STAFF,
    summary="Record the caller's own e-mail address or phone (where their one-time codes are sent)",
)
def patch_my_contact(data: JSONBody[ContactIn], caller: CallerDep, db: DbDep) -> Contact:
    return Contact.of(service.set_own_contact(db, caller, data))


@post(
    "/api/v1/staff/{user_id:int}/sessions/revoke",
    sync_to_thread=False,
    status_code=200,
    tags=STAFF,
    summary="End every session of the account",
)
def post_revoke_sessions(user_id: FromPath[int], caller: CallerDep, db: DbDep) -> SessionsRevoked:
    return SessionsRevoked(revoked=service.end_sessions(db, caller, user_id))


@post(
    "/api/v1/auth/set-password",
    dependencies={"db": Provide(provide_anonymous_db)},
    sync_to_thread=True,
    status_code=200,
    tags=["auth"],
    summary="Set a password with a one-time code from a manager (no login needed); every session ends",
)
def post_set_password(
    data: JSONBody[SetPasswordIn], db: DbDep, request: Request[Any, Any, Any]
) -> PasswordSet:
    client = client_address(request)
    user = service.set_password_with_code(db, data.code, data.password, client)
    return PasswordSet(username=user.username, password_set=True)


class OwnPasswordIn(msgspec.Struct, forbid_unknown_fields=True):
    current_password: str
    new_password: str


class OwnPasswordChanged(msgspec.Struct):
    password_changed: bool
    sessions_ended: int


@post(
    "/api/v1/me/password",
    sync_to_thread=True,
    status_code=200,
    tags=["auth"],
    summary="Change my own password (the current one proves it); every session of the account ends",
)
def post_own_password(
    data: JSONBody[OwnPasswordIn], caller: CallerDep, db: DbDep, request: Request[Any, Any, Any]
) -> OwnPasswordChanged:
    ended = change_own_password(db, caller, data.current_password, data.new_password, client_address(request))
    return OwnPasswordChanged(password_changed=True, sessions_ended=ended)


# --- hamlets ------------------------------------------------------------------------------------


@post(
    "/api/v1/units/{unit_id:int}/hamlets",
    sync_to_thread=False,
    status_code=201,
    tags=["units"],
    summary="Create a hamlet in a commune (from today)",
)
def post_hamlet(unit_id: FromPath[int], data: JSONBody[HamletIn], caller: CallerDep, db: DbDep) -> Hamlet:
    return Hamlet.of(hamlets.create_hamlet(db, caller, _unit(db, unit_id), data))


@patch("/api/v1/hamlets/{hamlet_id:int}", sync_to_thread=False, tags=["units"], summary="Rename a hamlet")
def patch_hamlet(
    hamlet_id: FromPath[int], data: JSONBody[HamletPatch], caller: CallerDep, db: DbDep
) -> Hamlet:
    return Hamlet.of(hamlets.update_hamlet(db, caller, hamlet_id, data))


@post(
    "/api/v1/hamlets/{hamlet_id:int}/close",
    sync_to_thread=False,
    status_code=200,
    tags=["units"],
    summary="Close a hamlet from today (refused while children or staff are there)",
)
def post_close_hamlet(hamlet_id: FromPath[int], caller: CallerDep, db: DbDep) -> Hamlet:
    return Hamlet.of(hamlets.close_hamlet(db, caller, hamlet_id))


# --- training -----------------------------------------------------------------------------------


def _course_view(db: Session, caller: Caller, course: TrainingCourse, unit: Unit) -> CourseDetail:
    return CourseDetail.of_course(course, unit, training.attendees(db, caller, course, unit))


@post(
    "/api/v1/trainings",
    sync_to_thread=False,
    status_code=201,
    tags=TRAINING,
    summary="Record a training held by a district or province",
)
def post_training(data: JSONBody[CourseIn], caller: CallerDep, db: DbDep) -> Course:
    course, unit = training.create_course(db, caller, data)
    return Course.of(course, unit, 0)


@get(
    "/api/v1/trainings",
    sync_to_thread=False,
    tags=TRAINING,
    summary="Trainings held in or above the caller's area",
)
def list_trainings(
    caller: CallerDep, db: DbDep, unit_id: FromQuery[int | None] = None, year: FromQuery[int | None] = None
) -> Page[Course]:
    rows = training.list_courses(db, caller, CourseFilter(unit_id=unit_id, year=year))
    return Page.whole([Course.of(c, u, n) for c, u, n in rows])


@get("/api/v1/trainings/{course_id:int}", sync_to_thread=False, tags=TRAINING)
def read_training(course_id: FromPath[int], caller: CallerDep, db: DbDep) -> CourseDetail:
    return _course_view(db, caller, *training.get_course(db, caller, course_id))


@patch("/api/v1/trainings/{course_id:int}", sync_to_thread=False, tags=TRAINING)
def patch_training(
    course_id: FromPath[int], data: JSONBody[CoursePatch], caller: CallerDep, db: DbDep
) -> CourseDetail:
    return _course_view(db, caller, *training.update_course(db, caller, course_id, data))


@post(
    "/api/v1/trainings/{course_id:int}/attendees",
    sync_to_thread=False,
    status_code=200,
    tags=TRAINING,
    summary="Record who attended (accounts working under the course's unit)",
)
def post_attendees(
    course_id: FromPath[int], data: JSONBody[AttendeesIn], caller: CallerDep, db: DbDep
) -> CourseDetail:
    added = training.add_attendees(db, caller, course_id, data.user_ids)
    view = _course_view(db, caller, *training.get_course(db, caller, course_id))
    return msgspec.structs.replace(view, added=added)


@delete(
    "/api/v1/trainings/{course_id:int}/attendees/{user_id:int}",
    sync_to_thread=False,
    status_code=204,
    tags=TRAINING,
)
def delete_attendee(course_id: FromPath[int], user_id: FromPath[int], caller: CallerDep, db: DbDep) -> None:
    training.remove_attendee(db, caller, course_id, user_id)


@get("/api/v1/me/trainings", sync_to_thread=False, tags=TRAINING, summary="The trainings the caller attended")
def read_my_trainings(caller: CallerDep, db: DbDep) -> Page[Course]:
    return Page.whole([Course.of(c, u) for c, u in training.my_trainings(db, caller)])


@get(
    "/api/v1/units/{unit_id:int}/training-attendance",
    sync_to_thread=False,
    tags=TRAINING,
    summary="Attendance of the staff working in the unit's subtree",
)
def read_unit_attendance(
    unit_id: FromPath[int],
    caller: CallerDep,
    db: DbDep,
    since: FromQuery[date | None] = None,
    until: FromQuery[date | None] = None,
    page: FromQuery[int] = 1,
    page_size: FromQuery[int] = 50,
) -> Page[UnitAttendance]:
    params = AttendanceQuery(since=since, until=until, page=page, page_size=page_size)
    result = training.attendance_in_unit(db, caller, _unit(db, unit_id), params)
    return Page(result.items, result.total, result.page, result.page_size)


@get(
    "/api/v1/units/{unit_id:int}/training-counts",
    sync_to_thread=False,
    tags=TRAINING,
    summary="Per commune: active collaborators in place and how many were trained",
)
def read_training_counts(
    unit_id: FromPath[int],
    caller: CallerDep,
    db: DbDep,
    since: FromQuery[date | None] = None,
    until: FromQuery[date | None] = None,
) -> TrainingCounts:
    return training.training_counts(db, caller, _unit(db, unit_id), Period(since=since, until=until))


ROUTES = [
    list_staff,
    post_staff,
    read_staff,
    patch_staff,
    post_deactivate,
    post_activate,
    post_password_reset,
    post_revoke_sessions,
    patch_my_contact,
    post_set_password,
    post_own_password,
    post_hamlet,
    patch_hamlet,
    post_close_hamlet,
    post_training,
    list_trainings,
    read_training,
    patch_training,
    post_attendees,
    delete_attendee,
    read_my_trainings,
    read_unit_attendance,
    read_training_counts,
]
