"""The administrator's audit reader (/admin/audit) through the real app: entries filtered by account,
outcome, action, days and unit subtree, paged; no child's name or id on the page; every other role gets
the 403 page and its refusal is audited; bad filters get a 422 page naming the field; the reading itself
is audited; and the database function refuses any account whose own role is not admin, whatever scope
the session carries."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from infra.db import new_session
from tenancy.scope import Scope
from tests.support import make_user


@pytest.fixture()
def admin(owner: Any, tree: dict[str, Any]) -> str:
    return str(make_user(owner, f"audit-admin-{tree['tag']}", "admin", None).username)


def _main(html: str) -> str:
    main = html[html.index("<main") :]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def _rows(html: str) -> int:
    return len(re.findall(r"<tr data-entry=", html))


def test_an_admin_reads_who_did_what_without_any_child_named(
    tree: dict[str, Any], login: Any, browser: Any, admin: str
) -> None:
    child = tree["children"][0]
    officer = login("officer")
    assert officer.get(f"/children/{child.id}").status_code == 200  # a read, audited with the child's id
    inspector = login("inspector")
    assert inspector.get("/children").status_code == 403  # a refusal, audited

    reader = browser(admin)
    page = reader.get(f"/admin/audit?actor={tree['users']['officer']}")
    assert page.status_code == 200, page.text
    text_shown = _main(page.text)
    assert "Xem hồ sơ" in text_shown and tree["commune"].name in text_shown
    assert child.full_name not in page.text and str(child.id) not in page.text
    assert _rows(page.text) >= 1

    refused = reader.get(f"/admin/audit?actor={tree['users']['inspector']}&outcome=denied")
    assert refused.status_code == 200
    assert "Bị từ chối" in _main(refused.text) and "(403)" in refused.text
    assert (
        reader.get(f"/admin/audit?actor={tree['users']['inspector']}&outcome=allowed&action=list").status_code
        == 200
    )


def test_the_unit_subtree_keeps_other_units_out(
    tree: dict[str, Any], login: Any, browser: Any, admin: str
) -> None:
    login("officer").get(f"/children/{tree['children'][0].id}")
    reader = browser(admin)
    actor = tree["users"]["officer"]
    own = reader.get(f"/admin/audit?actor={actor}&unit={tree['commune'].id}")
    province = reader.get(f"/admin/audit?actor={actor}&unit={tree['province'].id}")
    sibling = reader.get(f"/admin/audit?actor={actor}&unit={tree['other'].id}")
    assert _rows(own.text) >= 1 and _rows(province.text) == _rows(own.text)
    assert _rows(sibling.text) == 0 and "Không có lượt truy cập nào" in _main(sibling.text)
    assert reader.get("/admin/audit?unit=999999999").status_code == 404


def test_pages_of_fifty_newest_first(owner: Any, tree: dict[str, Any], browser: Any, admin: str) -> None:
    who = f"paged-{tree['tag']}"
    for n in range(55):
        owner.execute(
            text(
                "INSERT INTO audit_log (at, username, role, action, resource, outcome, unit_id) "
                "VALUES (now() - make_interval(secs => :n), :who, 'collaborator', 'list', 'child', "
                "'allowed', :unit)"
            ),
            {"n": n, "who": who, "unit": tree["hamlet"].id},
        )
    owner.commit()
    reader = browser(admin)
    first = reader.get(f"/admin/audit?actor={who}")
    assert _rows(first.text) == 50 and "Số mục tìm thấy: 55" in _main(first.text)
    second = reader.get(f"/admin/audit?actor={who}&page=2")
    assert _rows(second.text) == 5
    ids = [int(i) for i in re.findall(r'data-entry="(\d+)"', first.text + second.text)]
    assert ids == sorted(ids) and len(set(ids)) == 55  # inserted newest first: the newest has the lowest id


@pytest.mark.parametrize("who", ["officer", "collab", "inspector", "chair", "hotline"])
def test_every_other_role_is_refused_and_the_refusal_audited(
    owner: Any, tree: dict[str, Any], login: Any, who: str
) -> None:
    page = login(who).get(f"/admin/audit?unit={tree['commune'].id}")
    assert page.status_code == 403
    assert "Bạn không có quyền xem trang này." in page.text
    refused = owner.execute(
        text(
            "SELECT count(*) FROM audit_log WHERE username = :u AND resource = 'audit' AND outcome = 'denied'"
        ),
        {"u": tree["users"][who]},
    ).scalar_one()
    assert refused == 1


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("from=31/02/2026", "from", "không có ngày này"),
        ("outcome=maybe", "outcome", None),
        ("action=DROP%20TABLE", "action", None),
        ("unit=abc", "unit", None),
        ("actor=a%20b", "actor", None),
    ],
)
def test_bad_filters_get_a_page_naming_the_field(
    tree: dict[str, Any], browser: Any, admin: str, query: str, field: str, words: str | None
) -> None:
    page = browser(admin).get(f"/admin/audit?{query}")
    assert page.status_code == 422, page.text
    assert f'id="{field}-error"' in page.text
    if words:
        assert words in page.text
    assert "<tr data-entry=" not in page.text


def test_a_page_out_of_range_is_refused_at_the_boundary(
    tree: dict[str, Any], browser: Any, admin: str
) -> None:
    page = browser(admin).get("/admin/audit?page=0")
    assert page.status_code == 422 and 'role="alert"' in page.text and "<tr data-entry=" not in page.text


def test_the_reading_is_audited(owner: Any, tree: dict[str, Any], browser: Any, admin: str) -> None:
    browser(admin).get("/admin/audit?outcome=denied")
    detail = owner.execute(
        text(
            "SELECT detail FROM audit_log WHERE username = :u AND resource = 'audit' AND action = 'read' "
            "AND outcome = 'allowed'"
        ),
        {"u": admin},
    ).scalar_one()
    assert detail["outcome"] == "denied" and detail["actor"] is False


def test_the_database_answers_only_an_administrator(owner: Any, tree: dict[str, Any], admin: str) -> None:
    rows = owner.execute(
        text("SELECT username, id FROM users WHERE username LIKE :t"), {"t": f"%{tree['tag']}"}
    )
    ids = {r[0]: r[1] for r in rows}
    query = text(
        "SELECT count(*) FROM audit_entries('/', current_date, current_date, NULL, NULL, NULL, 50, 0)"
    )
    # A forged whole-tree scope does not make a provincial inspector or a ward officer an administrator.
    for who in ("inspector", "officer"):
        session = new_session(Scope("/", "/"), ids[tree["users"][who]])
        try:
            with pytest.raises(DBAPIError, match="administrators only"):
                session.execute(query).scalar()
        finally:
            session.rollback()
            session.close()
    # An administrator's scope narrowed to a province cannot read the whole tree.
    session = new_session(Scope(None, tree["province"].path), ids[admin])
    try:
        with pytest.raises(DBAPIError, match="administrators only"):
            session.execute(query).scalar()
    finally:
        session.rollback()
        session.close()
    session = new_session(Scope(None, "/"), ids[admin])
    try:
        assert session.execute(query).scalar() >= 0
    finally:
        session.rollback()
        session.close()
