"""Certificates as the office and units fetch them: the fields of each award's certificate, the
sheet's HTML, and the PDF (kept by its HTML's digest, see domain/honors/certificates.py)."""
from __future__ import annotations

import hashlib
import io
from pathlib import Path

from flask import abort, current_app, render_template, request, send_file

from portal.domain.documents.models import Document
from portal.domain.honors import certificates as certs
from portal.domain.honors.models import Award, HonorDecision, grouped_code
from portal.web.common import absolute

MODES = {"mau": "design", "phoi": "blank"}


def mode_arg() -> str:
    raw = request.args.get("kieu", "mau")
    if raw not in MODES:
        abort(400, "Tham số «kieu» là «mau» (in cả mẫu) hoặc «phoi» (in lên phôi có sẵn).")
    return MODES[raw]


def fields(award: Award, decision: HonorDecision, document: Document) -> dict:
    """What one certificate prints: public fields of the award, the decision and the code."""
    detail = ", ".join(p for p in (award.position, award.unit) if p)
    if award.kind == "ho-gia-dinh" or not detail:
        detail = award.locality or detail
    code = grouped_code(award.verification_code)
    label = decision.distinction_label
    heading = "BẰNG KHEN" if decision.distinction.startswith("bang-khen") else "GIẤY KHEN"
    return {
        "name": award.name, "detail": detail, "achievement": award.achievement or (
            f"Đã có thành tích {decision.reason[0].lower()}{decision.reason[1:]}" if decision.reason else label),
        "heading": heading, "conferrer": certs.conferrer(document.issuer),
        "place_date": f"{document.place}, ngày {document.issued_on.day:02d} tháng {document.issued_on.month} "
                      f"năm {document.issued_on.year}",
        "decision": document.symbol, "register_no": award.register_no,
        "signer_title": " ".join(p for p in (document.signing_authority, document.signer_title) if p)
        or certs.conferrer(document.issuer),
        "signer": document.signer or "", "code": code,
        "qr": certs.qr_data_uri(absolute("public.verify", code=code)), "annulled": award.annulled,
    }


def _html(items: list[dict], mode: str, distinction: str, title: str, test_print: bool = False) -> str:
    return render_template("certificates/sheet.html", items=items, mode=mode, title=title, test_print=test_print,
                           fields=certs.layout_for(distinction) if mode == "blank" else [])


def _send(path: Path, name: str):
    """The kept file's bytes (a few kilobytes a certificate): nothing holds the file open
    after the response, and a file replaced meanwhile is never read half-written."""
    return send_file(io.BytesIO(path.read_bytes()), mimetype="application/pdf", download_name=name, max_age=0)


def one(award: Award, decision: HonorDecision, document: Document):
    if not certs.printable(decision.distinction):
        abort(404)
    mode = mode_arg()
    html = _html([fields(award, decision, document)], mode, decision.distinction, award.name)
    path = certs.cached_pdf(html, Path(current_app.instance_path))
    return _send(path, f"giay-chung-nhan-{document.slug}-{award.seq}.pdf")


def batch(decision: HonorDecision, document: Document):
    """Every certificate of a decision, in list order, rendered a chunk at a time."""
    if not certs.printable(decision.distinction) or not decision.awards:
        abort(404)
    mode = mode_arg()
    chunks = [_html([fields(a, decision, document) for a in part], mode, decision.distinction, document.symbol)
              for part in certs.chunked(list(decision.awards))]
    digest = hashlib.sha256("\0".join(chunks).encode()).hexdigest()
    path = certs.batch_pdf(iter(chunks), digest, Path(current_app.instance_path))
    return _send(path, f"giay-chung-nhan-{document.slug}.pdf")


def test_print(distinction: str):
    """A sheet with sample values at the saved positions over a millimetre grid, to lay on the blank."""
    sample = {"name": "Nguyễn Văn Mẫu", "detail": "Kiểm sát viên, Phòng 7", "heading": "", "conferrer": "",
              "achievement": "Đã có thành tích xuất sắc trong phong trào thi đua", "decision": "123/QĐ-VKS",
              "place_date": "Lạng Sơn, ngày 20 tháng 12 năm 2025", "register_no": "S-001",
              "code": "ABCD-EFGH-JKMN", "qr": certs.qr_data_uri(absolute("public.verify_form")), "annulled": False}
    html = _html([sample], "blank", distinction, "In thử", test_print=True)
    return _send(certs.cached_pdf(html, Path(current_app.instance_path)), f"in-thu-{distinction}.pdf")
