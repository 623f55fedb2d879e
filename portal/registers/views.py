"""A register record with what hangs from it, as the API and the pages show it: a water point with its
checks, photos and history; a facility with its inspections and history."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from authz.caller import Caller
from portal.inspections.facility_view import facility_inspections
from portal.registers import facilities, water_points
from portal.registers.responses import check_json, event_json, facility_json, photo_json, point_json


def point_detail(session: Session, caller: Caller, point_id: int) -> dict[str, Any]:
    """The point (404 outside the caller's area) with its checks, photos and history, newest first."""
    point, hamlet = water_points.get_point(session, caller, point_id)
    return {
        "point": point_json(point, hamlet),
        "checks": [check_json(c) for c in water_points.checks_of(session, point)],
        "photos": [photo_json(p) for p in water_points.photos_of(session, point)],
        "history": [event_json(e) for e in water_points.history_of(session, water_points.RESOURCE, point.id)],
    }


def facility_detail(session: Session, caller: Caller, facility_id: int) -> dict[str, Any]:
    """The facility (404 outside the caller's area) with its inspections and its history."""
    facility, unit = facilities.get_facility(session, caller, facility_id)
    return {
        "facility": facility_json(facility, unit),
        "inspections": facility_inspections(session, facility.id),
        "history": [
            event_json(e) for e in water_points.history_of(session, facilities.RESOURCE, facility.id)
        ],
    }
