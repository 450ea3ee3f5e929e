"""Blueprint "units": /don-vi, the work area of a unit's accounts (role `unit`).

A unit sees the public documents sent to it and records their receipt, by downloading an
original or the .docx (anywhere on the site) or by an explicit "Đã nhận". It sees only its own
unit's documents and receipts; the webmaster area is closed to it."""
from __future__ import annotations

import functools

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.domain import units
from portal.domain.documents import models as docs
from portal.extensions import db

bp = Blueprint("units", __name__, url_prefix="/don-vi")
# Downloads that count as the receipt of a document sent to the downloader's unit.
DOWNLOADS = {"public.attachment", "public.document_docx"}


def unit_account():
    """The signed-in unit account's unit, or None."""
    if not current_user.is_authenticated or current_user.role != "unit":
        return None
    return current_user.unit


def unit_required(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
        if unit_account() is None:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


@bp.get("/")
@unit_required
def home():
    unit = unit_account()
    sent = units.documents_for_unit(unit)
    from portal.domain.units.waiting import for_unit
    return render_template("units/home.html", unit=unit, sent=sent, tasks=for_unit(unit))


@bp.post("/van-ban/<int:document_id>/da-nhan")
@unit_required
def confirm(document_id: int):
    document = db.session.get(docs.Document, document_id)
    if document is None or not document.is_public:
        abort(404)
    unit = unit_account()
    if db.session.get(units.DocumentRecipient, (document.id, unit.id)) is None:
        abort(404)  # not sent to this unit: as if it did not exist
    if units.record_receipt(document, unit, current_user.email, "confirm"):
        db.session.commit()
        flash(f"Đã ghi nhận: {unit.name} đã nhận {document.type_label} {document.symbol}.")
    else:
        flash(f"{document.type_label} {document.symbol} đã được ghi nhận là đã nhận trước đó.")
    return redirect(url_for("units.home"))


def _receipt_on_download(response):
    """A unit account's download of a document sent to its unit is its receipt."""
    if request.endpoint not in DOWNLOADS or response.status_code != 200:
        return response
    unit = unit_account()
    if unit is None:
        return response
    document = docs.by_slug((request.view_args or {}).get("slug", ""))
    if document is not None and units.record_receipt(document, unit, current_user.email, "download"):
        db.session.commit()
    return response


def init_app(app: Flask) -> None:
    from portal.domain.campaigns.calendar import day_off
    from portal.domain.units.dossiers import STATES
    from portal.web.units import dossiers, people, registrations, reports  # noqa: F401 (routes register on import)
    app.register_blueprint(bp)
    app.add_template_filter(lambda day: day_off(day) if day else None, "day_off")
    app.add_template_filter(lambda code: STATES.get(code, code or ""), "dossier_state")
    app.after_request(_receipt_on_download)
