"""The disclosure-control policy: how counts of children and cases are shown to readers who may not
see the records (district officers, provincial inspectors, anyone outside the area they keep).

This module is the only place the rule is written. Every reader of counts that an aggregate-only role
can reach goes through :func:`publish` (or :func:`publish_table`), and every date an aggregate-only role
asks for goes through :func:`aggregate_month`.

The method: the cell-key method of the Australian Bureau of Statistics (TableBuilder), with small
cells hidden.

- Every child and every case carries a random *record key* (``stat_key``, uniform in [0, 2^31),
  drawn when the record is created and never shown). A cell's *cell key* is the sum of the record keys
  of the records it counts, modulo 2^31, so the same set of children always has the same cell key,
  whichever unit, endpoint, structure or filter it is reached through.
- A non-zero count of 5 or more is shown as ``n + noise`` (never below 5), where the noise is read from
  fixed perturbation tables at the cell key (and the month): the same cell always gets the same noise,
  so repeating a query or asking for the same children another way returns the same figure and noise
  cannot be averaged away; two cells that differ by one child have unrelated cell keys, so their
  difference is not the child. The noise has a part that depends on the month too (see PERSISTENT and
  TRANSIENT below), so an unchanged cell does not keep an identical figure from month to month.
- A count from 1 to 4 is shown as "<5". When a whole table's total is from 1 to 4, every cell of it is
  "<5" (zeros included), so that a zero cannot tell the attributes of the few children counted.
- Aggregate-only readers read month ends only: the last complete month, or an earlier one.

Why this and not complementary suppression: the figures are read per unit, per month, under two
structures, through several endpoints and with overlapping filters. Complementary suppression protects
one table at a time and has to be solved again across every linked table (parent and sub-units, each
partition, every month) to be safe; a single pattern missed gives a hidden cell back by subtraction.
Perturbation protects every published cell on its own, so no sum or difference of published figures
is exact, and it is computed from counts that the statistics layer can keep incrementally (a count and
a key sum per cell). The price is that published figures of different cells do not add up exactly.

References: Fraser, B. and Wooton, J. (2005), "A proposed method for confidentialising tabular output
to protect against differencing", UNECE/Eurostat Work Session on Statistical Data Confidentiality;
Thompson, G., Broadfoot, S. and Elazar, D. (2013), "Methodology for the automatic confidentialisation
of statistical outputs from remote servers at the Australian Bureau of Statistics", UNECE Work Session
on Statistical Data Confidentiality, Ottawa.

Cells with no record keys (hand-entered report figures) take their cell key from a keyed hash of what
the cell is (unit, period, indicator, cell) and its value, with a secret of the deployment, so the noise
is still the same on every reading and cannot be recomputed by a reader.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from datetime import date, timedelta

from infra.clock import today
from infra.errors import FieldError, ValidationFailed
from infra.settings import ROOT
from portal.stats.months import month_end, month_start

K = 5  # counts from 1 to K-1 are never shown
HIDDEN = f"<{K}"
BIG = 2**31  # record keys are uniform in [0, BIG); cell keys are sums modulo BIG

Shown = int | str
Cell = tuple[int, int]  # (count, key sum) as the statistics layer keeps them

# The perturbation tables: noise values and their probabilities, symmetric (no bias). A published
# count carries two draws: a *persistent* one read at the cell key alone, the same for the same children
# in every month, so that averaging a cell over months does not wash the noise out; and a *transient* one
# read at the cell key and the month, so that a cell whose children did not change does not show the
# same figure from one month to the next (which would tell which cell a single new child went into).
# Together: at most +-4, variance 2.4.
PERSISTENT = ((-2, 0.1), (-1, 0.2), (0, 0.4), (1, 0.2), (2, 0.1))
TRANSIENT = PERSISTENT
MAX_NOISE = max(abs(v) for v, _ in PERSISTENT) + max(abs(v) for v, _ in TRANSIENT)


def _draw(table: tuple[tuple[int, float], ...], *parts: object) -> int:
    """The value of ``table`` at a point fixed by ``parts`` (uniform in [0, 1) over their hash)."""
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    u = int.from_bytes(digest, "big") / 2**64
    for value, probability in table:
        u -= probability
        if u < 0:
            return value
    return table[-1][0]


def noise(n: int, cell_key: int, period: str) -> int:
    """The noise for a cell of ``n`` records with this cell key, published for ``period`` (the same
    inputs, the same noise). The count is part of the point, as it picks the row of an ABS table."""
    key = cell_key % BIG
    return _draw(PERSISTENT, "persistent", key, n) + _draw(TRANSIENT, "transient", key, n, period)


def period_key(first: date, last: date | None = None) -> str:
    """How a reading's period enters the transient noise: ``2026-10`` or ``2026-01..2026-10``."""
    start = f"{first:%Y-%m}"
    return start if last is None or f"{last:%Y-%m}" == start else f"{start}..{last:%Y-%m}"


def publish(n: int, key_sum: int, period: str) -> Shown:
    """A count as an aggregate-only reader sees it: 0, "<5", or perturbed and at least 5."""
    if n <= 0:
        return 0
    if n < K:
        return HIDDEN
    return max(K, n + noise(n, key_sum, period))


def small(n: int) -> bool:
    return 0 < n < K


def publish_table(cells: dict[str, dict[str, Cell]], total: Cell, period: str) -> dict[str, dict[str, Shown]]:
    """Every cell of one unit's table; all "<5" when the table counts fewer than 5 children."""
    if small(total[0]):
        return {dim: {k: HIDDEN for k in keys} for dim, keys in cells.items()}
    return {dim: {k: publish(n, ks, period) for k, (n, ks) in keys.items()} for dim, keys in cells.items()}


def _secret() -> bytes:
    """``DISCLOSURE_SECRET`` from the environment (set it alike on every machine of a deployment), else
    a random secret kept in ``var/disclosure-secret`` and made on first use."""
    global _SECRET
    if _SECRET is None:
        given = os.environ.get("DISCLOSURE_SECRET")
        if given:
            _SECRET = given.encode()
        else:
            path = ROOT / "var" / "disclosure-secret"
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                with open(path, "xb") as made:  # exclusive: two processes starting at once agree
                    os.chmod(path, 0o600)
                    made.write(secrets.token_hex(32).encode())
            except FileExistsError:
                pass
            _SECRET = path.read_bytes().strip()
            if not _SECRET:  # another process is writing it this instant
                time.sleep(0.05)
                _SECRET = path.read_bytes().strip()
    return _SECRET


_SECRET: bytes | None = None


def hashed_key(*parts: object) -> int:
    """A cell key for a cell without record keys: a keyed hash of what the cell is and its value."""
    digest = hmac.new(_secret(), "|".join(map(str, parts)).encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") % BIG


def publish_hashed(n: int, period: str, *parts: object) -> Shown:
    """:func:`publish` for a hand-entered count of ``period``; ``parts`` say which cell it is (unit,
    indicator, cell), without the period, so the persistent draw is the same in every period."""
    return publish(n, hashed_key(*parts, n) if n >= K else 0, period)


def rate(numerator: Shown | None, denominator: Shown | None) -> float | None:
    """A percentage from two published counts; none when either is hidden or the denominator is 0."""
    if not isinstance(numerator, int) or not isinstance(denominator, int) or denominator == 0:
        return None
    return round(100.0 * numerator / denominator, 1)


def last_complete_month() -> date:
    """The first day of the last month that has ended."""
    return month_start(month_start(today()) - timedelta(days=1))


def aggregate_month(field: str, given: date | None) -> date:
    """The month (its first day) an aggregate-only reader asks for with a date ``given``.

    None means the last complete month. A date must be the last day of a month that has ended: an
    arbitrary day, or the month still running, would let a reader step through the register day by day."""
    if given is None:
        return last_complete_month()
    if given != month_end(given):
        raise ValidationFailed(
            [FieldError(field, "must be the last day of a month (figures are monthly)", "month_end")]
        )
    if given >= month_start(today()):
        raise ValidationFailed(
            [FieldError(field, "must be the end of a month that has ended", "month_not_ended")]
        )
    return month_start(given)


def aggregate_months(
    field_from: str, first: date | None, field_to: str, last: date | None
) -> tuple[date, date]:
    """A range of whole, ended months (first days) for an aggregate-only reader.

    ``first`` must be the first day of a month, ``last`` the last day of an ended month; None for
    ``last`` means the last complete month, None for ``first`` the first month kept."""
    errors: list[FieldError] = []
    if first is not None and first.day != 1:
        errors.append(
            FieldError(field_from, "must be the first day of a month (figures are monthly)", "month_start")
        )
    to = None
    try:
        to = aggregate_month(field_to, last)
    except ValidationFailed as refused:
        errors += refused.errors
    if errors:
        raise ValidationFailed(errors)
    assert to is not None
    start = first or date(1900, 1, 1)
    if start > to:
        raise ValidationFailed([FieldError(field_to, "is before from", "range")])
    return start, to
