"""Signing in and out, and changing one's own password."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from portal.domain import accounts
from portal.domain.kernel import audit
from portal.domain.kernel.actor import Actor
from portal.errors import ValidationFailed
from portal.extensions import db
from portal.web.admin import bp
from portal.web.common import actor
from portal.web.throttle import backend

FAILED = "Email hoặc mật khẩu không đúng."


def safe_next(target: str | None) -> str:
    """Only a path on this site; anything else (another host, //host, a scheme) goes home."""
    target = (target or "").strip()
    parts = urlsplit(target)
    if not target.startswith("/") or target.startswith("//") or parts.scheme or parts.netloc or "\\" in target:
        return url_for("admin.dashboard")
    return target


def _buckets(email: str) -> list[tuple[str, int]]:
    config = current_app.config
    return [(f"login-account:{accounts.normalize_email(email)}", config["LOGIN_LIMIT_ACCOUNT"]),
            (f"login-address:{request.remote_addr or '?'}", config["LOGIN_LIMIT_ADDRESS"])]


@bp.route("/dang-nhap", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(request.args.get("next")))
    if request.method == "GET":
        return render_template("admin/login.html", next=request.args.get("next", ""))
    email, password = request.form.get("email", ""), request.form.get("password", "")
    next_url = request.form.get("next", "")
    store, window = backend(), current_app.config["LOGIN_WINDOW"]
    buckets = _buckets(email)
    reserved = []  # every attempt is counted before the password is checked, atomically
    for bucket, limit in buckets:
        ident = store.reserve(bucket, window, limit)
        if ident is None:
            for earlier, token in reserved:
                store.release(earlier, token)
            minutes = max(1, window // 60)
            message = f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút."
            return render_template("admin/login.html", error=message, email=email, next=next_url), 429
        reserved.append((bucket, ident))
    user = accounts.authenticate(email, password)
    if user is None:
        audit.record(Actor(accounts.normalize_email(email)[:254] or "?", "", request.remote_addr),
                     "login.failed", "login", "Đăng nhập không thành công")
        db.session.commit()
        return render_template("admin/login.html", error=FAILED, email=email, next=next_url), 401
    store.clear(buckets[0][0])
    for bucket, token in reserved[1:]:
        store.release(bucket, token)  # a successful sign-in does not count against the address
    session.clear()  # a new session on login (no fixation)
    login_user(user)
    audit.record(actor(), "login", f"user:{user.email}", "Đăng nhập")
    db.session.commit()
    if user.role == "unit" and not safe_next(next_url).startswith("/don-vi"):
        return redirect(url_for("units.home"))  # a unit account works in its own area
    return redirect(safe_next(next_url))


@bp.post("/dang-xuat")
def logout():
    accounts.end_sessions(current_user._get_current_object(), actor())
    logout_user()
    session.clear()
    flash("Đã đăng xuất.")
    return redirect(url_for("admin.login"))


@bp.route("/mat-khau", methods=["GET", "POST"])
def password():
    if request.method == "GET":
        return render_template("admin/password.html")
    user = current_user._get_current_object()
    if not accounts.password_matches(user, request.form.get("current", "")):
        return render_template("admin/password.html", error="Mật khẩu hiện tại không đúng."), 400
    new = request.form.get("new", "")
    if new != request.form.get("confirm", ""):
        return render_template("admin/password.html", error="Hai lần nhập mật khẩu mới không khớp."), 400
    try:
        accounts.set_password(user, new, actor())
    except ValidationFailed as exc:
        return render_template("admin/password.html", error=exc.message), 400
    login_user(user)  # this session carries on with the new session version; every other one ends
    flash("Đã đổi mật khẩu. Các phiên đăng nhập khác đã bị đăng xuất.")
    return redirect(url_for("admin.dashboard"))
