"""The registers (issue 19): hazardous water points with their checks and photos, and child-assistance
facilities. Each call goes through the register's service with the caller's scoped session."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from litestar import Response, get, patch, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, JSONBody

from infra.errors import FieldError, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.registers import facilities, photos, views, water_points
from portal.registers.responses import (
    CheckOut,
    FacilityDetailOut,
    FacilityOut,
    FacilityPage,
    PhotoOut,
    WaterPointDetailOut,
    WaterPointOut,
    WaterPointPage,
    check_json,
    facility_json,
    photo_json,
    point_json,
)
from portal.registers.schemas import (
    CheckIn,
    FacilityIn,
    FacilityPatch,
    RegisterFilter,
    RemoveIn,
    WaterPointIn,
    WaterPointPatch,
)

WATER = ["water points"]
FACILITIES = ["facilities"]


@dataclass
class PhotoForm:
    """The multipart body of a photo: the file in field ``file``."""

    file: UploadFile | None = None


@get("/api/v1/water-points", sync_to_thread=False, tags=WATER, summary="Water points of the caller's area")
def list_water_points(
    caller: CallerDep,
    db: DbDep,
    unit_id: FromQuery[int | None] = None,
    kind: FromQuery[str | None] = None,
    status: FromQuery[str | None] = None,
) -> WaterPointPage:
    found = water_points.list_points(db, caller, RegisterFilter(unit_id=unit_id, kind=kind, status=status))
    return WaterPointPage.of({"items": [point_json(p, h) for p, h in found.rows], "counts": found.counts})


@post(
    "/api/v1/water-points", sync_to_thread=False, status_code=201, tags=WATER, summary="Record a water point"
)
def post_water_point(data: JSONBody[WaterPointIn], caller: CallerDep, db: DbDep) -> WaterPointOut:
    return WaterPointOut.of(point_json(*water_points.create_point(db, caller, data)))


@get("/api/v1/water-points/{point_id:int}", sync_to_thread=False, tags=WATER)
def read_water_point(point_id: FromPath[int], caller: CallerDep, db: DbDep) -> WaterPointDetailOut:
    return WaterPointDetailOut.of(views.point_detail(db, caller, point_id))


@patch("/api/v1/water-points/{point_id:int}", sync_to_thread=False, tags=WATER)
def patch_water_point(
    point_id: FromPath[int], data: JSONBody[WaterPointPatch], caller: CallerDep, db: DbDep
) -> WaterPointOut:
    return WaterPointOut.of(point_json(*water_points.update_point(db, caller, point_id, data)))


@post("/api/v1/water-points/{point_id:int}/checks", sync_to_thread=False, status_code=201, tags=WATER)
def post_water_point_check(
    point_id: FromPath[int], data: JSONBody[CheckIn], caller: CallerDep, db: DbDep
) -> CheckOut:
    return CheckOut.of(check_json(water_points.add_check(db, caller, point_id, data)))


@post(
    "/api/v1/water-points/{point_id:int}/remove",
    sync_to_thread=False,
    status_code=200,
    tags=WATER,
    summary="Mark a point filled in or gone (it stays in the register)",
)
def post_water_point_remove(
    point_id: FromPath[int], data: JSONBody[RemoveIn], caller: CallerDep, db: DbDep
) -> WaterPointOut:
    return WaterPointOut.of(point_json(*water_points.remove_point(db, caller, point_id, data)))


@post(
    "/api/v1/water-points/{point_id:int}/photos",
    sync_to_thread=True,
    status_code=201,
    tags=WATER,
    request_max_body_size=photos.MAX_BYTES + 512 * 1024,
    summary="Add a photo (JPEG or PNG, at most 5 MB), multipart field 'file'",
)
def post_water_point_photo(
    point_id: FromPath[int],
    caller: CallerDep,
    db: DbDep,
    data: Annotated[PhotoForm, Body(media_type=RequestEncodingType.MULTI_PART)],
) -> PhotoOut:
    upload = data.file
    if upload is None or not upload.filename:
        raise ValidationFailed(
            [FieldError("file", "is required: the photo, as multipart field 'file'", "required")]
        )
    content = upload.file.read(photos.MAX_BYTES + 1)
    return PhotoOut.of(photo_json(photos.upload(db, caller, point_id, upload.content_type, content)))


@get(
    "/api/v1/water-points/{point_id:int}/photos/{photo_id:uuid}",
    sync_to_thread=True,
    tags=WATER,
    summary="A photo (access and checksum checked again)",
)
def read_water_point_photo(
    point_id: FromPath[int], photo_id: FromPath[uuid.UUID], caller: CallerDep, db: DbDep
) -> Response[bytes]:
    content, row = photos.download(db, caller, point_id, photo_id)
    return Response(
        content,
        media_type=row.content_type,
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )


@get("/api/v1/facilities", sync_to_thread=False, tags=FACILITIES, summary="Facilities of the caller's area")
def list_facilities(
    caller: CallerDep,
    db: DbDep,
    unit_id: FromQuery[int | None] = None,
    kind: FromQuery[str | None] = None,
    status: FromQuery[str | None] = None,
) -> FacilityPage:
    found = facilities.list_facilities(db, caller, RegisterFilter(unit_id=unit_id, kind=kind, status=status))
    return FacilityPage.of({"items": [facility_json(f, u) for f, u in found.rows], "counts": found.counts})


@post(
    "/api/v1/facilities", sync_to_thread=False, status_code=201, tags=FACILITIES, summary="Record a facility"
)
def post_facility(data: JSONBody[FacilityIn], caller: CallerDep, db: DbDep) -> FacilityOut:
    return FacilityOut.of(facility_json(*facilities.create_facility(db, caller, data)))


@get("/api/v1/facilities/{facility_id:int}", sync_to_thread=False, tags=FACILITIES)
def read_facility(facility_id: FromPath[int], caller: CallerDep, db: DbDep) -> FacilityDetailOut:
    return FacilityDetailOut.of(views.facility_detail(db, caller, facility_id))


@patch("/api/v1/facilities/{facility_id:int}", sync_to_thread=False, tags=FACILITIES)
def patch_facility(
    facility_id: FromPath[int], data: JSONBody[FacilityPatch], caller: CallerDep, db: DbDep
) -> FacilityOut:
    return FacilityOut.of(facility_json(*facilities.update_facility(db, caller, facility_id, data)))


@post("/api/v1/facilities/{facility_id:int}/close", sync_to_thread=False, status_code=200, tags=FACILITIES)
def post_facility_close(
    facility_id: FromPath[int], data: JSONBody[RemoveIn], caller: CallerDep, db: DbDep
) -> FacilityOut:
    return FacilityOut.of(facility_json(*facilities.close_facility(db, caller, facility_id, data)))


ROUTES = [
    list_water_points,
    post_water_point,
    read_water_point,
    patch_water_point,
    post_water_point_check,
    post_water_point_remove,
    post_water_point_photo,
    read_water_point_photo,
    list_facilities,
    post_facility,
    read_facility,
    patch_facility,
    post_facility_close,
]
