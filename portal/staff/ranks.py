"""Who may manage whom: role ranks and the unit level each role works at.

Casbin decides whether a role may manage staff at all; these rules decide which accounts: only
those of a strictly lower rank (an administrator manages everyone), at units inside the
manager's own subtree, with the role fitting the unit's level.
"""

from __future__ import annotations

ROLE_RANK: dict[str | None, int] = {
    None: 0,  # an account without a role (no access at all) is below every manager
    "collaborator": 1,
    "ward_officer": 2,
    "commune_chairman": 2,  # managed by the district (or province), as the commune's ward officer is
    "hotline_officer": 3,  # a province-level account: managed by the province
    "district_officer": 3,
    "provincial_inspector": 4,
    "admin": 5,
}
ROLES = (
    "collaborator",
    "ward_officer",
    "commune_chairman",
    "district_officer",
    "hotline_officer",
    "provincial_inspector",
    "admin",
)

# The level of the unit each role is held at; an administrator holds no unit (the whole tree).
LEVEL_OF_ROLE: dict[str, str | None] = {
    "collaborator": "hamlet",
    "ward_officer": "commune",
    "commune_chairman": "commune",
    "hotline_officer": "province",
    "district_officer": "district",
    "provincial_inspector": "province",
    "admin": None,
}


def rank(role: str | None) -> int:
    return ROLE_RANK.get(role, 0)


def outranks(manager_role: str | None, role: str | None) -> bool:
    """May ``manager_role`` manage an account of ``role``? Only a strictly lower one; admin: any."""
    if manager_role == "admin":
        return True
    return rank(manager_role) > rank(role) and manager_role is not None


def roles_below(manager_role: str | None) -> list[str | None]:
    """Every role (and "no role") that ``manager_role`` manages."""
    return [r for r in ROLE_RANK if outranks(manager_role, r)]
