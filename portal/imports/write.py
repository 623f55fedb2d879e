"""Writing an import's rows: children, guardians, periods and the history entry ``create_child`` writes,
in batches through the caller's scoped session (row-level security checks every row), plus each row's
key. The caller commits or rolls back the whole (all or nothing)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from authz.caller import Caller
from portal.imports.check import Progress
from portal.imports.models import ImportedRow
from portal.imports.rows import Row
from portal.registry.models import Child, ChildHistory, ChildPeriod, Guardian
from portal.registry.serialize import snapshot
from portal.registry.text import fold, sort_key

BATCH = 2_000


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


def _batches(rows: Sequence[Row]) -> Iterator[Sequence[Row]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def write_rows(
    session: Session, caller: Caller, import_id: uuid.UUID, rows: Sequence[Row], progress: Progress
) -> list[uuid.UUID]:
    """Insert the rows' records; the new children's ids, in the rows' order."""
    ids: list[uuid.UUID] = []
    for batch in _batches(rows):
        children: list[dict[str, Any]] = []
        guardians: list[dict[str, Any]] = []
        periods: list[dict[str, Any]] = []
        history: list[dict[str, Any]] = []
        keys: list[dict[str, Any]] = []
        for row in batch:
            assert row.new is not None and row.hamlet is not None
            values, kinds, people = row.new
            child_id = uuid.uuid4()
            record = {
                "id": child_id,
                "hamlet_id": row.hamlet.id,
                "unit_path": row.hamlet.path,
                "search_name": fold(values["full_name"]),
                "sort_name": sort_key(values["full_name"]),
                "status": "active",
                "version": 1,
                **values,
            }
            its_periods = [p for items in kinds.values() for p in items]
            # The history entry create_child writes: the record's snapshot, taken as for an ORM child.
            shape = Child(
                **{k: v for k, v in record.items() if k not in ("id", "version")},
                periods=[ChildPeriod(**p) for p in its_periods],
                guardians=[Guardian(**g) for g in people],
            )
            children.append(record)
            guardians.extend({"child_id": child_id, **g} for g in people)
            periods.extend({"child_id": child_id, **p} for p in its_periods)
            history.append(
                {
                    "child_id": child_id,
                    "actor_id": caller.user_id,
                    "actor_username": caller.username,
                    "action": "create",
                    "hamlet_id": row.hamlet.id,
                    "before": None,
                    "after": snapshot(shape),
                }
            )
            keys.append({"row_key": row.key, "import_id": import_id, "child_id": child_id})
            ids.append(child_id)
        session.execute(insert(_table(Child)), children)
        if guardians:
            session.execute(insert(_table(Guardian)), guardians)
        if periods:
            session.execute(insert(_table(ChildPeriod)), periods)
        session.execute(insert(_table(ChildHistory)), history)
        session.execute(insert(_table(ImportedRow)), keys)
        progress(len(ids), len(rows), "writing")
    return ids
