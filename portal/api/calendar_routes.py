"""Vietnam's working-day calendar: read it (anyone signed in), record the government's decisions (admin)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import delete, get, put
from litestar.params import FromPath, JSONBody, QueryParameter

from infra.clock import today
from portal.boundary.deps import CallerDep, DbDep
from portal.workdays import service
from portal.workdays.responses import CalendarDayOut, CalendarOut, DecidedDayIn

TAGS = ["calendar"]


@get(
    "/api/v1/calendar", sync_to_thread=False, tags=TAGS, summary="The year's public holidays and decided days"
)
def read_calendar(
    caller: CallerDep, db: DbDep, year: Annotated[int | None, QueryParameter(ge=2000, le=2100)] = None
) -> CalendarOut:
    return CalendarOut.of(service.calendar_json(db, year or today().year))


@put(
    "/api/v1/calendar/days/{day:date}",
    sync_to_thread=False,
    tags=TAGS,
    summary="Record a day the government declared off, or worked in exchange (administrator)",
)
def put_day(
    day: FromPath[date], data: JSONBody[DecidedDayIn], caller: CallerDep, db: DbDep
) -> CalendarDayOut:
    row = service.decide_day(db, caller, day, data.kind, data.name, data.decision_ref)
    return CalendarDayOut.of(
        {"day": row.day.isoformat(), "kind": row.kind, "name": row.name, "decision_ref": row.decision_ref}
    )


@delete("/api/v1/calendar/days/{day:date}", sync_to_thread=False, tags=TAGS, status_code=204)
def delete_day(day: FromPath[date], caller: CallerDep, db: DbDep) -> None:
    service.remove_day(db, caller, day)


ROUTES = [read_calendar, put_day, delete_day]
