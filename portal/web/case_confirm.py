"""What the case page says after a change: the step taken, on which case, and whom or what it named.

A change redirects to the case with ``?msg=<action>`` (and ``&item=<uuid>`` for a grant or an action of
the plan: an opaque id, never a name); the page then words the confirmation from the case as it is now,
so the URL carries no personal data and a reload says the same.
"""

from __future__ import annotations

from typing import Any

from portal.locale import N_, Msg, translate
from portal.web.i18n import label

DONE: dict[str, Msg] = {
    "filed": N_("Case %(ref)s filed."),
    "assign": N_("%(name)s is now the worker of case %(ref)s."),
    "assess": N_("Initial assessment of case %(ref)s recorded: risk %(risk)s."),
    "protect": N_("Emergency protection of case %(ref)s recorded."),
    "detailed_assessment": N_("Detailed assessment (form 03) of case %(ref)s recorded."),
    "draft_plan": N_("Support plan of case %(ref)s saved as a draft: submit it when it is ready."),
    "submit_plan": N_("Support plan of case %(ref)s submitted to the commune chairman for approval."),
    "approve_plan": N_("Support plan of case %(ref)s approved."),
    "return_plan": N_("Support plan of case %(ref)s returned with your comment."),
    "review": N_("Review of the plan of case %(ref)s recorded."),
    "close": N_("Closing case %(ref)s proposed: the commune chairman decides."),
    "approve_closure": N_("Case %(ref)s closed."),
    "return_closure": N_("Proposed closure of case %(ref)s returned."),
    "reopen": N_("Case %(ref)s reopened."),
    "refer": N_("Referral or transfer of case %(ref)s sent: the receiver answers it."),
    "referral": N_("Your answer on the referral of case %(ref)s is recorded."),
    "link": N_("Case %(ref)s linked to the related case."),
    "note": N_("Note added to case %(ref)s."),
    "attached": N_("File attached to case %(ref)s."),
    "grant": N_("Case %(ref)s shared with %(name)s (%(role)s): they read it until you revoke the access."),
    "revoke": N_("Access of %(name)s to case %(ref)s revoked: they no longer read it."),
    "update_action": N_('Action "%(action)s" of case %(ref)s recorded as: %(status)s.'),
}


def _grant_words(case: dict[str, Any], item: str, lang: str) -> dict[str, str] | None:
    grant = next((g for g in case["grants"] if g["id"] == item), None)
    if grant is None or grant["user"] is None:
        return None
    return {"name": grant["user"]["full_name"], "role": label("role", grant["user"]["role"], lang)}


def _action_words(case: dict[str, Any], item: str, lang: str) -> dict[str, str] | None:
    action = next((a for p in case["plans"] for a in p["actions"] if a["id"] == item), None)
    if action is None:
        return None
    return {"action": action["description"], "status": label("plan_action", action["status"], lang)}


def confirmation(
    case: dict[str, Any], msg: str, item: str, names: dict[str, dict[str, str]], lang: str
) -> str:
    """The sentence for ``?msg=`` on ``case`` (``portal.cases.view.case_json``); "" for none."""
    marked = DONE.get(msg)
    if marked is None:
        return ""
    words = {"ref": case["reference"]}
    if msg == "assign":
        words["name"] = (case["assigned_to"] or {}).get("full_name", "—")
    elif msg == "assess":
        words["risk"] = names["risk"].get(case["risk_level"] or "", "—")
    elif msg in ("grant", "revoke"):
        found = _grant_words(case, item, lang)
        if found is None:
            return ""
        words.update(found)
    elif msg == "update_action":
        found = _action_words(case, item, lang)
        if found is None:
            return ""
        words.update(found)
    return translate(lang, marked, **words)
