"""Reorganisations over HTTP (system administrators): list, dry run, apply, revert.

A reorganisation rewrites paths across every scope, so the service (portal.reorganisation, shared with
the pages) runs on the owner connection after Casbin has allowed the caller; every apply and revert, and
every refusal, is audited.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import get, post
from litestar.params import FromPath, JSONBody
from msgspec import UNSET, UnsetType

from infra.errors import Conflict, FieldError, ValidationFailed
from portal import reorganisation
from portal.boundary.deps import CallerDep
from portal.boundary.pagination import Page
from portal.shapes import Out
from tenancy import reorg


class ApplyIn(msgspec.Struct, forbid_unknown_fields=True):
    confirm_access_gains: bool = False
    """The explicit decision that the listed accounts may see the records moving into their area."""


class ReorganisationOut(Out):
    id: int
    code: str
    name: str
    legal_basis: str
    effective_date: str
    status: str
    applied_at: str | None
    applied_by: str | None
    reverted_at: str | None


class AccessChangeOut(Out):
    """An account whose access changes; ``sees`` (records or aggregates) only for a gain."""

    username: str
    role: str | None
    unit_id: int
    unit_name: str
    sees: str | UnsetType = UNSET


class UnfinishedReportOut(Out):
    id: int
    unit_name: str
    period: str
    status: str


class ReorgSummaryOut(Out):
    """The review of a reorganisation (``tenancy.reorg.review``); an applied one answers the summary
    stored when it was applied (absent keys: applied before the summary was kept)."""

    status: str
    already_applied: bool | UnsetType = UNSET
    units_moved: int | UnsetType = UNSET
    units_closed: int | UnsetType = UNSET
    units_renamed: int | UnsetType = UNSET
    hamlets_moved: int | UnsetType = UNSET
    children_moved: int | UnsetType = UNSET
    open_cases_moved: int | UnsetType = UNSET
    reports_in_progress: int | UnsetType = UNSET
    reports_in_progress_list: list[UnfinishedReportOut] | UnsetType = UNSET
    hamlets_needing_decision: list[dict[str, Any]] | UnsetType = UNSET
    access_gains: list[AccessChangeOut] | UnsetType = UNSET
    access_losses: list[AccessChangeOut] | UnsetType = UNSET
    staff_to_reassign: list[AccessChangeOut] | UnsetType = UNSET
    problems: list[str] | UnsetType = UNSET


class RevertOut(Out):
    status: str
    steps_undone: int


class AccessReviewPending(Conflict):
    def __init__(self, gains: list[dict[str, Any]]) -> None:
        super().__init__(
            f"{len(gains)} accounts would see records they cannot see now: "
            "review them and apply again with confirm_access_gains"
        )
        self.extra = {"access_gains": gains}


@get("/api/v1/reorganisations", sync_to_thread=True, tags=["reorganisations"])
def list_reorganisations(caller: CallerDep) -> Page[ReorganisationOut]:
    rows = reorganisation.reorganisations(caller)
    items = [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()} for r in rows]
    return Page.whole([ReorganisationOut.of(item) for item in items])


@get(
    "/api/v1/reorganisations/{reorg_id:int}/dry-run",
    sync_to_thread=True,
    tags=["reorganisations"],
    summary="What would move, and whose access would change",
)
def dry_run(reorg_id: FromPath[int], caller: CallerDep) -> ReorgSummaryOut:
    try:
        result = reorganisation.review(caller, reorg_id)
    except reorg.ReorgError as exc:
        raise ValidationFailed([FieldError("reorg_id", p) for p in exc.problems]) from exc
    return ReorgSummaryOut.of(msgspec.to_builtins(result))


@post(
    "/api/v1/reorganisations/{reorg_id:int}/apply",
    sync_to_thread=True,
    status_code=200,
    tags=["reorganisations"],
)
def apply(reorg_id: FromPath[int], data: JSONBody[ApplyIn], caller: CallerDep) -> ReorgSummaryOut:
    try:
        result = reorganisation.apply(caller, reorg_id, data.confirm_access_gains)
    except reorg.ReorgError as exc:
        raise ValidationFailed([FieldError("operations", p) for p in exc.problems]) from exc
    except reorg.AccessReviewRequired as exc:
        raise AccessReviewPending(exc.gains) from exc
    return ReorgSummaryOut.of(msgspec.to_builtins(result))


@post(
    "/api/v1/reorganisations/{reorg_id:int}/revert",
    sync_to_thread=True,
    status_code=200,
    tags=["reorganisations"],
)
def revert(reorg_id: FromPath[int], caller: CallerDep) -> RevertOut:
    try:
        steps = reorganisation.revert(caller, reorg_id)
    except reorg.ReorgError as exc:
        raise Conflict("; ".join(exc.problems)) from exc
    return RevertOut(status="reverted", steps_undone=steps)
