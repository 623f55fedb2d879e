"""Writing an import's rows: children, guardians, periods and the history entry ``create_child`` writes,
in batches through the caller's scoped session (row-level security checks every row), plus each row's
key. The caller commits or rolls back the whole (all or nothing)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Sequence
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import text
from sqlalchemy.orm import Session

from authz.caller import Caller
from portal.imports.check import Progress
from portal.imports.rows import Row
from portal.registry.models import Child
from portal.registry.serialize import snapshot
from portal.registry.text import sort_key

BATCH = 5_000


# Each batch is one INSERT ... SELECT FROM unnest(arrays) per table: one statement (the statistics
# layer's statement triggers run once per batch, not once per row), one round trip, row-level security
# checked on every row as for any insert.
COLUMNS: dict[str, list[tuple[str, str]]] = {
    "children": [
        ("id", "uuid"),
        ("hamlet_id", "bigint"),
        ("unit_path", "text"),
        ("full_name", "text"),
        ("search_name", "text"),
        ("sort_name", "text"),
        ("date_of_birth", "date"),
        ("sex", "text"),
        ("ethnicity", "text"),
        ("national_id", "text"),
        ("birth_registered", "boolean"),
        ("household_code", "text"),
        ("address", "text"),
        ("school_status", "text"),
        ("status", "text"),
        ("notes", "text"),
        ("version", "integer"),
    ],
    "guardians": [
        ("child_id", "uuid"),
        ("full_name", "text"),
        ("relationship", "text"),
        ("phone", "text"),
        ("lives_with_child", "boolean"),
    ],
    "child_periods": [
        ("child_id", "uuid"),
        ("kind", "text"),
        ("code", "text"),
        ("subgroup", "text"),
        ("since", "date"),
        ("until", "date"),
        ("note", "text"),
    ],
    "child_history": [
        ("child_id", "uuid"),
        ("actor_id", "bigint"),
        ("actor_username", "text"),
        ("action", "text"),
        ("hamlet_id", "bigint"),
        ("before", "jsonb"),
        ("after", "jsonb"),
    ],
    "register_import_rows": [("row_key", "text"), ("import_id", "uuid"), ("child_id", "uuid")],
}
_STATEMENTS = {
    table: text(
        f"INSERT INTO {table} ({', '.join(c for c, _ in cols)}) SELECT * FROM unnest("
        + ", ".join(f"CAST(:{c} AS {t}[])" for c, t in cols)
        + ")"
    )
    for table, cols in COLUMNS.items()
}


def _insert(session: Session, table: str, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(_STATEMENTS[table], {c: [r[c] for r in rows] for c, _ in COLUMNS[table]})


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
                "search_name": row.name_key,
                "sort_name": sort_key(values["full_name"]),
                "status": "active",
                "version": 1,
                **values,
            }
            its_periods = [p for items in kinds.values() for p in items]
            # The history entry create_child writes: the snapshot of the record, taken by the registry's
            # own serializer from plain objects shaped as the ORM's (no ORM instrumentation per row).
            shape = SimpleNamespace(
                **record,
                periods=[SimpleNamespace(**p) for p in its_periods],
                guardians=[SimpleNamespace(**g) for g in people],
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
                    "before": "null",  # as the ORM writes None into a JSON column: a JSON null
                    "after": json.dumps(snapshot(cast(Child, shape))),
                }
            )
            keys.append({"row_key": row.key, "import_id": import_id, "child_id": child_id})
            ids.append(child_id)
        for table, rows_of in (
            ("children", children),
            ("guardians", guardians),
            ("child_periods", periods),
            ("child_history", history),
            ("register_import_rows", keys),
        ):
            _insert(session, table, rows_of)
        progress(len(ids), len(rows), "writing")
    return ids
