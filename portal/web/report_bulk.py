"""Approving or returning several hamlet reports at once, from the month's page.

Each report still goes through the workflow service on its own (``workflow.approve`` /
``workflow.send_back``) with the version the page showed, in its own savepoint: one that changed
meanwhile, is no longer submitted, or is refused is left as it is and listed with the reason, the others
are done. A refusal is written to the audit log exactly as when the service's error reaches the page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from litestar import Request
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.errors import Conflict, FieldError, Forbidden, NotVisible, ValidationFailed
from portal.boundary.errors import domain_error_handler
from portal.reports import workflow
from portal.reports.models import Report
from portal.reports.schemas import ActionIn

DECISIONS: dict[str, Callable[[Session, Caller, int, ActionIn], Report]] = {
    "approve": workflow.approve,
    "return": workflow.send_back,
}
MAX_COMMENT = 4000


@dataclass(frozen=True)
class NotDone:
    """A report left as it was: its unit's name and why — its status now (approved, returned, draft),
    "changed" (not the version the page showed), "forbidden", "not_found" or "invalid"."""

    name: str
    why: str


@dataclass
class Outcome:
    action: str
    done: list[str] = field(default_factory=list)  # the units' names
    not_done: list[NotDone] = field(default_factory=list)


def read_decision(form: Mapping[str, Any]) -> tuple[str, dict[int, int], str | None, list[FieldError]]:
    """The action, the ticked reports (``pick.<report id>`` = the version shown) and the comment; a
    missing choice, or a return without a comment, named by its field."""
    action = str(form.get("action") or "")
    errors = []
    if action not in DECISIONS:
        errors.append(FieldError("action", "must be approve or return"))
    picked: dict[int, int] = {}
    for name, value in form.items():
        report_id, version = name.removeprefix("pick."), str(value or "").strip()
        if name.startswith("pick.") and report_id.isdigit() and version.isdigit():
            picked[int(report_id)] = int(version)
    if not picked:
        errors.append(FieldError("pick", "tick at least one submitted report", "required"))
    comment = str(form.get("comment") or "").strip() or None
    if action == "return" and comment is None:
        errors.append(FieldError("comment", "is required: say what must change and why", "required"))
    elif comment is not None and len(comment) > MAX_COMMENT:
        errors.append(FieldError("comment", f"must be at most {MAX_COMMENT} characters", "too_long"))
    return action, picked, comment, errors


def decide(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    action: str,
    picked: Mapping[int, int],
    listed: Mapping[int, tuple[str, Report]],
    comment: str | None,
) -> Outcome:
    """``action`` on each picked report, one by one. ``listed``: the reports the page showed (report id ->
    the unit's name and the report); a picked report that is not among them is not looked at."""
    outcome = Outcome(action)
    for report_id, version in picked.items():
        if report_id not in listed:
            outcome.not_done.append(NotDone(f"#{report_id}", "not_found"))
            continue
        name, report = listed[report_id]
        try:
            with db.begin_nested():
                DECISIONS[action](db, caller, report_id, ActionIn(version=version, comment=comment))
        except Conflict:
            db.expire(report)  # read again: approved or returned meanwhile, or only another version
            why = report.status if report.status != "submitted" else "changed"
            outcome.not_done.append(NotDone(name, why))
        except (Forbidden, NotVisible) as exc:
            domain_error_handler(request, exc)  # the audit entry the API writes; its JSON is not used
            outcome.not_done.append(NotDone(name, "forbidden" if isinstance(exc, Forbidden) else "not_found"))
        except ValidationFailed:
            outcome.not_done.append(NotDone(name, "invalid"))
        else:
            outcome.done.append(name)
    return outcome
