"""Accounts and the audit log (admins), and the honor roll's request queue."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from portal.domain import accounts
from portal.domain.honors import requests as honor_requests
from portal.domain.kernel import audit
from portal.domain.kernel.bounds import parse_int
from portal.domain.kernel.vocab import PUBLICATION
from portal.errors import ValidationFailed
from portal.web.admin import bp, role_required
from portal.web.common import actor


@bp.route("/nguoi-dung", methods=["GET", "POST"])
@role_required("admin")
def users():
    if request.method == "POST":
        form = request.form
        if form.get("password", "") != form.get("confirm", ""):
            raise ValidationFailed("Hai lần nhập mật khẩu không khớp.")
        user = accounts.create_user(form.get("email", ""), form.get("password", ""), form.get("role", ""),
                                    actor(), form.get("name", ""))
        flash(f"Đã tạo tài khoản {user.email}.")
        return redirect(url_for("admin.users"))
    return render_template("admin/users.html", users=accounts.all_users(), roles=accounts.ROLES,
                           min_password=accounts.MIN_PASSWORD)


@bp.post("/nguoi-dung/<int:user_id>")
@role_required("admin")
def user_update(user_id: int):
    user = accounts.get_user(user_id)
    action = request.form.get("action")
    if action in ("disable", "enable"):
        accounts.set_active(user, action == "enable", actor())
    elif action == "role":
        accounts.set_role(user, request.form.get("role", ""), actor())
    elif action == "password":
        accounts.set_password(user, request.form.get("password", ""), actor())
    else:
        raise ValidationFailed("Thao tác không hợp lệ.")
    flash(f"Đã cập nhật tài khoản {user.email}.")
    return redirect(url_for("admin.users"))


@bp.get("/nhat-ky")
@role_required("admin")
def audit_log():
    number = parse_int(request.args.get("trang"), 1, low=1, high=10**6 - 1)
    page = audit.page(number, 50, request.args.get("nguoi") or None, request.args.get("loai") or None)
    return render_template("admin/audit.html", page=page)


@bp.get("/yeu-cau")
@role_required("reviewer")
def request_queue():
    status = "closed" if request.args.get("trang-thai") == "closed" else "open"
    return render_template("admin/requests.html", items=honor_requests.queue(status), status=status,
                           publication=PUBLICATION)


@bp.post("/yeu-cau/<int:request_id>")
@role_required("reviewer")
def request_close(request_id: int):
    item = honor_requests.get_request(request_id)
    honor_requests.close_request(item, request.form.get("publication", ""), request.form.get("note", ""), actor())
    flash(f"Đã xử lý yêu cầu #{item.id}.")
    return redirect(url_for("admin.request_queue"))
