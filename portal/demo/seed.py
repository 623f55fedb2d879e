"""Deterministic demo data: hamlets, children and demo accounts in pre-2025 Hà Nội.

Used by ``make run`` (Long Biên and Hoàng Mai districts) and by the benchmark (``--province-wide``:
every commune of Hà Nội). Runs as the owner role; a second run keeps what is there.
"""

from __future__ import annotations

import json
import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, cast

from sqlalchemy import Table, exists, select, text
from sqlalchemy.orm import Session

from infra.clock import today as clock_today
from portal.auth.models import User
from portal.auth.passwords import hash_password
from portal.demo.names import person, surname
from portal.registry.access import children_in
from portal.registry.text import fold, sort_key
from portal.registry.validation import sixteenth_birthday
from tenancy.models import REFORM_2025, Unit
from tenancy.service import unit_by_code

PROVINCE_CODE = "01"  # Thành phố Hà Nội
DEMO_DISTRICTS = ("004", "008")  # Quận Long Biên, Quận Hoàng Mai
DEMO_WARD = "00340"  # Phường Yên Sở (Hoàng Mai), before 1 July 2025
DEMO_PASSWORD = "demo-password"

# Shares per child (Law on Children Art. 10 groups; Hà Nội urban wards run well under the national rate).
SPECIAL_SHARE = 0.035
GROUP_WEIGHTS = {
    "d": 55,
    "n": 9,
    "c": 8,
    "a": 5,
    "h": 4,
    "e": 4,
    "i": 3,
    "l": 3,
    "b": 2,
    "k": 2,
    "dd": 2,
    "g": 1,
    "m": 1,
    "o": 1,
}
RISK_SHARE = 0.08
RISK_WEIGHTS = {
    "poor_household": 20,
    "near_poor_household": 20,
    "single_parent": 20,
    "parents_away": 15,
    "parents_divorced": 10,
    "violence_risk": 5,
    "dropout_risk": 5,
    "caregiver_addiction": 3,
    "abandonment_risk": 1,
    "exploitation_risk": 1,
}
ETHNIC_WEIGHTS = {"Kinh": 985, "Mường": 5, "Tày": 4, "Thái": 2, "Nùng": 2, "Dao": 1, "Hoa": 1}


@dataclass
class SeedReport:
    hamlets_created: int = 0
    children_created: int = 0
    users_created: list[str] = field(default_factory=list)


def _commune_list(session: Session, province_wide: bool) -> list[Unit]:
    province = unit_by_code(session, "province", PROVINCE_CODE)
    assert province is not None, "official units must be loaded first"
    stmt = select(Unit).where(
        Unit.level == "commune", Unit.valid_from.is_(None), Unit.path.startswith(province.path)
    )
    if not province_wide:
        district_ids = select(Unit.id).where(
            Unit.level == "district", Unit.code.in_(DEMO_DISTRICTS), Unit.valid_from.is_(None)
        )
        stmt = stmt.where(Unit.parent_id.in_(district_ids))
    return list(session.scalars(stmt.order_by(Unit.code)))


def ensure_hamlets(session: Session, communes: list[Unit], rng: random.Random) -> tuple[list[Unit], int]:
    """5-12 hamlets per commune (kept if the commune already has some)."""
    existing: dict[int, list[Unit]] = {}
    for h in session.scalars(
        select(Unit)
        .where(Unit.level == "hamlet", Unit.parent_id.in_([c.id for c in communes]))
        .order_by(Unit.id)
    ):
        existing.setdefault(h.parent_id or 0, []).append(h)
    rows: list[dict[str, Any]] = []
    wanted = {c.id: rng.randint(5, 12) for c in communes}
    missing = [c for c in communes if c.id not in existing]
    ids = iter(
        session.execute(
            text("SELECT nextval(pg_get_serial_sequence('units','id')) FROM generate_series(1, :n)"),
            {"n": sum(wanted[c.id] for c in missing) or 1},
        )
        .scalars()
        .all()
    )
    for c in missing:
        label = "Tổ dân phố số" if c.kind == "Phường" else ("Khu" if c.kind == "Thị trấn" else "Thôn")
        for k in range(1, wanted[c.id] + 1):
            uid = next(ids)
            rows.append(
                {
                    "id": uid,
                    "parent_id": c.id,
                    "level": "hamlet",
                    "code": None,
                    "name": f"{label} {k}",
                    "kind": label.split(" số")[0],
                    "path": f"{c.path}{uid}/",
                    "depth": c.depth + 1,
                    "valid_from": None,
                    "valid_to": None,
                }
            )
    if rows:
        session.execute(cast(Table, Unit.__table__).insert(), rows)
    hamlets = list(
        session.scalars(
            select(Unit)
            .where(Unit.level == "hamlet", Unit.parent_id.in_([c.id for c in communes]))
            .order_by(Unit.parent_id, Unit.id)
        )
    )
    return hamlets, len(rows)


def ensure_users(session: Session, hamlets_of_demo_ward: list[Unit]) -> list[str]:
    province = unit_by_code(session, "province", PROVINCE_CODE)
    ward = unit_by_code(session, "commune", DEMO_WARD)
    district = unit_by_code(session, "district", "008")
    assert province and ward and district
    accounts = [
        ("demo-admin", "Quản trị hệ thống", "admin", None),
        ("demo-inspector", "Thanh tra Sở (Hà Nội)", "provincial_inspector", province.id),
        ("demo-district", "Cán bộ quận Hoàng Mai", "district_officer", district.id),
        ("demo-officer", "Cán bộ trẻ em phường Yên Sở", "ward_officer", ward.id),
        ("demo-chairman", "Chủ tịch UBND phường Yên Sở", "commune_chairman", ward.id),
        ("demo-hotline", "Tổng đài 111 (Hà Nội)", "hotline_officer", province.id),
        (
            "demo-collab-1",
            "Cộng tác viên " + hamlets_of_demo_ward[0].name,
            "collaborator",
            hamlets_of_demo_ward[0].id,
        ),
        (
            "demo-collab-2",
            "Cộng tác viên " + hamlets_of_demo_ward[1].name,
            "collaborator",
            hamlets_of_demo_ward[1].id,
        ),
    ]
    known = set(session.scalars(select(User.username)))
    created = []
    password_hash = hash_password(DEMO_PASSWORD)
    for username, name, role, unit_id in accounts:
        if username not in known:
            session.add(
                User(
                    username=username,
                    full_name=name,
                    password_hash=password_hash,
                    role=role,
                    unit_id=unit_id,
                    is_active=True,
                    email=f"{username}@demo.portal.invalid",  # codes sent to them land in var/mail
                )
            )
            created.append(username)
    session.flush()
    return created


def _dob(rng: random.Random, today: date) -> date:
    """A birth date that makes the child under 16 today (uniform over ages 0-15)."""
    while True:
        born = today - timedelta(days=rng.randrange(16 * 366))
        if sixteenth_birthday(born) > today:
            return born


def _period_start(rng: random.Random, born: date, today: date) -> date:
    return born + timedelta(days=rng.randrange(max(1, (today - born).days + 1)))


def generate_children(
    session: Session,
    hamlets: list[Unit],
    communes: dict[int, Unit],
    count: int,
    rng: random.Random,
    today: date,
) -> int:
    """Write ``count`` children (with guardians, group/risk/support periods, history) by COPY."""
    raw = session.connection().connection.driver_connection
    assert raw is not None, "a live psycopg connection"
    ids: Counter[tuple[int, int]] = Counter()
    groups, group_w = list(GROUP_WEIGHTS), list(GROUP_WEIGHTS.values())
    risks, risk_w = list(RISK_WEIGHTS), list(RISK_WEIGHTS.values())
    ethnic, ethnic_w = list(ETHNIC_WEIGHTS), list(ETHNIC_WEIGHTS.values())
    history_after = json.dumps({"source": "demo seed"})
    with raw.cursor() as cur:
        with cur.copy(
            "COPY children (id, hamlet_id, unit_path, full_name, search_name, sort_name, date_of_birth,"
            " sex, ethnicity, national_id, birth_registered, household_code, address, school_status)"
            " FROM STDIN"
        ) as kids:
            periods, guardians, history = [], [], []
            for _ in range(count):
                hamlet = hamlets[rng.randrange(len(hamlets))]
                sex = "male" if rng.random() < 0.52 else "female"
                family = surname(rng)
                name = person(rng, sex, family)
                born = _dob(rng, today)
                age = (today - born).days // 365
                cid = uuid.UUID(int=rng.getrandbits(128), version=4)
                century = (2 if sex == "male" else 3) if born.year >= 2000 else (0 if sex == "male" else 1)
                ids[(century, born.year)] += 1
                nid = (
                    f"001{century}{born.year % 100:02d}{ids[(century, born.year)]:06d}"
                    if rng.random() < 0.85 and ids[(century, born.year)] < 1_000_000
                    else None
                )
                school = (
                    "not_school_age"
                    if age < 3
                    else "kindergarten"
                    if age < 6
                    else "primary"
                    if age < 11
                    else "lower_secondary"
                    if age < 15
                    else "upper_secondary"
                )
                commune = communes[hamlet.parent_id or 0]
                household = f"HGD-{hamlet.id}-{rng.randrange(1, 400):03d}"
                kids.write_row(
                    (
                        cid,
                        hamlet.id,
                        hamlet.path,
                        name,
                        fold(name),
                        sort_key(name),
                        born,
                        sex,
                        rng.choices(ethnic, ethnic_w)[0],
                        nid,
                        True,
                        household,
                        f"Số {rng.randrange(1, 200)}, {hamlet.name}, {commune.name}",
                        school,
                    )
                )
                single = False
                if rng.random() < SPECIAL_SHARE:
                    code = rng.choices(groups, group_w)[0]
                    since = _period_start(rng, born, today)
                    until = (
                        _period_start(rng, since, today) + timedelta(days=1) if rng.random() < 0.1 else None
                    )
                    periods.append((cid, "group", code, since, until))  # ~10% have left the group since
                    if rng.random() < 0.85:
                        support = "monthly_allowance" if code != "h" else "tuition_support"
                        periods.append((cid, "support", support, since, until))
                if rng.random() < RISK_SHARE:
                    code = rng.choices(risks, risk_w)[0]
                    single = code == "single_parent"
                    periods.append((cid, "risk", code, _period_start(rng, born, today), None))
                guardians.append(
                    (
                        cid,
                        person(rng, "female", surname(rng)),
                        "mother",
                        f"09{rng.randrange(10**8):08d}",
                        True,
                    )
                )
                if not single:
                    guardians.append(
                        (cid, person(rng, "male", family), "father", f"09{rng.randrange(10**8):08d}", True)
                    )
                history.append((cid, "import", hamlet.id, history_after))
        with cur.copy("COPY child_periods (child_id, kind, code, since, until) FROM STDIN") as cp:
            for period in periods:
                cp.write_row(period)
        with cur.copy(
            "COPY guardians (child_id, full_name, relationship, phone, lives_with_child) FROM STDIN"
        ) as cp:
            for guardian in guardians:
                cp.write_row(guardian)
        with cur.copy("COPY child_history (child_id, action, hamlet_id, after) FROM STDIN") as cp:
            for event in history:
                cp.write_row(event)
    return count


def seed_demo(
    session: Session,
    seed: int = 2024,
    children: int = 20_000,
    province_wide: bool = False,
    today: date | None = None,
) -> SeedReport:
    """Idempotent: hamlets and accounts are added where missing; children only into an empty area.

    Once the seeded demo has been moved by the 2025 reorganisation (as ``make run`` does after seeding),
    a later run adds nothing: its hamlets, children and accounts live in the new structure, and the
    pre-2025 communes, emptied, must not get new hamlets.
    """
    rng = random.Random(seed)
    report = SeedReport()
    reorganised = unit_by_code(session, "province", PROVINCE_CODE, era_from=REFORM_2025)
    if reorganised is not None and session.scalar(select(exists().where(children_in(reorganised)))):
        return report
    communes = _commune_list(session, province_wide)
    hamlets, report.hamlets_created = ensure_hamlets(session, communes, rng)
    ward = next(c for c in communes if c.code == DEMO_WARD)
    report.users_created = ensure_users(session, [h for h in hamlets if h.parent_id == ward.id])
    province = unit_by_code(session, "province", PROVINCE_CODE)
    assert province is not None
    present = session.scalar(select(exists().where(children_in(province))))
    if not present and children > 0:
        report.children_created = generate_children(
            session, hamlets, {c.id: c for c in communes}, children, rng, today or clock_today()
        )
    return report
