"""Reporting periods and targets that apply to some months only (pure functions)."""

from __future__ import annotations

from datetime import date

import pytest

from portal.reports.models import Target
from portal.reports.periods import containing, parse, previous


@pytest.mark.parametrize(
    "kind,key,start,end",
    [
        ("month", "2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("quarter", "2025-Q4", date(2025, 10, 1), date(2025, 12, 31)),
        ("half", "2025-H1", date(2025, 1, 1), date(2025, 6, 30)),
        ("year", "2026", date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_periods_parse_to_their_first_and_last_day(kind, key, start, end):
    period = parse(kind, key)
    assert period is not None and (period.key, period.start, period.end) == (key, start, end)
    assert containing(kind, end) == period


@pytest.mark.parametrize(
    "kind,key",
    [
        ("month", "2026-13"),
        ("month", "2026-1"),
        ("quarter", "2026-Q5"),
        ("half", "2026-H3"),
        ("year", "1999"),
        ("month", "2026-Q1"),
    ],
)
def test_malformed_periods_are_none(kind, key):
    assert parse(kind, key) is None


def test_previous_periods_run_back_across_years():
    assert [p.key for p in previous("month", parse("month", "2026-02"), 4)] == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]
    assert [p.key for p in previous("quarter", parse("quarter", "2026-Q1"), 2)] == ["2025-Q4", "2026-Q1"]


def test_a_june_target_applies_to_periods_holding_june_only():
    june_only = Target(code="action_month", months=[6])
    every = Target(code="birth_registered", months=None)
    assert june_only.applies(date(2026, 6, 1), date(2026, 6, 30))
    assert june_only.applies(date(2026, 4, 1), date(2026, 6, 30))  # Q2
    assert june_only.applies(date(2026, 1, 1), date(2026, 12, 31))
    assert not june_only.applies(date(2026, 7, 1), date(2026, 7, 31))
    assert not june_only.applies(date(2026, 7, 1), date(2026, 12, 31))  # H2
    assert every.applies(date(2026, 7, 1), date(2026, 7, 31))
