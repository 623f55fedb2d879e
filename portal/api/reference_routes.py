"""Reference data: special-circumstance groups and sub-groups, risks, supports (with legal basis)."""

from __future__ import annotations

from typing import Any

from litestar import get

from portal.boundary.deps import CallerDep, DbDep
from portal.registry.national_id import ID_PROVINCES
from portal.registry.reference import ETHNICITIES, RELATIONSHIPS, SCHOOL_STATUSES, stored_codes
from portal.registry.responses import ReferenceOut


@get("/api/v1/reference", sync_to_thread=False, tags=["reference"], summary="Codes used in child records")
def read_reference(caller: CallerDep, db: DbDep) -> ReferenceOut:
    codes: dict[str, list[dict[str, Any]]] = {}
    for ref in stored_codes(db):
        codes.setdefault(ref.kind, []).append(
            {
                "code": ref.code,
                "parent_code": ref.parent_code,
                "name_vi": ref.name_vi,
                "name_en": ref.name_en,
                "legal_basis": ref.legal_basis,
            }
        )
    return ReferenceOut.of(
        {
            **codes,
            "ethnicities": ETHNICITIES,
            "school_statuses": list(SCHOOL_STATUSES),
            "relationships": list(RELATIONSHIPS),
            "birth_provinces": [
                {
                    "code": p.code,
                    "name": p.name,
                    "province_2025_code": p.province_2025_code,
                    "province_2025_name": p.province_2025_name,
                }
                for p in ID_PROVINCES.values()
            ],
        }
    )
