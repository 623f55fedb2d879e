"""Small-cell suppression for aggregates shown to people who may not see the records.

A count from 1 to K-1 shows as "<5". Where cells partition a shown total (sex, age band),
one hidden cell could be recovered by subtraction, so the smallest other non-zero cell is
hidden too (complementary suppression, as OpenSPP does).
"""

from __future__ import annotations

K = 5
HIDDEN = f"<{K}"
COMPLEMENT = "suppressed"  # a larger cell hidden only so that a small one cannot be derived

Cell = int | str


def small(n: int) -> bool:
    return 0 < n < K


def suppress_cell(n: int) -> Cell:
    return HIDDEN if small(n) else n


def suppress_partition(cells: dict[str, int], total: int) -> dict[str, Cell]:
    """Suppress cells that sum to ``total``, with a complementary cell where one would be derivable."""
    hidden = {k for k, v in cells.items() if small(v)}
    complement: set[str] = set()
    if len(hidden) == 1 and not small(total):
        others = sorted((v, k) for k, v in cells.items() if k not in hidden and v > 0)
        if others:
            complement.add(others[0][1])
    return {k: (HIDDEN if k in hidden else COMPLEMENT if k in complement else v) for k, v in cells.items()}
