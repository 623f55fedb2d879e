"""The people around a case: who may be its worker or a grantee, and whom an overdue step reaches.

Accounts and units are public to the application role (no row-level security on them); ancestors are
read from the case's unit path (``/province/district/commune/hamlet/`` before 2025,
``/province/commune/hamlet/`` after), so escalation follows the structure the case's hamlet is in.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.auth.models import User
from portal.cases.access import works_in
from tenancy.models import Unit

WORKER_ROLES = ("collaborator", "ward_officer")
SUPERVISOR_ROLES = {
    "district": ("district_officer",),
    "province": ("provincial_inspector", "district_officer"),
}


def user_with_unit(session: Session, user_id: int) -> tuple[User, Unit | None] | None:
    row = session.execute(
        select(User, Unit).outerjoin(Unit, Unit.id == User.unit_id).where(User.id == user_id)
    ).one_or_none()
    return (row[0], row[1]) if row else None


def worker_problem(session: Session, user_id: int, case_path: str) -> str | None:
    """Why ``user_id`` cannot work a case in ``case_path`` (None: they can): an active collaborator of
    the case's hamlet or a ward officer of its commune."""
    found = user_with_unit(session, user_id)
    if found is None or not found[0].is_active:
        return "no active account with this id"
    user, unit = found
    if user.role not in WORKER_ROLES or unit is None or unit.level not in ("hamlet", "commune"):
        return "must be a collaborator or a ward officer"
    if not works_in(unit, case_path):
        return "must be a collaborator of the case's hamlet or a ward officer of its commune"
    return None


def grantee_problem(session: Session, user_id: int, case_path: str) -> tuple[str, str] | None:
    """Why ``user_id`` cannot be granted a case, as (code, message) (None: they can): a collaborator of
    the case's own hamlet or a ward officer (of another commune, e.g. where the child now lives).
    Inspectors, district officers, administrators and collaborators of other hamlets never see a case."""
    found = user_with_unit(session, user_id)
    if found is None or not found[0].is_active:
        return "no_account", "no active account with this id"
    user, unit = found
    if user.role == "ward_officer" and unit is not None and unit.level == "commune":
        return None
    if user.role == "collaborator" and unit is not None and works_in(unit, case_path):
        return None
    return "not_grantee", "shared only with collaborators of the case's hamlet and with ward officers"


def account_id(session: Session, username: str) -> int | None:
    """The id of the account named ``username`` (None: there is none). Whether it may hold a grant is
    :func:`grantee_problem`'s to say."""
    wanted = username.strip().lower()
    return session.scalar(select(User.id).where(func.lower(User.username) == wanted)) if wanted else None


class Directory:
    """Whom an overdue step reaches, for one run of the deadline watch: each unit's staff and each
    path's ancestors are looked up once per run, however many cases share them."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._ancestors: dict[str, list[Unit]] = {}
        self._staff: dict[tuple[int, tuple[str, ...]], list[int]] = {}
        self._active: dict[int, bool] = {}

    def preload(self, paths: Iterable[str], users: Iterable[int | None]) -> None:
        """Read at once what :meth:`recipients` needs for many cases: the units on their paths, the
        active flag of their assigned workers, and the staff of those units (three queries in all)."""
        paths = [p for p in set(paths) if p not in self._ancestors]
        ids = {int(x) for p in paths for x in p.strip("/").split("/")}
        found = {u.id: u for u in self.session.scalars(select(Unit).where(Unit.id.in_(ids)))} if ids else {}
        for path in paths:
            self._ancestors[path] = [found[int(x)] for x in path.strip("/").split("/") if int(x) in found]
        wanted = {u for u in users if u is not None and u not in self._active}
        if wanted:
            rows = self.session.execute(select(User.id, User.is_active).where(User.id.in_(wanted))).all()
            active = {user_id: is_active for user_id, is_active in rows}
            self._active.update({u: bool(active.get(u)) for u in wanted})
        roles_of = {"commune": ("ward_officer",), **SUPERVISOR_ROLES}
        keys = [(u.id, roles_of[u.level]) for u in found.values() if u.level in roles_of]
        keys = [k for k in keys if k not in self._staff]
        if not keys:
            return
        staff = self.session.execute(
            select(User.id, User.unit_id, User.role)
            .where(User.unit_id.in_([k[0] for k in keys]), User.is_active.is_(True))
            .order_by(User.id)
        ).tuples()
        by_unit: dict[int | None, list[tuple[int, str | None]]] = {}
        for user_id, unit_id, role in staff:
            by_unit.setdefault(unit_id, []).append((user_id, role))
        for unit_id, roles in keys:
            self._staff[(unit_id, roles)] = [u for u, role in by_unit.get(unit_id, []) if role in roles]

    def ancestors(self, path: str) -> list[Unit]:
        if path not in self._ancestors:
            ids = [int(x) for x in path.strip("/").split("/")]
            found = {u.id: u for u in self.session.scalars(select(Unit).where(Unit.id.in_(ids)))}
            self._ancestors[path] = [found[i] for i in ids if i in found]
        return self._ancestors[path]

    def staff(self, unit: Unit | None, roles: tuple[str, ...]) -> list[int]:
        if unit is None:
            return []
        if (unit.id, roles) not in self._staff:
            self._staff[(unit.id, roles)] = list(
                self.session.scalars(
                    select(User.id)
                    .where(User.unit_id == unit.id, User.role.in_(roles), User.is_active.is_(True))
                    .order_by(User.id)
                )
            )
        return self._staff[(unit.id, roles)]

    def commune(self, path: str) -> Unit | None:
        return next((u for u in self.ancestors(path) if u.level == "commune"), None)

    def supervisors(self, path: str) -> list[int]:
        """The district above the commune (pre-2025 structure); the province where there is no district."""
        above = [u for u in self.ancestors(path) if u.level in SUPERVISOR_ROLES]
        district = next((u for u in above if u.level == "district"), None)
        target = district or next((u for u in above if u.level == "province"), None)
        return self.staff(target, SUPERVISOR_ROLES[target.level]) if target else []

    def active(self, user_id: int) -> bool:
        if user_id not in self._active:
            self._active[user_id] = bool(
                self.session.scalar(select(User.is_active).where(User.id == user_id))
            )
        return self._active[user_id]

    def recipients(self, level: int, path: str, assigned_to: int | None) -> list[int]:
        """Level 1: the assigned worker (the ward officers while nobody active is assigned); 2: the
        commune's ward officers; 3: the district's officers (or the province's)."""
        if level == 1 and assigned_to is not None and self.active(assigned_to):
            return [assigned_to]
        if level in (1, 2):
            return self.staff(self.commune(path), ("ward_officer",))
        return self.supervisors(path)
