"""The registers' answers: each record as a dict of JSON types (``*_json``) and the shapes the API
checks them into (``portal.shapes.Out``). No child data: places, dates, counts and staff names."""

from __future__ import annotations

from typing import Any

from portal.registers.models import Facility, RegisterEvent, WaterPoint, WaterPointCheck, WaterPointPhoto
from portal.shapes import Out, UnitRefOut
from tenancy.models import Unit


def _day(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def point_json(point: WaterPoint, hamlet: Unit) -> dict[str, Any]:
    return {
        "id": point.id,
        "hamlet": hamlet.ref(),
        "kind": point.kind,
        "description": point.description,
        "latitude": None if point.latitude is None else float(point.latitude),
        "longitude": None if point.longitude is None else float(point.longitude),
        "listed_on": point.listed_on.isoformat(),
        "signed": point.signed_on is not None,
        "signed_on": _day(point.signed_on),
        "fenced": point.fenced_on is not None,
        "fenced_on": _day(point.fenced_on),
        "removed_on": _day(point.removed_on),
        "removed_reason": point.removed_reason,
        "version": point.version,
    }


def check_json(check: WaterPointCheck) -> dict[str, Any]:
    return {
        "id": check.id,
        "checked_on": check.checked_on.isoformat(),
        "result": check.result,
        "checked_by": check.checked_by,
    }


def photo_json(photo: WaterPointPhoto) -> dict[str, Any]:
    return {
        "id": str(photo.id),
        "content_type": photo.content_type,
        "size_bytes": photo.size_bytes,
        "sha256": photo.sha256,
        "uploaded_at": photo.uploaded_at.isoformat(),
        "url": f"/api/v1/water-points/{photo.point_id}/photos/{photo.id}",
    }


def event_json(event: RegisterEvent) -> dict[str, Any]:
    return {
        "action": event.action,
        "before": event.before,
        "after": event.after,
        "by": event.actor_username,
        "at": event.at.isoformat(),
    }


def facility_json(facility: Facility, unit: Unit) -> dict[str, Any]:
    return {
        "id": facility.id,
        "unit": unit.ref(),
        "name": facility.name,
        "kind": facility.kind,
        "licence_number": facility.licence_number,
        "licence_date": _day(facility.licence_date),
        "licence_issuer": facility.licence_issuer,
        "capacity": facility.capacity,
        "children_total": facility.children_total,
        "children_girls": facility.children_girls,
        "children_disabled": facility.children_disabled,
        "counted_on": _day(facility.counted_on),
        "address": facility.address,
        "contact": facility.contact,
        "closed_on": _day(facility.closed_on),
        "closed_reason": facility.closed_reason,
        "version": facility.version,
    }


class WaterPointOut(Out):
    id: int
    hamlet: UnitRefOut
    kind: str
    description: str
    latitude: float | None
    longitude: float | None
    listed_on: str
    signed: bool
    signed_on: str | None
    fenced: bool
    fenced_on: str | None
    removed_on: str | None
    removed_reason: str | None
    version: int


class CheckOut(Out):
    id: int
    checked_on: str
    result: str
    checked_by: str


class PhotoOut(Out):
    id: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_at: str
    url: str


class EventOut(Out):
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    by: str | None
    at: str


class WaterPointDetailOut(Out):
    point: WaterPointOut
    checks: list[CheckOut]
    photos: list[PhotoOut]
    history: list[EventOut]


class WaterPointCounts(Out):
    """Today's counts over the filtered area: listed (not removed), signed, fenced, removed."""

    listed: int
    signed: int
    fenced: int
    removed: int


class WaterPointPage(Out):
    items: list[WaterPointOut]
    counts: WaterPointCounts


class FacilityOut(Out):
    id: int
    unit: UnitRefOut
    name: str
    kind: str
    licence_number: str | None
    licence_date: str | None
    licence_issuer: str | None
    capacity: int | None
    children_total: int
    children_girls: int
    children_disabled: int
    counted_on: str | None
    address: str | None
    contact: str | None
    closed_on: str | None
    closed_reason: str | None
    version: int


class FacilityCounts(Out):
    """Open facilities of the filtered area, their capacity and the children in their care."""

    facilities: int
    capacity: int
    children_total: int
    children_girls: int
    children_disabled: int


class FacilityPage(Out):
    items: list[FacilityOut]
    counts: FacilityCounts


class FacilityInspectionOut(Out):
    plan_id: int
    title: str
    status: str
    period_start: str
    period_end: str
    target_id: int
    findings: list[dict[str, Any]]
    recommendations: list[dict[str, Any]]


class FacilityDetailOut(Out):
    facility: FacilityOut
    inspections: list[FacilityInspectionOut]
    history: list[EventOut]
