"""What bars or holds a nomination, kept by the office on a person's record: a discipline of the
year, a late recruitment, a long leave (exclusions of Lao động tiên tiến), a matter under
examination (a hold on every individual title until its conclusion). Private, office only,
withdrawn with a reason rather than erased."""
from datetime import date, timedelta

from portal.domain.honors import records
from portal.domain.kernel.models_base import today_vn
from portal.extensions import db
from tests.web.admin.conftest import as_role, users  # noqa: F401 (fixtures)
from tests.web.test_dossiers import dossier_app  # noqa: F401 (fixture)
from tests.web.test_eligibility import PERSON, _titles

API = "/api/v1/office/eligibility?id_number={}&title={}&year={}"


def _record_id(app, number: str = PERSON) -> int:
    with app.app_context():
        return db.session.get(records.RecipientIdentity, number).recipient_id


def _judged(office, title: str, year: int, rule_id: str, number: str = PERSON) -> tuple[str, dict]:
    data = office.get(API.format(number, title, year)).get_json()
    return data["status"], next(r for r in data["rules"] if r["id"] == rule_id)


def _add(office, record_id: int, **form):
    return office.post(f"/quan-tri/nguoi-duoc-khen/{record_id}/thong-tin", {"reference": "", "ended_on": "", **form})


def test_a_discipline_of_the_year_bars_lao_dong_tien_tien_until_withdrawn(seeded, tmp_path, as_role):  # noqa: F811
    _titles(seeded, tmp_path, [2024], title="Lao động tiên tiến")
    record_id, office = _record_id(seeded), as_role("reviewer")
    assert _judged(office, "lao-dong-tien-tien", 2025, "ldtt-loai-tru")[1]["met"] is True
    answer = _add(office, record_id, kind="ky-luat", form="khien-trach", started_on="15/03/2025",
                  reference="Quyết định 12/QĐ-VKS")
    assert answer.status_code == 303
    status, rule = _judged(office, "lao-dong-tien-tien", 2025, "ldtt-loai-tru")
    assert status == "not_eligible" and rule["met"] is False
    assert "Kỷ luật «Khiển trách» ngày 15/03/2025 (Quyết định 12/QĐ-VKS)" in rule["evidence"]
    assert rule["citation"] == "Thông tư số 01/2024/TT-BNV (văn bản chưa lưu trên cổng: chưa đối chiếu nguyên văn)"
    assert _judged(office, "lao-dong-tien-tien", 2024, "ldtt-loai-tru")[1]["met"] is True  # another year
    page = office.get(f"/quan-tri/nguoi-duoc-khen/{record_id}").get_data(as_text=True)
    matter_id = int(page.split("/thong-tin/")[1].split("/")[0])
    assert office.post(f"/quan-tri/nguoi-duoc-khen/thong-tin/{matter_id}/rut", {"reason": "nhầm"}).status_code == 400
    assert office.post(f"/quan-tri/nguoi-duoc-khen/thong-tin/{matter_id}/rut",
                       {"reason": "Ghi nhầm người, quyết định kỷ luật là của người khác"}).status_code == 303
    assert _judged(office, "lao-dong-tien-tien", 2025, "ldtt-loai-tru")[1]["met"] is True
    page = office.get(f"/quan-tri/nguoi-duoc-khen/{record_id}").get_data(as_text=True)
    assert "Khiển trách" in page and "Đã rút" in page and "quyết định kỷ luật là của người khác" in page
    log = as_role("admin").get("/quan-tri/nhat-ky").get_data(as_text=True)
    assert "Ghi: Kỷ luật «Khiển trách»" in log and "Rút: Kỷ luật «Khiển trách»" in log


def test_a_late_recruitment_or_a_long_leave_bars_lao_dong_tien_tien(seeded, tmp_path, as_role):  # noqa: F811
    _titles(seeded, tmp_path, [2023], title="Lao động tiên tiến")
    record_id, office = _record_id(seeded), as_role("reviewer")
    assert _add(office, record_id, kind="tuyen-dung", started_on="01/08/2024").status_code == 303
    assert "chưa đủ 6 tháng" in _judged(office, "lao-dong-tien-tien", 2024, "ldtt-loai-tru")[1]["evidence"]
    assert _judged(office, "lao-dong-tien-tien", 2025, "ldtt-loai-tru")[1]["met"] is True
    assert _add(office, record_id, kind="nghi", started_on="01/02/2025", ended_on="30/04/2025").status_code == 303
    assert _judged(office, "lao-dong-tien-tien", 2025, "ldtt-loai-tru")[1]["met"] is True  # 89 days
    assert _add(office, record_id, kind="nghi", started_on="01/09/2025", ended_on="05/09/2025").status_code == 303
    status, rule = _judged(office, "lao-dong-tien-tien", 2025, "ldtt-loai-tru")
    assert status == "not_eligible" and "Nghỉ 94 ngày trong năm 2025" in rule["evidence"]


def test_a_matter_under_examination_holds_a_first_nomination_until_its_conclusion(seeded, as_role):  # noqa: F811
    """The office opens a record for someone with no award yet, notes an inspection: every
    individual title is held back until the office records its conclusion."""
    office, year = as_role("reviewer"), today_vn().year
    found = office.get(f"/quan-tri/nguoi-duoc-khen?so-dinh-danh={PERSON}").get_data(as_text=True)
    assert "Không tìm thấy hồ sơ nào" in found and "Lập hồ sơ cá nhân" in found
    opened = office.post("/quan-tri/nguoi-duoc-khen/lap-ho-so",
                         {"name": "Hoàng Thị Mai", "id_number": PERSON, "unit": "Phòng 7"})
    assert opened.status_code == 303
    record_id = _record_id(seeded)
    again = office.post("/quan-tri/nguoi-duoc-khen/lap-ho-so", {"name": "Hoàng Mai", "id_number": PERSON, "unit": ""})
    assert again.status_code == 400 and "đã có hồ sơ" in again.get_data(as_text=True)
    begun = (today_vn() - timedelta(days=20)).strftime("%d/%m/%Y")
    assert _add(office, record_id, kind="dang-xem-xet", form="thanh-tra", started_on=begun,
                reference="Kế hoạch thanh tra 3/KH-TTr").status_code == 303
    for title in ("chien-si-thi-dua-co-so", "giay-khen-vien-truong-vksnd-tinh"):
        status, rule = _judged(office, title, year, "tam-hoan-khi-dang-xem-xet")
        assert status == "not_eligible" and "«Đang bị thanh tra, kiểm tra» từ " + begun in rule["evidence"]
        assert rule["citation"].startswith("Nghị định số 152/2025/NĐ-CP")
    page = office.get(f"/quan-tri/nguoi-duoc-khen/{record_id}").get_data(as_text=True)
    matter_id = int(page.split("/thong-tin/")[1].split("/")[0])
    assert "tạm hoãn đề nghị" in page
    tomorrow = (today_vn() + timedelta(days=1)).strftime("%d/%m/%Y")
    refused = office.post(f"/quan-tri/nguoi-duoc-khen/thong-tin/{matter_id}/ket-luan", {"ended_on": tomorrow})
    assert refused.status_code == 400 and "đến hôm nay" in refused.get_data(as_text=True)
    assert office.post(f"/quan-tri/nguoi-duoc-khen/thong-tin/{matter_id}/ket-luan",
                       {"ended_on": today_vn().strftime("%d/%m/%Y")}).status_code == 303
    assert _judged(office, "chien-si-thi-dua-co-so", year, "tam-hoan-khi-dang-xem-xet")[1]["met"] is True


def test_a_refused_entry_keeps_what_was_typed_and_only_the_office_sees_any(seeded, tmp_path, client,
                                                                          as_role):  # noqa: F811
    _titles(seeded, tmp_path, [2024], title="Lao động tiên tiến")
    record_id, office = _record_id(seeded), as_role("reviewer")
    future = (today_vn() + timedelta(days=30)).strftime("%d/%m/%Y")
    refused = _add(office, record_id, kind="ky-luat", form="canh-cao", started_on=future, reference="QĐ 5/QĐ-VKS")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "không được ở tương lai" in html
    assert f'value="{future}"' in html and 'value="QĐ 5/QĐ-VKS"' in html and '"canh-cao" selected' in html
    missing = _add(office, record_id, kind="ky-luat", form="", started_on="01/02/2024")
    assert missing.status_code == 400 and "Hãy chọn hình thức kỷ luật" in missing.get_data(as_text=True)
    assert _add(office, record_id, kind="ky-luat", form="canh-cao", started_on="01/02/2024").status_code == 303
    assert _add(as_role("editor"), record_id, kind="ky-luat", form="canh-cao",
                started_on="01/03/2024").status_code == 403
    assert client.get(f"/quan-tri/nguoi-duoc-khen/{record_id}").status_code in (302, 401)
    for url in ("/vinh-danh", "/tim-kiem?q=c%E1%BA%A3nh+c%C3%A1o", "/api/v1/awards"):
        assert "Cảnh cáo" not in client.get(url).get_data(as_text=True), url


def test_the_dossier_page_shows_a_disciplined_nominee_as_not_eligible(dossier_app, as_role):  # noqa: F811
    from portal.domain.campaigns.models import ReviewRound
    from tests.web.test_dossiers import PRIVATE, prepared_dossier
    from tests.web.test_unit_reports import _unit
    from tests.web.test_units import UNIT_EMAIL
    app, rounds = dossier_app
    with app.app_context():
        db.session.get(ReviewRound, rounds["so-ket-2024"]).report_due_on = date(2024, 12, 15)
        db.session.commit()
    office = as_role("reviewer")
    assert office.post("/quan-tri/nguoi-duoc-khen/lap-ho-so",
                       {"name": "Lương Thị Hạnh", "id_number": PRIVATE["id"], "unit": ""}).status_code == 303
    assert _add(office, _record_id(app, PRIVATE["id"]), kind="ky-luat", form="khien-trach",
                started_on="10/06/2024").status_code == 303
    unit = _unit(app, UNIT_EMAIL)
    dossier_id = prepared_dossier(unit, rounds["so-ket-2024"], "lao-dong-tien-tien")
    for session, url in ((unit, f"/don-vi/ho-so/{dossier_id}"), (office, f"/quan-tri/ho-so/{dossier_id}")):
        html = session.get(url).get_data(as_text=True)
        row = html[html.index("Lương Thị Hạnh<br>"):]
        row = row[:row.index("</tr>")]
        assert "Chưa đủ điều kiện" in row and "Thông tư số 01/2024/TT-BNV" in row, url
