"""The one list envelope of the API: ``{"items": [...], "total": n, "page": p, "page_size": s}``.

Every list endpoint answers a ``Page[ItemOut]`` so the OpenAPI document names the item type. Paged
lists take ``page`` (from 1) and ``page_size`` (1-100, checked at the input boundary and again by the
service); the service returns an object with ``items``, ``total``, ``page`` and ``page_size`` (a
``Paged``), and the handler turns it into a page of response structs::

    @get("/api/v1/things")
    def list_things(caller: CallerDep, db: DbDep, page: int = 1, page_size: int = 20) -> Page[ThingOut]:
        return Page.of(service.list_things(db, caller, page, page_size), thing_out)

A list that is short by nature is never paged but keeps the envelope: ``Page.whole(items)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, Protocol, TypeVar

import msgspec

T = TypeVar("T")


class Paged(Protocol):
    """What a service's paged result offers (e.g. ``portal.registry.service.Page``)."""

    @property
    def items(self) -> Sequence[Any]: ...
    @property
    def total(self) -> int: ...
    @property
    def page(self) -> int: ...
    @property
    def page_size(self) -> int: ...


class Page(msgspec.Struct, Generic[T]):
    """One page of a list: the items, how many there are in all, and which page this is."""

    items: list[T]
    total: int
    page: int
    page_size: int

    @classmethod
    def of(cls, result: Paged, item: Callable[[Any], T]) -> Page[T]:
        """The service's page, each item made into its response struct by ``item``."""
        return cls([item(x) for x in result.items], result.total, result.page, result.page_size)

    @classmethod
    def whole(cls, items: list[T]) -> Page[T]:
        """A list that is never paginated (it is short by nature), in the same envelope."""
        return cls(items, len(items), 1, len(items))
