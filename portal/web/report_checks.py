"""The validation rules on the report page: each finding in the reader's words (cells named by their
labels, the comparison, the unit's past periods), the form that explains warnings, and its route.

The explanations go through ``portal.reports.rule_checks.explain`` (the report's own staff, while it can
be edited), one per warning; a refusal re-shows the report with the box at fault.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from litestar import Request, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from infra.errors import Conflict, FieldError, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.reports.figures import Catalog
from portal.reports.rule_checks import explain
from portal.reports.rule_schemas import ExplainIn
from portal.web.deps import FormData
from portal.web.render import see_other

OPS = {"<=": "≤", "<": "<", "==": "=", "!=": "≠", ">=": "≥", ">": ">"}
MAX_EXPLANATION = 2000


@dataclass(frozen=True)
class Shown:
    """One finding as the page shows it; numbers are None for aggregate-only readers."""

    rule: str
    severity: str
    kind: str | None
    name: str
    left: str  # the cells on the left, by their labels
    left_value: int | None
    op: str
    right: str  # the cells or the portal's count on the right ("" for a history rule)
    right_value: int | None
    low: str | None  # a history rule's accepted band, as the reader writes numbers
    high: str | None
    history: list[tuple[str, int]]
    comment: str | None
    commented_by: str | None
    commented_at: str | None


def _labels(catalog: Catalog, en: bool) -> dict[str, str]:
    out = {}
    for ind in catalog.indicators:
        name = ind.name_en if en else ind.name_vi
        for cell in ind.cells:
            out[f"{ind.code}.{cell['key']}"] = f"{name}: {cell['name_en'] if en else cell['name_vi']}"
    return out


def _number(value: float | None, en: bool) -> str | None:
    if value is None:
        return None
    text = f"{value:.1f}".removesuffix(".0")
    return text if en else text.replace(".", ",")


def shown(catalog: Catalog, findings: list[Mapping[str, Any]], en: bool) -> list[Shown]:
    """The findings of ``checks_json`` in the reader's language."""
    labels = _labels(catalog, en)
    out = []
    for f in findings:
        right = " + ".join(labels.get(t, t) for t in f["right_cells"])
        if f["records"]:
            right = f["records_en"] if en else f["records_vi"]
        out.append(
            Shown(
                rule=f["rule"],
                severity=f["severity"],
                kind=f["kind"],
                name=f["name_en"] if en else f["name_vi"],
                left=" + ".join(labels.get(t, t) for t in f["left_cells"]),
                left_value=f["left"],
                op=OPS.get(f["op"] or "", ""),
                right=right,
                right_value=f["right"],
                low=_number(f["low"], en),
                high=_number(f["high"], en),
                history=[(p["period"], p["value"]) for p in f["history"] or []],
                comment=f["comment"],
                commented_by=f["commented_by"],
                commented_at=f["commented_at"],
            )
        )
    return out


def explanations(form: Mapping[str, Any]) -> tuple[dict[str, str], list[FieldError]]:
    """The posted ``explain.<rule>`` boxes; one longer than the limit is refused by name."""
    out: dict[str, str] = {}
    errors = []
    for name, raw in form.items():
        if not name.startswith("explain.") or len(name) > 80:
            continue
        text = str(raw or "").strip()
        if len(text) > MAX_EXPLANATION:
            errors.append(FieldError(name, f"must be at most {MAX_EXPLANATION} characters", "too_long"))
        out[name.removeprefix("explain.")] = text
    return out, errors


@post("/reports/{report_id:int}/explanations", sync_to_thread=False, include_in_schema=False)
def report_explanations(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, report_id: FromPath[int], data: FormData
) -> Template | Redirect:
    from portal.web.routes_reports import report_page  # the report page imports this module

    texts, errors = explanations(data)
    version = str(data.get("version") or "")
    if not errors:
        try:
            with db.begin_nested():
                errors = _explain_each(db, caller, report_id, texts, version)
                if errors:
                    raise ValidationFailed(errors)  # none of them is kept
        except ValidationFailed:
            pass
        except Conflict:
            db.expire_all()
            return report_page(request, db, caller, report_id, status_code=409, message="report_conflict")
        else:
            return see_other(f"/reports/{report_id}?msg=explained#checks")
    return report_page(request, db, caller, report_id, errors, status_code=422, explained=texts)


def _explain_each(
    db: Any, caller: Any, report_id: int, texts: dict[str, str], version: str
) -> list[FieldError]:
    errors = []
    for rule, text in texts.items():
        body = ExplainIn(rule=rule, comment=text, version=int(version) if version.isdigit() else None)
        try:
            explain(db, caller, report_id, body)
        except ValidationFailed as exc:
            errors += [FieldError(f"explain.{rule}", e.message, e.code) for e in exc.errors]
    return errors


ROUTES = [report_explanations]
