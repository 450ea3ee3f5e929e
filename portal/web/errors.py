"""Maps the error hierarchy and HTTP errors to Vietnamese pages or JSON."""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, SecurityError

from portal.errors import PortalError
from portal.extensions import db

MESSAGES = {
    400: "Yêu cầu không hợp lệ.",
    401: "Bạn cần đăng nhập để dùng chức năng này.",
    403: "Bạn không có quyền truy cập trang này.",
    404: "Không tìm thấy trang bạn yêu cầu.",
    405: "Phương thức không được hỗ trợ.",
    409: "Thao tác không thực hiện được ở trạng thái hiện tại.",
    406: "Không có định dạng trả lời phù hợp với yêu cầu.",
    408: "Yêu cầu gửi quá chậm, vui lòng gửi lại.",
    413: "Tệp tải lên quá lớn.",
    414: "Địa chỉ yêu cầu quá dài.",
    415: "Định dạng dữ liệu gửi lên không được hỗ trợ.",
    422: "Dữ liệu gửi lên không xử lý được.",
    431: "Phần đầu của yêu cầu quá lớn.",
    429: "Bạn đã thử quá nhiều lần, vui lòng đợi rồi thử lại.",
    500: "Đã có lỗi xảy ra phía máy chủ. Chúng tôi đã ghi nhận và sẽ khắc phục.",
    503: "Cổng thông tin tạm thời không truy cập được cơ sở dữ liệu. Vui lòng thử lại sau ít phút.",
}
RETRY_AFTER = "30"
log = logging.getLogger(__name__)


def rollback_quietly() -> None:
    """Roll the session back without letting a second failure hide the first."""
    try:
        db.session.rollback()
    except Exception as exc:  # noqa: BLE001 (the database may be gone; the page must still render)
        log.debug("rollback failed: %s", exc)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


STAFF_AREAS = ("/quan-tri", "/don-vi")


def _back() -> str | None:
    """In the webmasters' and units' area: the page the refused form was sent from, to go back
    to (a path on this site only, never another host)."""
    if not request.path.startswith(STAFF_AREAS) or not request.referrer:
        return None
    parts = urlsplit(request.referrer)
    if parts.netloc != request.host or not parts.path.startswith(STAFF_AREAS) or parts.path == request.path:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def render_error(status: int, message: str | None = None, problems: list[str] | None = None):
    message = message or MESSAGES.get(status, "Đã có lỗi xảy ra.")
    if _wants_json():
        body = {"error": {"status": status, "message": message}}
        if problems:
            body["error"]["problems"] = problems
        return jsonify(body), status
    return render_template("error.html", status=status, message=message, problems=problems or [],
                           staff=request.path.startswith(STAFF_AREAS), back=_back()), status


def _release_session(_exc=None) -> None:
    """At the end of every request: give the connection back even when the database died under
    it (a ROLLBACK on a connection the server shut down raises; the visitor's page is already made)."""
    try:
        db.session.remove()
    except Exception as exc:  # noqa: BLE001 (the answer is sent; a dead connection is only logged)
        log.warning("session not released cleanly: %s", exc.__class__.__name__)
        db.session.registry.clear()


def init_app(app: Flask) -> None:
    app.teardown_appcontext(_release_session)  # registered after Flask-SQLAlchemy's, so it runs first
    @app.errorhandler(PortalError)
    def _portal_error(exc: PortalError):
        body, status = render_error(exc.status, exc.message, exc.problems)
        response = make_response(body, status)
        if status == 503:
            response.headers["Retry-After"] = RETRY_AFTER
        return response

    @app.errorhandler(CSRFError)
    def _csrf_error(_exc: CSRFError):
        # 403, not 400: the form was fine, the proof that it came from our own page was not.
        return render_error(403, "Biểu mẫu đã hết hạn hoặc không gửi từ trang của cổng thông tin. "
                                 "Vui lòng tải lại trang rồi gửi lại.")

    @app.errorhandler(SecurityError)
    def _untrusted_host(_exc):
        # A Host outside TRUSTED_HOSTS: no link can be built for it, so the answer is plain text.
        return Response("Yêu cầu không hợp lệ: địa chỉ này không thuộc cổng thông tin.\n", 400,
                        mimetype="text/plain")

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if exc.code and exc.code < 400:
            return exc
        code = exc.code or 500
        body, status = render_error(code, MESSAGES.get(code) or f"Yêu cầu không thực hiện được (mã lỗi {code}).")
        response = make_response(body, status)
        for name, value in exc.get_headers():
            if name.lower() in ("allow", "retry-after", "www-authenticate"):
                response.headers[name] = value  # 405 names the methods it allows (RFC 9110)
        return response

    @app.errorhandler(StaleDataError)
    def _conflict(_exc):
        rollback_quietly()
        return render_error(409, "Nội dung vừa được người khác thay đổi; thao tác chưa được thực hiện. "
                                 "Hãy tải lại trang.")

    @app.errorhandler(OperationalError)
    def _database_unreachable(exc):
        rollback_quietly()
        # Templates ask for the signed-in account: while the database is away, nobody is loaded.
        g._login_user = current_app.login_manager.anonymous_user()
        log.warning("database unreachable: %s", exc.__class__.__name__)
        body, status = render_error(503)
        response = make_response(body, status)
        response.headers["Retry-After"] = RETRY_AFTER
        return response

    @app.errorhandler(500)
    def _server_error(_exc):
        rollback_quietly()
        return render_error(500)
