"""The validation rules on a report: their results, and the unit's explanations of warnings."""

from __future__ import annotations

import msgspec
from litestar import get, put
from litestar.params import FromPath, JSONBody
from sqlalchemy.orm import Session

from authz.caller import Caller
from portal.boundary.deps import CallerDep, DbDep
from portal.reports.access import report_to_read
from portal.reports.rule_checks import explain
from portal.reports.rule_schemas import ChecksOut, ExplainIn
from portal.reports.rule_view import checks_json

TAGS = ["reports"]


def _checks(db: Session, caller: Caller, report_id: int) -> ChecksOut:
    with report_to_read(db, caller, report_id) as (reader, report, definition, unit):
        return msgspec.convert(checks_json(db, reader, report, definition, unit), ChecksOut)


@get(
    "/api/v1/reports/{report_id:int}/checks",
    sync_to_thread=False,
    tags=TAGS,
    summary="The validation rules the report fails, with explanations, and its sub-units' findings",
    description=(
        "For the unit's own staff on a draft or returned report the rules are checked now; otherwise the "
        "results kept by the last save, recount or submission. Counts compared are null for readers who "
        "do not keep the unit's records."
    ),
)
def read_checks(report_id: FromPath[int], caller: CallerDep, db: DbDep) -> ChecksOut:
    return _checks(db, caller, report_id)


@put(
    "/api/v1/reports/{report_id:int}/explanations",
    sync_to_thread=False,
    tags=TAGS,
    summary="Explain a warning the report fails (the unit's staff; an empty comment removes it)",
)
def put_explanation(
    report_id: FromPath[int], data: JSONBody[ExplainIn], caller: CallerDep, db: DbDep
) -> ChecksOut:
    explain(db, caller, report_id, data)
    return _checks(db, caller, report_id)


ROUTES = [read_checks, put_explanation]
