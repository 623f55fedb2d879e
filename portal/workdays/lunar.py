"""The Vietnamese lunar calendar (âm lịch): the solar date of a lunar day.

The ``holidays`` package behind the working-day calendar keeps only tables of a few festivals (Tết, the
Hùng Kings, Mid-Autumn as the Chinese calendar has it), so a lunar date in general is computed here with
Hồ Ngọc Đức's astronomical algorithm, the one Vietnamese calendars use: a lunar month starts on the day
(in UTC+7) of a new moon; month 11 holds the winter solstice; a year of 13 months repeats the first
month without a major solar term. ``tests/test_campaigns.py`` checks it against the package's tables.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from functools import lru_cache

TIME_ZONE = 7  # Vietnam's lunar calendar is reckoned at UTC+7 (China's at UTC+8)
SYNODIC_MONTH = 29.530588853
_EPOCH = 2415021.076998695  # the Julian day of the new moon of 1 January 1900
_JD_ORDINAL = 1721425  # Julian day number minus date.toordinal()


def _jd(day: date) -> int:
    return day.toordinal() + _JD_ORDINAL


def _new_moon(k: int) -> float:
    """The Julian day (UT) of the ``k``-th new moon after 1 January 1900."""
    t = k / 1236.85
    t2, t3 = t * t, t * t * t
    dr = math.pi / 180
    jd = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
    jd += 0.00033 * math.sin((166.56 + 132.87 * t - 0.009173 * t2) * dr)
    m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3
    mpr = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3
    f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3
    c1 = (0.1734 - 0.000393 * t) * math.sin(m * dr) + 0.0021 * math.sin(2 * dr * m)
    c1 += -0.4068 * math.sin(mpr * dr) + 0.0161 * math.sin(dr * 2 * mpr) - 0.0004 * math.sin(dr * 3 * mpr)
    c1 += 0.0104 * math.sin(dr * 2 * f) - 0.0051 * math.sin(dr * (m + mpr))
    c1 += -0.0074 * math.sin(dr * (m - mpr)) + 0.0004 * math.sin(dr * (2 * f + m))
    c1 += -0.0004 * math.sin(dr * (2 * f - m)) - 0.0006 * math.sin(dr * (2 * f + mpr))
    c1 += 0.0010 * math.sin(dr * (2 * f - mpr)) + 0.0005 * math.sin(dr * (2 * mpr + m))
    if t < -11:
        delta_t = 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
    else:
        delta_t = -0.000278 + 0.000265 * t + 0.000262 * t2
    return jd + c1 - delta_t


def _sun_longitude(jd: float) -> float:
    """The sun's apparent longitude at Julian day ``jd``, in radians from 0 to 2π."""
    t = (jd - 2451545.0) / 36525
    t2 = t * t
    dr = math.pi / 180
    m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2
    l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2
    dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * math.sin(dr * m)
    dl += (0.019993 - 0.000101 * t) * math.sin(dr * 2 * m) + 0.000290 * math.sin(dr * 3 * m)
    longitude = (l0 + dl) * dr
    return longitude - 2 * math.pi * math.floor(longitude / (2 * math.pi))


def _new_moon_day(k: int) -> int:
    return math.floor(_new_moon(k) + 0.5 + TIME_ZONE / 24)


def _solar_term(day: int) -> int:
    """Which twelfth of the ecliptic the sun is in at the start of Julian day number ``day`` (0–11)."""
    return math.floor(_sun_longitude(day - 0.5 - TIME_ZONE / 24) / math.pi * 6)


@lru_cache(maxsize=256)
def _month_11(year: int) -> int:
    """The Julian day number of the first day of lunar month 11 (the month of the winter solstice)
    that starts in the solar ``year``."""
    k = math.floor((_jd(date(year, 12, 31)) - 2415021) / SYNODIC_MONTH)
    start = _new_moon_day(k)
    return _new_moon_day(k - 1) if _solar_term(start) >= 9 else start


def _leap_offset(month_11: int) -> int:
    """In a lunar year of 13 months from ``month_11``, how many months after it the leap month comes."""
    k = math.floor((month_11 - _EPOCH) / SYNODIC_MONTH + 0.5)
    i, arc = 1, _solar_term(_new_moon_day(k + 1))
    while True:
        last = arc
        i += 1
        arc = _solar_term(_new_moon_day(k + i))
        if arc == last or i >= 14:
            return i - 1


def solar_date(year: int, month: int, day: int) -> date:
    """The solar date of day ``day`` of lunar month ``month`` (not the leap month) of lunar ``year``
    (the lunar year that starts in the solar ``year``): ``solar_date(2025, 8, 15)`` is 6 October 2025."""
    if not 1 <= month <= 12 or not 1 <= day <= 30:
        raise ValueError(f"no lunar day {day}/{month}")
    if month < 11:
        a11, b11 = _month_11(year - 1), _month_11(year)
    else:
        a11, b11 = _month_11(year), _month_11(year + 1)
    k = math.floor(0.5 + (a11 - _EPOCH) / SYNODIC_MONTH)
    offset = (month - 11) % 12
    if b11 - a11 > 365 and offset >= _leap_offset(a11):
        offset += 1  # the leap month comes before: the month named ``month`` is one later
    start = _new_moon_day(k + offset)
    return date.fromordinal(start - _JD_ORDINAL) + timedelta(days=day - 1)
