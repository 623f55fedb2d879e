"""Every mapped class, imported once so that foreign keys resolve in any process (web, worker, scripts)."""

from portal.audit.models import AuditEntry
from portal.auth.models import AuthToken, LoginAddressThrottle, LoginThrottle, User
from portal.briefings.models import Briefing, BriefingAttendance, BriefingProposal
from portal.cases.crossing_models import CaseLink, CaseReferral
from portal.cases.models import (
    Case,
    CaseAlert,
    CaseAttachment,
    CaseDeadline,
    CaseDetailedAssessment,
    CaseEscalation,
    CaseEvent,
    CaseGrant,
    CaseInformant,
    CaseNote,
    CasePlan,
    CasePlanAction,
    CaseReview,
    CaseReviewAction,
)
from portal.childfriendly.models import Assessment, AssessmentEvent, CommuneCategory, EvidenceFile
from portal.exchange.models import Dhis2DataElement, Dhis2DataSet, Dhis2OrgUnit
from portal.exports.models import Export
from portal.field.models import FieldChange
from portal.imports.models import ImportedRow, ImportMapping, RegisterImport
from portal.inspections.models import (
    Addressee,
    Finding,
    InspectionCheck,
    InspectionDocument,
    InspectionPlan,
    InspectionRun,
    InspectionTarget,
    Recommendation,
    Response,
    RunTarget,
    TeamMember,
)
from portal.notifications.models import Notification, NotificationPreference, NotificationSetting
from portal.plans.models import (
    ActivityNote,
    CommitteeMeeting,
    CommitteeMember,
    MeetingAttendance,
    Plan,
    PlanActivity,
    SteeringCommittee,
)
from portal.rechecks.models import Recheck, RecheckField, RecheckRecord
from portal.registers.models import (
    Facility,
    RegisterEvent,
    WaterPoint,
    WaterPointCheck,
    WaterPointPhoto,
)
from portal.registry.duplicate_models import ChildDistinctPair, ChildMerge
from portal.registry.models import Child, ChildHistory, ChildMove, ChildPeriod, Guardian, ReferenceCode
from portal.registry.police_models import NationalIdImport, NationalIdVerification
from portal.reports.campaigns import Campaign
from portal.reports.models import (
    ConsolidationRun,
    Contribution,
    Indicator,
    Report,
    ReportDefinition,
    ReportDocument,
    ReportDueDays,
    ReportEvent,
    Target,
    UnitTarget,
)
from portal.reports.numbering import ReportNumber, ReportNumberCounter
from portal.reports.rule_models import RuleFinding
from portal.staff.models import PasswordCode, TrainingAttendance, TrainingCourse
from portal.stats import tables as stats_tables
from portal.workdays.models import CalendarDay
from tenancy import tables as tenancy_tables
from tenancy.models import Unit

__all__ = [
    "Briefing",
    "BriefingAttendance",
    "BriefingProposal",
    "Assessment",
    "AssessmentEvent",
    "CommuneCategory",
    "EvidenceFile",
    "ActivityNote",
    "Addressee",
    "CommitteeMeeting",
    "CommitteeMember",
    "MeetingAttendance",
    "Plan",
    "PlanActivity",
    "SteeringCommittee",
    "stats_tables",
    "Campaign",
    "tenancy_tables",
    "AuditEntry",
    "RuleFinding",
    "FieldChange",
    "CalendarDay",
    "CaseLink",
    "CaseReferral",
    "Notification",
    "NotificationPreference",
    "NotificationSetting",
    "Recheck",
    "RecheckField",
    "RecheckRecord",
    "AuthToken",
    "Case",
    "CaseAlert",
    "CaseAttachment",
    "CaseDeadline",
    "CaseDetailedAssessment",
    "CaseEscalation",
    "CaseEvent",
    "CaseGrant",
    "CaseInformant",
    "CaseNote",
    "CasePlan",
    "CasePlanAction",
    "CaseReview",
    "CaseReviewAction",
    "Child",
    "ChildDistinctPair",
    "ChildHistory",
    "ChildMerge",
    "ChildMove",
    "ChildPeriod",
    "ConsolidationRun",
    "Contribution",
    "Dhis2DataElement",
    "Dhis2DataSet",
    "Dhis2OrgUnit",
    "Export",
    "ImportedRow",
    "ImportMapping",
    "RegisterImport",
    "Finding",
    "InspectionCheck",
    "InspectionDocument",
    "InspectionPlan",
    "InspectionRun",
    "InspectionTarget",
    "Recommendation",
    "Response",
    "RunTarget",
    "TeamMember",
    "Facility",
    "RegisterEvent",
    "WaterPoint",
    "WaterPointCheck",
    "WaterPointPhoto",
    "Guardian",
    "Indicator",
    "NationalIdImport",
    "NationalIdVerification",
    "LoginAddressThrottle",
    "LoginThrottle",
    "PasswordCode",
    "ReferenceCode",
    "ReportNumber",
    "ReportNumberCounter",
    "Report",
    "ReportDefinition",
    "ReportDueDays",
    "ReportDocument",
    "ReportEvent",
    "Target",
    "TrainingAttendance",
    "TrainingCourse",
    "Unit",
    "UnitTarget",
    "User",
]
