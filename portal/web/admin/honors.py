"""The office's side of published awards: each award's code, status and certificate, the
annulment of an award or a whole decision (and its withdrawal), and the blank's field positions."""
from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from portal.domain.documents import register
from portal.domain.honors import annulments
from portal.domain.honors import certificates as certs
from portal.domain.honors.models import Award, decision_for, grouped_code
from portal.domain.kernel.bounds import parse_date, parse_int
from portal.domain.kernel.models_base import today_vn
from portal.domain.kernel.vocab import DISTINCTIONS
from portal.errors import ValidationFailed
from portal.extensions import db
from portal.web import certificates
from portal.web.admin import bp, role_required
from portal.web.admin.documents import get_document
from portal.web.common import actor

ANNULLING_ROLES = ("reviewer",)  # and admins: the roles that publish decide annulments too


def _decision(document_id: int):
    document = get_document(document_id)
    decision = decision_for(document)
    if decision is None:
        abort(404)
    return document, decision


def _award(award_id: int) -> Award:
    return db.session.get(Award, award_id) or abort(404)


@bp.get("/van-ban/<int:document_id>/khen-thuong")
def decision_awards(document_id: int, errors: list | None = None, form: dict | None = None, status: int = 200):
    document, decision = _decision(document_id)
    return render_template("admin/decision_awards.html", document=document, decision=decision,
                           awards=decision.awards, grouped=grouped_code, current=annulments.current,
                           printable=certs.printable(decision.distinction), errors=errors or [],
                           form=form or {}, today=today_vn()), status


def _fields() -> tuple[str, date | None, str]:
    day = parse_date(request.form.get("decided_on"), "Ngày quyết định", date(1945, 1, 1), today_vn())
    return request.form.get("symbol", ""), day, request.form.get("reason", "")


def _apply(document_id: int, step, done: str):
    try:
        step(*_fields())
    except ValidationFailed as exc:
        db.session.rollback()
        return decision_awards(document_id, [exc.message, *exc.problems], request.form.to_dict(), 400)
    db.session.commit()
    flash(done)
    return redirect(url_for("admin.decision_awards", document_id=document_id), 303)


@bp.post("/van-ban/<int:document_id>/khen-thuong/huy-bo")
@role_required(*ANNULLING_ROLES)
def annulment_step(document_id: int):
    """Annul one award or every award of the decision, or withdraw an award's annulment."""
    _document, decision = _decision(document_id)
    step, chosen = request.form.get("buoc"), request.form.get("award", "")
    if chosen == "tat-ca" and step == "huy-bo":
        return _apply(document_id, lambda s, d, r: annulments.annul_decision(decision, s, d, r, actor()),
                      "Đã hủy bỏ mọi khen thưởng còn hiệu lực của quyết định.")
    award = next((a for a in decision.awards if str(a.id) == chosen), None)
    if award is None or step not in ("huy-bo", "thu-hoi"):
        return decision_awards(document_id, ["Hãy chọn một khen thưởng của quyết định này và một thao tác."],
                               request.form.to_dict(), 400)
    if step == "huy-bo":
        return _apply(document_id, lambda s, d, r: annulments.annul([award], s, d, r, actor()),
                      f"Đã hủy bỏ khen thưởng của {award.name}.")
    return _apply(document_id, lambda s, d, r: annulments.withdraw(award, s, d, r, actor()),
                  f"Khen thưởng của {award.name} có hiệu lực trở lại.")


@bp.get("/khen-thuong/<int:award_id>/giay-chung-nhan.pdf")
def award_certificate(award_id: int):
    award = _award(award_id)
    return certificates.one(award, award.decision, award.decision.document)


@bp.get("/van-ban/<int:document_id>/giay-chung-nhan.pdf")
def decision_certificates(document_id: int):
    document, decision = _decision(document_id)
    return certificates.batch(decision, document)


@bp.route("/mau-giay-chung-nhan/<distinction>", methods=["GET", "POST"])
@role_required("editor", "reviewer")
def certificate_layout(distinction: str):
    if DISTINCTIONS.get(distinction) is None or not certs.printable(distinction):
        abort(404)
    errors, status = [], 200
    if request.method == "POST":
        try:
            certs.save_layout(distinction, request.form, actor().name)
            db.session.commit()
            flash("Đã lưu vị trí các trường trên phôi.")
            return redirect(url_for("admin.certificate_layout", distinction=distinction), 303)
        except ValidationFailed as exc:
            db.session.rollback()
            errors, status = [exc.message, *exc.problems], 400
    return render_template("admin/certificate_layout.html", distinction=distinction,
                           label=DISTINCTIONS.label(distinction), fields=certs.layout_for(distinction),
                           form=request.form if errors else None, errors=errors), status


@bp.get("/mau-giay-chung-nhan/<distinction>/in-thu.pdf")
def certificate_test_print(distinction: str):
    if DISTINCTIONS.get(distinction) is None or not certs.printable(distinction):
        abort(404)
    return certificates.test_print(distinction)


REGISTER_COLUMNS = [("number", "Số"), ("symbol", "Số, ký hiệu"), ("issued_at", "Ngày lấy số"),
                    ("issued_by", "Người lấy số"),
                    ("subject", "Trích yếu"), ("state", "Tình trạng")]


def _register_year():
    issuer = current_app.config["DOCUMENT_DEFAULTS"].get("issuer", "")
    year = parse_int(request.args.get("nam"), today_vn().year, low=1945, high=2100)
    return issuer, register.year_of(issuer, year)


@bp.get("/so-quyet-dinh")
def decision_register():
    issuer, book = _register_year()
    return render_template("admin/decision_register.html", issuer=issuer, book=book,
                           years=register.years(issuer))


@bp.get("/so-quyet-dinh.csv")
def decision_register_csv():
    from portal.domain.honors import exports
    from portal.web.common import vn_datetime
    _issuer, book = _register_year()
    rows = [{"number": e.number, "symbol": e.symbol, "issued_at": vn_datetime(e.issued_at), "issued_by": e.issued_by,
             "subject": e.document.subject if e.document else "", "state": e.state} for e in book.entries]
    response = current_app.response_class("".join(exports.csv_chunks(rows, REGISTER_COLUMNS)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename=so-quyet-dinh-{book.year}.csv"
    return response


@bp.get("/tra-cuu-dieu-kien")
def eligibility_lookup():
    """The office's lookup: a person's awards by year and whether they may be nominated."""
    from portal.domain.honors import eligibility
    from portal.domain.kernel.vocab import EMULATION_TITLES
    from portal.domain.units import registrations
    form = {key: request.args.get(key, "").strip() for key in ("so-dinh-danh", "danh-hieu", "nam")}
    result, held, errors = None, [], []
    if form["so-dinh-danh"]:
        number = form["so-dinh-danh"]
        year = parse_int(form["nam"], None, low=1945, high=2100)
        if not (number.isascii() and number.isdigit() and 9 <= len(number) <= 12):
            errors.append("Số định danh cá nhân gồm 9 đến 12 chữ số.")
        elif year is None:
            errors.append("Hãy nhập năm thành tích (4 chữ số).")
        else:
            try:
                result = eligibility.check(number, form["danh-hieu"], year,
                                           registered=registrations.judge(None, "ca-nhan", "", number))
            except ValidationFailed as exc:
                errors.append(exc.message)
            held = eligibility.history(number)
    return render_template("admin/eligibility.html", form=form, result=result, held=held, errors=errors,
                           titles=EMULATION_TITLES.terms, this_year=today_vn().year), 400 if errors else 200
