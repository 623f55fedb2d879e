"""Children moving to another commune or province: the move-out, the list of both sides, the decisions."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from portal.boundary.deps import CallerDep, DbDep
from portal.boundary.pagination import Page
from portal.registry.moves import decide, list_moves, move_out, read_move
from portal.registry.responses import MoveDetailOut, MoveOut
from portal.registry.schemas import MoveDecisionIn, MoveOutIn

TAGS = ["registry"]


@post(
    "/api/v1/children/{child_id:uuid}/moves",
    sync_to_thread=False,
    tags=TAGS,
    summary="Record that a child leaves for another commune (or for a place not known yet)",
)
def post_move(
    child_id: FromPath[uuid.UUID], data: JSONBody[MoveOutIn], caller: CallerDep, db: DbDep
) -> MoveOut:
    return MoveOut.of(move_out(db, caller, child_id, data))


@get("/api/v1/child-moves", sync_to_thread=False, tags=TAGS, summary="Moves leaving or coming to your area")
def read_moves(
    caller: CallerDep,
    db: DbDep,
    side: Annotated[
        str | None, QueryParameter(description="in (coming to your area) or out (leaving it)")
    ] = None,
    move_state: Annotated[
        str | None, QueryParameter(name="state", description="open, completed, refused or cancelled")
    ] = None,
    page: FromQuery[int] = 1,
    page_size: FromQuery[int] = 20,
) -> Page[MoveOut]:
    return Page.of(list_moves(db, caller, side, move_state, page, page_size), MoveOut.of)


@get("/api/v1/child-moves/{move_id:int}", sync_to_thread=False, tags=TAGS)
def read_one_move(move_id: FromPath[int], caller: CallerDep, db: DbDep) -> MoveDetailOut:
    move, record = read_move(db, caller, move_id)
    return MoveDetailOut.of({"move": move, "record": record})


def _decision(name: str, summary: str):  # type: ignore[no-untyped-def]
    @post(
        f"/api/v1/child-moves/{{move_id:int}}/{name}",
        sync_to_thread=False,
        tags=TAGS,
        summary=summary,
        status_code=200,
        name=f"move-{name}",
    )
    def handler(
        move_id: FromPath[int], data: JSONBody[MoveDecisionIn], caller: CallerDep, db: DbDep
    ) -> MoveOut:
        return MoveOut.of(decide(db, caller, move_id, name, data))

    return handler


ROUTES = [
    post_move,
    read_moves,
    read_one_move,
    _decision("accept", "Accept a child coming to your commune into one of its hamlets"),
    _decision("release", "Let a child your area keeps go to the commune that asked for it"),
    _decision("refuse", "Refuse a move the other side opened, with the reason"),
    _decision("cancel", "Cancel a move your side opened"),
]
