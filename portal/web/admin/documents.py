"""Documents in the webmaster area: lists, the editor, workflow, history and revisions."""
from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from portal.domain.campaigns import calendar
from portal.domain.campaigns.models import all_campaigns
from portal.domain.documents import revisions
from portal.domain.documents.markdown import render
from portal.domain.documents.models import Document
from portal.domain.documents.symbols import symbol_key
from portal.domain.editorial import editing, publishing
from portal.domain.honors.models import decision_for
from portal.domain.honors.requests import open_count
from portal.domain.kernel.models_base import today_vn
from portal.domain.kernel.vocab import AWARD_LEVELS, DISTINCTIONS, DOCUMENT_TYPES, RELATION_KINDS, STATES
from portal.domain.units import waiting
from portal.errors import InvalidTransition, NotFound, ValidationFailed
from portal.extensions import db
from portal.web import notices
from portal.web.admin import bp, role_required
from portal.web.common import actor
from portal.web.security import bounded_int

PER_PAGE = 30


def get_document(document_id: int, include_trash: bool = False) -> Document:
    document = db.session.get(Document, document_id)
    if document is None or (document.deleted_at is not None and not include_trash):
        raise NotFound("Không có văn bản này (hoặc văn bản đang ở thùng rác).")
    return document


def form_data(form) -> dict:
    """The editor's fields as the dict the domain validates."""
    data = {key: form.get(key, "") for key in editing.FORM_KEYS if key != "relations"}
    data["relations"] = list(zip(form.getlist("relation_kind"), form.getlist("relation_symbol"), strict=False))
    return data


def _choices() -> dict:
    def options(vocabulary):
        return [(t.code, t.label) for t in vocabulary]
    return {"type_options": options(DOCUMENT_TYPES), "distinction_options": options(DISTINCTIONS),
            "level_options": options(AWARD_LEVELS), "relation_kinds": RELATION_KINDS,
            "campaign_options": [(c.slug, c.name) for c in all_campaigns()], "labels": revisions.LABELS}


def render_form(document: Document | None, data: dict, errors: dict | None = None, status: int = 200,
                version: int | None = None):
    return render_template("admin/document_form.html", document=document, data=data, errors=errors or {},
                           preview_html=render(data.get("body", "")),
                           version=version if version is not None else (document.version if document else 0),
                           **_choices()), status


@bp.get("/")
def dashboard():
    counts = dict(db.session.execute(db.select(Document.status, db.func.count(Document.id))
                                     .where(Document.deleted_at.is_(None)).group_by(Document.status)).all())
    pending = publishing.worklist() if current_user.has_role("reviewer") else []
    recent = db.session.scalars(db.select(Document).where(Document.deleted_at.is_(None))
                                .order_by(Document.updated_at.desc()).limit(10)).all()
    return render_template("admin/dashboard.html", counts=counts, states=STATES, pending=pending,
                           recent=recent, requests=open_count(), tasks=waiting.for_office(),
                           calendar_gap=calendar.unentered_year(today_vn()))


@bp.get("/van-ban")
def document_list():
    state = request.args.get("trang-thai") or None
    text = " ".join(request.args.get("q", "").split())[:100]
    query = db.select(Document).where(Document.deleted_at.is_(None))
    if state in STATES:
        query = query.where(Document.status == state)
    if text:
        like = f"%{text}%"
        query = query.where(db.or_(Document.symbol.ilike(like), Document.subject.ilike(like),
                                   Document.symbol_key.like(f"%{symbol_key(text)}%")))
    page = db.paginate(query.order_by(Document.updated_at.desc()), per_page=PER_PAGE, error_out=False)
    return render_template("admin/document_list.html", page=page, state=state, q=text, states=STATES)


@bp.get("/cho-duyet")
@role_required("reviewer")
def worklist():
    return render_template("admin/worklist.html", documents=publishing.worklist())


@bp.route("/van-ban/moi", methods=["GET", "POST"])
def document_new():
    if request.method == "GET":
        blank = editing.new_document_defaults(actor(), current_app.config["DOCUMENT_DEFAULTS"])
        return render_form(None, blank)
    data = form_data(request.form)
    try:
        document = editing.create_document(data, actor(), request.form.get("comment", ""))
    except ValidationFailed as exc:
        return render_form(None, editing.normalize(data), exc.fields or {"": exc.problems}, 400)
    flash(f"Đã tạo bản nháp {document.symbol}.")
    return redirect(url_for("admin.document_view", document_id=document.id))


@bp.get("/van-ban/<int:document_id>")
def document_view(document_id: int):
    document = get_document(document_id, include_trash=True)
    return render_template(
        "admin/document_view.html", document=document, history=publishing.history(document),
        transitions=publishing.available(document, current_user.role),
        can_edit=publishing.can_edit(document, current_user.role), decision=decision_for(document),
        citing=publishing.citing(document))


@bp.route("/van-ban/<int:document_id>/sua", methods=["GET", "POST"])
def document_edit(document_id: int):
    document = get_document(document_id)
    publishing.require_edit(document, actor())
    if request.method == "GET":
        return render_form(document, editing.snapshot(document))
    data = form_data(request.form)
    version = request.form.get("version", "")
    try:
        editing.update_document(document, data, bounded_int(version, -1), actor(),
                                request.form.get("comment", ""))
    except editing.EditConflict as exc:
        changes = revisions.compare(exc.current, exc.mine)
        return render_template("admin/conflict.html", document=document, conflict=exc, changes=changes,
                               **_choices()), 409
    except ValidationFailed as exc:
        return render_form(document, editing.normalize(data), exc.fields or {"": exc.problems}, 400,
                           version=bounded_int(version))
    flash("Đã lưu. Phiên bản mới đã được ghi lại.")
    return redirect(url_for("admin.document_view", document_id=document.id))


@bp.post("/van-ban/<int:document_id>/chuyen/publish/xac-nhan")
def document_publish_confirm(document_id: int):
    """Publishing shows the public what it says: a page of its own asks first (nothing changes here)."""
    document = get_document(document_id)
    if not any(t.name == "publish" for t in publishing.available(document, current_user.role)):
        raise InvalidTransition(f"Không thể đăng văn bản đang ở trạng thái «{document.state_label}».")
    return render_template("admin/confirm_publish.html", document=document,
                           comment=request.form.get("comment", "")[:2000])


@bp.post("/van-ban/<int:document_id>/chuyen/<name>")
def document_transition(document_id: int, name: str):
    document = get_document(document_id)
    with notices.with_change(notices.decided if name == "publish" else lambda _document: None, document):
        publishing.transition(document, name, actor(), request.form.get("comment", ""))
    flash(f"{document.symbol}: {document.state_label}.")
    return redirect(url_for("admin.document_view", document_id=document.id))


@bp.get("/van-ban/<int:document_id>/phien-ban")
def revision_list(document_id: int):
    document = get_document(document_id, include_trash=True)
    return render_template("admin/revisions.html", document=document, revisions=revisions.revisions_of(document),
                           can_edit=publishing.can_edit(document, current_user.role))


@bp.get("/van-ban/<int:document_id>/phien-ban/so-sanh")
def revision_compare(document_id: int):
    document = get_document(document_id, include_trash=True)
    numbers = [bounded_int(request.args.get(k)) for k in ("a", "b")]
    if None in numbers:
        raise ValidationFailed("Hãy chọn hai phiên bản để so sánh.")
    old, new = (revisions.get_revision(document, n) for n in numbers)
    return render_template("admin/compare.html", document=document, old=old, new=new,
                           changes=revisions.compare(old.data, new.data))


@bp.post("/van-ban/<int:document_id>/phien-ban/<int:number>/khoi-phuc")
def revision_revert(document_id: int, number: int):
    document = get_document(document_id)
    publishing.require_edit(document, actor())
    editing.revert(document, number, actor())
    flash(f"Đã khôi phục nội dung phiên bản {number} (lưu thành phiên bản mới).")
    return redirect(url_for("admin.revision_list", document_id=document.id))


@bp.post("/xem-truoc")
def preview():
    """The body rendered by the public page's own sanitizing renderer."""
    return jsonify(html=render(request.form.get("body", "")[:500_000]))


@bp.get("/goi-y-ky-hieu")
def symbol_suggestions():
    """Symbols starting like the typed text, for the relation picker."""
    text = " ".join(request.args.get("q", "").split())[:80]
    if len(text) < 1:
        return jsonify(items=[])
    key = symbol_key(text)
    query = (db.select(Document).where(Document.deleted_at.is_(None), db.or_(
        Document.symbol_key.startswith(key), Document.subject.ilike(f"%{text}%")))
        .order_by(Document.issued_on.desc()).limit(10))
    return jsonify(items=[{"symbol": d.symbol, "year": d.year, "subject": d.subject, "state": d.state_label}
                          for d in db.session.scalars(query)])
