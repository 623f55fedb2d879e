"""Data quality of the registry: the work list, the figures, and the round trip with the commune police
(Project 06): the list exported as XLSX, the police's verified list imported back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath, Parameter
from sqlalchemy.orm import Session

from infra.errors import FieldError, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.registry.police_export import MEDIA_TYPE, police_export
from portal.registry.police_import import police_import
from portal.registry.quality import work_list
from portal.registry.quality_responses import DataQualityOut, PoliceImportOut, WorkListOut
from portal.stats.quality import unit_quality
from tenancy.models import Unit
from tenancy.service import get_unit

TAGS = ["data quality"]
MAX_FILE = 10 * 1024 * 1024


def _unit(db: Session, unit_id: int) -> Unit:
    unit = get_unit(db, unit_id)
    if unit is None:
        raise NotFoundException(f"unit {unit_id} does not exist")
    return unit


@get(
    "/api/v1/units/{unit_id:int}/data-quality",
    sync_to_thread=False,
    tags=TAGS,
    summary="Complete and verified records: exact for the unit's record keepers, else published percentages",
)
def read_data_quality(unit_id: FromPath[int], caller: CallerDep, db: DbDep) -> DataQualityOut:
    return DataQualityOut.of(unit_quality(db, caller, _unit(db, unit_id)))


@get(
    "/api/v1/units/{unit_id:int}/data-quality/work-list",
    sync_to_thread=False,
    tags=TAGS,
    summary="Children with no personal id, an id that does not fit, or basic information missing",
)
def read_work_list(
    unit_id: FromPath[int],
    caller: CallerDep,
    db: DbDep,
    problem: str = Parameter(default="all", description="all, no_id, id_mismatch or missing_info"),
    page: int = Parameter(default=1),
    page_size: int = Parameter(default=50),
) -> WorkListOut:
    return WorkListOut.of(work_list(db, caller, _unit(db, unit_id), problem, page, page_size))


@get(
    "/api/v1/units/{unit_id:int}/data-quality/police-export",
    sync_to_thread=True,
    media_type=MEDIA_TYPE,
    tags=TAGS,
    summary="The work list as the XLSX the commune police verify (synchronous, at most 10,000 rows)",
)
def read_police_export(
    unit_id: FromPath[int],
    caller: CallerDep,
    db: DbDep,
    problem: str = Parameter(default="all", description="all, no_id, id_mismatch or missing_info"),
) -> Response[bytes]:
    filename, content = police_export(db, caller, _unit(db, unit_id), problem)
    return Response(
        content,
        media_type=MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@dataclass
class PoliceImportForm:
    """The police's verified XLSX (``data``), who verified it (``verified_by``), and ``dry_run``."""

    data: UploadFile | None = None
    verified_by: str | None = None
    dry_run: bool = False


@post(
    "/api/v1/units/{unit_id:int}/data-quality/police-import",
    sync_to_thread=True,
    status_code=200,
    tags=TAGS,
    request_max_body_size=MAX_FILE + 512 * 1024,
    summary="Import the police's verified list (multipart: data, verified_by, dry_run); all or nothing",
)
def post_police_import(
    unit_id: FromPath[int],
    caller: CallerDep,
    db: DbDep,
    data: Annotated[PoliceImportForm, Body(media_type=RequestEncodingType.MULTI_PART)],
) -> PoliceImportOut:
    upload = data.data
    if upload is None or not upload.filename:
        raise ValidationFailed(
            [FieldError("data", "is required: the XLSX file, as multipart field 'data'", "required")]
        )
    content = upload.file.read(MAX_FILE + 1)
    if len(content) > MAX_FILE:
        raise ValidationFailed([FieldError("data", "is larger than 10 MB", "too_large")])
    answer = police_import(db, caller, _unit(db, unit_id), content, data.verified_by, data.dry_run)
    return PoliceImportOut.of(answer)


ROUTES = [read_data_quality, read_work_list, read_police_export, post_police_import]
