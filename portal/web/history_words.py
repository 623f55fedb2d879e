"""What a change of a child's record changed, in plain words (the history page).

A history entry keeps the fields that changed, before and after (``portal.registry.serialize.diff``);
the guardians as whole lists, since an edit replaces them. Here a guardian is followed from one list to
the other (the same one, then the same name, then the same relationship) so that each is said to be
added, removed or changed, with what changed; the household code with its old and new value; any other
field by its name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from portal.locale import N_, translate
from portal.registry.models import ChildHistory
from portal.registry.text import fold
from portal.web.i18n import label, message

Guardian = dict[str, Any]
OWN_LINES = ("guardians", "household_code")
"""The fields said in lines of their own; the others are named together ("Updated: Address, Notes")."""


def _pair(old: list[Guardian], new: list[Guardian], same: Callable[[Guardian, Guardian], bool]) -> list[Any]:
    """Take out of ``old`` and ``new`` each pair that ``same`` matches, in ``new``'s order."""
    pairs = []
    for after in list(new):
        before = next((g for g in old if same(g, after)), None)
        if before is not None:
            old.remove(before)
            new.remove(after)
            pairs.append((before, after))
    return pairs


def guardian_changes(
    before: list[Guardian], after: list[Guardian]
) -> list[tuple[Guardian | None, Guardian | None]]:
    """(before, after) of each guardian that changed: (None, g) added, (g, None) removed, else changed."""
    old, new = list(before), list(after)
    _pair(old, new, lambda a, b: a == b)  # unchanged
    changed = _pair(old, new, lambda a, b: fold(a["full_name"]) == fold(b["full_name"]))
    changed += _pair(old, new, lambda a, b: a["relationship"] == b["relationship"])
    removed: list[tuple[Guardian | None, Guardian | None]] = [(g, None) for g in old]
    added: list[tuple[Guardian | None, Guardian | None]] = [(None, g) for g in new]
    return removed + changed + added


def _who(g: Guardian, lang: str) -> str:
    return f"{g['full_name']} ({label('relationship', g['relationship'], lang)})"


def _lives(g: Guardian, lang: str) -> str:
    if g["lives_with_child"]:
        return translate(lang, N_("lives with the child"))
    return translate(lang, N_("does not live with the child"))


def _guardian_line(before: Guardian | None, after: Guardian | None, lang: str) -> str:
    if before is None:
        assert after is not None
        parts = [_who(after, lang)]
        if after["phone"]:
            parts.append(translate(lang, N_("phone %(phone)s"), phone=after["phone"]))
        parts.append(_lives(after, lang))
        return translate(lang, N_("Guardian added: %(who)s"), who=", ".join(parts))
    if after is None:
        return translate(lang, N_("Guardian removed: %(who)s"), who=_who(before, lang))
    what = []
    if before["full_name"] != after["full_name"]:
        what.append(
            translate(lang, N_("name %(old)s → %(new)s"), old=before["full_name"], new=after["full_name"])
        )
    if before["relationship"] != after["relationship"]:
        old, new = (label("relationship", g["relationship"], lang) for g in (before, after))
        what.append(translate(lang, N_("relationship %(old)s → %(new)s"), old=old, new=new))
    if before["phone"] != after["phone"]:
        what.append(
            translate(
                lang, N_("phone %(old)s → %(new)s"), old=before["phone"] or "—", new=after["phone"] or "—"
            )
        )
    if before["lives_with_child"] != after["lives_with_child"]:
        if after["lives_with_child"]:
            what.append(translate(lang, N_("now lives with the child")))
        else:
            what.append(translate(lang, N_("no longer lives with the child")))
    return translate(
        lang, N_("Guardian changed: %(who)s: %(what)s"), who=_who(before, lang), what="; ".join(what)
    )


def change_lines(entry: ChildHistory, lang: str) -> list[str]:
    """The lines that say what an entry changed, field by field."""
    before, after = entry.before or {}, entry.after
    lines = []
    named = [message(k, lang) for k in sorted(after) if k not in OWN_LINES]
    if named:
        lines.append(translate(lang, N_("Updated")) + ": " + ", ".join(named))
    if "household_code" in after:
        lines.append(
            translate(
                lang,
                N_("Household code: %(old)s → %(new)s"),
                old=before.get("household_code") or "—",
                new=after["household_code"] or "—",
            )
        )
    if "guardians" in after:
        changes = guardian_changes(before.get("guardians") or [], after["guardians"] or [])
        lines.extend(_guardian_line(old, new, lang) for old, new in changes)
    return lines
