"""The benchmark database every bench script works on: its owner's and the application role's URLs."""

from __future__ import annotations

import os
import sys


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
