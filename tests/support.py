"""Helpers to arrange data through the same code the application uses, and to call the API."""

from __future__ import annotations

import itertools
import time
import uuid
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from infra.db import admin_engine
from portal.auth.models import User
from portal.auth.passwords import hash_password
from tenancy.models import Unit
from tenancy.service import unit_by_code

PASSWORD = "correct horse battery"


def unit(owner: Session, level: str, code: str) -> Unit:
    found = unit_by_code(owner, level, code)
    assert found is not None, (level, code)
    return found


def hamlets_of(owner: Session, commune: Unit) -> list[Unit]:
    return list(
        owner.scalars(
            select(Unit).where(Unit.parent_id == commune.id, Unit.level == "hamlet").order_by(Unit.id)
        )
    )


def make_hamlet(owner: Session, commune: Unit, name: str) -> Unit:
    return make_unit(owner, commune, "hamlet", name)


def make_user(
    owner: Session, username: str, role: str | None, unit_id: int | None, active: bool = True
) -> User:
    user = User(
        username=username,
        full_name=f"Test {username}",
        password_hash=hash_password(PASSWORD),
        role=role,
        unit_id=unit_id,
        is_active=active,
    )
    owner.add(user)
    owner.commit()
    return user


def login(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:  # type: ignore[type-arg]
    response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


_GUARDIAN_NAMES = itertools.count(1)


def guardian_name() -> str:
    """A father's name no other call gives: the registry refuses a likely duplicate (the same folded name,
    birth date and guardian), so records made with the defaults are different children."""
    n = next(_GUARDIAN_NAMES)
    letters = ""
    while True:
        n, r = divmod(n, 26)
        letters += chr(ord("a") + r)
        if n == 0:
            break
    return f"Nguyễn Văn Bình {letters.title()}"


def child_payload(hamlet_id: int, **overrides: Any) -> dict[str, Any]:
    """A child's record to post; the guardian's name differs at each call (``guardian_name``)."""
    body: dict[str, Any] = {
        "full_name": "Nguyễn Thị Hoa",
        "date_of_birth": "2018-03-04",
        "sex": "female",
        "ethnicity": "Kinh",
        "hamlet_id": hamlet_id,
        "school_status": "primary",
        "guardians": [{"full_name": guardian_name(), "relationship": "father", "phone": "0912345678"}],
    }
    body.update(overrides)
    return body


def fitting_id(born: str = "2018-03-04", sex: str = "female", province: str = "001") -> str:
    """A personal identification number that fits a child born on ``born`` (yyyy-mm-dd) of ``sex`` whose
    birth was registered in ``province`` (Decree 137/2015 Art. 13), with random last six digits."""
    year = int(born[:4])
    century_sex = 2 * ((year - 1900) // 100) + (1 if sex == "female" else 0)
    return f"{province}{century_sex}{year % 100:02d}{uuid.uuid4().int % 10**6:06d}"


def audit_rows(owner: Session, username: str | None, outcome: str | None = None) -> list[dict[str, Any]]:
    sql = "SELECT * FROM audit_log WHERE username IS NOT DISTINCT FROM :u"
    if outcome:
        sql += " AND outcome = :o"
    return [
        dict(r._mapping) for r in owner.execute(text(sql + " ORDER BY id"), {"u": username, "o": outcome})
    ]


def make_unit(
    owner: Session,
    parent: Unit | None,
    level: str,
    name: str,
    valid_from: object = None,
    valid_to: object = None,
    code: str | None = None,
) -> Unit:
    """A unit of any level (tests build their own small trees for reorganisations)."""
    uid = owner.execute(text("SELECT nextval(pg_get_serial_sequence('units','id'))")).scalar_one()
    path = f"{parent.path if parent else '/'}{uid}/"
    created = Unit(
        id=uid,
        parent_id=parent.id if parent else None,
        level=level,
        code=code,
        name=name,
        kind=None,
        path=path,
        depth=path.count("/") - 1,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    owner.add(created)
    owner.commit()
    return created


def mailed_code(address: str, timeout: float = 30.0) -> str:
    """The one-time code the worker mailed to ``address``, once the transaction that issued it has
    committed: the worker sends the mail before it marks the outbox row sent and commits (so that a
    failed send leaves no code), so the mail can arrive a moment before the code works."""
    from portal.staff.codes import digest
    from tests.mail import MailSink

    sink = MailSink.current()
    code = sink.code_in(sink.wait_for(address, timeout=timeout))
    deadline = time.monotonic() + timeout
    with Session(admin_engine()) as owner:
        while not owner.execute(
            text("SELECT EXISTS (SELECT FROM password_codes WHERE code_hash = :h)"), {"h": digest(code)}
        ).scalar_one():
            owner.rollback()
            assert time.monotonic() < deadline, f"the code mailed to {address} was never committed"
            time.sleep(0.05)
    return code
