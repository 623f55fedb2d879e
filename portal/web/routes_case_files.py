"""A case's files on its page: attaching a photo, report or scan, downloading it, and printing the forms
of Decree 56/2017 as PDF: the same services, access checks and audit as the API's
(``portal.cases.attachments``, ``portal.cases.forms``)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import quote

from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from infra.errors import FieldError, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.cases import attachments, forms
from portal.web.render import see_other
from portal.web.routes_case_page import case_page_with

MultipartData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


@post(
    "/cases/{case_id:uuid}/attachments",
    sync_to_thread=True,
    include_in_schema=False,
    request_max_body_size=attachments.MAX_BYTES + 512 * 1024,
)
def case_attach(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    case_id: FromPath[uuid.UUID],
    data: MultipartData,
) -> Template | Redirect:
    upload = data.get("file")
    if upload is None or isinstance(upload, str) or not getattr(upload, "filename", ""):
        errors = [FieldError("file", "is required", "required")]
    else:
        content = upload.file.read(attachments.MAX_BYTES + 1)
        try:
            attachments.upload(db, caller, case_id, upload.filename, upload.content_type, content)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return see_other(f"/cases/{case_id}?msg=attached")
    db.rollback()
    return case_page_with(request, db, caller, case_id, "attach", errors, status_code=422)


@get("/cases/{case_id:uuid}/attachments/{attachment_id:uuid}", sync_to_thread=True, include_in_schema=False)
def case_attachment(
    caller: CallerDep, db: DbDep, case_id: FromPath[uuid.UUID], attachment_id: FromPath[uuid.UUID]
) -> Response[bytes]:
    content, row = attachments.download(db, caller, case_id, attachment_id)
    ascii_name = row.filename.encode("ascii", "replace").decode().replace('"', "")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(row.filename)}"
    return Response(content, media_type=row.content_type, headers={"Content-Disposition": disposition})


@get("/cases/{case_id:uuid}/forms/{name:str}", sync_to_thread=True, include_in_schema=False)
def case_form(
    caller: CallerDep, db: DbDep, case_id: FromPath[uuid.UUID], name: FromPath[str]
) -> Response[bytes]:
    """A form of Decree 56/2017 as PDF: the same service, access and audit as the API's."""
    content, filename = forms.form_pdf(db, caller, case_id, name)
    disposition = f'inline; filename="{filename}"'
    return Response(
        content,
        media_type=forms.PDF,
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )


ROUTES = [case_attach, case_attachment, case_form]
