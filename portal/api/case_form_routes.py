"""The forms of Decree 56/2017/NĐ-CP on a case: recording the detailed assessment (form 03) and printing
forms 01-07 as PDF (``portal.cases.forms``). Form 06 is recorded by the review (``POST .../reviews``)."""

from __future__ import annotations

import uuid

from litestar import Response, get, post
from litestar.params import FromPath, JSONBody

from portal.boundary.deps import CallerDep, DbDep
from portal.cases import detailed, forms
from portal.cases.access import get_case
from portal.cases.responses import CaseOut
from portal.cases.schemas import DetailedAssessmentIn
from portal.cases.view import case_json

TAGS = ["cases"]


@post(
    "/api/v1/cases/{case_id:uuid}/detailed-assessment",
    sync_to_thread=False,
    status_code=200,
    tags=TAGS,
    summary="Record the detailed assessment (form 03): the child's state, family, caregivers, needs",
    description=(
        "After the initial assessment and before the plan goes for approval (status `assessed`), or while "
        "the plan runs (`in_progress`) when a review needs it; each recording is kept, the newest current."
    ),
)
def post_detailed_assessment(
    case_id: FromPath[uuid.UUID], data: JSONBody[DetailedAssessmentIn], caller: CallerDep, db: DbDep
) -> CaseOut:
    detailed.record(db, caller, case_id, data)
    return CaseOut.of(case_json(db, caller, get_case(db, caller, case_id, "read")))


@get(
    "/api/v1/cases/{case_id:uuid}/forms/{name:str}",
    sync_to_thread=True,
    tags=TAGS,
    summary="A form of Decree 56/2017 as PDF: 01.pdf to 07.pdf (audited as an export of the case)",
    description=(
        "For whoever may read the case. 409 with `missing` (the step) while the form's step has not "
        "happened; 404 for another name. The informant is printed on form 01 for the commune's ward "
        "officer only, and never when anonymous."
    ),
)
def read_form_pdf(
    case_id: FromPath[uuid.UUID], name: FromPath[str], caller: CallerDep, db: DbDep
) -> Response[bytes]:
    content, filename = forms.form_pdf(db, caller, case_id, name)
    return Response(
        content,
        media_type=forms.PDF,
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


ROUTES = [post_detailed_assessment, read_form_pdf]
