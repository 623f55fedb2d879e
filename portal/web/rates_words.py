"""The reporting rates' words: the levels of the tree, what became of an expected report, and the
columns of the tables (the page and its XLSX say them the same way)."""

from __future__ import annotations

from portal.locale import N_, Msg, translate

LEVELS: dict[str, Msg] = {
    "province": N_("Province"),
    "district": N_("District"),
    "commune": N_("Commune or ward"),
    "hamlet": N_("Hamlet or residential group"),
}
STATES: dict[str, Msg] = {
    "missing": N_("Missing"),
    "late": N_("Late"),
    "pending": N_("Not yet due"),
    "on_time": N_("On time"),
}
COLUMNS: dict[str, Msg] = {
    "expected": N_("Expected"),
    "received": N_("Received"),
    "on_time": N_("On time"),
    "late": N_("Late"),
    "missing": N_("Missing"),
    "pending": N_("Not yet due"),
    "completeness_pct": N_("Completeness (%)"),
    "timeliness_pct": N_("Timeliness (%)"),
}


def words(lang: str, table: dict[str, Msg]) -> dict[str, str]:
    """``table`` said in ``lang``."""
    return {key: translate(lang, msg) for key, msg in table.items()}
