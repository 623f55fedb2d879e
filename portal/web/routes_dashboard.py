"""The aggregate dashboard (inspectors, district officers, administrators): counts and charts only.

Figures come from portal.stats.service and portal.reports.dashboard (stored report figures against
targets); the charts are portal.reports.charts' SVG, inline (CSP allows it: no script, no external
resource). Record keepers see today's exact counts. A reader who does not keep the unit's records picks
an ended month (``?month=2026-10``, from a list, never a free date) and sees that month's published
figures (portal.stats.disclosure), with a note that they are perturbed.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from litestar import Request, get
from litestar.params import FromQuery
from litestar.response import Template
from markupsafe import Markup

from infra.clock import today
from infra.errors import FieldError, Forbidden, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.locale import N_, translate
from portal.locale.periods import period_name
from portal.registry.reference import SPECIAL_GROUPS
from portal.reports.charts import bar_svg, trend_svg
from portal.reports.dashboard import dashboard
from portal.reports.models import Target
from portal.reports.schemas import DashboardQuery
from portal.reports.service import targets as report_targets
from portal.stats import layer
from portal.stats.access import keeps_records
from portal.stats.disclosure import last_complete_month
from portal.stats.months import month_end
from portal.stats.quality import unit_quality
from portal.stats.service import AGE_BANDS, layer_month, unit_stats
from portal.web.deps import lang_of
from portal.web.i18n import AGE_BAND_LABELS, field_errors, fmt_date
from portal.web.render import page

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
MONTHS_LISTED = 36


def ended_months() -> list[date]:
    """The months an aggregate-only reader may pick (first days), newest first: ended and kept."""
    first, month = layer.window_start(), last_complete_month()
    out: list[date] = []
    while month >= first and len(out) < MONTHS_LISTED:
        out.append(month)
        month = (month - timedelta(days=1)).replace(day=1)
    return out


def chosen_month(given: str | None, lang: str) -> tuple[date, dict[str, str]]:
    """The month asked for (``2026-10``), checked by the disclosure policy; else the last ended month,
    with the reason the one asked for was refused."""
    try:
        if not given:
            return layer_month("month", None), {}
        found = MONTH.match(given)
        if found is None:
            raise ValidationFailed([FieldError("month", "must be a month such as 2026-10")])
        return layer_month("month", month_end(date(int(found[1]), int(found[2]), 1))), {}
    except ValidationFailed as refused:
        return layer_month("month", None), field_errors(refused.errors, lang)


def _pct(cell: int | str | None, total: int | str) -> float | None:
    if not isinstance(cell, int) or not isinstance(total, int) or total == 0:
        return None
    return round(100.0 * cell / total, 1)


def _charts(
    lang: str, stats: dict[str, Any], dash: dict[str, Any], targets: list[Target]
) -> dict[str, Markup]:
    en = lang == "en"
    total = stats["total"]
    groups = {code: (en_name if en else vi) for code, vi, en_name in SPECIAL_GROUPS}
    names = {t.code: (t.name_en if en else t.name_vi) for t in targets}
    trend = dash["trend"]
    ranking = dash["ranking"]
    first = targets[0] if targets else None
    charts = {
        "age": bar_svg(
            translate(lang, N_("By age band")) + " (%)",
            [AGE_BAND_LABELS[b] for b in AGE_BANDS],
            [_pct(stats["by_age_band"][b], total) for b in AGE_BANDS],
            lang=lang,
        ),
        "group": bar_svg(
            translate(lang, N_("By special-circumstance group")) + " (%)",
            [groups[c] for c in stats["by_group"]],
            [_pct(v, total) for v in stats["by_group"].values()],
            lang=lang,
        ),
        "trend": trend_svg(
            translate(lang, N_("Trend of the targets")),
            [period_name(p["period"], lang) for p in trend],
            [{"name": names[c], "values": [p["rates"].get(c) for p in trend]} for c in names],
            lang=lang,
        ),
    }
    if first is not None and ranking:
        charts["ranking"] = bar_svg(
            translate(lang, N_("Sub-units ranked: %(t)s"), t=names[first.code]),
            [r["unit"]["name"] for r in ranking],
            [r["rates"].get(first.code) for r in ranking],
            target=float(first.default_pct),
            lang=lang,
        )
    return {k: Markup(v) for k, v in charts.items()}  # noqa: S704 - charts.py escapes every text it draws


@get("/dashboard", sync_to_thread=False, include_in_schema=False)
def dashboard_page(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    month: FromQuery[str | None] = None,
) -> Template:
    unit = caller.unit
    if unit is None:
        raise Forbidden("no unit", resource="page", action="read")
    lang = lang_of(request)
    errors: dict[str, str] = {}
    months: list[date] = []
    chosen = None
    if keeps_records(caller, unit):
        stats = unit_stats(db, caller, unit)
        dash = dashboard(db, caller, unit, DashboardQuery())
    else:
        chosen, errors = chosen_month(month, lang)
        months = ended_months()
        stats = unit_stats(db, caller, unit, month_end(chosen))
        dash = dashboard(db, caller, unit, DashboardQuery(period=f"{chosen:%Y-%m}"))
    targets = report_targets(db)
    return page(
        request,
        "dashboard.html",
        unit=unit,
        stats=stats,
        dash=dash,
        charts=_charts(lang, stats, dash, targets),
        as_of=fmt_date(today()) if chosen is None else fmt_date(month_end(chosen)),
        months=months,
        chosen=chosen,
        errors=errors,
        group_labels={code: (en if lang == "en" else vi) for code, vi, en in SPECIAL_GROUPS},
        quality=unit_quality(db, caller, unit),
        quality_link=caller.role in ("ward_officer", "collaborator"),
    )


ROUTES = [dashboard_page]
