"""One audit entry per aggregate read (statistics, dashboards, report figures, case counts,
inspection evidence), written by the services that compute the figures so no route can forget it.

A run of differencing queries (the same figures for overlapping units, dates or periods) shows up as
a run of entries whose parameters differ: that is why the parameters are kept. Only the parameters
that shape the figures are written — never personal data, never the figures themselves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from portal.audit.service import record

if TYPE_CHECKING:
    from authz.caller import Caller

Param = str | int | float | bool | date | datetime | None
MAX_TEXT = 64  # a parameter is a code, a date or a period key; anything longer is cut


def _plain(name: str, value: object) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, str):
        return value[:MAX_TEXT]
    raise TypeError(f"aggregate audit parameter {name!r} must be a code, a number or a date")


def audit_aggregate(
    caller: Caller,
    resource: str,
    unit_id: int | None,
    params: Mapping[str, Param],
    *,
    resource_ids: Sequence[object] = (),
) -> None:
    """Record that ``caller`` read aggregate ``resource`` of ``unit_id`` shaped by ``params``.

    The entry is ``action="read"``, ``outcome="allowed"`` like a record read, with
    ``detail={"aggregate": true, "params": {...}}`` so readers of the audit can tell the two apart.
    Call it after the figures were computed (a failed computation is not a read).
    """
    record(
        caller.actor,
        "read",
        resource,
        "allowed",
        resource_ids=resource_ids,
        unit_id=unit_id,
        detail={"aggregate": True, "params": {k: _plain(k, v) for k, v in params.items()}},
    )
