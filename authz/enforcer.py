"""The Casbin enforcer: role x resource x action.

Policies rarely change and live in ``policy.csv`` beside the model (kept in git, reviewed like
code), so there is no adapter table to drift from Alembic and no cross-process watcher to run.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import casbin

HERE = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def enforcer() -> casbin.Enforcer:
    return casbin.Enforcer(str(HERE / "model.conf"), str(HERE / "policy.csv"))


@lru_cache(maxsize=1024)
def allowed(role: str | None, resource: str, action: str) -> bool:
    """May ``role`` perform ``action`` on ``resource`` (within its own subtree)? No role: no."""
    if not role:
        return False
    return bool(enforcer().enforce(role, resource, action))
