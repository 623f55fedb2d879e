"""Reorganisations on the pages (administrators): the list, the dry run of one (what would move, whose
access would change), a confirmation before it is applied, and a confirmation before it is reverted.

Every call goes through portal.reorganisation, as the API's do: Casbin first (``reorganisation`` ``read``
for the list and the dry run, ``apply`` for applying and reverting), the owner connection for the tree,
the audit log for every apply, refusal and revert. The dry run writes nothing (its transaction is rolled
back). A confirmation says what happened, from what the database now holds (never from the address).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from authz.caller import Caller
from infra.errors import FieldError, NotVisible
from portal import reorganisation
from portal.boundary.deps import CallerDep
from portal.locale import N_, translate
from portal.web.deps import FormData, lang_of
from portal.web.i18n import field_errors, fmt_date
from portal.web.render import page, see_other
from tenancy.reorg import AccessReviewRequired, ReorgError

LIST = "/admin/reorganisations"
COUNTS = (
    ("units_moved", N_("Units moved to another parent")),
    ("units_closed", N_("Units closed (merged, split or abolished)")),
    ("units_renamed", N_("Units renamed")),
    ("hamlets_moved", N_("Hamlets moved")),
    ("children_moved", N_("Children's records that move with their hamlet")),
    ("open_cases_moved", N_("Open cases that move with their hamlet (their workers may need new grants)")),
    ("reports_in_progress", N_("Reports of earlier periods not approved yet (finish them first)")),
)
# tenancy.reorg states its problems in English sentences; the known ones are said in the reader's words.
_PROBLEMS = (
    (
        re.compile(r"operation (?P<n>\d+): target of (?P<unit>.+) is not a unit in force on (?P<day>[\d-]+)"),
        N_("Operation %(n)s: %(unit)s would go to a unit that is not in force on %(day)s."),
    ),
    (
        re.compile(r"operation (?P<n>\d+): (?P<unit>.+) \(\d+\) is moved twice"),
        N_("Operation %(n)s: %(unit)s is already moved by an earlier operation."),
    ),
    (
        re.compile(r"operation (?P<n>\d+): move_hamlet takes a hamlet and a commune"),
        N_("Operation %(n)s: moving a hamlet needs a hamlet and the commune it goes to."),
    ),
)


def problem_words(problem: str, lang: str) -> str:
    """A problem of the reorganisation in the reader's language (as stated, when it is not a known one)."""
    for pattern, words in _PROBLEMS:
        found = pattern.fullmatch(problem)
        if found:
            values = found.groupdict()
            if "day" in values:
                values["day"] = fmt_date(date.fromisoformat(values["day"]), lang)
            return translate(lang, words, **values)
    return problem


def _one(caller: Caller, reorg_id: int) -> dict[str, Any]:
    """The reorganisation's decision and state (404 for an id no reorganisation has)."""
    for row in reorganisation.reorganisations(caller):
        if row["id"] == reorg_id:
            return row
    raise NotVisible(
        "reorganisation not found", resource="reorganisation", action="read", resource_ids=[reorg_id]
    )


def _review_page(
    request: Request[Any, Any, Any],
    caller: Caller,
    reorg_id: int,
    template: str,
    status_code: int = 200,
    errors: list[FieldError] | None = None,
    problems: list[str] | None = None,
) -> Template:
    lang = lang_of(request)
    reorg = _one(caller, reorg_id)
    review = reorganisation.review(caller, reorg_id)
    stated = (review.get("problems") or []) if problems is None else problems
    return page(
        request,
        template,
        status_code=status_code,
        reorg=reorg,
        review=review,
        counts=[(key, translate(lang, words)) for key, words in COUNTS if key in review],
        problems=[problem_words(p, lang) for p in stated],
        errors=field_errors(errors or [], lang),
        notice=request.query_params.get("msg") if reorg["status"] == "applied" else None,
    )


@get(LIST, sync_to_thread=True, include_in_schema=False)
def reorganisations_page(request: Request[Any, Any, Any], caller: CallerDep) -> Template:
    rows = reorganisation.reorganisations(caller)
    done = request.query_params.get("reverted", "")
    reverted = next((r for r in rows if str(r["id"]) == done and r["status"] == "reverted"), None)
    return page(request, "reorgs.html", reorgs=rows, reverted=reverted)


@get(LIST + "/{reorg_id:int}", sync_to_thread=True, include_in_schema=False)
def dry_run_page(request: Request[Any, Any, Any], caller: CallerDep, reorg_id: FromPath[int]) -> Template:
    """The dry run: what would change. Applied already: what changed, as recorded when it was applied."""
    return _review_page(request, caller, reorg_id, "reorg.html")


@get(LIST + "/{reorg_id:int}/apply", sync_to_thread=True, include_in_schema=False)
def apply_confirm(
    request: Request[Any, Any, Any], caller: CallerDep, reorg_id: FromPath[int]
) -> Template | Redirect:
    if _one(caller, reorg_id)["status"] == "applied":
        return see_other(f"{LIST}/{reorg_id}")
    return _review_page(request, caller, reorg_id, "reorg_apply.html")


@post(LIST + "/{reorg_id:int}/apply", sync_to_thread=True, include_in_schema=False)
def apply_submit(
    request: Request[Any, Any, Any], caller: CallerDep, reorg_id: FromPath[int], data: FormData
) -> Template | Redirect:
    _one(caller, reorg_id)
    confirmed = data.get("confirm_access_gains") == "yes"
    try:
        reorganisation.apply(caller, reorg_id, confirmed)
    except AccessReviewRequired:
        refused = FieldError("confirm_access_gains", "confirm the accounts that gain access", "required")
        return _review_page(request, caller, reorg_id, "reorg_apply.html", 409, [refused])
    except ReorgError as exc:
        return _review_page(request, caller, reorg_id, "reorg_apply.html", 422, problems=exc.problems)
    return see_other(f"{LIST}/{reorg_id}?msg=applied")


@get(LIST + "/{reorg_id:int}/revert", sync_to_thread=True, include_in_schema=False)
def revert_confirm(request: Request[Any, Any, Any], caller: CallerDep, reorg_id: FromPath[int]) -> Template:
    reorg = _one(caller, reorg_id)
    applied = reorg["status"] == "applied"
    return page(
        request,
        "reorg_revert.html",
        status_code=200 if applied else 409,
        reorg=reorg,
        review=reorganisation.review(caller, reorg_id) if applied else {},
    )


@post(LIST + "/{reorg_id:int}/revert", sync_to_thread=True, include_in_schema=False)
def revert_submit(
    request: Request[Any, Any, Any], caller: CallerDep, reorg_id: FromPath[int]
) -> Template | Redirect:
    reorg = _one(caller, reorg_id)
    try:
        reorganisation.revert(caller, reorg_id)
    except ReorgError:
        return page(request, "reorg_revert.html", status_code=409, reorg=reorg, review={})
    return see_other(f"{LIST}?reverted={reorg_id}")


ROUTES = [reorganisations_page, dry_run_page, apply_confirm, apply_submit, revert_confirm, revert_submit]
