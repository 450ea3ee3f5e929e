"""The office's JSON under /api/v1/office: receipts, reports and dossiers, for a signed-in
webmaster (the session of the webmaster area). Nominees' private fields are never included."""
from __future__ import annotations

from flask import abort, jsonify, request
from flask_login import current_user

from portal.domain.campaigns.models import ReviewRound
from portal.domain.documents.models import Document
from portal.domain.units import dossiers, receipts, reports
from portal.errors import NotFound
from portal.extensions import db
from portal.web.api import bp, int_arg
from portal.web.common import absolute

OFFICE = dossiers.OFFICE


@bp.before_request
def _office_only():
    if not request.path.startswith("/api/v1/office"):
        return
    if not current_user.is_authenticated:
        abort(401)
    if current_user.role not in OFFICE:
        abort(403)


def _time(value) -> str | None:
    from portal.domain.kernel.models_base import as_utc
    return as_utc(value).isoformat() if value else None


@bp.get("/office/documents/<int:document_id>/receipts")
def office_receipts(document_id: int):
    document = db.session.get(Document, document_id)
    if document is None:
        raise NotFound("Không có văn bản này.")
    rows = receipts.receipt_rows(document)
    return jsonify({"document": {"id": document.id, "symbol": document.symbol, "status": document.status},
                    "units": [{"code": r.unit.code, "name": r.unit.name, "received": r.receipt is not None,
                               "at": _time(r.receipt.at) if r.receipt else None,
                               "by": r.receipt.user_email if r.receipt else None,
                               "how": r.receipt.how if r.receipt else None} for r in rows]})


@bp.get("/office/rounds/<int:round_id>/reports")
def office_reports(round_id: int):
    review_round = db.session.get(ReviewRound, round_id)
    if review_round is None:
        raise NotFound("Không có đợt này.")
    state = reports.round_status(review_round)
    return jsonify({
        "round": {"id": review_round.id, "code": review_round.code, "label": review_round.label,
                  "due": review_round.report_due_on.isoformat() if review_round.report_due_on else None},
        "totals": {code: str(value) for code, value in state.totals.items()},
        "units": [{"code": r.unit.code, "name": r.unit.name, "status": r.status,
                   "submitted_at": _time(r.report.submitted_at) if r.report else None,
                   "figures": r.report.figures if r.report else {},
                   "file": absolute("admin.report_download", report_id=r.report.id)
                   if r.report else None} for r in state.rows]})


def _dossier(d: dossiers.Dossier, full: bool = False) -> dict:
    row = {"id": d.id, "title": d.title, "unit": d.unit.code, "unit_name": d.unit.name,
           "round": d.review_round.code, "distinction": d.distinction, "status": d.status,
           "status_label": d.state_label, "submitted_at": _time(d.submitted_at), "late": d.late,
           "nominees": len(d.nominees), "approved": len(d.approved), "decision_document_id": d.decision_document_id,
           "url": absolute("admin.dossier_view", dossier_id=d.id)}
    if full:
        row["files"] = [{"role": f.role, "filename": f.filename, "size": f.size, "sha256": f.sha256,
                         "url": absolute("admin.dossier_file", file_id=f.id)} for f in d.files]
        row["list"] = [{"seq": n.seq, "kind": n.kind, "name": n.name, "position": n.position, "unit": n.unit,
                        "achievement": n.achievement, "verdict": n.verdict or None, "note": n.office_note or None}
                       for n in d.nominees]
        row["steps"] = [{"action": s.action, "from": s.from_state, "to": s.to_state, "actor": s.actor,
                         "comment": s.comment or None, "at": _time(s.at)} for s in d.steps]
    return row


@bp.get("/office/dossiers")
def office_dossiers():
    status = request.args.get("status")
    if status and status not in dossiers.STATES:
        from portal.errors import ValidationFailed
        raise ValidationFailed("Tham số «status» không phải trạng thái hồ sơ.")
    page = int_arg("page", 1, 1, 10_000)
    found = dossiers.by_status(status) if status else dossiers.by_status()
    per_page = 100
    return jsonify({"total": len(found), "page": page, "per_page": per_page,
                    "results": [_dossier(d) for d in found[(page - 1) * per_page: page * per_page]]})


@bp.get("/office/dossiers/<int:dossier_id>")
def office_dossier(dossier_id: int):
    return jsonify(_dossier(dossiers.get(dossier_id), full=True))


@bp.get("/office/awards")
def office_awards():
    """Each award of a decision (by its symbol) with its verification code, certificate and
    status; private fields are never included."""
    from portal.domain.documents.symbols import symbol_key
    from portal.domain.honors.annulments import current
    from portal.domain.honors.certificates import printable
    from portal.domain.honors.models import decision_for, grouped_code
    from portal.errors import ValidationFailed
    raw = request.args.get("decision", "").strip()
    if not raw:
        raise ValidationFailed("Hãy cho số, ký hiệu quyết định: ?decision=15/QĐ-UBND.")
    found = [d for d in db.session.scalars(db.select(Document).where(Document.symbol_key == symbol_key(raw))
                                             .order_by(Document.issued_on.desc()))
             if d.deleted_at is None and decision_for(d) is not None]
    if not found:
        raise NotFound("Không có quyết định khen thưởng mang số, ký hiệu này.")
    document = found[0]
    decision = decision_for(document)
    rows = []
    for award in decision.awards:
        annulment = current(award) if award.annulled else None
        code = grouped_code(award.verification_code)
        rows.append({
            "id": award.id, "seq": award.seq, "kind": award.kind, "name": award.name, "unit": award.unit,
            "status": "annulled" if annulment else "valid", "verification_code": code,
            "verification_url": absolute("public.verify", code=code),
            "certificate_url": absolute("admin.award_certificate", award_id=award.id)
            if printable(decision.distinction) else None,
            "annulment": {"symbol": annulment.symbol, "date": annulment.decided_on.isoformat(),
                          "reason": annulment.reason} if annulment else None})
    return jsonify({"decision": {"id": document.id, "symbol": document.symbol,
                                 "issued_on": document.issued_on.isoformat(),
                                 "issuer": document.issuer, "status": document.status,
                                 "distinction": decision.distinction},
                    "awards": rows})


def _id_number() -> str:
    from portal.errors import ValidationFailed
    value = request.args.get("id_number", "").strip()
    if not (value.isascii() and value.isdigit() and 9 <= len(value) <= 12):
        raise ValidationFailed("Tham số «id_number» là số định danh cá nhân (9 đến 12 chữ số).")
    return value


@bp.get("/office/eligibility")
def office_eligibility():
    """Whether a person may be nominated for a title of a year, rule by rule, with citations."""
    from portal.domain.honors import eligibility
    from portal.domain.units import registrations
    number = _id_number()
    result = eligibility.check(number, request.args.get("title", ""), int_arg("year", 0, 1945, 2100),
                               registered=registrations.judge(None, "ca-nhan", "", number))
    return jsonify(eligibility.as_json(result))


@bp.get("/office/recipients")
def office_recipients():
    """A person's record: their awards by year (standing awards of published decisions)."""
    from portal.domain.honors import eligibility
    held = eligibility.history(_id_number())
    if not held:
        raise NotFound("Không có khen thưởng nào của số định danh này trên cổng.")
    years: dict[int, list] = {}
    for h in held:
        years.setdefault(h.year, []).append({
            "title": h.distinction, "label": h.label, "decision": h.symbol, "issued_on": h.issued_on.isoformat(),
            "issuer": h.issuer, "award_id": h.award_id})
    return jsonify({"name": held[0].name, "years": [{"year": y, "awards": a} for y, a in years.items()]})
