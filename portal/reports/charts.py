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


def y_axis(values: list[float | None], target: float | None, least: float = 100.0) -> tuple[float, float]:
    """The axis top and tick step: a round step (10, 20, 25, 50, 100, ...) giving at most six ticks.

    The axis reaches at least ``least`` (100 for percentages; a count passes a small number)."""
    top = max([v for v in values if v is not None] + [target or 0.0, least, 1.0])
    step = next(s * 10**e for e in range(1, 15) for s in (1, 2, 2.5, 5) if top / (s * 10**e) <= 6)
    return math.ceil(top / step) * step, step


def _clip(text: str, room: float, size: int) -> str:
    most = max(1, int(room / (size * CHAR_WIDTH)))
    return text if len(text) <= most else text[: most - 1] + "…"


def wrap(text: str, room: float, size: int, lines: int = 2) -> tuple[list[str], bool]:
    """``text`` in at most ``lines`` lines of ``room`` pixels, broken between words; a line that still
    does not fit ends in "…". True when something was left out (the caller then adds a ``<title>``)."""
    most = max(1, int(room / (size * CHAR_WIDTH)))
    rows: list[str] = []
    for word in text.split():
        if rows and len(rows[-1]) + 1 + len(word) <= most:
            rows[-1] += " " + word
        else:
            rows.append(word)
    if len(rows) > lines:
        rows = [*rows[: lines - 1], " ".join(rows[lines - 1 :])]
    shown = [_clip(row, room, size) for row in rows] or [""]
    return shown, shown != rows


def _label(
    x: float, y: float, text: str, room: float, anchor: str = "end", size: int = 11
) -> tuple[str, int]:
    """A label of up to two lines centred on ``y``; its full text as a tooltip when it had to be cut.
    Returns the SVG and the number of lines."""
    lines, cut = wrap(text, room, size)
    first = y - (len(lines) - 1) * size * 0.6
    texts = "".join(_text(x, first + i * size * 1.2, line, anchor, size) for i, line in enumerate(lines))
    tooltip = f"<title>{_esc(text)}</title>" if cut else ""
    return f'<g class="label">{tooltip}{texts}</g>', len(lines)


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


def _period_lines(label: str) -> list[str]:
    """A period's name on two lines, broken at its last space: "Tháng 10" / "2026"... "10/2026"."""
    head, space, tail = label.rpartition(" ")
    return [head, tail] if space and head else [label]


def trend_svg(
    title: str,
    periods: list[str],
    series: list[dict[str, Any]],
    y_label: str = "%",
    target: float | None = None,
    width: int = 640,
    height: int = 260,
    lang: str = "vi",
    *,
    notes: list[str | None] | None = None,
    least: float = 100.0,
) -> str:
    """A line chart: one ``<path class="series">`` per series ``{"name", "values"}`` over ``periods``.

    Each period has a band of the plot, its name under it (on two lines, never skipped: the chart
    widens instead). A ``None`` value is a gap (the line is broken there); every known point also
    gets a marker so an isolated value stays visible. ``notes`` says, per period, why it has no value
    ("no report", "<5"): its band is shaded (``<rect class="no-data">``) and the note written in it.
    The y axis runs from 0 to max(``least``, highest value, target), rounded up to a round step.
    ``target`` adds a dashed ``<line class="target">`` and a legend entry. The height grows when a
    long legend would leave too little room for the plot.
    """
    if not periods:
        return _no_data(title, width, height, lang)
    legend = [(s["name"], PALETTE[i % len(PALETTE)], "") for i, s in enumerate(series)]
    if target is not None:
        legend.append((_target(target, y_label, lang), TARGET_COLOUR, "6 4"))
    labels = [_period_lines(p) for p in periods]
    two_lines = any(len(lines) > 1 for lines in labels)
    band_needed = max(len(line) for lines in labels for line in lines) * 10 * CHAR_WIDTH + 10
    left, top = 44, 30
    width = max(width, math.ceil(left + 16 + band_needed * len(periods)))
    right = width - 16
    height = max(height, top + 120 + 14 * len(legend))  # keep the plot readable under a long legend
    bottom = height - 24 - 14 * len(legend) - (12 if two_lines else 0)
    top_value, step = y_axis([v for s in series for v in s["values"]], target, least)
    band = (right - left) / len(periods)
    per_cent = "%" if y_label == "%" else ""
    out = _open(title, width, height)

    def x_at(i: int) -> float:
        return left + band * (i + 0.5)

    def y_at(v: float) -> float:
        return bottom - v / top_value * (bottom - top)

    for i, note in enumerate(notes or []):
        if note is None or i >= len(periods):
            continue
        x = left + band * i
        out.append(
            f'<rect class="no-data" x="{x + 1:.1f}" y="{top}" width="{band - 2:.1f}" height="{bottom - top}" '
            f'fill="#eeeeee"><title>{_esc(periods[i])}: {_esc(note)}</title></rect>'
        )
        if len(note) <= 3:  # "<5": a few characters, written across the band
            out.append(_text(x_at(i), bottom - 6, note, "middle", 10))
        else:  # a sentence, written up the band
            mid = (top + bottom) / 2
            out.append(
                f'<text x="{x_at(i):.1f}" y="{mid:.1f}" text-anchor="middle" font-size="10" fill="#444444" '
                f'transform="rotate(-90 {x_at(i):.1f} {mid:.1f})">'
                f"{_esc(_clip(note, bottom - top - 8, 10))}</text>"
            )
    out.append(_text(4, top - 8, y_label))
    for k in range(round(top_value / step) + 1):
        value = k * step
        y = y_at(value)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="#dddddd"/>')
        out.append(_text(left - 4, y + 4, _num(value, lang), "end", 10))
    for i, lines in enumerate(labels):
        texts = "".join(
            _text(x_at(i), bottom + 14 + 12 * n, line, "middle", 10) for n, line in enumerate(lines)
        )
        out.append(f'<g class="period"><title>{_esc(periods[i])}</title>{texts}</g>')
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
            markers.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                f"<title>{_esc(periods[i])}: {_num(v, lang)}{_esc(per_cent)}</title></circle>"
            )
            pen_down = True
        out.append(
            f'<path class="series" d="{" ".join(commands) or "M0,0"}" fill="none" stroke="{colour}" '
            f'stroke-width="2"><title>{_esc(s["name"])}</title></path>'
        )
        out += markers
    out.append(f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#333333"/>')
    legend_top = bottom + (44 if two_lines else 32)
    for row, (name, colour, dash) in enumerate(legend):
        y = legend_top + 14 * row
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
    *,
    ranked: bool = True,
    notes: list[str | None] | None = None,
    least: float = 100.0,
) -> str:
    """Horizontal bars: highest value first, unknown (``None``) values last as "—" without a bar; with
    ``ranked`` False, in the order given (the caller ranked them, e.g. those needing attention first).

    ``notes`` replaces "—" for an unknown value ("no report", "<5"). Labels wrap on two lines, a label
    still too long ends in "…" with its full text as a tooltip, and every row's ``<title>`` says its
    label and value. The scale runs from 0 to max(``least``, highest value, target); ``target`` adds a
    dashed vertical ``<line class="target">``. The height follows the number of rows.
    """
    said = notes or [None] * len(labels)
    rows = list(zip(labels, values, said, strict=True))
    if ranked:
        rows.sort(key=lambda r: (r[1] is None, -(r[1] or 0.0)))
    label_space = min(width * 0.4, max([len(label) for label in labels] or [0]) * 11 * CHAR_WIDTH + 12)
    if any(len(wrap(label, label_space - 10, 11)[0]) > 1 for label in labels):
        row_height = max(row_height, 32)  # room for a label on two lines
    height = 40 + row_height * max(1, len(rows)) + (16 if target is not None else 0)
    if not rows:
        return _no_data(title, width, height, lang)
    out = _open(title, width, height)
    left, right = label_space, width - 72
    top_value, _step = y_axis(values, target, least)
    for i, (label, value, note) in enumerate(rows):
        y = 30 + i * row_height
        middle = y + row_height / 2
        shown = (note or "—") if value is None else f"{_num(value, lang)}{unit}"
        out.append(f"<g><title>{_esc(label)}: {_esc(shown)}</title>")
        out.append(_label(left - 6, middle + 4, label, left - 10)[0])
        if value is None:
            out.append(_text(left + 4, middle + 4, shown))
        else:
            bar = value / top_value * (right - left)
            out.append(
                f'<rect class="bar" x="{left:.1f}" y="{y + 3:.1f}" width="{bar:.1f}" '
                f'height="{row_height - 6}" fill="{PALETTE[0]}"/>'
            )
            out.append(_text(left + bar + 4, middle + 4, shown))
        out.append("</g>")
    bottom = 30 + len(rows) * row_height
    out.append(f'<line x1="{left:.1f}" y1="28" x2="{left:.1f}" y2="{bottom}" stroke="#333333"/>')
    if target is not None:
        x = left + target / top_value * (right - left)
        out.append(
            f'<line class="target" x1="{x:.1f}" y1="28" x2="{x:.1f}" y2="{bottom}" '
            f'stroke="{TARGET_COLOUR}" stroke-width="1.5" stroke-dasharray="6 4"/>'
        )
        out.append(_text(x, bottom + 14, _target(target, unit, lang), "middle", 10))
    out.append("</svg>")
    return "\n".join(out)
