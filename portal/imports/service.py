"""Register imports: upload (a dry run is queued), follow, re-check with another mapping, apply, the
errors workbook, and the mapping remembered per commune. Never commits.

Casbin's ``import`` resource decides who may import at all (collaborators, and ward officers through
the group); the records scope decides where (their own hamlet or commune); the rows are then checked by
the registry's own rules and written through the caller's scoped session by the worker.
"""

from __future__ import annotations

import hashlib
import logging
import uuid

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize, authorize_action
from infra.after_commit import send_after_commit
from infra.errors import Conflict, FieldError, NotVisible, ValidationFailed
from infra.storage import StorageUnavailable, get_storage
from portal.audit.service import record as audit
from portal.cases.attachments import clean_filename
from portal.imports.access import imports_for, works_in_commune
from portal.imports.columns import bad_mapping_fields
from portal.imports.models import ImportMapping, RegisterImport
from portal.imports.reading import file_format, open_table
from portal.stored_documents import StorageDown
from tenancy.models import Unit

log = logging.getLogger(__name__)
TASK = "tasks.imports.run_import"
_KEYS = "import_objects_written"
MAX_MAPPING = 60


def _commune_of(session: Session, unit: Unit) -> Unit:
    if unit.level == "commune":
        return unit
    parent = session.get(Unit, unit.parent_id) if unit.level == "hamlet" and unit.parent_id else None
    if parent is None or parent.level != "commune":
        raise ValidationFailed(
            [FieldError("unit_id", "must be a commune or one of its hamlets", "not_a_commune")]
        )
    return parent


def check_mapping(mapping: dict[str, str]) -> None:
    if len(mapping) > MAX_MAPPING:
        raise ValidationFailed([FieldError("mapping", f"at most {MAX_MAPPING} headings", "too_many")])
    bad = bad_mapping_fields(mapping)
    if bad:
        raise ValidationFailed(
            [FieldError("mapping", f"unknown field for {', '.join(bad[:5])}", "unknown_code")]
        )


def request_import(
    session: Session,
    caller: Caller,
    unit: Unit,
    filename: str | None,
    data: bytes,
    mapping: dict[str, str],
    dry_run: bool = True,
) -> RegisterImport:
    """Keep the file and queue its dry run (and, with ``dry_run`` false, its apply when the dry run
    finds no error). The file is refused at once when it is not a readable XLSX or CSV register."""
    authorize(caller, "import", "create", unit)
    authorize_action(caller, "child", "create")
    commune = _commune_of(session, unit)
    if unit.level not in ("commune", "hamlet") or (unit.valid_to is not None):
        raise ValidationFailed([FieldError("unit_id", "must be a commune or hamlet in force", "closed")])
    check_mapping(mapping)
    fmt = file_format(data)
    open_table(data, fmt)  # the heading row and the size are checked now: a bad file is a 4xx
    digest = hashlib.sha256(data).hexdigest()
    imp = RegisterImport(
        id=uuid.uuid4(),
        unit_id=unit.id,
        unit_path=unit.path,
        commune_id=commune.id,
        requested_by=caller.user_id,
        filename=clean_filename(filename) or "register",
        file_format=fmt,
        size_bytes=len(data),
        sha256=digest,
        storage_key="",
        mapping=mapping,
        status="queued",
        apply_requested=not dry_run,
        rows_done=0,
        attempts=0,
    )
    imp.storage_key = f"imports/{imp.id}/file.{fmt}"
    try:
        get_storage().put(imp.storage_key, data, "application/octet-stream")
    except StorageUnavailable as exc:
        raise StorageDown("document storage is unavailable: try again later") from exc
    session.info.setdefault(_KEYS, []).append(imp.storage_key)
    session.add(imp)
    session.flush()
    session.refresh(imp, ["created_at"])
    send_after_commit(session, TASK, str(imp.id), caller.user_id)
    audit(
        caller.actor,
        "create",
        "import",
        "allowed",
        resource_ids=[imp.id],
        unit_id=unit.id,
        detail={"size": len(data), "format": fmt, "dry_run": dry_run},
    )
    return imp


def get_import(
    session: Session, caller: Caller, import_id: uuid.UUID, action: str = "read", lock: bool = False
) -> tuple[RegisterImport, Unit]:
    """An import the caller reads, or 404 (existence outside the caller's area does not leak)."""
    authorize_action(caller, "import", "read" if action in ("read", "errors") else action)
    stmt = imports_for(caller).where(RegisterImport.id == import_id)
    row = session.execute(stmt.with_for_update(of=RegisterImport) if lock else stmt).one_or_none()
    if row is None:
        raise NotVisible("import not found", resource="import", action=action, resource_ids=[str(import_id)])
    imp, unit = row
    authorize(caller, "import", "read" if action in ("read", "errors") else action, unit)
    return imp, unit


def recheck_import(
    session: Session, caller: Caller, import_id: uuid.UUID, mapping: dict[str, str], remember: bool
) -> RegisterImport:
    """Check the stored file again with another mapping (and remember it for the commune if asked)."""
    imp, unit = get_import(session, caller, import_id, "create", lock=True)
    check_mapping(mapping)
    if imp.status not in ("checked", "failed"):
        raise Conflict(f"the import is {imp.status}: it can be checked again once its dry run has finished")
    imp.mapping, imp.status, imp.error, imp.rows_done, imp.stage = mapping, "queued", None, 0, None
    if remember:
        commune = session.get(Unit, imp.commune_id)
        assert commune is not None
        put_mapping(session, caller, commune, mapping)
    send_after_commit(session, TASK, str(imp.id), caller.user_id)
    return imp


def apply_import(
    session: Session, caller: Caller, import_id: uuid.UUID, duplicates: str | None
) -> RegisterImport:
    """Queue the apply of a checked import without errors. Suspected duplicates need a decision:
    ``skip`` them or ``import`` them as different children."""
    imp, unit = get_import(session, caller, import_id, "apply", lock=True)
    authorize(caller, "child", "create", unit)
    if imp.status == "applied":
        raise Conflict("the import was applied already")
    if imp.status != "checked" or imp.counts is None:
        raise Conflict(f"the import is {imp.status}: apply it once its dry run has finished")
    if imp.counts.get("errors", 0):
        raise Conflict(f"{imp.counts['errors']} rows have errors: correct the file and import it again")
    if duplicates not in (None, "skip", "import"):
        raise ValidationFailed([FieldError("duplicates", "must be 'skip' or 'import'")])
    if imp.counts.get("suspected", 0) and duplicates is None:
        raise ValidationFailed(
            [
                FieldError(
                    "duplicates",
                    f"{imp.counts['suspected']} rows are suspected duplicates: skip or import them",
                    "required",
                )
            ]
        )
    imp.status, imp.duplicates, imp.rows_done, imp.stage, imp.error = (
        "applying",
        duplicates,
        0,
        "queued",
        None,
    )
    send_after_commit(session, TASK, str(imp.id), caller.user_id)
    return imp


def errors_file(session: Session, caller: Caller, import_id: uuid.UUID) -> tuple[bytes, str]:
    """The dry run's errors workbook (it holds rows of the file: audited as a download)."""
    imp, unit = get_import(session, caller, import_id, "errors")
    if imp.errors_key is None:
        raise Conflict(f"the import is {imp.status}: its errors are listed once the dry run has finished")
    try:
        data = get_storage().get(imp.errors_key)
    except Exception as exc:  # noqa: BLE001 - any storage failure is a 503 here
        raise StorageDown("document storage is unavailable: try again later") from exc
    audit(caller.actor, "download", "import", "allowed", resource_ids=[imp.id], unit_id=unit.id)
    return data, f"loi-nhap-{imp.created_at:%Y%m%d}-{str(imp.id)[:8]}.xlsx"


def get_mapping(session: Session, caller: Caller, commune: Unit) -> dict[str, str]:
    authorize_action(caller, "import", "read")
    if commune.level != "commune" or not works_in_commune(caller, commune):
        raise NotVisible("commune not found", resource="import", action="mapping", unit_id=commune.id)
    found = session.scalar(select(ImportMapping.mapping).where(ImportMapping.commune_id == commune.id))
    return dict(found or {})


def put_mapping(session: Session, caller: Caller, commune: Unit, mapping: dict[str, str]) -> dict[str, str]:
    """Remember the commune's mapping (file heading -> field or ``ignore``); replaces the earlier one."""
    authorize_action(caller, "import", "map")
    if commune.level != "commune" or not works_in_commune(caller, commune):
        raise NotVisible("commune not found", resource="import", action="map", unit_id=commune.id)
    check_mapping(mapping)
    row = session.get(ImportMapping, commune.id)
    if row is None:
        row = ImportMapping(
            commune_id=commune.id, unit_path=commune.path, mapping=mapping, updated_by=caller.user_id
        )
        session.add(row)
    else:
        row.mapping, row.updated_by = mapping, caller.user_id
    session.flush()
    audit(caller.actor, "map", "import", "allowed", unit_id=commune.id, detail={"headings": len(mapping)})
    return mapping


@event.listens_for(Session, "after_commit")
def _keep_objects(session: Session) -> None:
    session.info.pop(_KEYS, None)


@event.listens_for(Session, "after_rollback")
def _remove_objects(session: Session) -> None:
    for key in session.info.pop(_KEYS, []):
        try:
            get_storage().delete(key)
        except StorageUnavailable:
            log.warning("could not remove %s after a rollback", key)
