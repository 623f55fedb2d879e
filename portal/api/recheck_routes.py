"""Re-checks of registry data (kiểm tra, phúc tra; Decision 3978/QĐ-BYT): the sample, the re-checker's
records and results, completion and the error rates."""

from __future__ import annotations

import msgspec
from litestar import get, post
from litestar.params import FromPath, JSONBody

from portal.boundary.deps import CallerDep, DbDep
from portal.boundary.pagination import Page
from portal.rechecks import results, service, work
from portal.rechecks.responses import (
    RecheckDetailOut,
    RecheckOut,
    RecheckResultsOut,
    RecordOut,
    RecordResultOut,
)
from portal.rechecks.schemas import RecheckIn, RecordResultIn

TAGS = ["rechecks"]


@post(
    "/api/v1/rechecks",
    sync_to_thread=False,
    status_code=201,
    tags=TAGS,
    summary="Draw a random sample of a commune's or hamlet's records and name its re-checker",
)
def post_recheck(data: JSONBody[RecheckIn], caller: CallerDep, db: DbDep) -> RecheckDetailOut:
    recheck = service.open_recheck(db, caller, data)
    return msgspec.convert(results.detail(db, caller, recheck.id), RecheckDetailOut)


@get("/api/v1/rechecks", sync_to_thread=False, tags=TAGS, summary="Re-checks you drew, re-check or receive")
def list_rechecks(caller: CallerDep, db: DbDep) -> Page[RecheckOut]:
    items = service.list_rechecks(db, caller, service.db_now(db))
    return Page.whole([msgspec.convert(i, RecheckOut) for i in items])


@get("/api/v1/rechecks/{recheck_id:int}", sync_to_thread=False, tags=TAGS)
def read_recheck(recheck_id: FromPath[int], caller: CallerDep, db: DbDep) -> RecheckDetailOut:
    return msgspec.convert(results.detail(db, caller, recheck_id), RecheckDetailOut)


@get(
    "/api/v1/rechecks/{recheck_id:int}/records/{pseudo:str}",
    sync_to_thread=False,
    tags=TAGS,
    summary="A sampled record, for its re-checker while the re-check is open",
)
def read_record(recheck_id: FromPath[int], pseudo: FromPath[str], caller: CallerDep, db: DbDep) -> RecordOut:
    return msgspec.convert(work.read_record(db, caller, recheck_id, pseudo), RecordOut)


@post(
    "/api/v1/rechecks/{recheck_id:int}/records/{pseudo:str}/result",
    sync_to_thread=False,
    status_code=200,
    tags=TAGS,
    summary="Record match or mismatch per field for a sampled record",
)
def post_result(
    recheck_id: FromPath[int],
    pseudo: FromPath[str],
    data: JSONBody[RecordResultIn],
    caller: CallerDep,
    db: DbDep,
) -> RecordResultOut:
    return msgspec.convert(work.record_result(db, caller, recheck_id, pseudo, data), RecordResultOut)


@post(
    "/api/v1/rechecks/{recheck_id:int}/complete",
    sync_to_thread=False,
    status_code=200,
    tags=TAGS,
    summary="Complete a re-check you drew: the re-checker's access ends",
)
def post_complete(recheck_id: FromPath[int], caller: CallerDep, db: DbDep) -> RecheckResultsOut:
    return msgspec.convert(results.complete(db, caller, recheck_id), RecheckResultsOut)


@get(
    "/api/v1/rechecks/{recheck_id:int}/results",
    sync_to_thread=False,
    tags=TAGS,
    summary="Error rates per field; the unit's own records with their mismatches for its ward officer",
)
def read_results(recheck_id: FromPath[int], caller: CallerDep, db: DbDep) -> RecheckResultsOut:
    return msgspec.convert(results.results(db, caller, recheck_id), RecheckResultsOut)


ROUTES = [post_recheck, list_rechecks, read_recheck, read_record, post_result, post_complete, read_results]
