"""Reading a DHIS2 ``dataValueSets`` JSON or ADX XML file into plain data values, each with the name of
the place in the file it came from (``dataValues[3].value``, ``group[1].dataValue[2].value``) so that
every refusal names it. XML is parsed with defusedxml (no entities, no external references).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from defusedxml import ElementTree as SafeET  # type: ignore[import-untyped]
from defusedxml.common import DefusedXmlException  # type: ignore[import-untyped]

from infra.errors import FieldError, ValidationFailed
from portal.exchange.export import ADX_NS

MAX_BYTES = 5_000_000
MAX_VALUES = 50_000


@dataclass(frozen=True)
class DataValue:
    where: str  # the value's place in the file, e.g. "dataValues[3]"
    data_set: str | None
    org_unit: str
    period: str
    data_element: str
    combo: str
    value: str


def _text(item: dict[str, Any], key: str, fallback: Any, where: str, errors: list[FieldError]) -> str:
    value = item.get(key, fallback)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        errors.append(FieldError(f"{where}.{key}", "is required", "required"))
        return ""
    return value.strip()


def read_json(raw: bytes) -> list[DataValue]:
    """The data values of a ``dataValueSets`` document; the set's dataSet, period and orgUnit stand for
    a value's own when it has none."""
    try:
        doc = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed([FieldError("file", f"is not JSON: {exc}", "not_json")]) from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("dataValues"), list):
        raise ValidationFailed([FieldError("file", 'must be an object with a "dataValues" list', "shape")])
    items = doc["dataValues"]
    _bound(len(items))
    errors: list[FieldError] = []
    out = []
    top = {k: doc.get(k) for k in ("dataSet", "period", "orgUnit")}
    for i, item in enumerate(items):
        where = f"dataValues[{i}]"
        if not isinstance(item, dict):
            errors.append(FieldError(where, "must be an object", "shape"))
            continue
        out.append(
            DataValue(
                where,
                _text(item, "dataSet", top["dataSet"], where, []) or None,
                _text(item, "orgUnit", top["orgUnit"], where, errors),
                _text(item, "period", top["period"], where, errors),
                _text(item, "dataElement", None, where, errors),
                _text(item, "categoryOptionCombo", None, where, errors),
                _text(item, "value", None, where, errors),
            )
        )
    if errors:
        raise ValidationFailed(errors)
    return out


def read_adx(raw: bytes) -> list[DataValue]:
    """The data values of an ADX document (every ``group``'s ``dataValue``)."""
    try:
        root = SafeET.fromstring(raw)
    except (SafeET.ParseError, DefusedXmlException, ValueError) as exc:
        raise ValidationFailed([FieldError("file", f"is not well-formed XML: {exc}", "not_xml")]) from exc
    if root.tag != f"{{{ADX_NS}}}adx":
        raise ValidationFailed([FieldError("file", f"must be an ADX document ({ADX_NS})", "shape")])
    groups = root.findall(f"{{{ADX_NS}}}group")
    _bound(sum(len(g) for g in groups))
    errors: list[FieldError] = []
    out = []
    for gi, group in enumerate(groups):
        gwhere = f"group[{gi}]"
        attrs = dict(group.attrib)
        org_unit = _text(attrs, "orgUnit", None, gwhere, errors)
        period = _text(attrs, "period", None, gwhere, errors)
        data_set = attrs.get("dataSet")
        for vi, value in enumerate(group.findall(f"{{{ADX_NS}}}dataValue")):
            where = f"{gwhere}.dataValue[{vi}]"
            item = dict(value.attrib)
            out.append(
                DataValue(
                    where,
                    data_set,
                    org_unit,
                    period,
                    _text(item, "dataElement", None, where, errors),
                    _text(item, "categoryOptionCombo", None, where, errors),
                    _text(item, "value", None, where, errors),
                )
            )
    if errors:
        raise ValidationFailed(errors)
    return out


def _bound(count: int) -> None:
    if count > MAX_VALUES:
        raise ValidationFailed([FieldError("file", f"holds more than {MAX_VALUES} values", "too_many")])
    if count == 0:
        raise ValidationFailed([FieldError("file", "holds no data values", "empty")])


def read(fmt: str, raw: bytes) -> list[DataValue]:
    """The data values of a file in ``fmt`` ("json" or "adx")."""
    if len(raw) > MAX_BYTES:
        raise ValidationFailed(
            [FieldError("file", f"is larger than {MAX_BYTES // 1_000_000} MB", "too_large")]
        )
    if fmt == "adx":
        return read_adx(raw)
    if fmt == "json":
        return read_json(raw)
    raise ValidationFailed([FieldError("format", "must be 'json' or 'adx'", "unknown")])
