"""Certificates and annulment from the office's side: each award's PDF (the form's design, or the
variable fields on the pre-printed blank), a decision's batch, the blank's positions, and
annulling an award through the workflow with the public verification page following."""
import io
import re

import pytest
from pypdf import PdfReader

from portal.domain.honors.models import Award, grouped_code
from portal.extensions import db
from tests.conftest import load
from tests.honors_helpers import row, write_decision

PRIVATE = ("987650004321", "Số 77 ngõ Bí Mật", "0912 000 777", "1931")
NAMES = ["Nguyễn Văn An", "Hộ ông Hoàng Văn Chiến", "Đinh Thị Ánh"]


@pytest.fixture
def decision(seeded, tmp_path):
    rows = [row(1, name=NAMES[0], id_number=PRIVATE[0], address=PRIVATE[1], phone=PRIVATE[2], birth="13/07/1931"),
            row(2, kind="Hộ gia đình", name=NAMES[1], district="Văn Lãng"),
            row(3, name=NAMES[2], district="Lộc Bình")]
    load(seeded, write_decision(tmp_path / "a", rows))
    with seeded.app_context():
        awards = db.session.scalars(db.select(Award).order_by(Award.seq)).all()
        return {"document_id": awards[0].decision.document_id,
                "awards": [(a.id, a.name, a.verification_code) for a in awards]}


def text_of(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def test_the_office_prints_each_certificate_with_the_name_and_code(decision, as_role):
    office = as_role("editor")
    for award_id, name, code in decision["awards"]:
        response = office.get(f"/quan-tri/khen-thuong/{award_id}/giay-chung-nhan.pdf")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        (page,) = text_of(response.data)
        assert name in page and grouped_code(code) in page, page
        assert "TẶNG BẰNG KHEN" in page and "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN" in page.upper()
        assert "15/QĐ-UBND" in page and "ngày 20 tháng 12 năm 2022" in page
        assert not any(value in page for value in PRIVATE)


def test_the_blank_mode_prints_only_the_variable_fields(decision, as_role):
    award_id, name, code = decision["awards"][0]
    (page,) = text_of(as_role("editor").get(f"/quan-tri/khen-thuong/{award_id}/giay-chung-nhan.pdf?kieu=phoi").data)
    assert name in page and grouped_code(code) in page and "15/QĐ-UBND" in page
    assert "CỘNG HÒA" not in page and "TẶNG" not in page


def test_a_decision_batch_has_one_page_per_award_in_list_order(decision, as_role):
    response = as_role("editor").get(f"/quan-tri/van-ban/{decision['document_id']}/giay-chung-nhan.pdf")
    pages = text_of(response.data)
    assert len(pages) == 3
    assert [next(n for n in NAMES if n in p) for p in pages] == NAMES


def test_certificates_are_for_the_office_only(decision, as_role, client):
    award_id = decision["awards"][0][0]
    url = f"/quan-tri/khen-thuong/{award_id}/giay-chung-nhan.pdf"
    assert client.get(url).status_code == 302  # to the sign-in page
    assert as_role("editor").get(url + "?kieu=khac").status_code == 400


def test_the_office_sets_the_blank_positions_from_a_test_print(decision, as_role):
    editor = as_role("editor")
    url = "/quan-tri/mau-giay-chung-nhan/bang-khen-chu-tich-ubnd-tinh"
    page = editor.get(url).get_data(as_text=True)
    assert "In thử" in page or "in thử" in page
    test_print = editor.get(url + "/in-thu.pdf")
    assert test_print.status_code == 200 and "Nguyễn Văn Mẫu" in text_of(test_print.data)[0]
    form = {f"{key}_{part}": value for key in ("name", "detail", "achievement", "place_date", "decision",
                                               "register_no", "code")
            for part, value in (("x", "148,5"), ("y", "60"), ("size", "12"))}
    bad = editor.post(url, {**form, "name_y": "999"})
    assert bad.status_code == 400 and "phải là số từ 0 đến 210" in bad.get_data(as_text=True)
    assert 'value="999"' in bad.get_data(as_text=True)
    assert 'value="92"' in editor.get(url).get_data(as_text=True)  # nothing saved
    assert editor.post(url, {**form, "name_y": "70.5"}).status_code == 303
    assert 'value="70.5"' in editor.get(url).get_data(as_text=True)
    assert editor.get("/quan-tri/mau-giay-chung-nhan/huan-chuong-lao-dong-hang-ba").status_code == 404


def test_annulling_through_the_office_changes_the_verification_page(decision, as_role, client):
    award_id, name, code = decision["awards"][0]
    document_id = decision["document_id"]
    verify = f"/xac-minh/{grouped_code(code)}"
    assert "Còn hiệu lực" in client.get(verify).get_data(as_text=True)
    form = {"award": str(award_id), "buoc": "huy-bo", "symbol": "45/QĐ-UBND", "decided_on": "2023-03-10",
            "reason": "Kê khai không trung thực thành tích"}
    url = f"/quan-tri/van-ban/{document_id}/khen-thuong/huy-bo"
    assert as_role("editor").post(url, form).status_code == 403
    reviewer = as_role("reviewer")
    short = reviewer.post(url, {**form, "reason": "sai"})
    assert short.status_code == 400 and "ít nhất 10 ký tự" in short.get_data(as_text=True)
    assert "45/QĐ-UBND" in short.get_data(as_text=True)  # what was typed stays
    assert "Còn hiệu lực" in client.get(verify).get_data(as_text=True)
    assert reviewer.post(url, form).status_code == 303
    html = client.get(verify).get_data(as_text=True)
    assert "Đã bị hủy bỏ" in html and "Kê khai không trung thực thành tích" in html
    assert not any(value in html for value in PRIVATE)
    listing = reviewer.get(f"/quan-tri/van-ban/{document_id}/khen-thuong").get_data(as_text=True)
    assert re.search(r"Đã bị hủy bỏ</strong> theo 45/QĐ-UBND", listing)
    (page,) = text_of(reviewer.get(f"/quan-tri/khen-thuong/{award_id}/giay-chung-nhan.pdf").data)
    assert "ĐÃ BỊ HỦY BỎ" in page
    log = as_role("admin").get("/quan-tri/nhat-ky").get_data(as_text=True)
    assert "Hủy bỏ khen thưởng Nguyễn Văn An" in log


def test_a_huan_chuong_has_no_certificate_from_the_portal(seeded, tmp_path, as_role):
    load(seeded, write_decision(tmp_path / "h", [row(1)], symbol="99/QĐ-CTN", form="Huân chương Lao động hạng Ba"))
    with seeded.app_context():
        award_id = db.session.scalar(db.select(Award.id))
    assert as_role("editor").get(f"/quan-tri/khen-thuong/{award_id}/giay-chung-nhan.pdf").status_code == 404


def test_the_office_api_lists_codes_certificates_and_status(decision, as_role, client):
    award_id, name, code = decision["awards"][0]
    assert client.get("/api/v1/office/awards?decision=15/QĐ-UBND").status_code == 401
    office = as_role("reviewer")
    assert office.get("/api/v1/office/awards").status_code == 400
    assert office.get("/api/v1/office/awards?decision=99/QĐ-XYZ").status_code == 404
    data = office.get("/api/v1/office/awards?decision=15/qđ-ubnd").get_json()
    assert data["decision"]["symbol"] == "15/QĐ-UBND" and [a["name"] for a in data["awards"]] == NAMES
    first = data["awards"][0]
    assert first["verification_code"] == grouped_code(code) and first["status"] == "valid"
    assert first["certificate_url"].endswith(f"/quan-tri/khen-thuong/{award_id}/giay-chung-nhan.pdf")
    assert not any(value in str(data) for value in PRIVATE)
    office.post(f"/quan-tri/van-ban/{decision['document_id']}/khen-thuong/huy-bo",
                {"award": str(award_id), "buoc": "huy-bo", "symbol": "45/QĐ-UBND", "decided_on": "2023-03-10",
                 "reason": "Kê khai không trung thực thành tích"})
    again = office.get("/api/v1/office/awards?decision=15/QĐ-UBND").get_json()["awards"][0]
    assert again["status"] == "annulled" and again["annulment"]["symbol"] == "45/QĐ-UBND"
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/office/awards" in spec["paths"]
