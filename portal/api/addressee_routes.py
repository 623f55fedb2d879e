"""Recommendations' addressees outside the unit tree (departments, People's Committees), kept by an
administrator or a province, and the addressee's reply as the issuing side records it."""

from __future__ import annotations

import msgspec
from litestar import get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from portal.boundary.deps import CallerDep, DbDep
from portal.boundary.pagination import Page
from portal.inspections import addressees, followup, replies
from portal.inspections.models import Addressee
from portal.inspections.responses import RecommendationOut
from portal.inspections.schemas import AddresseeIn, AddresseePatch, ReplyIn
from portal.reports.responses import UnitRef
from tenancy.models import Unit

TAGS = ["inspections"]


class AddresseeOut(msgspec.Struct, forbid_unknown_fields=True):
    id: int
    kind: str
    name: str
    active: bool
    unit: UnitRef

    @classmethod
    def of(cls, addressee: Addressee, unit: Unit) -> AddresseeOut:
        ref = UnitRef(id=unit.id, code=unit.code, name=unit.name, level=unit.level, path=unit.path)
        return cls(addressee.id, addressee.kind, addressee.name, addressee.active, ref)


@post(
    "/api/v1/recommendation-addressees",
    sync_to_thread=False,
    status_code=201,
    tags=TAGS,
    summary="A department or People's Committee that recommendations may be addressed to",
)
def post_addressee(data: JSONBody[AddresseeIn], caller: CallerDep, db: DbDep) -> AddresseeOut:
    return AddresseeOut.of(*addressees.create_addressee(db, caller, data))


@get("/api/v1/recommendation-addressees", sync_to_thread=False, tags=TAGS, summary="Addressees of your area")
def list_addressees(
    caller: CallerDep, db: DbDep, active: FromQuery[bool | None] = None
) -> Page[AddresseeOut]:
    rows = addressees.list_addressees(db, caller, active_only=bool(active))
    return Page.whole([AddresseeOut.of(a, u) for a, u in rows])


@patch("/api/v1/recommendation-addressees/{addressee_id:int}", sync_to_thread=False, tags=TAGS)
def patch_addressee(
    addressee_id: FromPath[int], data: JSONBody[AddresseePatch], caller: CallerDep, db: DbDep
) -> AddresseeOut:
    return AddresseeOut.of(*addressees.update_addressee(db, caller, addressee_id, data))


@post(
    "/api/v1/recommendations/{rec_id:int}/reply",
    sync_to_thread=False,
    status_code=200,
    tags=TAGS,
    summary="Record the reply of an addressee outside the tree (the issuing side)",
)
def post_reply(
    rec_id: FromPath[int], data: JSONBody[ReplyIn], caller: CallerDep, db: DbDep
) -> RecommendationOut:
    rec = replies.record_reply(db, caller, rec_id, data)
    return msgspec.convert(followup.recommendation_json(db, rec), RecommendationOut)


ROUTES = [post_addressee, list_addressees, patch_addressee, post_reply]
