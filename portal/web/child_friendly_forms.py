"""The child-friendly assessment page's inputs: the entered indicators as form fields, read back into the
service's values; the service's field names turned into the inputs they belong to."""

from __future__ import annotations

from typing import Any

from infra.errors import FieldError
from portal.childfriendly.criteria import Indicator, load

SEP = "__"
NUMBERS = {
    "count_max": ("count",),
    "rate_min": ("numerator", "denominator"),
    "rate_max": ("numerator", "denominator"),
}


def entered() -> list[Indicator]:
    return [i for i in load().indicators.values() if not i.computed]


def form_values(values: dict[str, dict[str, Any]]) -> dict[str, str]:
    """The stored values as the form shows them."""
    out: dict[str, str] = {}
    for ind in entered():
        value = values.get(ind.code) or {}
        flag = value.get("flag")
        out[f"{ind.code}{SEP}flag"] = "" if flag is None else ("yes" if flag else "no")
        for key in ("count", "numerator", "denominator"):
            out[f"{ind.code}{SEP}{key}"] = "" if value.get(key) is None else str(value[key])
        out[f"{ind.code}{SEP}document"] = value.get("document") or ""
    return out


def _number(text: str) -> int | str:
    cleaned = text.replace(".", "").replace(" ", "")
    return int(cleaned) if cleaned.isdigit() else text


def read_values(form: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The service's ``values`` from the posted form (an indicator left wholly blank is cleared), and the
    posted texts to show again."""
    shown = {k: str(form.get(k) or "").strip() for k in form_values({})}
    values: dict[str, Any] = {}
    for ind in entered():
        parts = {
            k: shown[f"{ind.code}{SEP}{k}"] for k in ("flag", "count", "numerator", "denominator", "document")
        }
        if ind.kind == "flag":
            given = parts["flag"]
            if not given and not parts["document"]:
                values[ind.code] = None
                continue
            value: dict[str, Any] = {"flag": {"yes": True, "no": False}.get(given, given or None)}
        else:
            keys = NUMBERS[ind.kind]
            if not any(parts[k] for k in keys) and not parts["document"]:
                values[ind.code] = None
                continue
            value = {k: _number(parts[k]) if parts[k] else None for k in keys}
        value["document"] = parts["document"] or None
        values[ind.code] = value
    return values, shown


def inputs_of(errors: list[FieldError]) -> dict[str, str]:
    """Service field -> form input: ``values.c7_immunised.numerator`` -> ``c7_immunised__numerator``; an
    error of the whole indicator goes to its first input."""
    out = {}
    for error in errors:
        parts = error.field.split(".")
        if parts[0] != "values" or len(parts) < 2:
            continue
        ind = load().indicators.get(parts[1])
        first = "flag" if ind is None or ind.kind == "flag" else NUMBERS[ind.kind][0]
        out[error.field] = f"{parts[1]}{SEP}{parts[2] if len(parts) > 2 else first}"
    return out
