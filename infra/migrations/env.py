"""Alembic environment: migrations run as the owner role (DATABASE_ADMIN_URL).

``target_metadata`` is the application's whole schema, so ``alembic check`` (and
tests/test_schema_agreement.py) fails when the models and the migrated database disagree. This file
is Alembic's script, not a module of the ``infra`` package (infra/migrations has no ``__init__.py``
and nothing imports it): like ``portal.app`` for the web process, it is a composition root, and it
may import ``portal.models``, the one module that imports every model module (mapped classes and the
Core tables that only SQL uses). The ``infra`` library itself never imports ``portal``.

Types and server defaults are compared too. A model column with a server default keeps its Python
default, so an INSERT still sends every value and asks nothing back (RETURNING would need read access,
which row-level security may refuse the writer).
"""

from __future__ import annotations

import warnings
from logging.config import fileConfig

from alembic import context
from sqlalchemy import MetaData, create_engine

import portal.models  # noqa: F401 - registers every table in Base.metadata
from infra.db import Base
from infra.settings import get_settings

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def run_migrations_online() -> None:
    url = config.attributes.get("url") or get_settings().database_admin_url
    # A caller may compare another MetaData (the test that the check can fail passes an altered copy).
    target: MetaData = config.attributes.get("target_metadata", Base.metadata)
    engine = create_engine(url)
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target,
            compare_type=True,
            compare_server_default=True,
            transaction_per_migration=False,
        )
        with context.begin_transaction(), warnings.catch_warnings():
            # SQLAlchemy's reflection of a NOT VALID check constraint (0015) passes it an unknown
            # 'dialect_options' argument; check constraints are not compared anyway.
            warnings.filterwarnings("ignore", message="Can't validate argument 'dialect_options'")
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported")
run_migrations_online()
