"""A unit's nomination dossiers: create one for a review round, attach its signed files and its
list of nominees (the honor roll's award-list format), submit it, follow the office's appraisal."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from portal.domain.campaigns.models import ReviewRound
from portal.domain.kernel.vocab import DISTINCTIONS
from portal.domain.units import dossier_files, dossier_steps, dossiers, reports
from portal.errors import NotFound, ValidationFailed
from portal.extensions import db
from portal.services import storage
from portal.web import notices
from portal.web.common import actor, send_private
from portal.web.units import bp, unit_account, unit_required


def _page(dossier: dossiers.Dossier, errors: list[str] | None = None, warnings: list[str] | None = None,
          status: int = 200):
    from portal.domain.honors.certificates import printable
    from portal.domain.honors.eligibility import for_dossier
    from portal.domain.honors.models import grouped_code
    from portal.domain.units.consultations import of_dossier
    from portal.domain.units.decision_drafts import awards_of
    from portal.domain.units.registrations import registered_of
    from portal.domain.units.shares import for_round
    awards = awards_of(dossier) if dossier.status == "decided" else []
    return render_template("units/dossier.html", dossier=dossier, errors=errors or [],
                           awards=awards, printable=printable(dossier.distinction), grouped=grouped_code,
                           checks=for_dossier(dossier, registered_of(dossier), for_round(dossier.review_round)),
                           warnings=warnings if warnings is not None else dossier.list_warnings.splitlines(),
                           roles=dossiers.FILE_ROLES, steps=dossier_steps.available(dossier, actor()),
                           consultations=of_dossier(dossier)), status


def _list_page(errors: list[str] | None = None, form=None, status: int = 200):
    return render_template("units/dossiers.html", unit=unit_account(), dossiers=dossiers.of_unit(unit_account()),
                           rounds=reports.rounds_with_deadlines(), forms=DISTINCTIONS.terms, errors=errors or [],
                           form=form or {}), status


@bp.get("/ho-so")
@unit_required
def dossier_list():
    return _list_page()


@bp.post("/ho-so")
@unit_required
def dossier_create():
    review_round = db.session.get(ReviewRound, request.form.get("round", type=int) or 0)
    try:
        if review_round is None:
            raise ValidationFailed("Hãy chọn đợt khen thưởng (đợt sơ kết, tổng kết).")
        dossier = dossiers.create(unit_account(), review_round, request.form.get("distinction", ""),
                                  request.form.get("title", ""), actor())
    except ValidationFailed as exc:
        return _list_page([exc.message, *exc.problems], request.form, 400)
    flash("Đã tạo hồ sơ. Hãy đính kèm tờ trình, biên bản họp xét, báo cáo thành tích và danh sách đề nghị.")
    return redirect(url_for("units.dossier_view", dossier_id=dossier.id), 303)


@bp.get("/ho-so/<int:dossier_id>")
@unit_required
def dossier_view(dossier_id: int):
    return _page(dossiers.get(dossier_id, unit_account()))


def _upload():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationFailed("Hãy chọn một tệp để tải lên.")
    return upload


@bp.post("/ho-so/<int:dossier_id>/tep")
@unit_required
def dossier_file_add(dossier_id: int):
    return _uploaded(dossier_id, lambda dossier, upload: dossier_files.add_file(
        dossier, request.form.get("role", ""), upload.stream, upload.filename, actor(), storage()),
        lambda dossier, item: (f"Đã thay {item.role_label.lower()} «{', '.join(item.replaced)}» bằng «{item.filename}»."
                               if item.replaced else f"Đã đính kèm {item.role_label.lower()} «{item.filename}»."))


def _uploaded(dossier_id: int, store, message):
    """One upload to the unit's own dossier: stored, or the dossier's page with the problem
    (400) and nothing changed; then back to the dossier with `message`."""
    dossier = dossiers.get(dossier_id, unit_account())
    try:
        result = store(dossier, _upload())
    except ValidationFailed as exc:
        db.session.rollback()
        return _page(dossier, [exc.message, *exc.problems], status=400)
    flash(message(dossier, result))
    return redirect(url_for("units.dossier_view", dossier_id=dossier.id), 303)


@bp.post("/ho-so/<int:dossier_id>/tep/<int:file_id>/go")
@unit_required
def dossier_file_remove(dossier_id: int, file_id: int):
    dossier = dossiers.get(dossier_id, unit_account())
    dossier_files.remove_file(dossier, file_id, actor(), storage())
    flash("Đã gỡ tệp.")
    return redirect(url_for("units.dossier_view", dossier_id=dossier.id), 303)


@bp.post("/ho-so/<int:dossier_id>/danh-sach")
@unit_required
def dossier_list_upload(dossier_id: int):
    return _uploaded(dossier_id, lambda dossier, upload: dossier_files.replace_list(
        dossier, upload.stream, upload.filename, actor(), storage()),
        lambda dossier, _warnings: f"Đã nạp danh sách: {len(dossier.nominees)} người được đề nghị.")


@bp.post("/ho-so/<int:dossier_id>/chuyen/<name>")
@unit_required
def dossier_step(dossier_id: int, name: str):
    dossier = dossiers.get(dossier_id, unit_account())
    if name not in ("submit", "cancel", "reopen"):
        raise NotFound("Không có thao tác này.")
    try:
        with notices.with_change(notices.dossier_step, dossier, name):
            dossier_steps.apply(dossier, name, actor(), request.form.get("comment", ""))
    except ValidationFailed as exc:
        return _page(dossier, [exc.message, *exc.problems], status=400)
    flash(f"{dossiers.STEPS[name].label}: xong." + (" Hồ sơ nộp sau hạn được nhận và ghi là nộp muộn."
                                                   if name == "submit" and dossier.late else ""))
    return redirect(url_for("units.dossier_view", dossier_id=dossier.id), 303)


@bp.get("/ho-so/tep/<int:file_id>")
@unit_required
def dossier_file(file_id: int):
    item = db.session.get(dossiers.DossierFile, file_id)
    if item is None:
        raise NotFound("Không có tệp này.")
    dossiers.get(item.dossier_id, unit_account())  # another unit's file: as if it did not exist
    return send_private(item)


@bp.get("/khen-thuong/<int:award_id>/giay-chung-nhan.pdf")
@unit_required
def award_certificate(award_id: int):
    """A certificate of one of the unit's own recipients; any other award: as if it did not exist."""
    from portal.domain.honors.models import Award
    from portal.domain.units.decision_drafts import unit_may_print
    from portal.web import certificates
    award = db.session.get(Award, award_id)
    if award is None or not unit_may_print(award, unit_account()):
        raise NotFound("Không có khen thưởng này.")
    return certificates.one(award, award.decision, award.decision.document)
