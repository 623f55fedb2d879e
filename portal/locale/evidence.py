"""The names of the counts an inspection check keeps as its evidence (portal.inspections.checks,
.published): on the plan's page in the reader's language, in the report PDF in Vietnamese."""

from __future__ import annotations

from portal.locale import N_, NP_, Msg

EVIDENCE: dict[str, Msg] = {
    "children": N_("Children"),
    "incomplete": N_("Incomplete records"),
    "complete": N_("Complete records"),
    "no_guardian": N_("No guardian recorded"),
    "no_household": N_("No household recorded"),
    "no_address": N_("No address recorded"),
    "birth_unregistered": N_("Birth not registered"),
    "special": N_("In special circumstances"),
    "supported": N_("Receiving support"),
    "late_steps": N_("Steps past their deadline"),
    "cases_late": N_("Cases with a late step"),
    "received": N_("Cases received"),
    "expected": N_("Reports expected"),
    "submitted": N_("Reports submitted"),
    "on_time": N_("Reports submitted on time"),
    "missing": N_("Reports missing"),
    "last_month": N_("Last month"),
    "last_month_reports": N_("Reports for the last month"),
    "child_friendly.recognised": N_("Communes recognised as child-friendly"),
    "child_friendly.communes": N_("Communes"),
    "water_points.listed": N_("Water points listed"),
    "water_points.signed": N_("Water points with a warning sign"),
    "water_points.fenced": N_("Water points fenced"),
    "trained": N_("Collaborators trained"),
    "collaborators": N_("Collaborators"),
    "anonymous_ids": N_("Anonymous ids"),
}
SEVERITY: dict[str, Msg] = {"low": N_("Low"), "medium": N_("Medium"), "high": N_("High")}
RECOMMENDATION_STATUS: dict[str, Msg] = {
    "open": NP_("recommendation", "Open"),
    "answered": N_("Answered"),
    "accepted": N_("Accepted"),
}
PERIOD_VALUES = frozenset({"last_month"})
"""Evidence whose value is a period key ("2026-11"), shown as the period's name."""
