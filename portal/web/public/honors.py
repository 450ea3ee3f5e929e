"""The public honor roll: list, statistics, exports, decision and award pages, requests."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, send_file, stream_with_context, url_for

from portal.domain.documents import models as docs
from portal.domain.honors import counts, exports, shown
from portal.domain.honors import roll as roll
from portal.domain.honors.models import HonorRequest, decision_for
from portal.domain.kernel.vocab import DISTINCTIONS, strip_controls
from portal.extensions import db
from portal.web.cache import cached
from portal.web.common import filter_from_args, kept_link_stem, kept_links
from portal.web.public import bp, facet_links, url_with
from portal.web.public.documents import page_number
from portal.web.throttle import too_many

FILTER_NAMES = {"ten": "Tên", "doi-tuong": "Đối tượng", "hinh-thuc": "Hình thức", "nam": "Năm",
                "phong-trao": "Phong trào", "dot": "Đợt", "dia-ban": "Địa bàn", "don-vi": "Đơn vị"}


def active_filters(args, facets: dict) -> list[tuple[str, str, str, str]]:
    """(key, what, value as shown, link without it) for every filter in the address, in a fixed
    order; the honor roll shows each as a chip that removes it."""
    active = []
    for key, what in FILTER_NAMES.items():
        value = strip_controls(args.get(key, ""))
        if value:
            labels = {code: label for code, label, _count in facets.get(key) or ()}
            shown = labels.get(value) or counts.filter_label(key, value)
            active.append((key, what, shown, url_with(**{key: None})))
    return active


@bp.get("/vinh-danh")
@cached
def honor_roll():
    args = request.args.to_dict()  # read a dozen times: a plain dict (a MultiDict raises on each miss)
    flt = filter_from_args(args)
    page = roll.listed_fields(flt, page_number(), current_app.config["PER_PAGE"])
    if page.page > page.pages:
        abort(404)
    facets = counts.facets(flt)
    active = active_filters(args, facets)
    return render_template("honors/list.html", page=page, rows=linked(page.items), facets=facet_links(facets, args),
                           flt=flt, active=active, folded=sum(1 for key, *_rest in active if key != "ten"),
                           args=args, typed=args.get("ten", ""),
                           kept_filters=[(key, args[key]) for key in FILTER_NAMES if key != "ten" and args.get(key)],
                           demo_count=sum(1 for row in page.items if row["demo"]))


def linked(rows: list[dict]) -> list[dict]:
    """Rows of the roll with their links (`href`, `decision_href`) and the decision's date as
    dd/mm/yyyy (`decision_day`), made in one pass here rather than by template calls a row."""
    link, award = kept_links(), kept_link_stem("public.honor_award", "award_id")
    for row in rows:
        day = row["decision_date"]
        row["href"] = f"{award}{row['id']}"
        row["decision_href"] = link("public.honor_decision", slug=row["decision_slug"])
        row["decision_day"] = f"{day[8:10]}/{day[5:7]}/{day[:4]}"
    return rows


@bp.get("/vinh-danh/thong-ke")
@cached
def honor_statistics():
    return render_template("honors/statistics.html", stats=counts.statistics(filter_from_args(request.args)),
                           distinctions=DISTINCTIONS)


@bp.get("/vinh-danh/xuat.csv")
def honor_export_csv():
    """Streamed, not cached: a 20,000-row export must not sit in every worker's memory."""
    rows = roll.export_rows(filter_from_args(request.args))
    response = current_app.response_class(stream_with_context(exports.csv_chunks(rows)), mimetype="text/csv")
    response.headers["Content-Disposition"] = "attachment; filename=bang-vinh-danh.csv"
    return response


@bp.get("/vinh-danh/xuat.xlsx")
def honor_export_xlsx():
    handle = exports.xlsx_file(roll.export_rows(filter_from_args(request.args)))
    return send_file(handle, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     as_attachment=True, download_name="bang-vinh-danh.xlsx", max_age=0)


@bp.get("/vinh-danh/quyet-dinh/<slug>")
@cached
def honor_decision(slug: str):
    document = docs.by_slug(slug)
    if document is None or not document.is_public:
        abort(404)
    decision = decision_for(document)
    if decision is None:
        abort(404)
    page = roll.list_awards(roll.HonorFilter(decision_id=decision.id), 1, 100_000)
    rows = [shown.public_fields(*row) for row in page.items]
    rows.sort(key=lambda r: r["seq"])
    return render_template("honors/decision.html", document=document, decision=decision, rows=rows)


@bp.get("/vinh-danh/khen-thuong/<int:award_id>")
def honor_award(award_id: int):
    found = roll.listed_award(award_id)
    if found is None:
        abort(404)
    award, decision, document = found
    return render_template("honors/award.html", row=shown.public_fields(award, decision, document),
                           decision=decision, document=document, annulments=award.annulments,
                           collective=award.recipient_id if award.kind == "tap-the" else None)


@bp.get("/vinh-danh/tap-the/<int:record_id>")
@cached
def honor_collective(record_id: int):
    """Every listed award of one collective across decisions and years."""
    from portal.domain.honors import records
    found = records.public_collective(record_id)
    if found is None:
        abort(404)
    record, rows = found
    return render_template("honors/collective.html", record=record,
                           rows=[shown.public_fields(*row) for row in rows])


@bp.post("/vinh-danh/khen-thuong/<int:award_id>/yeu-cau")
def honor_request(award_id: int):
    found = roll.listed_award(award_id)
    if found is None:
        abort(404)
    kind = request.form.get("loai")
    message = " ".join(strip_controls(request.form.get("noi-dung", "")).split())[:2000]
    contact = " ".join(strip_controls(request.form.get("lien-he", "")).split())[:200]
    problems = []
    if kind not in ("correct", "remove"):
        problems.append("Hãy chọn loại yêu cầu: đính chính hoặc gỡ bỏ.")
    if len(message) < 10:
        problems.append("Hãy ghi rõ nội dung yêu cầu (ít nhất 10 ký tự).")
    if len(contact) < 5:
        problems.append("Hãy để lại cách liên hệ (điện thoại hoặc thư điện tử).")
    if problems:
        award, decision, document = found
        return render_template("honors/award.html", row=shown.public_fields(award, decision, document),
                               decision=decision, document=document, annulments=award.annulments,
                               problems=problems, form=request.form), 400
    if too_many("honor-request", request.remote_addr or "?", limit=5, seconds=3600):
        abort(429)
    db.session.add(HonorRequest(award_id=award_id, kind=kind, message=message, contact=contact,
                                client_address=request.remote_addr))
    db.session.commit()
    flash("Đã ghi nhận yêu cầu của bạn. Quản trị viên sẽ xem xét và phản hồi qua thông tin liên hệ.")
    return redirect(url_for("public.honor_award", award_id=award_id), 303)
