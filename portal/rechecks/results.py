"""Results of a re-check: error rates per field for everyone who sees it (counts only), the records
with their mismatches for the unit's own record keepers once completed, and completing it. Never commits.

A field's error rate is its mismatches over the sampled records in which it was checked. A unit is above
the threshold when some field's rate exceeds the re-check's threshold (default 5%); completing such a
re-check sends the unit a recommendation through the inspections' follow-up (:mod:`.followup`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.db import savepoint
from infra.errors import Conflict, Forbidden
from portal.audit.service import record as audit
from portal.rechecks.access import kept_records
from portal.rechecks.followup import recommend
from portal.rechecks.models import FIELDS, Recheck, RecheckField
from portal.rechecks.service import db_now, get_recheck, progress, standing, summary_json
from portal.rechecks.work import work_list
from tenancy.models import Unit


def rates(session: Session, recheck: Recheck) -> list[dict[str, Any]]:
    """Per field: checked, mismatches, the rate in percent and whether it exceeds the threshold."""
    rows = {
        r.field: r
        for r in session.execute(
            select(func.recheck_rates(recheck.id).table_valued("field", "checked", "mismatches"))
        )
    }
    out = []
    for field in FIELDS:
        row = rows.get(field)
        checked, wrong = (row.checked, row.mismatches) if row else (0, 0)
        rate = Decimal(wrong * 100) / checked if checked else Decimal(0)
        out.append(
            {
                "field": field,
                "checked": checked,
                "mismatches": wrong,
                "rate": float(round(rate, 1)),
                "above": checked > 0 and rate > recheck.threshold,
            }
        )
    return out


def hamlet_rates(session: Session, recheck: Recheck) -> list[dict[str, Any]]:
    """Per hamlet of the sample (all fields together): records checked, fields checked, mismatches."""
    rows = list(
        session.execute(
            select(
                func.recheck_hamlet_rates(recheck.id).table_valued(
                    "hamlet_id", "records", "checked", "mismatches"
                )
            )
        )
    )
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_([r.hamlet_id for r in rows])))}
    return [
        {
            "unit": units[r.hamlet_id].name_ref(),
            "records": r.records,
            "checked": r.checked,
            "mismatches": r.mismatches,
            "rate": float(round(Decimal(r.mismatches * 100) / r.checked, 1)) if r.checked else 0.0,
        }
        for r in rows
    ]


def _kept(session: Session, caller: Caller, recheck: Recheck) -> list[dict[str, Any]]:
    """The records with a mismatch, named, for their own record keepers (audited as a list of them)."""
    records = []
    for rec, child in session.execute(kept_records(caller, recheck.id)):
        wrong = session.execute(
            select(RecheckField.field, RecheckField.observed).where(
                RecheckField.record_id == rec.id, RecheckField.matches.is_(False)
            )
        ).all()
        if not wrong:
            continue
        hamlet = session.get(Unit, child.hamlet_id)
        records.append(
            {
                "pseudo": rec.pseudo,
                "child_id": str(child.id),
                "full_name": child.full_name,
                "hamlet": hamlet.name if hamlet else None,
                "mismatches": [
                    {"field": w.field, "observed": w.observed}
                    for w in sorted(wrong, key=lambda w: FIELDS.index(w.field))
                ],
            }
        )
    if records:
        audit(
            caller.actor,
            "list",
            "child",
            "allowed",
            resource_ids=[r["child_id"] for r in records],
            unit_id=recheck.unit_id,
            detail={"recheck": recheck.id},
        )
    return records


def results(session: Session, caller: Caller, recheck_id: int) -> dict[str, Any]:
    """The results as the caller may read them: rates for all, named records for the unit's keepers."""
    recheck = get_recheck(session, caller, recheck_id, "read")
    now = db_now(session)
    summary = summary_json(session, caller, recheck, now)
    sample = progress(session, recheck)
    fields = rates(session, recheck)
    keeper = summary["standing"] == "keeper" and recheck.state == "completed"
    audit(
        caller.actor,
        "results",
        "recheck",
        "allowed",
        resource_ids=[recheck.id],
        unit_id=recheck.unit_id,
        detail={"aggregate": True},
    )
    return {
        "recheck": summary,
        "checked": sum(1 for s in sample if s["checked"]),
        "above_threshold": any(f["above"] for f in fields),
        "fields": fields,
        "hamlets": hamlet_rates(session, recheck),
        "records": _kept(session, caller, recheck) if keeper else [],
    }


def complete(session: Session, caller: Caller, recheck_id: int) -> dict[str, Any]:
    """The sampler completes the re-check: the re-checker's access ends; above the threshold the unit
    gets a recommendation (its answer and acceptance follow the inspections' follow-up)."""
    recheck = get_recheck(session, caller, recheck_id, "complete")
    if standing(session, caller, recheck) != "sampler":
        raise Forbidden(
            "only the officer who drew the sample completes the re-check",
            resource="recheck",
            action="complete",
            unit_id=recheck.unit_id,
        )
    if recheck.state != "open":
        raise Conflict("this re-check is completed already")
    try:
        with savepoint(session):
            session.execute(select(func.recheck_complete(recheck.id)))
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) != "P0002":
            raise
        raise Conflict("this re-check is completed already") from exc
    session.refresh(recheck)
    fields = rates(session, recheck)
    above = [f for f in fields if f["above"]]
    if above:
        rec_id = recommend(session, caller, recheck, above)
        session.execute(select(func.recheck_recommended(recheck.id, rec_id)))
        session.refresh(recheck)
    audit(
        caller.actor,
        "complete",
        "recheck",
        "allowed",
        resource_ids=[recheck.id],
        unit_id=recheck.unit_id,
        detail={"above": [f["field"] for f in above]},
    )
    return results(session, caller, recheck.id)


def detail(session: Session, caller: Caller, recheck_id: int) -> dict[str, Any]:
    """A re-check with its sample: the re-checker's work list (pseudonym, hamlet) while it is theirs to
    work on (``working``; a sampler may name themselves), otherwise pseudonyms with counts."""
    recheck = get_recheck(session, caller, recheck_id, "read")
    summary = summary_json(session, caller, recheck, db_now(session))
    working = recheck.rechecker_id == caller.user_id and summary["state"] == "open"
    sample = work_list(session, caller, recheck) if working else progress(session, recheck)
    return {"recheck": summary, "working": working, "sample": sample}
