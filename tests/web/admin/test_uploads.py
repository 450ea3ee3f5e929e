"""Uploads: originals checked from their content, refused cleanly, served as downloads;
award lists reported row by row before the webmaster confirms."""
import io
import re
from pathlib import Path

import pytest
from werkzeug.test import EnvironBuilder

from portal.domain.documents.models import Attachment
from portal.domain.honors.models import Award, AwardPrivate
from portal.domain.kernel.audit import AuditEntry
from portal.extensions import db
from tests.pdfs import blank_pdf

from .conftest import create, publish

CAMPAIGN = "day-nhanh-tien-do-giai-phong-mat-bang-2022-2025"
HEADER = "STT,Đối tượng,Họ tên,Chức vụ,Đơn vị,Thôn,Xã,Huyện,Thành tích,Giá trị đóng góp,Số định danh,Ngày sinh\n"


def pdf_bytes() -> bytes:
    return blank_pdf(200, 200)


def stored_files(app) -> list[str]:
    """Names in the configured store (a folder, or the database), staged lists included."""
    from portal.domain.files.storage import STAGING
    from portal.services import storage
    with app.app_context():
        store = storage()
        return store.names() + store.names(STAGING)


def attachment_count(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(Attachment.id)))


def upload(session, doc_id: int, data: bytes, name: str, url: str = "tep", referrer: str | None = None):
    builder = EnvironBuilder(path=f"/quan-tri/van-ban/{doc_id}/{url}", method="POST",
                             data={"file": (io.BytesIO(data), name), "csrf_token": session.csrf()},
                             headers={"Referer": referrer} if referrer else None)
    environ = builder.get_environ()
    try:  # a large body is spooled to a temporary file: close it when done
        return session.client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()


def test_a_pdf_original_is_stored_and_served_as_a_download(app, as_role, client):
    reviewer = as_role("reviewer")
    doc_id = create(reviewer)
    assert upload(reviewer, doc_id, pdf_bytes(), "Kế hoạch 12 (bản ký).pdf").status_code == 302
    [stored] = stored_files(app)
    assert re.fullmatch(r"[0-9a-f]{32}", stored)  # a random name, never the visitor's
    publish(reviewer, doc_id)
    page = client.get("/van-ban/12-kh-vks-2026").get_data(as_text=True)
    href = page[page.index("/van-ban/12-kh-vks-2026/tai-ve/"):].split('"')[0]
    response = client.get(href)
    assert response.get_data() == pdf_bytes()
    response.close()
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''K%E1%BA%BF" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    with app.app_context():
        assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "attachment.add")) is not None


@pytest.mark.parametrize("data, name, message", [
    (b"MZ\x90\x00\x03" + b"\x00" * 200, "quyet-dinh.pdf", "không đúng định dạng PDF"),
    (b"MZ\x90\x00\x03" + b"\x00" * 200, "setup.exe", "chỉ nhận PDF, DOCX, DOC, ODT, XLSX"),
    (b"\x7fELF\x02\x01" + b"\x00" * 200, "bao-cao.docx", "không đúng định dạng DOCX"),
    (b"<html><script>alert(1)</script></html>", "trang.pdf", "không đúng định dạng PDF"),
    (b"%PDF-1.4 fake", "../../etc/passwd", "chỉ nhận PDF"),
    (b"PK\x03\x04 not a zip", "bang.xlsx", "không đúng định dạng XLSX"),
    (b"", "rong.pdf", "rỗng"),
])
def test_bad_uploads_are_refused_and_nothing_is_written(app, as_role, data, name, message):
    editor = as_role("editor")
    doc_id = create(editor)
    response = upload(editor, doc_id, data, name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert attachment_count(app) == 0 and stored_files(app) == []


def test_a_refused_upload_leads_back_to_the_document_not_to_the_public_home(app, as_role):
    """Tried by hand: a fake PDF gave the message, then offered only the public home page,
    the document list and the site map; the webmaster had to find the document again."""
    editor = as_role("editor")
    doc_id = create(editor)
    page = upload(editor, doc_id, b"MZ\x90\x00 not a pdf", "ban-goc.pdf",
                  referrer=f"http://localhost/quan-tri/van-ban/{doc_id}").get_data(as_text=True)
    assert f'href="/quan-tri/van-ban/{doc_id}">Quay lại trang trước' in page
    assert "Dữ liệu không thay đổi" in page and "sơ đồ trang" not in page
    elsewhere = upload(editor, doc_id, b"MZ", "ban-goc.pdf", referrer="http://evil.example/quan-tri/x")
    assert "evil.example" not in elsewhere.get_data(as_text=True)


def test_path_traversal_names_lose_their_path(app, as_role):
    editor = as_role("editor")
    doc_id = create(editor)
    assert upload(editor, doc_id, pdf_bytes(), "../../../tmp/x/ban-goc.pdf").status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(Attachment.filename)) == "ban-goc.pdf"
    assert len(stored_files(app)) == 1
    if app.config["FILE_STORAGE"] == "folder":
        root = Path(app.config["UPLOAD_DIR"])
        assert all(root in p.parents for p in root.rglob("*") if p.is_file())


def test_an_oversized_file_is_refused_before_it_is_read(app, as_role):
    editor = as_role("editor")
    doc_id = create(editor)
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    response = upload(editor, doc_id, b"%PDF-1.4\n" + b"0" * (200 * 1024), "lon.pdf")
    assert response.status_code == 413 and "quá lớn" in response.get_data(as_text=True)
    assert attachment_count(app) == 0 and stored_files(app) == []


def test_the_store_limit_stops_a_file_while_streaming(app, as_role):
    """Past the configured size the copy stops at the limit, whatever the request size says."""
    from portal.services import storage
    editor = as_role("editor")
    doc_id = create(editor)
    app.config["MAX_UPLOAD_MB"] = 1
    with app.test_request_context():
        assert storage().max_bytes == 1024 * 1024
    response = upload(editor, doc_id, b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10), "lon.pdf")
    assert response.status_code == 400 and "vượt quá dung lượng" in response.get_data(as_text=True)
    assert attachment_count(app) == 0 and stored_files(app) == []


def _decision(session) -> int:
    return create(session, symbol="45/QĐ-VKS", type="quyet-dinh", subject="Khen thưởng sơ kết năm 2022",
                  award_form="bang-khen-chu-tich-ubnd-tinh", level="tinh", campaign=CAMPAIGN,
                  review_round="so-ket-2022", reason="đã có thành tích trong giải phóng mặt bằng")


def test_award_list_is_reported_then_confirmed(seeded, as_role, client):
    reviewer = as_role("reviewer")
    doc_id = _decision(reviewer)
    rows = HEADER + ("1,Hộ gia đình,Hộ ông Hoàng Văn Minh,,,Thôn Nà Pàn,Xã Hợp Thành,Cao Lộc,Hiến đất làm đường,"
                     "150000000,012345678901,01/02/1960\n"
                     "2,Cá nhân,Lương Thị Hoa,Cán bộ,UBND xã Hợp Thành,,,,Vận động nhân dân,,,\n")
    report = upload(reviewer, doc_id, rows.encode(), "danh-sach.csv", "danh-sach")
    html = report.get_data(as_text=True)
    assert report.status_code == 200 and "Danh sách hợp lệ: 2 dòng" in html
    assert "Hộ ông Hoàng Văn Minh" in html and "012345678901" not in html
    with app_ctx(seeded):
        assert db.session.scalar(db.select(db.func.count(Award.id))) == 0
    token = html.split("/danh-sach/")[1].split('"')[0]
    assert reviewer.post(f"/quan-tri/van-ban/{doc_id}/danh-sach/{token}", {"action": "confirm"}).status_code == 302
    with app_ctx(seeded):
        assert db.session.scalar(db.select(db.func.count(Award.id))) == 2
        assert db.session.scalar(db.select(AwardPrivate.id_number).where(AwardPrivate.id_number.is_not(None))) \
            == "012345678901"
    publish(reviewer, doc_id)
    roll = client.get("/vinh-danh").get_data(as_text=True)
    assert "Hộ ông Hoàng Văn Minh" in roll and "012345678901" not in roll
    again = reviewer.post(f"/quan-tri/van-ban/{doc_id}/danh-sach/{token}", {"action": "confirm"})
    assert again.status_code == 400 and "hết hạn" in again.get_data(as_text=True)


def test_a_faulty_award_list_writes_nothing(seeded, as_role):
    reviewer = as_role("reviewer")
    doc_id = _decision(reviewer)
    rows = HEADER + "1,Hộ gia đình,Hộ ông A,,,,,Huyện Không Có,,abc,,\n1,Người ngoài hành tinh,B,,,,,,,,,\n"
    report = upload(reviewer, doc_id, rows.encode(), "loi.csv", "danh-sach")
    html = report.get_data(as_text=True)
    assert report.status_code == 400 and "dòng 2" in html and "dòng 3" in html
    assert "Xác nhận nạp" not in html
    token = html.split("/danh-sach/")[1].split('"')[0]
    refused = reviewer.post(f"/quan-tri/van-ban/{doc_id}/danh-sach/{token}", {"action": "confirm"})
    assert refused.status_code == 400
    with app_ctx(seeded):
        assert db.session.scalar(db.select(db.func.count(Award.id))) == 0


def test_award_list_must_be_a_spreadsheet(seeded, as_role):
    reviewer = as_role("reviewer")
    doc_id = _decision(reviewer)
    response = upload(reviewer, doc_id, pdf_bytes(), "danh-sach.pdf", "danh-sach")
    assert response.status_code == 400 and "chỉ nhận XLSX, CSV" in response.get_data(as_text=True)


def app_ctx(app):
    return app.app_context()
