"""Periods as DHIS2 and ADX write them.

DHIS2 (dataValueSets): ``202612`` (month), ``2026Q4`` (quarter), ``2026S2`` (six months), ``2026`` (year).
ADX (IHE QRPH ADX, ISO 8601 start and duration): ``2026-12-01/P1M``, ``2026-10-01/P3M``,
``2026-07-01/P6M``, ``2026-01-01/P1Y``. The portal's own keys are ``2026-12``, ``2026-Q4``, ``2026-H2``
and ``2026`` (portal.reports.periods).
"""

from __future__ import annotations

import re
from datetime import date

from portal.reports.periods import MONTHS, Period, containing

DURATION = {"month": "P1M", "quarter": "P3M", "half": "P6M", "year": "P1Y"}
_DHIS2 = {
    "month": re.compile(r"^(\d{4})(0[1-9]|1[0-2])$"),
    "quarter": re.compile(r"^(\d{4})Q([1-4])$"),
    "half": re.compile(r"^(\d{4})S([12])$"),
    "year": re.compile(r"^(\d{4})$"),
}
_ADX = re.compile(r"^(\d{4})-(\d{2})-01/(P1M|P3M|P6M|P1Y)$")


def to_dhis2(period_type: str, period: Period) -> str:
    start = period.start
    index = (start.month - 1) // MONTHS[period_type] + 1
    return {
        "month": f"{start:%Y%m}",
        "quarter": f"{start.year}Q{index}",
        "half": f"{start.year}S{index}",
        "year": f"{start.year}",
    }[period_type]


def to_adx(period_type: str, period: Period) -> str:
    return f"{period.start.isoformat()}/{DURATION[period_type]}"


def _aligned(period_type: str, year: int, month: int) -> Period | None:
    if not 2000 <= year <= 2100 or not 1 <= month <= 12:
        return None
    period = containing(period_type, date(year, month, 1))
    return period if period.start == date(year, month, 1) else None


def from_dhis2(period_type: str, text: str) -> Period | None:
    """The period of ``period_type`` written ``text`` in DHIS2's format, or None."""
    found = _DHIS2[period_type].match(text)
    if found is None:
        return None
    year = int(found.group(1))
    index = int(found.group(2)) if found.lastindex and found.lastindex > 1 else 1
    return _aligned(period_type, year, (index - 1) * MONTHS[period_type] + 1)


def from_adx(period_type: str, text: str) -> Period | None:
    """The period of ``period_type`` written ``text`` in ADX's ISO 8601 form, or None (a start that is
    not the first day of such a period, or another duration)."""
    found = _ADX.match(text)
    if found is None or found.group(3) != DURATION[period_type]:
        return None
    return _aligned(period_type, int(found.group(1)), int(found.group(2)))
