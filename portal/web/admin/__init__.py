"""Blueprint "admin": the webmaster area under /quan-tri. Every view needs a login; views
that change published content or accounts also need a role (checked by `role_required`)."""
from __future__ import annotations

import functools

from flask import Blueprint, Flask, abort, redirect, request, url_for
from flask_login import LoginManager, current_user

from portal.domain import accounts
from portal.domain.documents.workflow import TRANSITIONS
from portal.domain.files.extract import STATUS_LABELS
from portal.domain.kernel.vocab import RECIPIENT_KINDS, STATES
from portal.web import floor
from portal.web.common import vn_datetime

bp = Blueprint("admin", __name__, url_prefix="/quan-tri")
login_manager = LoginManager()
OPEN_ENDPOINTS = {"admin.login"}
# What a unit account may use here: signing in and out, its password. The rest is the office's.
UNIT_ENDPOINTS = OPEN_ENDPOINTS | {"admin.logout", "admin.password"}


@login_manager.user_loader
def _load_user(session_id: str):
    return accounts.load_session_user(session_id)


@bp.before_request
def _require_login():
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        target = request.full_path.rstrip("?") if request.method == "GET" else url_for("admin.dashboard")
        return redirect(url_for("admin.login", next=target))
    if current_user.role == "unit" and request.endpoint not in UNIT_ENDPOINTS:
        if request.endpoint == "admin.dashboard":
            return redirect(url_for("units.home"))
        abort(403)
    return None


def role_required(*roles: str):
    """Allow admins and the named roles; anyone else gets 403."""

    def decorate(view):
        view.required_roles = roles

        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                abort(401)
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


ACTIONS = {"create": "Tạo", "edit": "Sửa", "load": "Nạp từ tệp", "attach": "Đính kèm tệp", "detach": "Gỡ tệp",
           "awards": "Nạp danh sách khen thưởng", "trash": "Chuyển vào thùng rác", "restore": "Khôi phục",
           "withdraw": "Rút hồ sơ khỏi dự thảo"}


def action_label(action: str) -> str:
    transition = TRANSITIONS.get(action)
    return transition.label if transition else ACTIONS.get(action, action)


def init_app(app: Flask) -> None:
    from portal.web.admin import (  # noqa: F401  (routes)
        auth,
        documents,
        dossiers,
        files,
        honors,
        matters,
        people,
        recipients,
        records,
        registrations,
        reports,
        trash,
    )

    app.add_template_filter(vn_datetime, "vn_datetime")
    app.add_template_filter(action_label, "action_label")
    app.add_template_filter(lambda code: STATES.label(code) if code else "", "state_label")
    app.add_template_filter(lambda code: STATUS_LABELS.get(code, code), "text_status_label")
    app.add_template_filter(RECIPIENT_KINDS.label, "recipient_label")

    login_manager.init_app(app)
    login_manager.login_view = "admin.login"
    login_manager.login_message = "Vui lòng đăng nhập để vào khu vực quản trị."
    login_manager.session_protection = "strong"
    floor.anonymous_without_cookies(app, login_manager)
    app.register_blueprint(bp)
