"""Which imports a caller reads: those of units in their records scope (an import holds children's
records). Row-level security on ``register_imports`` checks the same scope in the database."""

from __future__ import annotations

from sqlalchemy import Select, select

from authz.caller import Caller
from portal.imports.models import RegisterImport
from tenancy.models import Unit
from tenancy.scope import in_subtree, subtree_clause


def imports_for(caller: Caller) -> Select[tuple[RegisterImport, Unit]]:
    """Base statement: the imports in the caller's records scope, with their unit."""
    return (
        select(RegisterImport, Unit)
        .join(Unit, Unit.id == RegisterImport.unit_id)
        .where(subtree_clause(RegisterImport.unit_path, caller.scope.records))
    )


def works_in_commune(caller: Caller, commune: Unit) -> bool:
    """The commune is the caller's records root or holds it (a ward officer's, a collaborator's)."""
    root = caller.scope.records
    return root is not None and (in_subtree(commune.path, root) or in_subtree(root, commune.path))
