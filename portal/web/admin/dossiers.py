"""The office's side of nomination dossiers: the queue by state, the appraisal of each nominee,
returning with a reason, public consultation, proposing, and the decision drafted from the
approved nominees; the queue of the public's comments."""
from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for

from portal.domain.documents.models import Document
from portal.domain.kernel.bounds import parse_date, parse_ids, parse_int
from portal.domain.kernel.vocab import AWARD_LEVELS, SIGNING_AUTHORITIES
from portal.domain.units import consultation_report, consultations, decision_drafts, dossier_steps, dossiers
from portal.errors import NotFound, ValidationFailed
from portal.extensions import db
from portal.web import notices
from portal.web.admin import bp
from portal.web.common import actor, send_private

FILTERS = ("submitted", "appraising", "consulting", "proposed", "decided", "returned", "cancelled")


@bp.get("/ho-so")
def dossier_list():
    status = request.args.get("trang-thai")
    found = dossiers.by_status(status) if status in FILTERS else dossiers.by_status(*dossiers.OPEN)
    counts = dict(db.session.execute(db.select(dossiers.Dossier.status, db.func.count(dossiers.Dossier.id))
                                     .group_by(dossiers.Dossier.status)).all())
    return render_template("admin/dossiers.html", dossiers=found, status=status if status in FILTERS else None,
                           counts=counts, states=dossiers.STATES, filters=FILTERS)


def _page(dossier: dossiers.Dossier, errors: list[str] | None = None, status: int = 200,
          typed: dict | None = None, row_errors: dict | None = None):
    """The dossier's page; after a refused list of verdicts, `typed` holds every row's choice and
    comment as sent (nothing typed is lost) and `row_errors` what is wrong with which row."""
    windows = consultations.of_dossier(dossier)
    consulted = {e.nominee_id for c in windows for e in c.entries}
    from portal.domain.honors.eligibility import for_dossier
    from portal.domain.units.registrations import registered_of
    from portal.domain.units.shares import for_round
    return render_template("admin/dossier.html", dossier=dossier, errors=errors or [],
                           typed=typed or {}, row_errors=row_errors or {},
                           checks=for_dossier(dossier, registered_of(dossier), for_round(dossier.review_round)),
                           steps=dossier_steps.available(dossier, actor()), verdicts=dossiers.VERDICTS,
                           consultations=windows, consulted=consulted,
                           needs=lambda n: consultations.requires_consultation(dossier.distinction, n.kind),
                           form_requires=consultations.form_requires(dossier.distinction),
                           problems=consultations.consultation_problems(dossier)
                           if dossier.status in ("appraising", "consulting") else []), status


@bp.get("/ho-so/<int:dossier_id>")
def dossier_view(dossier_id: int):
    return _page(dossiers.get(dossier_id))


@bp.post("/ho-so/<int:dossier_id>/chuyen/<name>")
def dossier_step(dossier_id: int, name: str):
    dossier = dossiers.get(dossier_id)
    if name not in ("appraise", "propose", "return", "cancel"):
        raise NotFound("Không có thao tác này.")
    drafted = db.session.get(Document, dossier.decision_document_id) if dossier.decision_document_id else None
    try:
        with notices.with_change(notices.dossier_step, dossier, name):
            dossier_steps.apply(dossier, name, actor(), request.form.get("comment", ""))
    except ValidationFailed as exc:
        return _page(dossier, [exc.message, *exc.problems], 400)
    flash(f"{dossiers.STEPS[name].label}: hồ sơ nay «{dossier.state_label}».")
    if drafted is not None and dossier.decision_document_id is None:
        flash(f"Hồ sơ đã được rút khỏi dự thảo quyết định {drafted.symbol}: dự thảo đó không còn đăng được; "
              "hãy lập dự thảo mới khi hồ sơ được trình lại.")
    return redirect(url_for("admin.dossier_view", dossier_id=dossier.id), 303)


@bp.post("/ho-so/<int:dossier_id>/nguoi/<int:nominee_id>")
def nominee_verdict(dossier_id: int, nominee_id: int):
    dossier = dossiers.get(dossier_id)
    try:
        nominee = dossier_steps.set_verdict(dossier, nominee_id, request.form.get("verdict", ""),
                                       request.form.get("note", ""), actor())
    except ValidationFailed as exc:
        return _page(dossier, [exc.message, *exc.problems], 400)
    flash(f"Đã ghi ý kiến thẩm định: {nominee.name} — {nominee.verdict_label}.")
    return redirect(url_for("admin.dossier_view", dossier_id=dossier.id, _anchor=f"nguoi-{nominee.id}"), 303)


@bp.post("/ho-so/<int:dossier_id>/tham-dinh")
def nominee_verdicts(dossier_id: int):
    """The whole list's views in one form: every row's choice and comment, saved together."""
    dossier = dossiers.get(dossier_id)
    verdicts = {n.id: (request.form.get(f"verdict-{n.id}", ""), request.form.get(f"note-{n.id}", ""))
                for n in dossier.nominees if f"verdict-{n.id}" in request.form}
    if not verdicts:
        return _page(dossier, ["Chưa có ý kiến thẩm định nào được gửi."], 400)
    wrong = {nominee_id: "Ý kiến thẩm định không hợp lệ: chọn trong danh sách."
             for nominee_id, (verdict, _) in verdicts.items() if verdict not in dossiers.VERDICTS}
    try:
        if wrong:
            raise ValidationFailed("Chưa ghi ý kiến nào: có dòng cần sửa (đánh dấu bên dưới).")
        changed = dossier_steps.set_verdicts(dossier, verdicts, actor())
    except ValidationFailed as exc:
        return _page(dossier, [exc.message, *exc.problems], 400, typed=verdicts, row_errors=wrong)
    if changed:
        flash(f"Đã ghi ý kiến thẩm định của {len(changed)} người: "
              + "; ".join(f"{n.name} — {n.verdict_label}" for n in changed) + ".")
    else:
        flash("Ý kiến thẩm định không thay đổi.")
    return redirect(url_for("admin.dossier_view", dossier_id=dossier.id, _anchor="h-list"), 303)


REPORT_TYPES = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@bp.get("/lay-y-kien/<int:consultation_id>/ket-qua.<ext>")
def consultation_result(consultation_id: int, ext: str):
    """The result of a window to send up: views, comments per nominee, how each was handled."""
    consultation = db.session.get(consultations.Consultation, consultation_id)
    if consultation is None or ext not in REPORT_TYPES:
        abort(404)
    build = consultation_report.docx if ext == "docx" else consultation_report.xlsx
    response = send_file(build(consultation), mimetype=REPORT_TYPES[ext], as_attachment=True,
                         download_name=f"ket-qua-lay-y-kien-{consultation.slug}.{ext}")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/ho-so/<int:dossier_id>/lay-y-kien")
def consultation_open(dossier_id: int):
    dossier = dossiers.get(dossier_id)
    raw = request.form.get("opens_on", "").strip()
    try:
        opens_on = parse_date(raw, "Ngày bắt đầu lấy ý kiến", date.min, date.max)
        ids = parse_ids(request.form.getlist("nominee"))
        summaries = {n.id: request.form[f"tom-tat-{n.id}"] for n in dossier.nominees
                     if f"tom-tat-{n.id}" in request.form}
        with notices.with_change(notices.dossier_step, dossier, "consult"):
            consultation = consultations.open_consultation(dossier, ids, opens_on, actor(), summaries)
    except ValidationFailed as exc:
        db.session.rollback()
        return _page(dossier, [exc.message, *exc.problems], 400)
    flash(f"Đã mở lấy ý kiến đến hết ngày {consultation.closes_on:%d/%m/%Y} "
          f"({consultation.working_days} ngày làm việc).")
    return redirect(url_for("admin.dossier_view", dossier_id=dossier.id), 303)


@bp.get("/ho-so/tep/<int:file_id>")
def dossier_file(file_id: int):
    item = db.session.get(dossiers.DossierFile, file_id)
    if item is None:
        raise NotFound("Không có tệp này.")
    return send_private(item)


DRAFT_FIELDS = ("symbol", "issued_on", "signing_authority", "signer_title", "signer", "level", "reason",
                "issuer", "issuer_parent", "place")


@bp.route("/quyet-dinh-khen-thuong/du-thao", methods=["GET", "POST"])
def decision_draft():
    waiting = decision_drafts.waiting_for_decision()
    if request.method == "GET":
        return _draft_page(waiting, {}, [])
    data = {key: request.form.get(key, "") for key in DRAFT_FIELDS}
    ids = parse_ids(request.form.getlist("dossier"))
    try:
        defaults = current_app.config["DOCUMENT_DEFAULTS"]
        document = decision_drafts.draft_decision(ids, data, actor(), defaults.get("issuer", ""),
                                                  defaults.get("decision_suffix", "QĐ-VKS"))
    except ValidationFailed as exc:
        problems = exc.problems or [m for messages in exc.fields.values() for m in messages]
        return _draft_page(waiting, {**data, "dossier": ids}, [exc.message, *problems], 400)
    flash(f"Đã dự thảo {document.symbol} với {len(decision_drafts.decision_for(document).awards)} người được khen "
          "từ hồ sơ đề nghị. Hãy xem lại, rồi gửi duyệt.")
    return redirect(url_for("admin.document_view", document_id=document.id), 303)


@bp.post("/to-trinh-khen-thuong/du-thao")
def proposal_draft():
    """The tờ trình to the authority that confers a higher form, from the same chosen dossiers."""
    from portal.domain.units import proposals
    waiting = decision_drafts.waiting_for_decision()
    data = {key: request.form.get(key, "") for key in DRAFT_FIELDS}
    ids = set(parse_ids(request.form.getlist("dossier")))
    try:
        document = proposals.draft_proposal([d for d in waiting if d.id in ids], data, actor(),
                                            current_app.config["DOCUMENT_DEFAULTS"].get("issuer", ""))
    except ValidationFailed as exc:
        problems = exc.problems or [m for messages in exc.fields.values() for m in messages]
        return _draft_page(waiting, {**data, "dossier": list(ids)}, [exc.message, *problems], 400)
    flash(f"Đã dự thảo tờ trình {document.symbol}. Khi cấp trên có quyết định, hãy ghi nhận quyết định đó tại "
          "trang «Dự thảo quyết định khen thưởng» (số, ngày của cấp trên) và đính kèm bản đã ký.")
    return redirect(url_for("admin.document_view", document_id=document.id), 303)


def _draft_page(waiting, form: dict, errors: list[str], status: int = 200):
    defaults = current_app.config["DOCUMENT_DEFAULTS"]
    # Issuer and level are left blank: they follow the form awarded (a Huân chương is the
    # President's decision), or the office's own name at level «Cơ quan, đơn vị».
    form = {"issuer_parent": defaults.get("issuer_parent", ""), "place": defaults.get("place", ""),
            **{k: v for k, v in form.items() if v}}
    from portal.domain.kernel.vocab import CONFERRED_BY
    from portal.domain.units.proposals import proposal_of
    return render_template("admin/decision_draft.html", waiting=waiting, form=form, errors=errors,
                           proposals={d.id: proposal_of(d) for d in waiting},
                           higher={d.id: CONFERRED_BY.get(d.distinction, ("", ""))[0] for d in waiting},
                           levels=AWARD_LEVELS.terms, authorities=SIGNING_AUTHORITIES.terms), status


@bp.get("/y-kien")
def comment_queue():
    status = "closed" if request.args.get("trang-thai") == "da-xu-ly" else "open"
    page = consultations.comment_queue(status, parse_int(request.args.get("trang"), 1, low=1, high=10**6))
    return render_template("admin/comments.html", page=page, comments=page.items, status=status)


@bp.post("/y-kien/<int:comment_id>")
def comment_close(comment_id: int):
    consultations.close_comment(comment_id, request.form.get("note", ""), actor())
    flash("Đã ghi kết quả xem xét ý kiến.")
    return redirect(url_for("admin.comment_queue"), 303)


@bp.post("/ho-so/<int:dossier_id>/dieu-kien")
def nominee_eligibility(dossier_id: int):
    """The office's written reason for judging a nominee's eligibility otherwise than the check."""
    dossier = dossiers.get(dossier_id)
    try:
        nominee = dossier_steps.override_eligibility(dossier, parse_int(request.form.get("nominee"), 0) or 0,
                                                     request.form.get("reason", ""), actor())
    except ValidationFailed as exc:
        db.session.rollback()
        return _page(dossier, [exc.message], status=400)
    dossiers.commit(dossier, "Ghi ý kiến về điều kiện")
    flash(f"Đã ghi ý kiến về điều kiện của {nominee.name}.")
    return redirect(url_for("admin.dossier_view", dossier_id=dossier.id) + f"#nguoi-{nominee.id}", 303)
