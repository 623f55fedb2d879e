"""The case page's forms for what crosses a commune: a referral or transfer named by the receiving
commune's code, a link named by the other case's reference. They resolve what the person typed, then
call the same services as the API (``portal.cases.crossing`` and ``links``)."""

from __future__ import annotations

import uuid

import msgspec
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.errors import FieldError, ValidationFailed
from portal.cases import crossing, links, service
from portal.cases.crossing import SERVICES
from portal.cases.schemas import LinkIn, ReferIn
from portal.registry.move_views import find_communes


class ReferForm(msgspec.Struct, forbid_unknown_fields=True):
    kind: str
    reason: str
    receiver: str
    commune_code: str | None = None
    service_name: str | None = None
    version: int | None = None


class LinkForm(msgspec.Struct, forbid_unknown_fields=True):
    reference: str
    kind: str
    note: str | None = None


def refer(session: Session, caller: Caller, case_id: uuid.UUID, form: ReferForm) -> None:
    to_unit_id = None
    if form.receiver == "commune":
        code = (form.commune_code or "").strip()
        found = find_communes(session, code) if code.isdigit() else []
        unit = found[0] if len(found) == 1 and found[0].code == code else None
        if unit is None:
            raise ValidationFailed([FieldError("commune_code", "no commune with this code", "not_a_commune")])
        to_unit_id = unit.id
    elif form.receiver not in SERVICES:
        raise ValidationFailed([FieldError("receiver", "choose a commune or a service", "required")])
    body = ReferIn(
        kind=form.kind,
        reason=form.reason,
        to_unit_id=to_unit_id,
        service=form.receiver if to_unit_id is None else None,
        service_name=form.service_name,
        version=form.version,
    )
    try:
        crossing.refer(session, caller, case_id, body)
    except ValidationFailed as exc:
        for error in exc.errors:
            error.field = "commune_code" if error.field == "to_unit_id" else error.field
        raise


def link(session: Session, caller: Caller, case_id: uuid.UUID, form: LinkForm) -> None:
    other = service.case_by_reference(session, caller, form.reference)
    if other is None:
        raise ValidationFailed(
            [FieldError("reference", "no case with this reference that you may read", "out_of_scope")]
        )
    links.link(session, caller, case_id, LinkIn(case_id=other, kind=form.kind, note=form.note))
