"""How a caller reads statistics of a unit: exact and live, or published through the disclosure policy.

The unit's record keepers (the unit lies in their records scope) read exact counts; everyone else
whose aggregate scope covers it reads month ends through :mod:`portal.stats.disclosure`. Casbin and
the aggregate scope decide beforehand whether they read the unit at all (``authorize``).
"""

from __future__ import annotations

from authz.caller import Caller
from tenancy.models import Unit
from tenancy.scope import in_subtree


def keeps_records(caller: Caller, unit: Unit) -> bool:
    """Does the caller keep ``unit``'s records: may they record children there, and do they read its
    statistics, report figures and dashboards exact (everyone else reads them published)?"""
    return in_subtree(unit.path, caller.scope.records)
