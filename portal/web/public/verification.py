"""Public verification of a certificate by its code (/xac-minh): the code is typed, or read from
the certificate's QR code. Lookups are throttled per address; an unknown code is a plain 404."""
from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for

from portal.domain.honors import verification
from portal.domain.honors.models import grouped_code, normalize_code
from portal.web.public import bp
from portal.web.throttle import too_many

LOOKUPS_PER_WINDOW = 30
WINDOW_SECONDS = 600


def _throttled() -> None:
    if too_many("verify", request.remote_addr or "?", limit=LOOKUPS_PER_WINDOW, seconds=WINDOW_SECONDS):
        abort(429)


@bp.get("/xac-minh")
def verify_form():
    raw = request.args.get("ma", "")
    if not raw:
        return render_template("honors/verify_form.html", problem=None, typed="")
    code = normalize_code(raw)
    if code is None:
        return render_template("honors/verify_form.html", typed=raw[:40],
                               problem="Mã xác minh gồm 12 ký tự chữ và số (ví dụ ABCD-EFGH-JKMN)."), 400
    return redirect(url_for("public.verify", code=grouped_code(code)), 303)


@bp.get("/xac-minh/<code>")
def verify(code: str):
    _throttled()
    found = verification.lookup(code)
    # The log names the award, never the code or the visitor's address.
    current_app.logger.info("verification lookup: %s", f"award {found.award_id}" if found else "no match")
    if found is None:
        abort(404)
    response = current_app.make_response(render_template("honors/verify.html", v=found,
                                                          code=grouped_code(normalize_code(code))))
    response.headers["Cache-Control"] = "no-store"  # the status may change with an annulment
    response.headers["X-Robots-Tag"] = "noindex"
    return response
