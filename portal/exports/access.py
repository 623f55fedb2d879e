"""Which exports a caller reads: those of units in their records scope (an export holds children's
records). Row-level security on ``exports`` checks the same scope in the database; a download
re-checks access every time (:mod:`portal.exports.service`)."""

from __future__ import annotations

from sqlalchemy import Select, select

from authz.caller import Caller
from portal.exports.models import Export
from tenancy.models import Unit
from tenancy.scope import subtree_clause


def exports_for(caller: Caller) -> Select[tuple[Export, Unit]]:
    """Base statement: the exports in the caller's records scope, with their unit."""
    return (
        select(Export, Unit)
        .join(Unit, Unit.id == Export.unit_id)
        .where(subtree_clause(Export.unit_path, caller.scope.records))
    )
