"""Duplicate records on the pages (no browser), in Vietnamese: the new-child and edit forms answer 409 with
the suspects and a "different child" box; the ward officer's list of suspected pairs, "a different
child", the merge confirmation with both records side by side, the merge and its undo."""

from __future__ import annotations

import html
import re
import uuid
from datetime import date
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import text

from portal.app import create_app
from portal.registry.models import Child, Guardian
from portal.registry.text import fold, sort_key
from tests.e2e.site import Browser, child_form, web_tree


@pytest.fixture(scope="module")
def app(database: object) -> object:
    return create_app()


@pytest.fixture()
def world(owner) -> dict[str, Any]:
    return web_tree(owner)


@pytest.fixture()
def login(app, world):
    def make(who: str) -> Browser:
        b = Browser(TestClient(app=app, base_url="http://testserver.local"))
        b.login(world["users"][who])
        return b

    return make


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", page))


def _typed_elsewhere(owner, hamlet: Any, name: str) -> str:
    """The same child recorded in the commune's other hamlet (as another collaborator would have)."""
    child = Child(
        id=uuid.uuid4(),
        hamlet_id=hamlet.id,
        unit_path=hamlet.path,
        full_name=name,
        search_name=fold(name),
        sort_name=sort_key(name),
        date_of_birth=date(2018, 3, 4),
        sex="female",
        ethnicity="Kinh",
        school_status="primary",
        status="active",
        guardians=[Guardian(full_name="Nguyễn Văn Bình", relationship="father")],
        periods=[],
    )
    owner.add(child)
    owner.commit()
    return str(child.id)


def _new_id(response) -> str:
    assert response.status_code == 303, response.text
    return response.headers["location"].split("/")[2].split("?")[0]


def test_the_new_child_form_shows_the_suspects_and_takes_a_different_child(login, world, owner):
    collab = login("collab")
    name = f"Nguyễn Thị Hoa {world['tag']}"
    collab.get("/children/new")
    first = _new_id(
        collab.post("/children/new", child_form(full_name=name, hamlet_id=str(world["hamlet"].id)))
    )
    again = collab.post(
        "/children/new", child_form(full_name=fold(name).upper(), hamlet_id=str(world["hamlet"].id))
    )
    assert again.status_code == 409, again.text
    page = _text(again.text)
    assert "Trẻ em này có thể đã được ghi nhận" in page and f'href="/children/{first}"' in page
    assert f'name="not_duplicate_of" value="{first}"' in page
    count = "SELECT count(*) FROM children WHERE search_name = :n"
    assert owner.execute(text(count), {"n": fold(name)}).scalar_one() == 1
    confirmed = collab.post(
        "/children/new",
        child_form(full_name=name, hamlet_id=str(world["hamlet"].id), not_duplicate_of=first),
    )
    second = _new_id(confirmed)
    assert owner.execute(text(count), {"n": fold(name)}).scalar_one() == 2
    # the edit form: turning another record into the same child is shown the same way
    collab.get(f"/children/{second}")
    other = _new_id(
        collab.post(
            "/children/new",
            child_form(full_name=f"Lê Văn Khác {world['tag']}", hamlet_id=str(world["hamlet"].id)),
        )
    )
    page = collab.get(f"/children/{other}")
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version is not None
    edit = collab.post(
        f"/children/{other}", child_form(full_name=name, status="active", version=version.group(1))
    )
    assert edit.status_code == 409 and "Trẻ em này có thể đã được ghi nhận" in _text(edit.text)
    assert first in edit.text and second in edit.text


def test_the_ward_officer_merges_from_the_list_and_undoes_it(login, world, owner):
    collab, officer = login("collab"), login("officer")
    name = f"Phạm Thị Lan {world['tag']}"
    collab.get("/children/new")
    kept = _new_id(
        collab.post("/children/new", child_form(full_name=name, hamlet_id=str(world["hamlet"].id)))
    )
    absorbed = _typed_elsewhere(owner, world["hamlet2"], name)
    listed = officer.get("/duplicates")
    assert listed.status_code == 200
    assert f"/children/{kept}/merge?other={absorbed}" in html.unescape(listed.text)
    confirm = officer.get(f"/children/{kept}/merge?other={absorbed}")
    assert confirm.status_code == 200
    page = _text(confirm.text)
    assert "Gộp hai hồ sơ" in page and page.count(name) >= 2 and world["hamlet2"].name in page
    merged = officer.post(f"/children/{kept}/merge", {"absorbed_id": absorbed})
    assert merged.status_code == 303, merged.text
    merge_page = officer.get(merged.headers["location"])
    assert "Đã gộp hai hồ sơ." in _text(merge_page.text)
    status = "SELECT status FROM children WHERE id = :i"
    assert owner.execute(text(status), {"i": absorbed}).scalar_one() == "merged"
    assert name not in _text(officer.get("/duplicates").text)
    history = _text(officer.get(f"/children/{kept}/history").text)
    assert "Một hồ sơ khác của cùng trẻ đã được gộp vào hồ sơ này" in history
    assert "Đã gộp vào một hồ sơ khác của cùng trẻ" in _text(
        officer.get(f"/children/{absorbed}/history").text
    )
    absorbed_page = officer.get(f"/children/{absorbed}")
    assert (
        "Đã gộp vào hồ sơ khác" in _text(absorbed_page.text)
        and f'href="/children/{kept}"' in absorbed_page.text
    )
    merge_id = merged.headers["location"].split("/")[2].split("?")[0]
    undone = officer.post(f"/merges/{merge_id}/undo")
    assert undone.status_code == 303, undone.text
    assert "Đã hoàn tác việc gộp" in _text(officer.get(undone.headers["location"]).text)
    assert owner.execute(text(status), {"i": absorbed}).scalar_one() == "active"
    # a second undo is refused plainly, and the collaborator has no list
    again = officer.post(f"/merges/{merge_id}/undo")
    assert again.status_code == 409 and "Không thể hoàn tác" in _text(again.text)
    assert collab.get("/duplicates").status_code == 403
    # "a different child": the pair leaves the list
    assert name in _text(officer.get("/duplicates").text)
    distinct = officer.post("/duplicates/distinct", {"child_id": kept, "other_id": absorbed})
    assert distinct.status_code == 303
    assert name not in _text(officer.get("/duplicates").text)


def test_another_communes_officer_sees_no_pair_and_cannot_merge(login, world, owner):
    collab, stranger = login("collab"), login("other_officer")
    name = f"Vũ Thị Mơ {world['tag']}"
    collab.get("/children/new")
    kept = _new_id(
        collab.post("/children/new", child_form(full_name=name, hamlet_id=str(world["hamlet"].id)))
    )
    absorbed = _typed_elsewhere(owner, world["hamlet2"], name)
    assert name not in _text(stranger.get("/duplicates").text)
    assert stranger.get(f"/children/{kept}/merge?other={absorbed}").status_code == 404
    stranger.get("/duplicates")
    assert stranger.post(f"/children/{kept}/merge", {"absorbed_id": absorbed}).status_code == 404
    assert (
        owner.execute(text("SELECT status FROM children WHERE id = :i"), {"i": absorbed}).scalar_one()
        == "active"
    )
