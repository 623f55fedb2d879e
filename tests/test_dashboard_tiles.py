"""The tile grid's classes (portal.reports.dashboard_tiles): pure, no database."""

from __future__ import annotations

from portal.reports.dashboard_tiles import classes


def _row(value: object, note: str | None = None) -> dict[str, object]:
    return {"value": value, "note": note}


def test_rates_are_classed_against_the_target():
    rows = [_row(10.0), _row(50.0), _row(85.5), _row(90.0), _row(116.7), _row(None, "no_report")]
    found = classes(True, 90.0, rows)
    assert [(c["key"], c["low"], c["high"]) for c in found] == [
        ("r0", 0.0, 50.0),
        ("r1", 50.0, 80.0),
        ("r2", 80.0, 90.0),
        ("r3", 90.0, None),
    ]
    assert [r["tile"] for r in rows] == ["r0", "r1", "r2", "r3", "r3", "none"]
    low_target = [_row(30.0), _row(45.0)]
    assert [c["key"] for c in classes(True, 40.0, low_target)] == ["r0", "r3"]  # below, met
    assert [r["tile"] for r in low_target] == ["r0", "r3"]


def test_counts_take_round_steps_and_a_hidden_count_is_among_the_smallest():
    rows = [
        _row(0),
        _row("<5"),
        _row(7),
        _row(26),
        _row(80),
        _row(None, "not_held"),
        _row(None, "not_in_force"),
    ]
    found = classes(False, 100.0, rows)
    assert [(c["key"], c["low"], c["high"]) for c in found] == [
        ("c0", None, 0),
        ("c1", 0, 20),
        ("c2", 20, 40),
        ("c3", 40, 60),
        ("c4", 60, None),
    ]
    assert [r["tile"] for r in rows] == ["c0", "c1", "c1", "c2", "c4", "na", "off"]
    nothing = [_row(0), _row("<5")]
    assert [c["high"] for c in classes(False, 100.0, nothing)] == [0, 5, 10, 15, None]
    assert [r["tile"] for r in nothing] == ["c0", "c1"]
