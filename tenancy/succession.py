"""Predecessors: the units a reorganisation closed, and the units that became them.

A reorganisation records, for every unit it closes, the units of the same level that received its
hamlets (``unit_successions``, migration 0025: an old commune and each new commune that took one of its
hamlets; the old province and the new one). The history of a closed unit (its reports, the counts under
the structure of its time, its sub-units) stays under its own id and path, while its children and cases
follow their hamlets into the new tree. So staff of a successor read that history through a
*predecessor root*: the path of a predecessor of a unit in their subtree (the same subtree rule, applied
to the units that became theirs), for dates before the reorganisation's effective date (``until``).
Chains are followed (a predecessor's own predecessors, and those of units below it), and nothing else:
a sibling of a predecessor that went to another successor is not in any root.

Only :mod:`tenancy.resolve` turns these roots into a :class:`tenancy.scope.Scope`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

from tenancy.scope import subtree_end

# Predecessors of every unit under :root, then theirs (and those of units below them), recursively;
# each with the effective date of the reorganisation that closed it.
_ROOTS = """
WITH RECURSIVE chain(unit_id, path, until) AS (
    SELECT p.id, p.path, r.effective_date
    FROM units n
    JOIN unit_successions s ON s.successor_id = n.id
    JOIN reorganisations r ON r.id = s.reorg_id AND r.status = 'applied'
    JOIN units p ON p.id = s.predecessor_id
    WHERE n.path >= :root AND n.path < :root_end
  UNION
    SELECT p.id, p.path, r.effective_date
    FROM chain c
    JOIN units n ON n.path >= c.path AND n.path < app_subtree_end(c.path)
    JOIN unit_successions s ON s.successor_id = n.id
    JOIN reorganisations r ON r.id = s.reorg_id AND r.status = 'applied'
    JOIN units p ON p.id = s.predecessor_id
)
SELECT path, max(until) AS until FROM chain GROUP BY path ORDER BY length(path), path
"""


@dataclass(frozen=True)
class PredecessorRoot:
    """The subtree of a predecessor, readable for dates before ``until`` (its reorganisation's day)."""

    path: str
    until: date

    def covers(self, path: str, on: date) -> bool:
        """Whether a read of ``path`` as of ``on`` falls in this root (``on`` before ``until``)."""
        return on < self.until and self.path <= path < subtree_end(self.path)


def predecessor_roots(session: Session, root: str | None) -> list[PredecessorRoot]:
    """The predecessor roots of the subtree ``root`` (widest first; none for no root). Nested roots are
    dropped: the subtree of an old province already holds its old communes."""
    if root is None:
        return []
    rows = session.execute(text(_ROOTS), {"root": root, "root_end": subtree_end(root)}).tuples()
    roots: list[PredecessorRoot] = []
    for path, until in rows:
        if not any(r.path <= path < subtree_end(r.path) and r.until >= until for r in roots):
            roots.append(PredecessorRoot(str(path), until))
    return roots


def record_successions(session: Session, reorg_id: int) -> int:
    """Record who became whom in an applied reorganisation (after its moves and closes; owner only)."""
    added: int = session.execute(text("SELECT reorg_record_successions(:r)"), {"r": reorg_id}).scalar_one()
    return added


def forget_successions(session: Session, reorg_id: int) -> None:
    """A reverted reorganisation made no successor: its units read only their own history again."""
    session.execute(text("DELETE FROM unit_successions WHERE reorg_id = :r"), {"r": reorg_id})
