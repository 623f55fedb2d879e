"""Random small provinces for the disclosure attacks, and the true figures computed from what was inserted.

Each province is drawn from ``random.Random(seed)``: 2–3 districts, 2–4 communes each, 2–6 hamlets each,
0–40 children per hamlet (many hamlets small, so that hidden cells are common), random sex and birth
dates (up to 16 years before the last ended month's end, some in the last two months and in the running
month), some group and risk periods, some cases, a few children moved to another hamlet or away.
Units and users are made as ``tests/support.py`` makes them; children, periods and cases are inserted in
bulk as the owner. The truths (:func:`child_cells`, :func:`case_cells`) never ask the application.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from portal.cases.models import Case
from portal.registry.models import Child, ChildPeriod
from portal.registry.text import fold, sort_key
from portal.stats.disclosure import last_complete_month, month_end, month_start
from tenancy.models import Unit
from tests.support import make_unit, make_user

SEXES = ("male", "female")
BANDS = ("0-5", "6-9", "10-13", "14-15")
GROUPS = ("a", "d", "h")
RISKS = ("poor_household", "near_poor_household")
CASE_TYPES = ("physical_violence", "neglect", "sexual_abuse")


def years_before(d: date, years: int) -> date:
    """``d - interval 'N years'`` as PostgreSQL computes it (29 February falls back to the 28th)."""
    try:
        return d.replace(year=d.year - years)
    except ValueError:
        return d.replace(year=d.year - years, day=28)


def months_back(first: date, k: int) -> date:
    """The first day of the month ``k`` months before the month starting at ``first``."""
    for _ in range(k):
        first = month_start(first - timedelta(days=1))
    return first


@dataclass
class Kid:
    id: uuid.UUID
    name: str
    sex: str
    dob: date
    hamlet: int  # where the child lives now (or lived last)
    came_from: int | None = None  # the hamlet before a move within the province
    moved_on: date | None = None  # the day the child moved (to ``hamlet``, or away)
    away: bool = False  # moved out of the register (status moved_away) on ``moved_on``
    periods: list[tuple[str, str, date, date | None]] = field(default_factory=list)

    def hamlet_on(self, day: date) -> int | None:
        """The hamlet the child counts in on ``day`` (None: not born yet or gone)."""
        if self.dob > day:
            return None
        if self.moved_on is None:
            return self.hamlet
        if day < self.moved_on:
            return self.hamlet if self.came_from is None else self.came_from
        return None if self.away else self.hamlet


@dataclass
class CaseRow:
    id: uuid.UUID
    child: Kid
    case_type: str
    status: str
    received: date


@dataclass
class Province:
    seed: int
    tag: str
    units: dict[int, Unit]  # every unit by id
    children_of: dict[int, list[int]]  # direct sub-units by unit id
    province: Unit
    districts: list[Unit]
    communes: list[Unit]
    hamlets: list[Unit]
    kids: list[Kid]
    cases: list[CaseRow]
    users: dict[str, str]  # role -> username

    def hamlets_under(self, unit_id: int) -> set[int]:
        path = self.units[unit_id].path
        return {h.id for h in self.hamlets if h.path.startswith(path)}

    def district_of(self, unit_id: int) -> int | None:
        path = self.units[unit_id].path
        return next((d.id for d in self.districts if path.startswith(d.path)), None)


def child_cells(
    kids: list[Kid], hamlets: set[int], day: date, live: bool = False
) -> dict[str, dict[str, int]]:
    """The exact figures of the children living in ``hamlets`` on ``day`` (under 16, born by then), in
    the dimensions of ``/stats``: total, sex, age band, and per kind of period ("" = any code).

    ``live``: as the record keepers' live count places children, in the hamlet they are in now (a
    child who moved away is not counted on any day), rather than where they lived on ``day``."""
    out: dict[str, Counter[str]] = {k: Counter() for k in ("total", "sex", "age_band", "group", "risk")}
    cut = {n: years_before(day, n) for n in (6, 10, 14, 16)}
    for kid in kids:
        where = (None if kid.away or kid.dob > day else kid.hamlet) if live else kid.hamlet_on(day)
        if where not in hamlets or kid.dob <= cut[16]:
            continue
        out["total"][""] += 1
        out["sex"][kid.sex] += 1
        young = kid.dob > cut[6]
        band = "0-5" if young else "6-9" if kid.dob > cut[10] else "10-13" if kid.dob > cut[14] else "14-15"
        out["age_band"][band] += 1
        kinds = set()
        for kind, code, since, until in kid.periods:
            if since <= day and (until is None or until > day):
                out[kind][code] += 1
                kinds.add(kind)
        for kind in kinds:
            out[kind][""] += 1
    return {k: dict(v) for k, v in out.items()}


def counted(kids: list[Kid], hamlets: set[int], day: date) -> set[uuid.UUID]:
    """The ids of the children ``child_cells`` counts."""
    cut = years_before(day, 16)
    return {k.id for k in kids if k.hamlet_on(day) in hamlets and k.dob > cut}


def case_cells(cases: list[CaseRow], hamlets: set[int], first: date, last: date) -> dict[str, dict[str, int]]:
    """Cases of ``hamlets`` received from ``first`` to ``last``, by status and type."""
    out: dict[str, Counter[str]] = {"total": Counter(), "status": Counter(), "type": Counter()}
    for c in cases:
        if c.child.hamlet in hamlets and first <= c.received <= last:
            out["total"][""] += 1
            out["status"][c.status] += 1
            out["type"][c.case_type] += 1
    return {k: dict(v) for k, v in out.items()}


def _size(rng: random.Random) -> int:
    """0–40 children, a third of the hamlets small (0–6) so that hidden cells are common."""
    return rng.randint(0, 6) if rng.random() < 0.35 else rng.randint(5, 40)


def build_province(owner: Session, seed: int) -> Province:
    """One random province of the attacks (units, users, children, periods, cases), committed."""
    rng = random.Random(seed)
    tag = f"{seed}-{uuid.uuid4().hex[:6]}"
    last = last_complete_month()
    horizon = month_end(last)  # the last ended month's end
    province = make_unit(owner, None, "province", f"Tỉnh tấn công {tag}")
    districts, communes, hamlets = [], [], []
    children_of: dict[int, list[int]] = {province.id: []}
    for d in range(rng.randint(2, 3)):
        district = make_unit(owner, province, "district", f"Huyện {d} {tag}")
        districts.append(district)
        children_of[province.id].append(district.id)
        children_of[district.id] = []
        for c in range(rng.randint(2, 4)):
            commune = make_unit(owner, district, "commune", f"Xã {d}.{c} {tag}")
            communes.append(commune)
            children_of[district.id].append(commune.id)
            children_of[commune.id] = []
            for h in range(rng.randint(2, 6)):
                hamlet = make_unit(owner, commune, "hamlet", f"Thôn {d}.{c}.{h} {tag}")
                hamlets.append(hamlet)
                children_of[commune.id].append(hamlet.id)
    units = {u.id: u for u in [province, *districts, *communes, *hamlets]}
    users = {
        "inspector": f"atk-insp-{tag}",
        "district": f"atk-dist-{tag}",
        "ward": f"atk-ward-{tag}",
    }
    make_user(owner, users["inspector"], "provincial_inspector", province.id)
    make_user(owner, users["district"], "district_officer", districts[0].id)
    ward_commune = next(c for c in communes if c.path.startswith(districts[0].path))
    recorder = make_user(owner, users["ward"], "ward_officer", ward_commune.id)

    kids: list[Kid] = []
    running = month_start(last + timedelta(days=40))
    for hamlet in hamlets:
        for _ in range(_size(rng)):
            dob = horizon - timedelta(days=rng.randint(0, 16 * 365 + 30))
            kids.append(_kid(rng, tag, len(kids), hamlet.id, dob))
        if rng.random() < 0.6:  # one newborn in one of the last three ended months
            month = months_back(last, rng.randint(0, 2))
            kids.append(_kid(rng, tag, len(kids), hamlet.id, month + timedelta(days=rng.randint(0, 27))))
        if rng.random() < 0.3:  # born in the running month (not yet in any ended month)
            kids.append(_kid(rng, tag, len(kids), hamlet.id, running))
    for kid in rng.sample(kids, k=min(len(kids), 6)):  # moves inside the province, or away
        kid.moved_on = months_back(last, rng.randint(0, 2)) + timedelta(days=rng.randint(0, 27))
        if kid.dob >= kid.moved_on:
            kid.moved_on = None
            continue
        if rng.random() < 0.5:
            kid.away = True
        else:
            kid.came_from, kid.hamlet = kid.hamlet, rng.choice([h.id for h in hamlets if h.id != kid.hamlet])
    for kid in kids:
        if rng.random() < 0.25:
            since = max(kid.dob, horizon - timedelta(days=rng.randint(0, 400)))
            until = since + timedelta(days=rng.randint(20, 200)) if rng.random() < 0.3 else None
            kid.periods.append(("group", rng.choice(GROUPS), since, until))
        if rng.random() < 0.2:
            kid.periods.append(("risk", rng.choice(RISKS), max(kid.dob, horizon - timedelta(days=700)), None))

    cases = []
    settled = [k for k in kids if k.moved_on is None and k.dob < last]
    for kid in rng.sample(settled, k=len(settled) // 6):
        received = months_back(last, rng.randint(0, 2)) + timedelta(days=rng.randint(0, 27))
        status = rng.choice(("received", "assessed", "in_progress"))
        cases.append(CaseRow(uuid.uuid4(), kid, rng.choice(CASE_TYPES), status, max(received, kid.dob)))
    _insert(owner, units, kids, cases, recorder.id, tag)
    _fix_record_keys(owner, random.Random(seed * 7919), kids, cases)
    return Province(seed, tag, units, children_of, province, districts, communes, hamlets, kids, cases, users)


def _fix_record_keys(owner: Session, rng: random.Random, kids: list[Kid], cases: list[CaseRow]) -> None:
    """Record keys drawn from the seed instead of the database's random(): the same seed gives the same
    published figures on every run, so the measured hit rates are the same on every run too."""
    for table, ids in (("children", [k.id for k in kids]), ("cases", [c.id for c in cases])):
        if ids:
            owner.execute(
                text(f"UPDATE {table} SET stat_key = :k WHERE id = :i"),
                [{"k": rng.randrange(2**31), "i": i} for i in ids],
            )
    owner.commit()


def _kid(rng: random.Random, tag: str, i: int, hamlet: int, dob: date) -> Kid:
    return Kid(uuid.uuid4(), f"Bé Tấncông {tag} số{i:04d}", rng.choice(SEXES), dob, hamlet)


def _insert(
    owner: Session, units: dict[int, Unit], kids: list[Kid], cases: list[CaseRow], creator: int, tag: str
) -> None:
    owner.execute(
        insert(Child),
        [
            {
                "id": k.id,
                "hamlet_id": k.hamlet,
                "unit_path": units[k.hamlet].path,
                "full_name": k.name,
                "search_name": fold(k.name),
                "sort_name": sort_key(k.name),
                "date_of_birth": k.dob,
                "sex": k.sex,
                "ethnicity": "Kinh",
                "school_status": "primary",
                "status": "moved_away" if k.away else "active",
                "household_code": "HK1",
                "address": "Số 1",
            }
            for k in kids
        ],
    )
    moved = [k for k in kids if k.moved_on is not None]
    if moved:  # where they lived when: the spells the registry would have recorded at the move
        owner.execute(
            text("DELETE FROM child_spells WHERE child_id = ANY(:ids)"), {"ids": [k.id for k in moved]}
        )
        spells = []
        for k in moved:
            spells.append({"c": k.id, "h": k.came_from or k.hamlet, "s": k.dob, "u": k.moved_on})
            if not k.away:
                spells.append({"c": k.id, "h": k.hamlet, "s": k.moved_on, "u": None})
        owner.execute(
            text("INSERT INTO child_spells (child_id, hamlet_id, since, until) VALUES (:c, :h, :s, :u)"),
            spells,
        )
    periods = [
        {"child_id": k.id, "kind": kind, "code": code, "since": since, "until": until}
        for k in kids
        for kind, code, since, until in k.periods
    ]
    if periods:
        owner.execute(insert(ChildPeriod), periods)
    if cases:
        owner.execute(
            insert(Case),
            [
                {
                    "id": c.id,
                    "reference": f"ATK-{tag}-{i}"[:24],
                    "hamlet_id": c.child.hamlet,
                    "unit_path": units[c.child.hamlet].path,
                    "child_id": c.child.id,
                    "child_name": c.child.name,
                    "child_date_of_birth": c.child.dob,
                    "child_sex": c.child.sex,
                    "case_type": c.case_type,
                    "channel": "hotline_111",
                    "received_at": datetime.combine(c.received, time(5, 0), UTC),
                    "description": "Nghi bị bỏ mặc",
                    "status": c.status,
                    "risk_level": None if c.status == "received" else "medium",
                    "created_by": creator,
                }
                for i, c in enumerate(cases)
            ],
        )
    owner.commit()


def walk_counts(body: Any, skip: frozenset[str], where: str = "") -> list[tuple[str, Any]]:
    """Every (path, value) of a JSON body whose key is not in ``skip`` (the non-count fields)."""
    out: list[tuple[str, Any]] = []
    if isinstance(body, dict):
        for k, v in body.items():
            if k not in skip:
                out += walk_counts(v, skip, f"{where}.{k}")
    elif isinstance(body, list):
        for i, v in enumerate(body):
            out += walk_counts(v, skip, f"{where}[{i}]")
    else:
        out.append((where, body))
    return out
