"""Row-level security, read from the catalog of the migrated database: every table holding personal
records by place, child or case has it, so a new table cannot be added without it unnoticed.

The rule, for each table of the public schema with a column ``unit_path``, ``child_id`` or ``case_id``:
row-level security is enabled, and either a policy says which rows the application role may touch, or
the application role holds no privilege at all on the table (only SECURITY DEFINER functions reach it,
as the statistics layer's ``child_spells``). The migrations ENABLE row-level security without FORCE,
which is enough only while the application role neither owns the tables (nor inherits an owner's
rights) nor bypasses row-level security; that is checked too.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from infra.settings import get_settings

SCOPED_BY = ("unit_path", "child_id", "case_id")
PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")

CATALOG = text(
    """
    SELECT c.relname AS name, c.relrowsecurity AS enabled,
           (SELECT count(*) FROM pg_policies p WHERE p.schemaname = n.nspname AND p.tablename = c.relname)
               AS policies,
           array(SELECT priv FROM unnest(CAST(:privileges AS text[])) AS priv
                 WHERE has_table_privilege(:role, c.oid, priv)) AS granted,
           pg_has_role(:role, c.relowner, 'USAGE') AS owner_rights
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
      AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND NOT a.attisdropped
                  AND a.attname = ANY (CAST(:columns AS text[])))
    ORDER BY c.relname
    """
)


@dataclass(frozen=True)
class ScopedTable:
    name: str
    enabled: bool
    policies: int
    granted: list[str]
    owner_rights: bool


def scoped_tables(session: Session, role: str) -> list[ScopedTable]:
    rows = session.execute(
        CATALOG, {"role": role, "privileges": list(PRIVILEGES), "columns": list(SCOPED_BY)}
    )
    return [ScopedTable(**row._mapping) for row in rows]


def unprotected(tables: list[ScopedTable]) -> list[str]:
    """Why each table that breaks the rule breaks it (empty: every table is protected)."""
    problems = []
    for t in tables:
        if not t.enabled:
            problems.append(f"{t.name}: row-level security is not enabled")
        elif t.policies == 0 and t.granted:
            problems.append(f"{t.name}: no policy, yet the application role holds {', '.join(t.granted)}")
        if t.owner_rights:
            problems.append(f"{t.name}: the application role has its owner's rights (RLS is not FORCEd)")
    return problems


def test_every_scoped_table_has_row_level_security(owner: Session) -> None:
    tables = scoped_tables(owner, get_settings().app_db_role)
    names = {t.name for t in tables}
    # The catalog query finds the tables it is meant to (a broken query would find none and pass).
    assert {"children", "guardians", "cases", "case_notes", "exports", "child_spells"} <= names
    assert not unprotected(tables), "Tables with personal records lack row-level security:\n" + "\n".join(
        unprotected(tables)
    )


def test_a_table_reached_only_through_functions_is_granted_nothing(owner: Session) -> None:
    spells = next(t for t in scoped_tables(owner, get_settings().app_db_role) if t.name == "child_spells")
    assert spells.enabled and spells.policies == 0 and spells.granted == []


def test_the_application_role_cannot_bypass_row_level_security(owner: Session) -> None:
    role = owner.execute(
        text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"),
        {"r": get_settings().app_db_role},
    ).one()
    assert (role.rolsuper, role.rolbypassrls) == (False, False)


def test_the_rule_catches_an_unprotected_table(owner: Session) -> None:
    """A table made here without row-level security, then with it but no policy, is reported."""
    role = get_settings().app_db_role_ident
    owner.execute(text("CREATE TABLE rls_probe (id int PRIMARY KEY, child_id uuid)"))
    owner.execute(text(f"GRANT SELECT ON rls_probe TO {role}"))
    try:
        found = [t for t in scoped_tables(owner, get_settings().app_db_role) if t.name == "rls_probe"]
        assert unprotected(found) == ["rls_probe: row-level security is not enabled"]
        owner.execute(text("ALTER TABLE rls_probe ENABLE ROW LEVEL SECURITY"))
        found = [t for t in scoped_tables(owner, get_settings().app_db_role) if t.name == "rls_probe"]
        assert unprotected(found) == ["rls_probe: no policy, yet the application role holds SELECT"]
        owner.execute(text("CREATE POLICY rls_probe_none ON rls_probe USING (false)"))
        found = [t for t in scoped_tables(owner, get_settings().app_db_role) if t.name == "rls_probe"]
        assert unprotected(found) == []
    finally:
        owner.rollback()
