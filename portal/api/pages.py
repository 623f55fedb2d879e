"""The list envelope every list endpoint answers with."""

from __future__ import annotations

from typing import Any


def whole_list(items: list[Any]) -> dict[str, Any]:
    """A list that is never paginated (it is short by nature), in the same envelope as paged lists."""
    return {"items": items, "total": len(items), "page": 1, "page_size": len(items)}
