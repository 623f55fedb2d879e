"""Accent- and case-insensitive matching of staff names in SQL ("nguyen" finds "Nguyễn").

Accounts carry no folded search column (the users table belongs to auth), so the name is folded in
the query with PostgreSQL's ``unaccent`` (created by migration 0008): it turns every Vietnamese letter
into its base letter (đ into d), which ``ILIKE`` then compares without regard to case.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, SQLColumnExpression, func


def folded(column: SQLColumnExpression[str]) -> ColumnElement[str]:
    return func.unaccent(column)
