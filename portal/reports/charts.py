"""Small self-contained SVG charts for report documents: a trend of rates and a ranking of sub-units.

Plain string building, no dependency. Text uses the "DejaVu Sans" family first so that the PDF
renderer, which registers the shipped font under that name, draws it as real text.
"""

from __future__ import annotations

import math
from typing import Any
from xml.sax.saxutils import escape

from portal.locale import N_, NP_, number, translate

FONT = "DejaVu Sans, sans-serif"
PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
TARGET_COLOUR = "#555555"
CHAR_WIDTH = 0.6  # average glyph width as a share of the font size, to keep labels from overlapping


def _esc(text: object) -> str:
    return escape(str(text), {'"': "&quot;"})


def _num(value: float, lang: str = "vi") -> str:
    """A value as the reader writes it: no trailing ".0", one decimal (a comma in Vietnamese)."""
    return number(value, lang, "0.#")


def y_axis(values: list[float | None], target: float | None) -> tuple[float, float]:
    """The axis top and tick step: a round step (10, 20, 25, 50, 100, ...) giving at most six ticks."""
    top = max([v for v in values if v is not None] + [target or 0.0, 100.0])
    step = next(s * 10**e for e in range(1, 15) for s in (1, 2, 2.5, 5) if top / (s * 10**e) <= 6)
    return math.ceil(top / step) * step, step


def _clip(text: str, room: float, size: int) -> str:
    most = max(1, int(room / (size * CHAR_WIDTH)))
    return text if len(text) <= most else text[: most - 1] + "…"


def _open(title: str, width: int, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{_esc(title)}" '
        f'font-family="{FONT}" font-size="11">',
        f"<title>{_esc(title)}</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{width / 2:.1f}" y="16" text-anchor="middle" font-size="13" font-weight="bold">'
        f"{_esc(title)}</text>",
    ]


def _text(x: float, y: float, text: str, anchor: str = "start", size: int = 11) -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}">{_esc(text)}</text>'


def _target(value: float, unit: str, lang: str) -> str:
    """The target's legend: "Mục tiêu 90%" (the chart's word; a report's target is "Chỉ tiêu")."""
    word = translate(lang, NP_("chart", "Target"))
    return f"{word} {_num(value, lang)}{unit}"


def _no_data(title: str, width: int, height: int, lang: str) -> str:
    message = translate(lang, N_("No data yet"))
    return "\n".join(
        [*_open(title, width, height), _text(width / 2, height / 2 + 8, message, "middle"), "</svg>"]
    )


def trend_svg(
    title: str,
    periods: list[str],
    series: list[dict[str, Any]],
    y_label: str = "%",
    target: float | None = None,
    width: int = 640,
    height: int = 260,
    lang: str = "vi",
) -> str:
    """A line chart: one ``<path class="series">`` per series ``{"name", "values"}`` over ``periods``.

    A ``None`` value is a gap (the line is broken there); every known point also gets a marker so an
    isolated value stays visible. The y axis runs from 0 to max(100, highest value, target), rounded
    up to a round step. ``target`` adds a dashed ``<line class="target">`` and a legend entry. The
    height grows when a long legend would leave too little room for the plot.
    """
    if not periods:
        return _no_data(title, width, height, lang)
    legend = [(s["name"], PALETTE[i % len(PALETTE)], "") for i, s in enumerate(series)]
    if target is not None:
        legend.append((_target(target, y_label, lang), TARGET_COLOUR, "6 4"))
    left, right, top = 44, width - 16, 30
    height = max(height, top + 120 + 14 * len(legend))  # keep the plot readable under a long legend
    bottom = height - 24 - 14 * len(legend)
    top_value, step = y_axis([v for s in series for v in s["values"]], target)
    out = _open(title, width, height)

    def x_at(i: int) -> float:
        return (left + right) / 2 if len(periods) == 1 else left + i * (right - left) / (len(periods) - 1)

    def y_at(v: float) -> float:
        return bottom - v / top_value * (bottom - top)

    out.append(_text(4, top - 8, y_label))
    for k in range(round(top_value / step) + 1):
        value = k * step
        y = y_at(value)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="#dddddd"/>')
        out.append(_text(left - 4, y + 4, _num(value, lang), "end", 10))
    label_width = max(len(p) for p in periods) * 10 * CHAR_WIDTH + 8
    step = max(1, math.ceil(label_width / ((right - left) / max(1, len(periods) - 1))))
    for i, period in enumerate(periods):
        if i % step == 0:
            out.append(_text(x_at(i), bottom + 14, period, "middle", 10))
    if target is not None:
        y = y_at(target)
        out.append(
            f'<line class="target" x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" '
            f'stroke="{TARGET_COLOUR}" stroke-width="1.5" stroke-dasharray="6 4"/>'
        )
    for n, s in enumerate(series):
        colour, commands, markers, pen_down = PALETTE[n % len(PALETTE)], [], [], False
        for i, v in enumerate(s["values"][: len(periods)]):
            if v is None:
                pen_down = False
                continue
            x, y = x_at(i), y_at(v)
            commands.append(f"{'L' if pen_down else 'M'}{x:.1f},{y:.1f}")
            markers.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"/>')
            pen_down = True
        out.append(
            f'<path class="series" d="{" ".join(commands) or "M0,0"}" fill="none" stroke="{colour}" '
            f'stroke-width="2"><title>{_esc(s["name"])}</title></path>'
        )
        out += markers
    out.append(f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#333333"/>')
    for row, (name, colour, dash) in enumerate(legend):
        y = bottom + 32 + 14 * row
        dashing = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<line x1="{left}" y1="{y - 4}" x2="{left + 20}" y2="{y - 4}" stroke="{colour}" '
            f'stroke-width="2"{dashing}/>'
        )
        out.append(_text(left + 26, y, name))
    out.append("</svg>")
    return "\n".join(out)


def bar_svg(
    title: str,
    labels: list[str],
    values: list[float | None],
    target: float | None = None,
    unit: str = "%",
    width: int = 640,
    row_height: int = 22,
    lang: str = "vi",
) -> str:
    """A horizontal bar ranking: highest value first, unknown (``None``) values last as "—" without a bar.

    The scale runs from 0 to max(100, highest value, target); ``target`` adds a dashed vertical
    ``<line class="target">``. The height follows the number of rows.
    """
    rows = sorted(zip(labels, values, strict=True), key=lambda r: (r[1] is None, -(r[1] or 0.0)))
    height = 40 + row_height * max(1, len(rows)) + (16 if target is not None else 0)
    if not rows:
        return _no_data(title, width, height, lang)
    out = _open(title, width, height)
    label_space = min(width * 0.4, max(len(label) for label in labels) * 11 * CHAR_WIDTH + 12)
    left, right = label_space, width - 56
    top_value, _step = y_axis(values, target)
    for i, (label, value) in enumerate(rows):
        y = 30 + i * row_height
        out.append(_text(left - 6, y + row_height * 0.65, _clip(label, left - 10, 11), "end"))
        if value is None:
            out.append(_text(left + 4, y + row_height * 0.65, "—"))
            continue
        bar = value / top_value * (right - left)
        out.append(
            f'<rect class="bar" x="{left:.1f}" y="{y + 3:.1f}" width="{bar:.1f}" '
            f'height="{row_height - 6}" fill="{PALETTE[0]}"/>'
        )
        out.append(_text(left + bar + 4, y + row_height * 0.65, f"{_num(value, lang)}{unit}"))
    bottom = 30 + len(rows) * row_height
    out.append(f'<line x1="{left:.1f}" y1="28" x2="{left:.1f}" y2="{bottom}" stroke="#333333"/>')
    if target is not None:
        x = left + target / top_value * (right - left)
        out.append(
            f'<line class="target" x1="{x:.1f}" y1="28" x2="{x:.1f}" y2="{bottom}" '
            f'stroke="{TARGET_COLOUR}" stroke-width="1.5" stroke-dasharray="6 4"/>'
        )
        out.append(
            _text(
                x,
                bottom + 14,
                _target(target, unit, lang),
                "middle",
                10,
            )
        )
    out.append("</svg>")
    return "\n".join(out)
