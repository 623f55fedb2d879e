"""Duplicate records of children: the suspected pairs of a commune, "a different child", merge and undo."""

from __future__ import annotations

import uuid

from litestar import get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, JSONBody, Parameter
from litestar.status_codes import HTTP_201_CREATED

from portal.boundary.deps import CallerDep, DbDep
from portal.boundary.pagination import Page
from portal.registry.duplicate_pairs import list_duplicate_pairs
from portal.registry.duplicate_responses import DuplicatePairOut, MergeOut
from portal.registry.merges import mark_distinct, merge_children, merge_json, read_merge, unmerge
from portal.registry.schemas import DistinctIn, MergeIn
from tenancy.service import get_unit

TAGS = ["registry"]


@get(
    "/api/v1/units/{unit_id:int}/duplicates",
    sync_to_thread=False,
    tags=TAGS,
    summary="Suspected duplicate records of a commune (pairs not confirmed as different children)",
)
def read_duplicates(
    unit_id: FromPath[int],
    caller: CallerDep,
    db: DbDep,
    page: int = Parameter(default=1),
    page_size: int = Parameter(default=20),
) -> Page[DuplicatePairOut]:
    unit = get_unit(db, unit_id)
    if unit is None:
        raise NotFoundException(f"unit {unit_id} does not exist")
    return Page.of(list_duplicate_pairs(db, caller, unit, page, page_size), DuplicatePairOut.of)


@post(
    "/api/v1/children/{child_id:uuid}/distinct",
    sync_to_thread=False,
    tags=TAGS,
    status_code=204,
    summary="Confirm that another record is a different child (the pair is not suggested again)",
)
def post_distinct(
    child_id: FromPath[uuid.UUID], data: JSONBody[DistinctIn], caller: CallerDep, db: DbDep
) -> None:
    mark_distinct(db, caller, child_id, data.other_id)


@post(
    "/api/v1/children/{child_id:uuid}/merge",
    sync_to_thread=False,
    tags=TAGS,
    status_code=HTTP_201_CREATED,
    summary="Merge another record of the same child into this one (this one survives)",
)
def post_merge(
    child_id: FromPath[uuid.UUID], data: JSONBody[MergeIn], caller: CallerDep, db: DbDep
) -> MergeOut:
    merge = merge_children(db, caller, child_id, data.absorbed_id)
    return MergeOut.of(merge_json(db, caller, merge))


@get(
    "/api/v1/child-merges/{merge_id:int}", sync_to_thread=False, tags=TAGS, summary="A merge of your commune"
)
def read_one_merge(merge_id: FromPath[int], caller: CallerDep, db: DbDep) -> MergeOut:
    return MergeOut.of(merge_json(db, caller, read_merge(db, caller, merge_id)))


@post(
    "/api/v1/child-merges/{merge_id:int}/undo",
    sync_to_thread=False,
    tags=TAGS,
    status_code=200,
    summary="Undo a merge: both records as they were (409 once the surviving record changed)",
)
def post_unmerge(merge_id: FromPath[int], caller: CallerDep, db: DbDep) -> MergeOut:
    return MergeOut.of(merge_json(db, caller, unmerge(db, caller, merge_id)))


ROUTES = [read_duplicates, post_distinct, post_merge, read_one_merge, post_unmerge]
