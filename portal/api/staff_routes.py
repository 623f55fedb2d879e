"""Staff management: accounts (create, change, move, deactivate, reset), one-time password codes,
hamlets of a commune, and training courses with their attendance."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Request, delete, get, patch, post
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, JSONBody

from portal.api.pages import whole_list
from portal.api.unit_routes import _unit
from portal.auth.client_address import client_address
from portal.boundary.deps import CallerDep, DbDep, provide_anonymous_db
from portal.staff import hamlets, service, training
from portal.staff.delivery import Delivery
from portal.staff.schemas import (
    AttendeesIn,
    ContactIn,
    CourseIn,
    CoursePatch,
    HamletIn,
    HamletPatch,
    SetPasswordIn,
    StaffCreate,
    StaffPatch,
    given,
)

STAFF = ["staff"]
TRAINING = ["training"]


@get("/api/v1/staff", sync_to_thread=True, tags=STAFF, summary="Accounts the caller manages")
def list_staff(
    caller: CallerDep,
    db: DbDep,
    unit_id: FromQuery[int | None] = None,
    role: FromQuery[str | None] = None,
    active: FromQuery[bool | None] = None,
    q: FromQuery[str | None] = None,
    page: FromQuery[int] = 1,
    page_size: FromQuery[int] = 50,
) -> dict[str, Any]:
    params = {
        "unit_id": unit_id,
        "role": role,
        "active": active,
        "q": q,
        "page": page,
        "page_size": page_size,
    }
    result = service.list_accounts(db, caller, params)
    return {
        "items": [service.account_json(u, n) for u, n in result.items],
        "total": result.total,
        "page": result.page,
        "page_size": result.page_size,
        "grantable_roles": service.manageable_roles(caller),
    }


@post(
    "/api/v1/staff",
    sync_to_thread=True,
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
def post_staff(data: JSONBody[StaffCreate], caller: CallerDep, db: DbDep) -> dict[str, Any]:
    created = service.create_account(db, caller, data)
    return {**service.account_json(created.user, created.unit), **_code_answer(created.delivery)}


def _code_answer(delivery: Delivery) -> dict[str, Any]:
    if delivery.shown is not None:
        return {"setup_code": delivery.shown.as_json(), "code_delivery": None}
    assert delivery.sent is not None
    return {"setup_code": None, "code_delivery": delivery.sent.as_json()}


@get("/api/v1/staff/{user_id:int}", sync_to_thread=True, tags=STAFF)
def read_staff(user_id: FromPath[int], caller: CallerDep, db: DbDep) -> dict[str, Any]:
    return service.account_json(*service.read_account(db, caller, user_id))


@patch(
    "/api/v1/staff/{user_id:int}",
    sync_to_thread=True,
    tags=STAFF,
    summary="Rename, move to another unit or change the role (a move ends the account's sessions)",
)
def patch_staff(
    user_id: FromPath[int], data: JSONBody[StaffPatch], caller: CallerDep, db: DbDep
) -> dict[str, Any]:
    return service.account_json(*service.update_account(db, caller, user_id, given(data)))


@post(
    "/api/v1/staff/{user_id:int}/deactivate",
    sync_to_thread=True,
    status_code=200,
    tags=STAFF,
    summary="End the account's access at once (its records stay)",
)
def post_deactivate(user_id: FromPath[int], caller: CallerDep, db: DbDep) -> dict[str, Any]:
    return service.account_json(*service.deactivate_account(db, caller, user_id))


@post("/api/v1/staff/{user_id:int}/activate", sync_to_thread=True, status_code=200, tags=STAFF)
def post_activate(user_id: FromPath[int], caller: CallerDep, db: DbDep) -> dict[str, Any]:
    return service.account_json(*service.activate_account(db, caller, user_id))


@post(
    "/api/v1/staff/{user_id:int}/password-reset",
    sync_to_thread=True,
    status_code=201,
    tags=STAFF,
    summary="Issue a one-time code with which the account sets a new password",
    description=(
        "The code is in the answer (shown once) only when the caller already reads everything the account "
        "reads; otherwise it is sent to the account's own address and the answer says where (masked)."
    ),
)
def post_password_reset(user_id: FromPath[int], caller: CallerDep, db: DbDep) -> dict[str, Any]:
    delivery = service.issue_reset_code(db, caller, user_id)
    if delivery.shown is not None:
        return {**delivery.shown.as_json(), "code_delivery": None}
    assert delivery.sent is not None
    return {"purpose": "reset", "code": None, "code_delivery": delivery.sent.as_json()}


@patch(
    "/api/v1/me/contact",
    sync_to_thread=True,
    tags=STAFF,
    summary="Record the caller's own e-mail address or phone (where their one-time codes are sent)",
)
def patch_my_contact(data: JSONBody[ContactIn], caller: CallerDep, db: DbDep) -> dict[str, Any]:
    return service.masked_contact(service.set_own_contact(db, caller, given(data)))


@post(
    "/api/v1/staff/{user_id:int}/sessions/revoke",
    sync_to_thread=True,
    status_code=200,
    tags=STAFF,
    summary="End every session of the account",
)
def post_revoke_sessions(user_id: FromPath[int], caller: CallerDep, db: DbDep) -> dict[str, Any]:
    return {"revoked": service.end_sessions(db, caller, user_id)}


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
) -> dict[str, Any]:
    client = client_address(request)
    user = service.set_password_with_code(db, data.code, data.password, client)
    return {"username": user.username, "password_set": True}


# --- hamlets ------------------------------------------------------------------------------------


@post(
    "/api/v1/units/{unit_id:int}/hamlets",
    sync_to_thread=True,
    status_code=201,
    tags=["units"],
    summary="Create a hamlet in a commune (from today)",
)
def post_hamlet(
    unit_id: FromPath[int], data: JSONBody[HamletIn], caller: CallerDep, db: DbDep
) -> dict[str, Any]:
    body = {"name": data.name, "kind": data.kind}
    return hamlets.hamlet_json(hamlets.create_hamlet(db, caller, _unit(db, unit_id), body))


@patch("/api/v1/hamlets/{hamlet_id:int}", sync_to_thread=True, tags=["units"], summary="Rename a hamlet")
def patch_hamlet(
    hamlet_id: FromPath[int], data: JSONBody[HamletPatch], caller: CallerDep, db: DbDep
) -> dict[str, Any]:
    return hamlets.hamlet_json(hamlets.update_hamlet(db, caller, hamlet_id, given(data)))


@post(
    "/api/v1/hamlets/{hamlet_id:int}/close",
    sync_to_thread=True,
    status_code=200,
    tags=["units"],
    summary="Close a hamlet from today (refused while children or staff are there)",
)
def post_close_hamlet(hamlet_id: FromPath[int], caller: CallerDep, db: DbDep) -> dict[str, Any]:
    return hamlets.hamlet_json(hamlets.close_hamlet(db, caller, hamlet_id))


# --- training -----------------------------------------------------------------------------------


def _course_view(db: Any, caller: Any, course: Any, unit: Any) -> dict[str, Any]:
    people = training.attendees(db, caller, course, unit)
    return {**training.course_json(course, unit, len(people)), "attendance": people}


@post(
    "/api/v1/trainings",
    sync_to_thread=True,
    status_code=201,
    tags=TRAINING,
    summary="Record a training held by a district or province",
)
def post_training(data: JSONBody[CourseIn], caller: CallerDep, db: DbDep) -> dict[str, Any]:
    course, unit = training.create_course(db, caller, given(data))
    return training.course_json(course, unit, 0)


@get(
    "/api/v1/trainings",
    sync_to_thread=True,
    tags=TRAINING,
    summary="Trainings held in or above the caller's area",
)
def list_trainings(
    caller: CallerDep, db: DbDep, unit_id: FromQuery[int | None] = None, year: FromQuery[int | None] = None
) -> dict[str, Any]:
    rows = training.list_courses(db, caller, {"unit_id": unit_id, "year": year})
    return whole_list([training.course_json(c, u, n) for c, u, n in rows])


@get("/api/v1/trainings/{course_id:int}", sync_to_thread=True, tags=TRAINING)
def read_training(course_id: FromPath[int], caller: CallerDep, db: DbDep) -> dict[str, Any]:
    return _course_view(db, caller, *training.get_course(db, caller, course_id))


@patch("/api/v1/trainings/{course_id:int}", sync_to_thread=True, tags=TRAINING)
def patch_training(
    course_id: FromPath[int], data: JSONBody[CoursePatch], caller: CallerDep, db: DbDep
) -> dict[str, Any]:
    return _course_view(db, caller, *training.update_course(db, caller, course_id, given(data)))


@post(
    "/api/v1/trainings/{course_id:int}/attendees",
    sync_to_thread=True,
    status_code=200,
    tags=TRAINING,
    summary="Record who attended (accounts working under the course's unit)",
)
def post_attendees(
    course_id: FromPath[int], data: JSONBody[AttendeesIn], caller: CallerDep, db: DbDep
) -> dict[str, Any]:
    added = training.add_attendees(db, caller, course_id, data.user_ids)
    return {**_course_view(db, caller, *training.get_course(db, caller, course_id)), "added": added}


@delete(
    "/api/v1/trainings/{course_id:int}/attendees/{user_id:int}",
    sync_to_thread=True,
    status_code=204,
    tags=TRAINING,
)
def delete_attendee(course_id: FromPath[int], user_id: FromPath[int], caller: CallerDep, db: DbDep) -> None:
    training.remove_attendee(db, caller, course_id, user_id)


@get("/api/v1/me/trainings", sync_to_thread=True, tags=TRAINING, summary="The trainings the caller attended")
def read_my_trainings(caller: CallerDep, db: DbDep) -> dict[str, Any]:
    return whole_list([training.course_json(c, u) for c, u in training.my_trainings(db, caller)])


@get(
    "/api/v1/units/{unit_id:int}/training-attendance",
    sync_to_thread=True,
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
) -> dict[str, Any]:
    params = {"since": since, "until": until, "page": page, "page_size": page_size}
    return training.attendance_in_unit(db, caller, _unit(db, unit_id), params)


@get(
    "/api/v1/units/{unit_id:int}/training-counts",
    sync_to_thread=True,
    tags=TRAINING,
    summary="Per commune: active collaborators in place and how many were trained",
)
def read_training_counts(
    unit_id: FromPath[int],
    caller: CallerDep,
    db: DbDep,
    since: FromQuery[date | None] = None,
    until: FromQuery[date | None] = None,
) -> dict[str, Any]:
    return training.training_counts(db, caller, _unit(db, unit_id), {"since": since, "until": until})


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
