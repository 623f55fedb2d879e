"""Helpers for the web portal's tests: a small tree with staff on it, and a browser-like client."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

from litestar.testing import TestClient
from sqlalchemy.orm import Session

from portal.registry.models import Child
from portal.registry.text import fold, sort_key
from tests.support import PASSWORD, make_unit, make_user

CSRF = re.compile(r'name="_csrf" value="([0-9a-f]+)"')
NAMES = ("Trần Văn An", "Lê Thị Bình", "Phạm Minh Châu", "Hoàng Đức Dũng", "Vũ Thị Giang", "Đặng Quốc Huy")


def add_named_children(owner: Session, hamlet: Any, names: tuple[str, ...] | list[str]) -> list[Child]:
    made = []
    for i, name in enumerate(names):
        child = Child(
            id=uuid.uuid4(),
            hamlet_id=hamlet.id,
            unit_path=hamlet.path,
            full_name=name,
            search_name=fold(name),
            sort_name=sort_key(name),
            date_of_birth=date(2016, 1 + i % 12, 1 + i % 28),
            sex="female" if i % 2 else "male",
            ethnicity="Kinh",
            school_status="primary",
            status="active",
        )
        owner.add(child)
        made.append(child)
    owner.commit()
    return made


def web_tree(owner: Session) -> dict[str, Any]:
    """Province > commune (two hamlets) and a second commune with its own child (another tenant)."""
    tag = uuid.uuid4().hex[:6]
    province = make_unit(owner, None, "province", f"Tỉnh web {tag}")
    commune = make_unit(owner, province, "commune", f"Phường Yên Sở {tag}")
    hamlet = make_unit(owner, commune, "hamlet", f"Tổ dân phố 1 {tag}")
    hamlet2 = make_unit(owner, commune, "hamlet", f"Tổ dân phố 2 {tag}")
    other = make_unit(owner, province, "commune", f"Xã khác {tag}")
    other_hamlet = make_unit(owner, other, "hamlet", f"Thôn khác {tag}")
    children = add_named_children(owner, hamlet, NAMES)
    outsider = add_named_children(owner, other_hamlet, [f"Nguyễn Văn Ngoài {tag}"])[0]
    users = {
        "collab": make_user(owner, f"web-collab-{tag}", "collaborator", hamlet.id),
        "officer": make_user(owner, f"web-officer-{tag}", "ward_officer", commune.id),
        "chair": make_user(owner, f"web-chair-{tag}", "commune_chairman", commune.id),
        "inspector": make_user(owner, f"web-insp-{tag}", "provincial_inspector", province.id),
        "other_officer": make_user(owner, f"web-officer2-{tag}", "ward_officer", other.id),
        "hotline": make_user(owner, f"web-hotline-{tag}", "hotline_officer", province.id),
    }
    return {
        "tag": tag,
        "province": province,
        "commune": commune,
        "hamlet": hamlet,
        "hamlet2": hamlet2,
        "other": other,
        "other_hamlet": other_hamlet,
        "children": children,
        "outsider": outsider,
        "users": {k: u.username for k, u in users.items()},
    }


class Browser:
    """A TestClient that behaves as a browser on the pages: keeps cookies, sends the form's CSRF token."""

    def __init__(self, client: TestClient) -> None:  # type: ignore[type-arg]
        self.client = client
        self.token = ""

    def get(self, path: str, **kw: Any) -> Any:
        response = self.client.get(path, **kw)
        found = CSRF.search(response.text)
        if found:
            self.token = found.group(1)
        return response

    def post(self, path: str, form: dict[str, Any] | None = None, csrf: bool = True, **kw: Any) -> Any:
        data = dict(form or {})
        if csrf:
            data.setdefault("_csrf", self.token)
        response = self.client.post(path, data=data, follow_redirects=False, **kw)
        found = CSRF.search(response.text)
        if found:
            self.token = found.group(1)
        return response

    def login(self, username: str, password: str = PASSWORD) -> Any:
        self.get("/login")
        response = self.post("/login", {"username": username, "password": password})
        assert response.status_code == 303, response.text
        return response


def child_form(**overrides: str) -> dict[str, str]:
    """The child form as posted: one guardian on the first row (``gd_0_``); the other rows are not sent,
    as a browser sends them blank."""
    form = {
        "full_name": "Nguyễn Thị Hoa",
        "date_of_birth": "04/03/2018",
        "sex": "female",
        "ethnicity": "Kinh",
        "school_status": "primary",
        "birth_registered": "on",
        "gd_0_full_name": "Nguyễn Văn Bình",
        "gd_0_relationship": "father",
        "gd_0_phone": "0912345678",
        "gd_0_lives_with_child": "on",
        "group": "",
        "group_since": "",
        "address": "",
        "national_id": "",
        "notes": "",
    }
    form.update(overrides)
    return form
