"""The benchmark database every bench script works on: its owner's and the application role's URLs."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from authz.caller import Caller


def bench_urls(db_url_admin: str, app_role: str) -> tuple[str, str]:
    """The owner's URL and the application role's (RLS applies to it) of a database whose name must
    contain ``bench`` (a script may drop and create it again); both also go to the environment, where
    the portal's settings read them."""
    from sqlalchemy.engine import make_url

    admin = make_url(db_url_admin)
    if "bench" not in (admin.database or ""):
        sys.exit(f"refusing to use database {admin.database!r}: its name must contain 'bench'")
    admin_url = admin.render_as_string(hide_password=False)
    app_url = admin.set(username=app_role, password=None).render_as_string(hide_password=False)
    os.environ["DATABASE_ADMIN_URL"], os.environ["DATABASE_URL"] = admin_url, app_url
    return admin_url, app_url


def tokens_for(user_ids: list[int]) -> dict[int, str]:
    """A live bearer token (one hour) for each account, as a logged-in user has: user id -> token."""
    import hashlib
    import secrets

    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from infra.db import admin_engine

    tokens = {user_id: secrets.token_urlsafe(32) for user_id in user_ids}
    with Session(admin_engine()) as owner, owner.begin():
        owner.execute(
            text(
                "INSERT INTO auth_tokens (token_hash, user_id, expires_at) "
                "VALUES (:digest, :user_id, now() + interval '1 hour')"
            ),
            [
                {"digest": hashlib.sha256(token.encode()).hexdigest(), "user_id": user_id}
                for user_id, token in tokens.items()
            ],
        )
    return tokens


@contextmanager
def as_request(token: str) -> Iterator[tuple[Session, Caller]]:
    """A web request's unit of work, in-process: the token checked in the session's first message (with
    BEGIN and the scope), the audit rows sent with its COMMIT; rolled back if the block raises."""
    from infra import unit_of_work
    from infra.db import new_session
    from portal.auth.service import authenticate
    from tenancy.scope import NO_SCOPE

    with unit_of_work.open_request():
        session = new_session(NO_SCOPE)
        unit_of_work.attach(session)
        caller = authenticate(session, token)
        assert caller is not None, "the token is not live"
        try:
            yield session, caller
        except BaseException:
            unit_of_work.finish(session, commit=False)
            raise
        unit_of_work.finish(session, commit=True)
