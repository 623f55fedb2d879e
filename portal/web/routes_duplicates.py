"""Duplicate records on the pages (ward officers): the commune's suspected pairs with "a different
child" and "merge into…", the merge confirmation with both records side by side, the merge and its undo.

Every call goes through ``portal.registry`` (duplicate_pairs, merges) with the caller's scoped session,
as the API's: Casbin (``child``: ``duplicates``, ``merge``, ``unmerge``), the SQL scope, row-level
security and the audit apply. A refusal by the database (a move open, the survivor changed since the
merge) is said plainly with 409.
"""

from __future__ import annotations

import math
import uuid
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.errors import Conflict, Forbidden, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.registry.duplicate_pairs import list_duplicate_pairs
from portal.registry.merges import (
    mark_distinct,
    merge_children,
    merge_json,
    merge_preview,
    read_merge,
    unmerge,
)
from portal.web.deps import FormData
from portal.web.render import page, see_other
from tenancy.service import unit_names

PAGE_SIZE = 20
FLASH = {"distinct": "duplicate_distinct", "merged": "duplicate_merged", "unmerged": "duplicate_unmerged"}


def _uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@get("/duplicates", sync_to_thread=False, include_in_schema=False)
def duplicates_page(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    page_no: Annotated[int, QueryParameter(name="page")] = 1,
) -> Template:
    if caller.unit is None:
        raise Forbidden("no unit to look for duplicates in", resource="child", action="duplicates")
    result = list_duplicate_pairs(db, caller, caller.unit, max(1, page_no), PAGE_SIZE)
    return page(
        request,
        "duplicates.html",
        result=result,
        pages=max(1, math.ceil(result.total / PAGE_SIZE)),
        flash=FLASH.get(request.query_params.get("msg", "")),
    )


@post("/duplicates/distinct", sync_to_thread=False, include_in_schema=False)
def distinct_submit(caller: CallerDep, db: DbDep, data: FormData) -> Redirect:
    child_id, other_id = _uuid(data.get("child_id")), _uuid(data.get("other_id"))
    if child_id is not None and other_id is not None:
        mark_distinct(db, caller, child_id, other_id)
    return see_other("/duplicates?msg=distinct")


def _confirm_page(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    survivor_id: uuid.UUID,
    absorbed_id: uuid.UUID,
    message: str | None = None,
    status_code: int = 200,
) -> Template:
    survivor, absorbed = merge_preview(db, caller, survivor_id, absorbed_id)
    return page(
        request,
        "merge_confirm.html",
        status_code=status_code,
        survivor=survivor,
        absorbed=absorbed,
        hamlet_names=unit_names(db, {survivor.hamlet_id, absorbed.hamlet_id}),
        form_message=message,
    )


@get("/children/{child_id:uuid}/merge", sync_to_thread=False, include_in_schema=False)
def merge_confirm_page(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    child_id: FromPath[uuid.UUID],
    other: Annotated[str, QueryParameter(name="other")] = "",
) -> Template | Redirect:
    absorbed_id = _uuid(other)
    if absorbed_id is None:
        return see_other("/duplicates")
    return _confirm_page(request, db, caller, child_id, absorbed_id)


@post("/children/{child_id:uuid}/merge", sync_to_thread=False, include_in_schema=False)
def merge_submit(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    child_id: FromPath[uuid.UUID],
    data: FormData,
) -> Template | Redirect:
    absorbed_id = _uuid(data.get("absorbed_id"))
    if absorbed_id is None:
        return see_other("/duplicates")
    try:
        merge = merge_children(db, caller, child_id, absorbed_id)
    except (Conflict, ValidationFailed) as exc:
        db.rollback()
        code = 409 if isinstance(exc, Conflict) else 422
        return _confirm_page(request, db, caller, child_id, absorbed_id, "merge_refused", code)
    return see_other(f"/merges/{merge.id}?msg=merged")


def _merge_page(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    merge_id: int,
    message: str | None = None,
    status_code: int = 200,
) -> Template:
    merge = read_merge(db, caller, merge_id)
    return page(
        request,
        "merge.html",
        status_code=status_code,
        merge=merge_json(db, caller, merge),
        flash=FLASH.get(request.query_params.get("msg", "")),
        form_message=message,
    )


@get("/merges/{merge_id:int}", sync_to_thread=False, include_in_schema=False)
def merge_page(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, merge_id: FromPath[int]
) -> Template:
    return _merge_page(request, db, caller, merge_id)


@post("/merges/{merge_id:int}/undo", sync_to_thread=False, include_in_schema=False)
def unmerge_submit(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, merge_id: FromPath[int]
) -> Template | Redirect:
    try:
        unmerge(db, caller, merge_id)
    except Conflict:
        db.rollback()
        return _merge_page(request, db, caller, merge_id, "unmerge_refused", 409)
    return see_other(f"/merges/{merge_id}?msg=unmerged")


ROUTES = [
    duplicates_page,
    distinct_submit,
    merge_confirm_page,
    merge_submit,
    merge_page,
    unmerge_submit,
]
