"""The pages' words: message ids marked for the catalogue (portal/locale), labels of codes, field errors.

The texts live in the gettext catalogues; this module only says which message a key, a code or a
field error stands for. Templates use ``_()``/``ngettext()`` directly; keys chosen at run time (a
flash message, a status, an error code) are looked up here and translated where they are shown.
Services report problems as ``FieldError(field, message, code)`` in English; the pages show each
next to its field in the reader's language, from the code (and the field where the code is generic).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from infra.clock import VIETNAM
from infra.errors import FieldError
from portal.locale import DEFAULT_LANG, LANGS, N_, NP_, Msg, day, moment, translate
from portal.locale.evidence import EVIDENCE
from portal.locale.field_errors import ERRORS, FIELD_ERRORS, error_message, form_field
from portal.web.typed_dates import date_label

__all__ = [
    "DEFAULT_LANG",
    "ERRORS",
    "FIELD_ERRORS",
    "LANGS",
    "age_on",
    "error_message",
    "field_errors",
    "fmt_date",
    "form_field",
    "label",
    "message",
]

# Keys that pages and routes choose at run time (flash messages, form messages, statuses, actions).
MESSAGES: dict[str, Msg] = {
    "report_actions": N_("Actions"),
    "report_entered": N_("Counts saved."),
    "report_submit": N_("Report of %(unit)s for %(period)s submitted."),
    "report_approve": N_("Report of %(unit)s for %(period)s approved."),
    "report_return": N_("Report of %(unit)s for %(period)s returned."),
    "report_reopen": N_("Report of %(unit)s for %(period)s reopened."),
    "report_refresh": N_("Figures recounted."),
    "report_from_months": N_("The approved months' figures were taken again."),
    "report_created": N_("Report of %(unit)s for %(period)s started."),
    "report_explained": N_("Explanations saved."),
    "report_rules": N_(
        "Not submitted: the data checks below stop it. Correct the figures a blocking check names, "
        "explain every warning, then submit."
    ),
    "report_missing": N_(
        "Not submitted: these boxes are still empty. Fill them in, save the draft, then submit."
    ),
    "guardians": N_("Guardian"),
    "household_code": N_("Household code"),
    "supports": N_("Supports received"),
    "skip": N_("Skip to main content"),
    "login": N_("Log in"),
    "username": N_("Username"),
    "password": N_("Password"),
    "children": N_("Children"),
    "save": N_("Save"),
    "search": N_("Search"),
    "search_hint": N_("Name (accents optional) or personal id"),
    "prev": N_("Previous page"),
    "next": N_("Next page"),
    "full_name": N_("Full name"),
    "date_of_birth": N_("Date of birth"),
    "date_hint": N_("dd/mm/yyyy, e.g. 04/03/2018"),
    "sex": N_("Sex"),
    "male": N_("Male"),
    "female": N_("Female"),
    "ethnicity": N_("Ethnic group"),
    "hamlet_id": N_("Hamlet"),
    "move": N_("Move to another commune recorded"),
    "national_id": N_("Personal id number"),
    "birth_province_code": N_("Province where the birth was registered"),
    "birth_registered": N_("Birth registered"),
    "address": N_("Address"),
    "school_status": N_("Schooling"),
    "status": N_("Status"),
    "notes": N_("Notes"),
    "groups": N_("Special-circumstance group"),
    "group_since": N_("In the group since"),
    "none": N_("None"),
    "guardian_name": N_("Guardian's name"),
    "relationship": N_("Relationship"),
    "phone": N_("Phone"),
    "optional": N_("optional"),
    "form_errors": N_("Not saved: correct the marked fields."),
    "search_errors": N_("Not searched: correct the marked fields."),
    "recheck_drawn": N_("Sample drawn. The re-checker can now open the sampled records until the deadline."),
    "recheck_saved": N_("Result saved."),
    "recheck_state_open": N_("Open"),
    "recheck_state_expired": N_("Expired"),
    "recheck_state_completed": N_("Completed"),
    "recheck_completed": N_("Re-check completed: the re-checker's access has ended."),
    "saved": N_("Saved."),
    "added": N_("Child added."),
    "conflict": N_("Someone else changed this record. The page shows the latest version."),
    "history": N_("History of changes"),
    "who": N_("By"),
    "created": N_("Record created"),
    "age": N_("Age"),
    "staff": N_("Staff and collaborators"),
    "role": N_("Role"),
    "unit": N_("Unit"),
    "special": N_("In special circumstances"),
    "at_risk": N_("At risk"),
    "supported": N_("Receiving support"),
    "by_sex": N_("By sex"),
    "by_age": N_("By age band"),
    "by_group": N_("By special-circumstance group"),
    "count": NP_("count", "Children"),
    "dashboard": N_("Aggregate dashboard of %(unit)s"),
    "as_of": N_("Figures as of %(d)s"),
    "targets": N_("Targets, period %(p)s"),
    "target": N_("Target"),
    "met": N_("Met"),
    "trend": N_("Trend of the targets"),
    "ranking": N_("Sub-units ranked: %(t)s"),
    "export": N_("Export the register (Excel)"),
    "exports": N_("Exports"),
    "progress": N_("Progress"),
    "task_queued": N_("Waiting…"),
    "task_running": N_("Working…"),
    "task_done": N_("Done."),
    "task_failed": N_("Failed: %(e)s"),
    "download": N_("Download"),
    "retry": N_("Retry"),
    "reports": N_("Periodic reports"),
    "consolidate": N_("Consolidate"),
    "consolidation": N_("Report consolidation"),
    "period": N_("Period"),
    "not_found": N_("This page or record was not found."),
    "forbidden": N_("You may not see this page."),
    "field_hamlet_only": N_(
        "The offline app keeps one hamlet on a phone: it is for hamlet collaborators' accounts."
    ),
    "csrf": N_("The form expired or is not valid. Reload the page and try again."),
    "error": N_("Something went wrong. Try again later."),
    "busy": N_("The portal is busy. Try again in a moment."),
    "not_found_hint": N_(
        "The address may be mistyped, or the record was removed or is outside your area. Go back, or start "
        "again from the home page."
    ),
    "forbidden_hint": N_(
        "Your account's role does not allow this. If your work needs it, ask your manager or the "
        "administrator."
    ),
    "error_hint": N_(
        "Nothing more was saved. The error was recorded; try again in a moment, and if it happens again, "
        "tell the administrator."
    ),
    "act_submit": N_("Submit"),
    "act_approve": N_("Approve"),
    "act_return": N_("Return"),
    "act_reopen": N_("Reopen"),
    "act_refresh": N_("Recount from the register"),
    "comment": N_("Comment"),
    "reason": N_("Reason"),
    "with_missing": N_("Even with units not yet approved"),
    "figures": N_("Figures"),
    "sub_units": N_("Sub-units"),
    "missing_units": N_("Units missing from the figures"),
    "report_documents": N_("Report documents"),
    "report_document": N_("Report document"),
    "report_conflict": N_("Not done: the report changed or is locked. The page shows the latest version."),
    "report_stale": N_(
        "Not submitted: the reports of these units changed since the consolidation. Consolidate again, "
        "then submit."
    ),
    "report_not_consolidated": N_(
        "Not submitted: the report has not been consolidated from the units below. Consolidate it, "
        "then submit."
    ),
    # issue 18, report pages: every period, targets, documents made again, the commune's month
    "consolidate_pending": N_(
        "Not consolidated: some units below are not approved yet. Wait for their approval, or tick "
        "“Even with units not yet approved” to consolidate without them (they are listed as missing)."
    ),
    "month_locked": N_(
        "Not consolidated: the commune's report is submitted or approved, so its figures are locked."
    ),
    "form_errors_filter": N_("These choices are not valid: correct the marked ones."),
    "document_retried": N_("The document is being made again."),
    "document_not_failed": N_(
        "Not made again: only a failed document, or one waiting far too long, is made again. "
        "The page shows it as it is."
    ),
    "step_prepared": N_("Hamlet drafts prepared"),
    "step_approved": N_("Hamlets approved"),
    "step_consolidated": N_("Consolidated"),
    "step_submitted": N_("Commune's report submitted"),
    "bulk_now": N_("now %(status)s"),
    "bulk_changed": N_("changed since this page was opened"),
    "bulk_forbidden": N_("you may not decide on it"),
    "bulk_not_found": N_("not found"),
    "bulk_invalid": N_("not accepted"),
    "ev_create": N_("Report started"),
    "ev_compute": N_("Recounted from the register"),
    "ev_enter": N_("Counts entered"),
    "ev_consolidate": N_("Consolidated from the sub-units"),
    "ev_submit": NP_("report event", "Submitted"),
    "ev_approve": NP_("report event", "Approved"),
    "ev_return": NP_("report event", "Returned"),
    "ev_reopen": N_("Reopened"),
    "active": NP_("account", "Active"),
    "inactive": N_("Deactivated"),
    "deactivate": N_("Deactivate"),
    "activate": N_("Reactivate"),
    "unit_id": N_("Unit"),
    "setup_code_hint": N_(
        "Give this code to %(name)s. It works once and expires at %(at)s. It will not be shown again."
    ),
    "staff_deactivated": N_("Account deactivated."),
    "staff_activated": N_("Account reactivated."),
    "hamlet_added": N_("Hamlet added."),
    "hamlet_renamed": N_("Hamlet renamed."),
    "name": N_("Name"),
    "kind": N_("Kind"),
    "cases": N_("Cases"),
    "case": N_("Case"),
    "case_type": N_("Type of case"),
    "channel": N_("Received through"),
    "received_at": N_("Received at"),
    "informant": N_("Informant (protected)"),
    "informant_anonymous": N_("The informant stays anonymous"),
    "case_filed": N_("Case filed."),
    "case_conflict": N_(
        "The case changed or the action no longer applies. The page shows the latest version."
    ),
    "overdue": N_("Overdue"),
    "deadlines": N_("Deadlines"),
    "step": N_("Step"),
    "risk_level": N_("Risk level"),
    "assessment": N_("Assessment"),
    "protection": N_("Emergency protection"),
    "measure": N_("Measure"),
    "taken_at": N_("Taken at"),
    "plan": N_("Support plan"),
    "plan_draft": N_("draft"),
    "plan_submitted": N_("awaiting approval"),
    "plan_approved": N_("approved"),
    "plan_returned": N_("returned"),
    "plan_superseded": N_("superseded"),
    "plan_goals": N_("Goals"),
    "plan_action": N_("Action %(n)s"),
    "plan_owner": N_("Owner"),
    "review_on": N_("Review on"),
    "decision_ref": N_("Decision number"),
    "return_comment": N_("Why returned"),
    "act_assign": N_("Assign a case worker"),
    "act_assess": N_("Record the assessment"),
    "act_protect": N_("Record emergency protection"),
    "act_draft_plan": N_("Write the support plan"),
    "act_submit_plan": N_("Submit the plan"),
    "act_approve_plan": N_("Approve the plan"),
    "act_return_plan": N_("Return the plan"),
    "act_review": N_("Review the plan"),
    "act_close": N_("Close the case"),
    "act_note": N_("Add a note"),
    "attachments": N_("Attachments"),
    "attach_hint": N_("JPEG, PNG, TIFF or PDF; at most 10 MB"),
    "attach": N_("Attach"),
    "alerts": N_("Deadline alerts"),
    "read_at": N_("Read %(d)s"),
    "inspections": N_("Inspections"),
    "inspection_status_planned": N_("Planned"),
    "inspection_status_in_progress": N_("In progress"),
    "inspection_status_closed": N_("Closed"),
    "checked_at": N_("Checked %(d)s"),
    "outcome": N_("Outcome"),
    "outcome_pass": N_("Pass"),
    "outcome_fail": N_("Fail"),
    "outcome_na": N_("No data"),
    "evidence": N_("Evidence (counts, anonymous ids)"),
    "anonymous_ids": N_("Anonymous ids"),
    "findings": N_("Findings"),
    "severity": N_("Severity"),
    "severity_low": N_("Low"),
    "severity_medium": N_("Medium"),
    "severity_high": N_("High"),
    "recommendations": N_("Recommendations"),
    "responsible_unit": N_("Responsible unit"),
    "rec_status_open": NP_("recommendation", "Open"),
    "rec_status_answered": N_("Answered"),
    "rec_status_accepted": N_("Accepted"),
    "rec_answered": N_("Sent."),
    "audit_summary": N_("Access counts by unit"),
    "audit_summary_hint": N_(
        "How often each unit's staff read records, changed them, were refused and read "
        "aggregate figures, per day. No children's names, no record contents."
    ),
    "code_sent_email": N_("The one-time code was sent by e-mail to %(to)s."),
    "code_sent_sms": N_("The one-time code was sent by text message to %(to)s."),
    "code_sent_hint": N_(
        "This account reads records you cannot, so its code is not shown to you. The "
        "person sets their own password with the code in the message."
    ),
    "entries": N_("Children entering during the month"),
    "exits": N_("Children leaving during the month"),
    "input_refused": N_("The data sent is not valid"),
    "input_refused_hint": N_("Nothing was saved. Go back, correct the fields below and send again."),
    "body_too_large": N_("What was sent is too large"),
    "body_too_large_hint": N_("Nothing was saved. An attachment may be at most 10 MB."),
    "field": N_("Field"),
    "moved_on": N_("Date of the move"),
    "destination": N_("Commune or ward the child moves to"),
    "to_unit_id": N_("Commune or ward the child moves to"),
    "destination_note": N_("Where the child went"),
    "note": N_("Note"),
    "move_opened": N_("Move recorded. The child stays in your register until the other commune accepts."),
    "move_cancel": N_("Move cancelled."),
    "move_accept": N_("Child accepted into the hamlet."),
    "move_release": N_("Record released to the commune that asked for it."),
    "move_refuse": N_("Move refused."),
    "move_conflict": N_(
        "Not done: someone else decided or changed this move meanwhile. The page shows it as it is now."
    ),
    "duplicate_distinct": N_("Recorded as two different children: the pair is not suggested again."),
    "duplicate_merged": N_("The records were merged."),
    "duplicate_unmerged": N_("The merge was undone: both records are as they were."),
    "merge_refused": N_(
        "The records were not merged: both must be active records of your commune, with no move open."
    ),
    "unmerge_refused": N_(
        "The merge cannot be undone: the kept record changed after it (or a move of it is open). "
        "Correct the records by hand instead."
    ),
    "likely_duplicate": N_(
        "This child may already be recorded: open the record below, or tick that this is a different child "
        "and save again."
    ),
    # staff, hamlets and trainings (issue 18): confirmations and refusals said in words
    "training_created": N_("Training “%(title)s” of %(unit)s on %(day)s recorded."),
    "training_updated": N_("Training “%(title)s” saved."),
    "nothing_changed": N_("Nothing changed."),
    "attendance_recorded": N_("Recorded as attending “%(title)s”: %(names)s."),
    "attendance_nothing_new": N_(
        "Everyone chosen was already recorded as attending “%(title)s”: nothing changed."
    ),
    "attendance_removed": N_("Removed from the attendance of “%(title)s”."),
    "training_not_held": N_("Nobody was recorded: the training has not taken place yet."),
    "training_attended_future": N_(
        "Not saved: attendance is recorded for this training, so it cannot be moved to a future date."
    ),
    "account_updated": N_("Account %(user)s saved."),
    "account_moved": N_(
        "%(user)s is now %(role)s at %(unit)s. The account's sessions have ended and its open codes were "
        "cancelled."
    ),
    "account_deactivated": N_(
        "Account %(user)s deactivated: its sessions have ended and its open codes were cancelled. What it "
        "recorded stays."
    ),
    "account_activated": N_("Account %(user)s reactivated: it can log in again with its password."),
    "sessions_revoked": N_("Sessions of %(user)s ended: %(n)s."),
    "refused": N_("Not done: you may not do this."),
    "refused_role": N_(
        "Not done: you may not give the role %(role)s, which is not below your own (%(own)s)."
    ),
    "refused_unit": N_("Not done: %(unit)s is outside your area."),
    "refused_self": N_("Not done: you may not change your own account. Ask a manager above you."),
    "refused_contact": N_(
        "Not done: this account reads records you cannot, so its contact address (where its one-time codes "
        "go) is changed only by the person or by a manager who reads what it reads."
    ),
    "reset_inactive": N_("No code issued: the account is deactivated. Reactivate it first."),
    "reset_no_address": N_(
        "No code issued: this account reads records you cannot, so its code goes to the person, and it has "
        "no e-mail address on file. The person must record one first."
    ),
    "hamlet_added_to": N_("%(name)s added to %(commune)s."),
    "hamlet_renamed_to": N_("Hamlet renamed: %(name)s."),
    "hamlet_closed": N_("%(name)s closed from %(day)s."),
    "hamlet_not_closed": N_(
        "Not closed: %(name)s still has %(children)s active children and %(staff)s active staff accounts "
        "(%(accounts)s). Move them to another hamlet first (or record the children as moved away)."
    ),
    "hamlet_opened_today": N_(
        "Not closed: %(name)s opened today. It can be closed from tomorrow, or renamed now."
    ),
    "hamlet_already_closed": N_("Not closed: %(name)s is already closed."),
    "title": N_("Course title"),
    "held_on": N_("Date"),
    "place": N_("Place"),
    "topic": N_("Topic"),
    "user_ids": N_("Who attended"),
    "year": N_("Year"),
    "since": N_("From"),
    "until": N_("To"),
    "commune_id": N_("Commune or ward"),
    "email": N_("The person's e-mail address"),
    "move_elsewhere": N_(
        "Not recorded: a child with this personal id number is already moving, to your commune (its ward "
        "officer accepts it on the moves page) or to another one. Nothing was saved."
    ),
    # the case page's refusals and conflicts (portal/web/routes_case_page.py)
    "action_refused": N_("Not done: you may not take this step on this case. Nothing was changed."),
    "share_refused": N_(
        "Not done: only a ward officer of the case's commune shares the case or ends a share, so that "
        "nobody reads more through a share than that officer does. Nothing was changed."
    ),
    "informant_refused": N_(
        "Only a ward officer of the case's commune reads who reported the case. Nothing was shown."
    ),
    "grant_exists": N_("Not shared: this person already reads the case."),
    "filter_errors": N_("Nothing is shown for these choices: correct the marked fields."),
}

ROLES: dict[str, Msg] = {
    "collaborator": N_("Collaborator"),
    "ward_officer": N_("Ward officer"),
    "commune_chairman": N_("Commune chairman"),
    "hotline_officer": N_("Hotline officer"),
    "district_officer": N_("District officer"),
    "provincial_inspector": N_("Provincial inspector"),
    "admin": N_("Administrator"),
}

SCHOOL: dict[str, Msg] = {
    "not_school_age": N_("Not of school age"),
    "kindergarten": N_("Kindergarten"),
    "primary": N_("Primary"),
    "lower_secondary": N_("Lower secondary"),
    "upper_secondary": N_("Upper secondary"),
    "vocational": N_("Vocational"),
    "out_of_school": N_("Out of school"),
    "unknown": N_("Unknown"),
}

RELATIONSHIP: dict[str, Msg] = {
    "father": N_("Father"),
    "mother": N_("Mother"),
    "grandparent": N_("Grandparent"),
    "sibling": N_("Sibling"),
    "relative": N_("Relative"),
    "foster_parent": N_("Foster parent"),
    "legal_guardian": N_("Legal guardian"),
    "other": N_("Other"),
}

STATUS: dict[str, Msg] = {
    "active": N_("Active"),
    "moved_away": N_("Moved away"),
    "deceased": N_("Deceased"),
    "merged": N_("Merged into another record"),
}

REPORT_STATUS: dict[str, Msg] = {
    "draft": N_("Draft"),
    "submitted": N_("Submitted"),
    "approved": N_("Approved"),
    "returned": N_("Returned"),
}

ACTIONS: dict[str, Msg] = {
    "read": N_("Read the record"),
    "list": N_("Shown in a list"),
    "history": N_("Read the change history"),
    "create": N_("Created the record"),
    "update": N_("Changed the record"),
    "write": N_("Wrote the record"),
    "access_log": N_("Read the access log"),
    "work_list": N_("Shown in the data-quality work list"),
    "police_export": N_("Sent to the commune police for verification"),
    "police_import": N_("In the police's verified list"),
    "verify_id": N_("Personal id number verified by the police (Project 06)"),
}

OUTCOMES: dict[str, Msg] = {
    "allowed": N_("Allowed"),
    "denied": N_("Refused"),
    "unauthenticated": N_("Not logged in"),
    "locked": N_("Locked"),
}


MOVE_STATE: dict[str, Msg] = {
    "open": NP_("move", "Awaiting a decision"),
    "completed": NP_("move", "Completed"),
    "refused": NP_("move", "Refused"),
    "cancelled": NP_("move", "Cancelled"),
}
MOVE_SIDE: dict[str, Msg] = {
    "origin": N_("The commune the child leaves"),
    "destination": N_("The commune the child joins"),
}
SEX: dict[str, Msg] = {"male": N_("Male"), "female": N_("Female")}
# Where a case is referred (portal.cases.crossing), how cases are related (portal.cases.links).
SERVICE: dict[str, Msg] = {
    "health": N_("Health facility"),
    "police": N_("Police"),
    "social_protection_centre": N_("Social protection centre"),
    "education": N_("School or education office"),
    "legal_aid": N_("Legal aid"),
    "other": N_("Other service"),
}
CASE_LINK: dict[str, Msg] = {
    "sibling": N_("Siblings"),
    "same_perpetrator": N_("The same perpetrator"),
    "same_family": N_("The same family"),
    "same_incident": N_("The same incident"),
    "other": N_("Other relation"),
}
CHANNEL: dict[str, Msg] = {"email": N_("E-mail"), "sms": N_("SMS"), "zalo": N_("Zalo")}
NOTICE_EVENT: dict[str, Msg] = {
    "case_received": N_("A case received in your commune"),
    "emergency": N_("An emergency (12-hour protection)"),
    "deadline_escalated": N_("A case deadline passed"),
    "referral_waiting": N_("A referral or transfer waiting for you"),
    "report_returned": N_("A report returned"),
    "report_approved": N_("A report approved"),
    "recommendation_assigned": N_("A recommendation for your unit"),
    "report_due": N_("A report due soon"),
    "report_overdue": N_("A report overdue"),
    "recommendation_overdue": N_("A recommendation past its deadline"),
    "deadline_approaching": N_("A case deadline about to pass"),
}
REFERRAL_KIND: dict[str, Msg] = {"referral": N_("Referral"), "transfer": N_("Transfer of the case")}
REFERRAL_STATE: dict[str, Msg] = {
    "open": N_("Waiting for an answer"),
    "accepted": N_("Accepted"),
    "refused": N_("Refused"),
    "cancelled": N_("Cancelled"),
}
PLAN_ACTION: dict[str, Msg] = {"planned": N_("Planned"), "done": N_("Done"), "cancelled": N_("Cancelled")}
IMPORT_STATUS: dict[str, Msg] = {
    "queued": N_("Waiting to be checked"),
    "checking": N_("Checking the file"),
    "checked": N_("Checked (nothing written yet)"),
    "applying": N_("Writing the rows"),
    "applied": N_("Imported"),
    "failed": N_("Failed"),
}
# Reorganisations (tenancy.reorg) and the working-day calendar (portal.workdays): the admin console.
REORG_STATUS: dict[str, Msg] = {
    "draft": N_("Not applied"),
    "applied": NP_("reorganisation", "Applied"),
    "reverted": NP_("reorganisation", "Reverted"),
}
REORG_SEES: dict[str, Msg] = {"records": N_("Children's records"), "aggregates": N_("Figures only")}
CALENDAR_KIND: dict[str, Msg] = {
    "holiday": N_("Public holiday (law)"),
    "off": N_("Day off by decision"),
    "working": N_("Working day in exchange"),
}
DOCUMENT_STATUS: dict[str, Msg] = {
    "queued": N_("Waiting to be made"),
    "running": N_("Being made"),
    "done": N_("Ready"),
    "failed": N_("Failed"),
}
AGE_BAND_LABELS = {"0-5": "0–5", "6-9": "6–9", "10-13": "10–13", "14-15": "14–15"}
LABELS: dict[str, dict[str, Msg]] = {
    "role": ROLES,
    "school": SCHOOL,
    "relationship": RELATIONSHIP,
    "status": STATUS,
    "report_status": REPORT_STATUS,
    "sex": SEX,
    "plan_action": PLAN_ACTION,
    "evidence": EVIDENCE,
    "action": ACTIONS,
    "outcome": OUTCOMES,
    "service": SERVICE,
    "case_link": CASE_LINK,
    "referral_kind": REFERRAL_KIND,
    "channel": CHANNEL,
    "notice_event": NOTICE_EVENT,
    "referral_state": REFERRAL_STATE,
    "move_state": MOVE_STATE,
    "move_side": MOVE_SIDE,
    "import_status": IMPORT_STATUS,
    "reorg_status": REORG_STATUS,
    "reorg_sees": REORG_SEES,
    "calendar_kind": CALENDAR_KIND,
    "document_status": DOCUMENT_STATUS,
}


def message(key: str, lang: str, **values: object) -> str:
    """The message a run-time key stands for, in ``lang`` (an unknown key is shown as it is)."""
    marked = MESSAGES.get(key)
    return key if marked is None else translate(lang, marked, **values)


def label(table: str, key: str | None, lang: str) -> str:
    """The name of a code (a role, a status, an evidence count) in ``lang``; "—" for no code."""
    if key is None or key == "":
        return "—"
    marked = LABELS[table].get(key)
    return key if marked is None else translate(lang, marked)


def field_errors(
    errors: list[FieldError], lang: str, inputs: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Form input name -> the message shown next to it (the first problem of each input).

    ``inputs`` names the input of a service field where a form has rows (``guardians[0].phone`` ->
    ``gd_2_phone``: the first guardian sent was typed on the third row); the message stays the field's.
    An error with ``params`` (a typed day) is said with the input's name (``typed_dates.date_label``).
    """
    out: dict[str, str] = {}
    for error in errors:
        name = form_field(error.field)
        shown = (inputs or {}).get(error.field, name)
        if shown not in out:
            params = {**error.params, "field": date_label(shown, lang)} if error.params else {}
            out[shown] = error_message(name, error.code, lang, **params)
    return out


def fmt_date(value: date | datetime | str | None, lang: str = DEFAULT_LANG) -> str:
    """dd/mm/yyyy (and hh:mm in Vietnam's time for moments)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        return moment(value.astimezone(VIETNAM) if value.tzinfo else value, lang)
    return day(value, lang)


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
