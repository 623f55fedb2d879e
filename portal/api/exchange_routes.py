"""Exchange with DHIS2: the code mapping (read by anyone who reads reports; written by the administrator,
orgUnits also by a province), approved figures out as dataValueSets JSON or ADX XML, and a period's typed
cells in from either format."""

from __future__ import annotations

from typing import Annotated

from litestar import Response, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter, RawBody

from portal.api.unit_routes import _unit
from portal.boundary.deps import CallerDep, DbDep
from portal.exchange import export, importing, mapping
from portal.exchange.schemas import (
    CellsIn,
    DataSetIn,
    ImportOut,
    MappingOut,
    OrgUnitIn,
    OrgUnitsOut,
    imported_json,
)

TAGS = ["exchange"]


@get("/api/v1/exchange/mapping", sync_to_thread=False, tags=TAGS, summary="DHIS2 codes of reports and cells")
def read_mapping(caller: CallerDep, db: DbDep) -> MappingOut:
    return MappingOut.of(mapping.mapping_json(db, caller))


@put(
    "/api/v1/exchange/mapping/data-sets/{definition:str}",
    sync_to_thread=False,
    tags=TAGS,
    summary="Map a report definition to a DHIS2 dataSet (administrator)",
)
def put_data_set(
    definition: FromPath[str], data: JSONBody[DataSetIn], caller: CallerDep, db: DbDep
) -> MappingOut:
    mapping.set_data_set(db, caller, definition[:32], data.data_set)
    return MappingOut.of(mapping.mapping_json(db, caller))


@put(
    "/api/v1/exchange/mapping/cells",
    sync_to_thread=False,
    tags=TAGS,
    summary="Map indicator cells to DHIS2 dataElement and categoryOptionCombo codes (administrator)",
)
def put_cells(data: JSONBody[CellsIn], caller: CallerDep, db: DbDep) -> MappingOut:
    rows = {
        (c.indicator, c.cell): (c.data_element, c.category_option_combo)
        if c.data_element and c.category_option_combo
        else None
        for c in data.cells
    }
    mapping.set_cells(db, caller, rows)
    return MappingOut.of(mapping.mapping_json(db, caller))


@get("/api/v1/units/{unit_id:int}/dhis2", sync_to_thread=False, tags=TAGS, summary="orgUnit codes of a unit")
def read_org_units(unit_id: FromPath[int], caller: CallerDep, db: DbDep) -> OrgUnitsOut:
    return OrgUnitsOut.of(mapping.org_units_json(db, caller, _unit(db, unit_id)))


@put(
    "/api/v1/units/{unit_id:int}/dhis2",
    sync_to_thread=False,
    tags=TAGS,
    summary="Set a unit's DHIS2 orgUnit code (administrator; provincial inspector in the province)",
)
def put_org_unit(
    unit_id: FromPath[int], data: JSONBody[OrgUnitIn], caller: CallerDep, db: DbDep
) -> OrgUnitsOut:
    unit = _unit(db, unit_id)
    mapping.set_org_unit(db, caller, unit, data.org_unit)
    return OrgUnitsOut.of(mapping.org_units_json(db, caller, unit))


@get(
    "/api/v1/exchange/export",
    sync_to_thread=False,
    tags=TAGS,
    summary="Approved figures of a unit (and below) for a period, as DHIS2 dataValueSets JSON or ADX XML",
)
def read_export(
    caller: CallerDep,
    db: DbDep,
    unit_id: Annotated[int, QueryParameter(ge=1)],
    definition: Annotated[str, QueryParameter(max_length=32)],
    period: Annotated[str, QueryParameter(max_length=16)],
    format: Annotated[str, QueryParameter(pattern="^(json|adx)$")] = "json",
    children: FromQuery[bool] = False,
) -> Response[bytes]:
    collected = export.collect(db, caller, unit_id, definition, period, children)
    data, media_type, filename = export.render(collected, format)
    return Response(
        data,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
            "X-Exchange-Values": str(collected.values),
            "X-Exchange-Hidden": str(collected.hidden),
            "X-Exchange-Unmapped-Units": str(len(collected.unmapped_units)),
        },
    )


@post(
    "/api/v1/exchange/import",
    sync_to_thread=False,
    tags=TAGS,
    summary="Import a period's typed cells from DHIS2 dataValueSets JSON or ADX XML into drafts",
)
def post_import(
    caller: CallerDep,
    db: DbDep,
    body: RawBody,
    format: Annotated[str, QueryParameter(pattern="^(json|adx)$")] = "json",
) -> ImportOut:
    return ImportOut.of(imported_json(importing.import_file(db, caller, format, body)))


ROUTES = [read_mapping, put_data_set, put_cells, read_org_units, put_org_unit, read_export, post_import]
