"""The dashboard page's words and pictures: the SVG charts of a view, the tiles' legend, the names of its
choices and the address of another view. Figures are the view's (``portal.reports.dashboard_view``),
drawn as they are: exact for record keepers, as published for everyone else."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup

from portal.locale import N_, Msg, number, translate
from portal.locale.periods import period_name
from portal.registry.reference import SPECIAL_GROUPS
from portal.reports.charts import bar_svg, trend_svg
from portal.reports.dashboard_view import NOTES
from portal.stats.disclosure import HIDDEN
from portal.stats.service import AGE_BANDS
from portal.web.i18n import AGE_BAND_LABELS

KINDS: dict[str, Msg] = {
    "monthly": N_("Month"),
    "quarterly": N_("Quarter"),
    "half_year": N_("Six months"),
    "annual": N_("Year"),
}
STRUCTURES: dict[str, Msg] = {
    "current": N_("Today's units"),
    "historical": N_("Units as they were at the end of the period"),
}
PARAMETERS: dict[str, Msg] = {
    "unit": N_("Unit"),
    "definition": N_("Kind of period"),
    "period": N_("Period"),
    "indicator": N_("Indicator"),
    "structure": N_("Sub-units"),
}
"""The address's parameters as a refusal names them."""

HALF = 560  # a chart beside another on a desktop's page, drawn at its own size

SPECIAL_TILES: dict[str, Msg] = {
    "none": N_("No report"),
    "na": N_("Not applicable"),
    "unknown": N_("Not known"),
    "off": N_("Not in force then"),
}
"""What a tile without a value says, and its legend."""


def href(shown: dict[str, Any], **changes: object) -> str:
    """The address of the view ``shown`` with some of its parts changed (None: that part's default)."""
    parts: dict[str, object] = {
        "unit": shown["unit"].id,
        "definition": shown["definition"].code,
        "period": shown["period"].key,
        "indicator": shown["indicator"].key,
        "structure": shown["structure"],
    }
    parts.update(changes)
    return "/dashboard?" + urlencode({k: v for k, v in parts.items() if v is not None})


def shown_value(value: object, rate: bool, lang: str) -> str:
    """A figure as the page writes it: 87,5% / 1.234 / "<5" / "—"."""
    if isinstance(value, bool) or value is None:
        return "—"
    if isinstance(value, float | int):
        return f"{number(value, lang, '0.#')}%" if rate else number(value, lang)
    return str(value)


def _numeric(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _note(note: str | None, lang: str) -> str | None:
    if note is None:
        return None
    return HIDDEN if note == "hidden" else translate(lang, NOTES[note])


def tile_notes(lang: str) -> dict[str, str]:
    return {key: translate(lang, words) for key, words in SPECIAL_TILES.items()}


def legend(shown: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    """(tile class, words) for each class of the values, then those of the tiles without a value that
    the view has."""
    rate = shown["indicator"].is_rate
    out = []
    for cls in shown["legend"]:
        low, high = cls["low"], cls["high"]
        if rate:
            lo, hi = shown_value(low, True, lang), shown_value(high, True, lang)
            if low == 0.0:
                words = translate(lang, N_("below %(high)s"), high=hi)
            elif high is None:
                words = translate(lang, N_("%(low)s or more (target met)"), low=lo)
            else:
                words = translate(lang, N_("%(low)s to below %(high)s"), low=lo, high=hi)
        elif low is None:
            words = "0"
        elif high is None:
            words = translate(lang, N_("more than %(low)s"), low=number(low, lang))
        else:
            words = translate(
                lang, N_("%(low)s to %(high)s"), low=number(low + 1, lang), high=number(high, lang)
            )
        out.append((str(cls["key"]), words))
    used = {r["tile"] for r in shown["tiles"]}
    return out + [(key, words) for key, words in tile_notes(lang).items() if key in used]


def charts(shown: dict[str, Any], lang: str) -> dict[str, Markup]:
    """The view's charts: the chosen indicator's trend, the sub-units needing attention first (the
    first ``top``), and the children by age band and by special-circumstance group."""
    chosen, goal = shown["indicator"], shown["goal"]
    rate = chosen.is_rate
    target = float(goal["target_pct"]) if rate and goal and goal["applies"] else None
    unit_mark = "%" if rate else ""
    name = chosen.name(lang)
    trend = shown["trend"]
    drawn = {
        "trend": trend_svg(
            translate(lang, N_("%(indicator)s: the last %(n)s periods"), indicator=name, n=len(trend)),
            [period_name(p["period"], lang) for p in trend],
            [{"name": name, "values": [_numeric(p["value"]) for p in trend]}],
            y_label=unit_mark or translate(lang, N_("children")),
            target=target,
            lang=lang,
            notes=[_note(p["note"], lang) if _numeric(p["value"]) is None else None for p in trend],
            least=100.0 if rate else 5.0,
            width=960,
        ),
        **_children_charts(shown["stats"], lang),
    }
    top = shown["ranking"][: shown["top"]]
    if top and shown["reports_below"]:
        drawn["ranking"] = bar_svg(
            translate(lang, N_("Needing attention first: %(indicator)s"), indicator=name),
            [str(r["unit"]["name"]) for r in top],
            [_numeric(r["value"]) for r in top],
            target=target,
            unit=unit_mark,
            lang=lang,
            ranked=False,
            notes=[_note(r["note"], lang) if _numeric(r["value"]) is None else None for r in top],
            least=100.0 if rate else 5.0,
            width=HALF,
        )
    return {k: Markup(v) for k, v in drawn.items()}  # noqa: S704 - charts.py escapes every text it draws


def _pct(cell: object, total: object) -> float | None:
    if not isinstance(cell, int) or not isinstance(total, int) or total == 0:
        return None
    return round(100.0 * cell / total, 1)


def _children_charts(stats: dict[str, Any], lang: str) -> dict[str, str]:
    total = stats["total"]
    groups = {code: (en if lang == "en" else vi) for code, vi, en in SPECIAL_GROUPS}
    hidden = [HIDDEN if v == HIDDEN else None for v in stats["by_age_band"].values()]
    return {
        "age": bar_svg(
            translate(lang, N_("By age band")) + " (%)",
            [AGE_BAND_LABELS[b] for b in AGE_BANDS],
            [_pct(stats["by_age_band"][b], total) for b in AGE_BANDS],
            lang=lang,
            ranked=False,
            notes=hidden,
            width=HALF,
        ),
        "group": bar_svg(
            translate(lang, N_("By special-circumstance group")) + " (%)",
            [groups[c] for c in stats["by_group"]],
            [_pct(v, total) for v in stats["by_group"].values()],
            lang=lang,
            notes=[HIDDEN if v == HIDDEN else None for v in stats["by_group"].values()],
            width=HALF,
        ),
    }
