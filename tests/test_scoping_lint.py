"""Scoping lives in one place per context: a lint over the source (no database).

1. HTTP handlers (``portal/api``, ``portal/web``) and Celery tasks (``tasks``) build no query and no
   scope: no ``select(``, ``Scope(`` or ``subtree_clause(`` (nor the other ways into SQL, a legacy
   ``session.query(`` or a raw ``text(``). They call the context's service, which starts from the
   context's access module.
2. Inside ``portal``, only the access module of each context writes the subtree rule
   (``subtree_clause(`` for SQL, ``in_subtree(`` for a yes/no on one unit). ``tenancy`` (the rule
   itself, the unit tree) and ``authz`` (the guards) are outside ``portal`` and not checked here.

Calls are found with ``ast``, so words in strings, comments and templates do not count; a name imported
under another name (``from sqlalchemy import select as sel``) is still found.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Where handlers and tasks live: they call services and build neither queries nor scopes.
ENTRY_POINTS = ("portal/api", "portal/web", "tasks")
ENTRY_POINT_FORBIDDEN = frozenset({"select", "Scope", "subtree_clause", "query", "text"})

# The one module per context that may write the subtree rule (which rows, which units).
SCOPE_CALLS = frozenset({"subtree_clause", "in_subtree"})
# portal/reports/access.py scopes reports without writing the rule itself: the units come from
# tenancy.service.visible_unit_ids, exactness from portal.stats.access.keeps_records.
ACCESS_MODULES = {
    "portal/registry/access.py": "registry (children)",
    "portal/cases/access.py": "cases",
    "portal/inspections/access.py": "inspections",
    "portal/plans/access.py": "plans and steering committees",
    "portal/staff/access.py": "staff and trainings",
    "portal/briefings/access.py": "collaborator briefings (the commune's staff, its district, who attended)",
    "portal/exports/access.py": "exports",
    "portal/rechecks/access.py": "re-checks (samples, the re-checker's records, the results)",
    "portal/imports/access.py": "register imports",
    "portal/stats/access.py": "statistics (and who reads any figure exact: registry, reports, dashboards)",
    "portal/reorganisation.py": "reorganisations (whose access a move of units gains or loses)",
    "portal/registers/access.py": "registers (water points, child-assistance facilities)",
}


def forbidden_calls(source: str, names: frozenset[str]) -> list[tuple[int, str]]:
    """(line, name) of every call in ``source`` to one of ``names``, however it was imported."""
    tree = ast.parse(source)
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                aliases[alias.asname or alias.name] = alias.name
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name):
            name = aliases.get(func.id, func.id)
        elif isinstance(func, ast.Attribute):
            name = func.attr
        else:
            continue
        if name in names:
            found.append((node.lineno, name))
    return sorted(found)


def _sources(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _offences(paths: list[Path], names: frozenset[str]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line}: {name}("
        for path in paths
        for line, name in forbidden_calls(path.read_text(encoding="utf-8"), names)
    ]


@pytest.mark.parametrize("folder", ENTRY_POINTS)
def test_entry_points_build_no_query_and_no_scope(folder: str) -> None:
    paths = _sources(folder)
    assert paths, f"no Python files under {folder}: the lint checks nothing"
    offences = _offences(paths, ENTRY_POINT_FORBIDDEN)
    assert not offences, (
        "handlers and tasks call a service (which starts from the context's access module) instead of "
        "building a query or a scope:\n" + "\n".join(offences)
    )


def test_only_access_modules_write_the_subtree_rule() -> None:
    paths = [p for p in _sources("portal") if str(p.relative_to(ROOT)) not in ACCESS_MODULES]
    offences = _offences(paths, SCOPE_CALLS)
    assert not offences, (
        "the subtree rule belongs in the context's access module "
        f"({', '.join(f'{m} for {c}' for m, c in ACCESS_MODULES.items())}):\n" + "\n".join(offences)
    )


@pytest.mark.parametrize("module", sorted(ACCESS_MODULES))
def test_each_access_module_exists_and_scopes(module: str) -> None:
    """The list above stays true: each named module exists and does write the rule."""
    path = ROOT / module
    assert path.is_file(), f"{module} ({ACCESS_MODULES[module]}) is listed but missing"
    assert forbidden_calls(path.read_text(encoding="utf-8"), SCOPE_CALLS), (
        f"{module} ({ACCESS_MODULES[module]}) no longer scopes anything: drop it from the list"
    )


def test_the_lint_sees_calls_and_ignores_words() -> None:
    source = '''
from sqlalchemy import select as pick
import tenancy.scope as ts

def route(db):
    """select(Unit) in a docstring is no query"""
    text = "Scope(records=None)"  # subtree_clause(Unit.path, root) in a comment neither
    rows = db.scalars(pick(Unit))
    return ts.subtree_clause(Unit.path, "/1/"), Scope(records=None, aggregates=None), rows
'''
    assert forbidden_calls(source, ENTRY_POINT_FORBIDDEN) == [
        (8, "select"),
        (9, "Scope"),
        (9, "subtree_clause"),
    ]
    assert (
        forbidden_calls(
            "from jinja2 import select_autoescape\nselect_autoescape(['html'])\n", ENTRY_POINT_FORBIDDEN
        )
        == []
    )
