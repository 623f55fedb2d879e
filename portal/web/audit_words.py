"""The names of the audit log's resources on the admin's audit reader (a code not named here is shown as
it is, in a <code> element)."""

from __future__ import annotations

from portal.locale import N_, Msg, translate

RESOURCES: dict[str, Msg] = {
    "report": N_("Periodic report"),
    "child": N_("Child record"),
    "case": N_("Case"),
    "unit": N_("Administrative unit"),
    "stats": N_("Statistics"),
    "staff": N_("Staff account"),
    "training": N_("Training"),
    "inspection": N_("Inspection"),
    "audit": N_("Audit log"),
    "export": N_("Export"),
    "import": N_("Register import"),
    "page": N_("Page"),
    "session": N_("Session"),
    "briefing": N_("Collaborator briefing"),
    "water_point": N_("Hazardous water point"),
    "facility": N_("Child-assistance facility"),
    "plan": N_("Plan"),
    "child_friendly": N_("Child-friendly commune assessment"),
    "exchange": N_("Data exchange"),
}


def resource_name(code: str | None, lang: str) -> str | None:
    """The resource's name in ``lang``, or None when it has none (the code is shown)."""
    marked = RESOURCES.get(code or "")
    return translate(lang, marked) if marked is not None else None
