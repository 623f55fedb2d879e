"""Turn a caller (role held at a unit) into the :class:`Scope` they may see.

Casbin says whether the role may read child records or aggregates at all; the unit's path
says where. This is the only function that mints a Scope for a request or a task.
"""

from __future__ import annotations

from authz.enforcer import allowed
from tenancy.scope import NO_SCOPE, Scope

ROOT_PATH = "/"


def scope_for(role: str | None, unit_path: str | None, active: bool = True) -> Scope:
    """Default deny: an inactive account, or one without a role, sees nothing.

    A role held at no unit covers the whole tree only for ``admin``; any other role needs a unit.
    """
    if not active or not role:
        return NO_SCOPE
    root = unit_path or (ROOT_PATH if role == "admin" else None)
    if root is None:
        return NO_SCOPE
    return Scope(
        records=root if allowed(role, "child", "read") else None,
        aggregates=root if allowed(role, "stats", "read") else None,
    )
