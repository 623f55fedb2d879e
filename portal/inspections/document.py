"""The inspection report (biên bản/báo cáo kiểm tra) as a PDF in object storage; downloads re-check access.

The report is the inspecting side's document (only its staff request and read it): its evidence is
always the published one (counts perturbed or "<5", no anonymous ids), whoever asked for it."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.after_commit import send_after_commit
from infra.clock import VIETNAM, utcnow
from infra.errors import NotVisible
from portal.audit.service import record as audit
from portal.inspections.models import InspectionDocument, InspectionPlan
from portal.inspections.service import get_plan, require_inspector
from portal.inspections.view import checks_table, plan_json
from portal.locale import translate
from portal.locale.evidence import RECOMMENDATION_STATUS, SEVERITY
from portal.reports.render_pdf import heading, new_pdf, table
from portal.stored_documents import build, fetch
from tenancy.scope import Scope

TASK = "tasks.inspections.build_document"
PDF = "application/pdf"


def render(data: dict[str, Any], author: str) -> bytes:
    pdf = new_pdf(f"Báo cáo kết quả kiểm tra: {data['title']}", author)
    pdf.set_font("DejaVu Sans", "B", 14)
    pdf.multi_cell(0, 7, "BÁO CÁO KẾT QUẢ KIỂM TRA, GIÁM SÁT", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu Sans", size=10)
    unit = data["inspecting_unit"]["name"] if data["inspecting_unit"] else ""
    for line in (
        data["title"],
        f"Đơn vị kiểm tra: {unit}",
        f"Kỳ kiểm tra: {_vn(data['period_start'])} – {_vn(data['period_end'])}",
        f"Đoàn kiểm tra: {', '.join(m['full_name'] for m in data['team']) or '—'}",
        f"Căn cứ: {data['legal_basis'] or '—'}",
        f"Lập lúc {utcnow().astimezone(VIETNAM):%d/%m/%Y %H:%M} bởi {author}",
    ):
        pdf.multi_cell(0, 5.5, line, new_x="LMARGIN", new_y="NEXT")
    for target in data["targets"]:
        heading(pdf, f"Đơn vị được kiểm tra: {target['unit']['name']}")
        table(
            pdf,
            ["Nội dung", "Kết quả", "Ngưỡng", "Đánh giá", "Căn cứ số liệu"],
            checks_table(target),
            (46, 16, 16, 22, 80),
            ("LEFT", "RIGHT", "RIGHT", "LEFT", "LEFT"),
            empty="Chưa chạy kiểm tra tự động.",
        )
        heading(pdf, "Phát hiện và kiến nghị")
        rows = []
        for finding in target["findings"]:
            recs = [r for r in target["recommendations"] if r["finding_id"] == finding["id"]]
            rows.append(
                [
                    finding["text"],
                    translate("vi", SEVERITY.get(finding["severity"], finding["severity"])),
                    "\n".join(
                        f"{r['text']} (hạn {_vn(r['deadline'])}, "
                        f"{translate('vi', RECOMMENDATION_STATUS.get(r['status'], r['status'])).lower()}"
                        f"{', QUÁ HẠN' if r['overdue'] else ''})"
                        for r in recs
                    )
                    or "—",
                ]
            )
        table(
            pdf,
            ["Phát hiện", "Mức độ", "Kiến nghị"],
            rows,
            (70, 20, 90),
            ("LEFT",) * 3,
            empty="Không có phát hiện.",
        )
    return bytes(pdf.output())


def _vn(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


def request_document(session: Session, caller: Caller, plan_id: int) -> InspectionDocument:
    plan = get_plan(session, caller, plan_id, "export")
    require_inspector(session, caller, plan, "export")
    doc = InspectionDocument(
        id=uuid.uuid4(), plan_id=plan.id, status="queued", attempts=0, requested_by=caller.user_id
    )
    session.add(doc)
    session.flush()
    session.refresh(doc, ["created_at"])
    send_after_commit(session, TASK, str(doc.id), caller.user_id)
    audit(caller.actor, "create", "inspection_document", "allowed", resource_ids=[doc.id])
    return doc


def get_document(session: Session, caller: Caller, document_id: uuid.UUID) -> InspectionDocument:
    doc = session.get(InspectionDocument, document_id)
    if doc is None:
        raise NotVisible(
            "document not found", resource="inspection", action="read", resource_ids=[str(document_id)]
        )
    get_plan(session, caller, doc.plan_id)
    return doc


def download(session: Session, caller: Caller, document_id: uuid.UUID) -> tuple[bytes, str]:
    doc = get_document(session, caller, document_id)
    data = fetch(doc)
    audit(caller.actor, "download", "inspection_document", "allowed", resource_ids=[doc.id])
    return data, f"bien-ban-kiem-tra-{doc.plan_id}.pdf"


def build_pdf(document_id: str, author: str, scope: Scope, final: bool) -> str:
    """Render and store the report; "retry" while storage or the database is down (unless final)."""

    def _render(session: Session, doc: InspectionDocument) -> tuple[bytes, dict[str, Any]]:
        plan = session.get(InspectionPlan, doc.plan_id)
        assert plan is not None
        return render(plan_json(session, plan, records=None), author), {}

    return build(
        InspectionDocument, document_id, scope, lambda d: (f"inspections/{d.id}.pdf", PDF), _render, final
    )
