"""Guards: Casbin decides the action, the unit path decides the place. Refusals raise.

The exception handler writes every refusal to the audit log.
"""

from __future__ import annotations

from authz.caller import Caller
from authz.enforcer import allowed
from infra.errors import Forbidden
from tenancy.models import Unit
from tenancy.scope import in_subtree

# Which of the caller's scopes a resource lives in.
RECORD_RESOURCES = frozenset({"child", "child_move", "export", "case", "import"})
# Record resources whose rows are decided by their own visibility rule (portal/cases/access and
# row-level security), which needs a unit but not a record scope: a commune chairman reads the cases
# brought to them for a decision, and no other record.
ROW_DECIDED = frozenset({"case"})
# What a predecessor scope (tenancy.resolve.scope_before: a unit that became the caller's) allows.
HISTORY_ACTIONS = frozenset({"read", "list", "summary"})


def authorize(caller: Caller, resource: str, action: str, unit: Unit) -> None:
    """Allow ``action`` on ``resource`` at ``unit`` only if the role may and the unit is in scope.

    Under a predecessor scope (``scope.until`` set) only reads are allowed: the staff of a successor
    read a former unit's history but never submit, approve or change anything of it."""
    context = {"resource": resource, "action": action, "unit_id": unit.id}
    if not allowed(caller.role, resource, action):
        raise Forbidden(f"your role ({caller.role or 'none'}) may not {action} {resource}", **context)
    scope = caller.scope
    if scope.until is not None and action not in HISTORY_ACTIONS:
        raise Forbidden(f"unit {unit.id} ({unit.name}) is a former unit: its history is read-only", **context)
    root = scope.records if resource in RECORD_RESOURCES else (scope.aggregates or scope.records)
    if not in_subtree(unit.path, root):
        raise Forbidden(f"unit {unit.id} ({unit.name}) is outside your area", **context)


def authorize_action(caller: Caller, resource: str, action: str) -> None:
    """Role check, for actions whose unit is checked later against the record's own unit.

    A record resource also needs an area to work in: an account without a unit is refused (403)
    rather than answered "not found" for everything.
    """
    if not allowed(caller.role, resource, action):
        raise Forbidden(
            f"your role ({caller.role or 'none'}) may not {action} {resource}",
            resource=resource,
            action=action,
        )
    if (
        resource in RECORD_RESOURCES
        and caller.scope.records is None
        and not (resource in ROW_DECIDED and caller.unit is not None)
    ):
        raise Forbidden(
            f"your account has no unit: no access to {resource} records", resource=resource, action=action
        )
