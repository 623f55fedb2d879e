"""Row-level security in PostgreSQL itself: queries that forget the scope filter still leak nothing."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, ProgrammingError

from infra.db import new_session, scoped_session
from tenancy.scope import NO_SCOPE, Scope
from tests.support import hamlets_of, unit


def _count(session, table="children"):
    return session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # no WHERE on purpose


def _owner_count(owner, path, table="children"):
    if table == "children":
        sql = "SELECT count(*) FROM children WHERE unit_path LIKE :p"
    else:
        sql = f"SELECT count(*) FROM {table} t JOIN children c ON c.id = t.child_id WHERE c.unit_path LIKE :p"
    return owner.execute(text(sql), {"p": path + "%"}).scalar_one()


@pytest.mark.parametrize("table", ["children", "guardians", "child_periods", "child_history"])
def test_unfiltered_query_sees_only_the_scope(owner, table):
    hamlet = hamlets_of(owner, unit(owner, "commune", "00340"))[0]
    with scoped_session(Scope(records=hamlet.path, aggregates=hamlet.path)) as session:
        seen = _count(session, table)
    assert seen == _owner_count(owner, hamlet.path, table)
    assert 0 < seen < _count(owner, table)


def test_no_scope_sees_nothing_and_aggregate_scope_sees_no_rows(owner):
    with scoped_session(NO_SCOPE) as session:
        assert _count(session) == 0
    province = unit(owner, "province", "01")
    with scoped_session(Scope(records=None, aggregates=province.path)) as session:
        assert _count(session) == 0  # an inspector's transaction cannot read a single child row
        total = session.execute(
            text("SELECT n FROM child_stats(:p, current_date) WHERE dimension = 'total'"),
            {"p": province.path},
        ).scalar_one()
    assert total > 0


def test_stats_function_refuses_a_unit_outside_the_aggregate_scope(owner):
    district = unit(owner, "district", "008")
    other = unit(owner, "district", "004")
    with pytest.raises(ProgrammingError, match="outside the caller"):
        with scoped_session(Scope(records=None, aggregates=district.path)) as session:
            session.execute(text("SELECT * FROM child_stats(:p, current_date)"), {"p": other.path}).all()


def test_scope_does_not_leak_through_the_connection_pool(owner):
    hamlet = hamlets_of(owner, unit(owner, "commune", "00340"))[0]
    with scoped_session(Scope(records=hamlet.path, aggregates=None)) as session:
        assert _count(session) > 0
        session.commit()
        assert _count(session) > 0  # set again for the next transaction of the same session
    for _ in range(5):  # whichever pooled connection comes next has no scope
        with scoped_session(NO_SCOPE) as session:
            assert _count(session) == 0
    session = new_session(None)
    try:
        assert session.execute(text("SELECT current_setting('app.scope', true)")).scalar_one() in ("", None)
    finally:
        session.close()


def test_insert_outside_the_scope_is_refused_by_the_database(owner):
    ward = unit(owner, "commune", "00340")
    mine, other = hamlets_of(owner, ward)[:2]
    with pytest.raises(DBAPIError, match="row-level security"):
        with scoped_session(Scope(records=mine.path, aggregates=None)) as session:
            session.execute(
                text(
                    "INSERT INTO children (id, hamlet_id, unit_path, full_name, search_name, sort_name, date_of_birth,"
                    " sex, ethnicity, school_status) VALUES (:id, :h, :p, 'X', 'x', 'x', '2020-01-01', 'male', 'Kinh',"
                    " 'unknown')"
                ),
                {"id": uuid.uuid4(), "h": other.id, "p": mine.path},
            )  # lies about the path


def test_moving_a_child_out_of_scope_is_refused(owner):
    ward = unit(owner, "commune", "00340")
    mine, _ = hamlets_of(owner, ward)[:2]
    other_ward_hamlet = hamlets_of(owner, unit(owner, "commune", "00139"))[0]
    child_id = owner.execute(
        text("SELECT id FROM children WHERE hamlet_id = :h LIMIT 1"), {"h": mine.id}
    ).scalar_one()
    with pytest.raises(DBAPIError, match="row-level security"):
        with scoped_session(Scope(records=mine.path, aggregates=None)) as session:
            session.execute(
                text("UPDATE children SET hamlet_id = :h WHERE id = :id"),
                {"h": other_ward_hamlet.id, "id": child_id},
            )


def test_application_role_cannot_read_audit_or_rewrite_history(owner):
    hamlet = hamlets_of(owner, unit(owner, "commune", "00340"))[0]
    for statement in (
        "SELECT count(*) FROM audit_log",
        "DELETE FROM child_history",
        "UPDATE child_history SET after = '{}'::jsonb",
    ):
        with pytest.raises(ProgrammingError, match="permission denied"):
            with scoped_session(Scope(records=hamlet.path, aggregates=None)) as session:
                session.execute(text(statement))


def test_application_role_does_not_bypass_rls():
    from portal.app import check_app_role

    check_app_role()  # raises if DATABASE_URL is a superuser, BYPASSRLS or owner role
    with scoped_session(NO_SCOPE) as session:
        row = session.execute(
            text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        ).one()
    assert tuple(row) == (False, False)
