"""Units' reports at review rounds: the figures the campaign defines, on time / late / missing,
totals and charts for the office, the unit's own history, and files checked like any upload."""
import io
from datetime import datetime

import pytest

from portal.domain import accounts, units
from portal.domain.campaigns.models import ReviewRound
from portal.domain.kernel.actor import Actor
from portal.domain.kernel.models_base import VN
from portal.extensions import db
from tests.web.admin.conftest import PASSWORD, as_role, users  # noqa: F401 (fixtures)
from tests.web.test_units import OTHER_EMAIL, UNIT_EMAIL, UnitSession

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def reporting(seeded):
    with seeded.app_context():
        accounts.create_user(UNIT_EMAIL, PASSWORD, "unit", Actor("test"), unit_code="vks-cao-loc")
        accounts.create_user(OTHER_EMAIL, PASSWORD, "unit", Actor("test"), unit_code="vks-dinh-lap")
        rounds = {r.code: r.id for r in db.session.scalars(db.select(ReviewRound))}
    return seeded, rounds


def _unit(app, email):
    session = UnitSession(app.test_client(), None)
    session.login(email)
    return session


def _submit(session, round_id, data, content=PDF, name="bao-cao.pdf"):
    return session.client.post(f"/don-vi/bao-cao/{round_id}", data={
        **data, "csrf_token": session.csrf(), "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data")


def test_a_round_with_a_deadline_from_content_is_open_for_reports(reporting):
    app, rounds = reporting
    page = _unit(app, UNIT_EMAIL).get("/don-vi/bao-cao").get_data(as_text=True)
    assert "Sơ kết năm 2022" in page and "15/12/2022" in page and "Chưa nộp" in page
    assert "Sơ kết năm 2023" not in page  # no deadline set: not open
    form = _unit(app, UNIT_EMAIL).get(f"/don-vi/bao-cao/{rounds['so-ket-2022']}").get_data(as_text=True)
    assert "Hộ gia đình bàn giao mặt bằng trước thời hạn (hộ)" in form and "Diện tích đất đã bàn giao (m²)" in form
    assert "Đã quá hạn nộp: báo cáo vẫn được nhận và ghi là nộp muộn." in form


def test_a_deadline_on_a_holiday_is_shown_as_such(reporting, as_role):  # noqa: F811
    app, rounds = reporting
    office = as_role("reviewer")
    office.post(f"/quan-tri/bao-cao/{rounds['so-ket-2024']}/han", {"due": "2027-02-08"})  # Mùng ba Tết
    page = _unit(app, UNIT_EMAIL).get("/don-vi/bao-cao").get_data(as_text=True)
    assert "08/02/2027 <span class=\"muted\">(ngày nghỉ: Mùng ba Tết Nguyên Đán)</span>" in page
    board = office.get(f"/quan-tri/bao-cao/{rounds['so-ket-2024']}").get_data(as_text=True)
    assert "(ngày nghỉ: Mùng ba Tết Nguyên Đán)" in board


def test_late_reports_are_accepted_and_marked_and_the_office_sees_totals(reporting, as_role):  # noqa: F811
    app, rounds = reporting
    office = as_role("reviewer")
    later = rounds["so-ket-2024"]
    bad = office.post(f"/quan-tri/bao-cao/{later}/han", {"due": "15/12"})
    assert bad.status_code == 400 and "Hạn nộp phải là một ngày" in bad.get_data(as_text=True)
    assert office.post(f"/quan-tri/bao-cao/{later}/han", {"due": "2024-12-15"}).status_code == 302
    import time_machine
    with time_machine.travel(datetime(2024, 12, 10, 9, 0, tzinfo=VN), tick=True):  # before the deadline
        cao_loc, dinh_lap = _unit(app, UNIT_EMAIL), _unit(app, OTHER_EMAIL)
        done = _submit(cao_loc, later, {"ho-ban-giao-som": "12", "dien-tich-ban-giao": "1.250,5",
                                        "du-an-dung-tien-do": "2"})
        assert done.status_code == 302
        _submit(dinh_lap, later, {"ho-ban-giao-som": "8", "dien-tich-ban-giao": "750"})
    dinh_lap = _unit(app, OTHER_EMAIL)
    late = _submit(dinh_lap, rounds["so-ket-2022"], {"ho-ban-giao-som": "3"})  # due 15/12/2022: long past
    assert late.status_code == 302
    assert "sau hạn, được ghi nhận là nộp muộn" in dinh_lap.get("/don-vi/bao-cao").get_data(as_text=True)
    board = office.get(f"/quan-tri/bao-cao/{later}").get_data(as_text=True)
    assert "<strong>2</strong> đúng hạn" in board and "<strong>0</strong> muộn" in board
    # Due 15/12/2024: the office and the eleven district procuracies existed then; ten have not reported.
    assert "<strong>10</strong> chưa nộp" in board
    assert "20 hộ" in board and "2.000,5 m²" in board and "2 dự án" in board
    assert board.count("<svg") >= 3  # status, and one chart per reported figure
    old = office.get(f"/quan-tri/bao-cao/{rounds['so-ket-2022']}").get_data(as_text=True)
    assert "<strong>1</strong> muộn" in old and "Muộn" in old
    listing = office.get("/quan-tri/bao-cao").get_data(as_text=True)
    assert "2 đúng hạn · 0 muộn · 10 chưa nộp" in listing and "0 đúng hạn · 1 muộn · 11 chưa nộp" in listing


def test_a_resubmission_supersedes_and_keeps_history(reporting):
    app, rounds = reporting
    cao_loc = _unit(app, UNIT_EMAIL)
    first = rounds["so-ket-2022"]
    _submit(cao_loc, first, {"ho-ban-giao-som": "1"}, name="lan-1.pdf")
    _submit(cao_loc, first, {"ho-ban-giao-som": "4"}, name="lan-2.pdf")
    page = cao_loc.get("/don-vi/bao-cao").get_data(as_text=True)
    assert "lan-1.pdf" in page and "lan-2.pdf" in page and "đã được thay bằng lần nộp sau" in page
    with app.app_context():
        current = units.reports.current_reports(db.session.get(ReviewRound, first))
        assert [r.filename for r in current] == ["lan-2.pdf"] and current[0].figures == {"ho-ban-giao-som": "4"}


def test_a_resubmission_starts_from_the_figures_sent_and_a_refused_one_keeps_them(reporting):
    """Issue 25: after a figure error "the chosen PDF is dropped without a word; 'Nộp lại' opens an
    empty form, so every figure is typed again; the unit cannot see the figures it sent"."""
    import lxml.html

    app, rounds = reporting
    cao_loc = _unit(app, UNIT_EMAIL)
    first = rounds["so-ket-2022"]
    _submit(cao_loc, first, {"ho-ban-giao-som": "1250", "note": "Bản đầu"}, name="lan-1.pdf")
    history = cao_loc.get("/don-vi/bao-cao").get_data(as_text=True)
    assert "Số liệu đã gửi:" in history and "1.250" in history

    again = lxml.html.fromstring(cao_loc.get(f"/don-vi/bao-cao/{first}").data)
    assert again.get_element_by_id("f-ho-ban-giao-som").value == "1.250"
    assert again.get_element_by_id("r-note").text == "Bản đầu"

    refused = _submit(cao_loc, first, {"ho-ban-giao-som": "1.300", "dien-tich-ban-giao": "nhiều"}, name="lan-2.pdf")
    assert refused.status_code == 400
    page = lxml.html.fromstring(refused.data)
    assert "Tệp «lan-2.pdf» chưa được lưu: chọn lại tệp" in page.text_content()
    assert page.get_element_by_id("f-ho-ban-giao-som").value == "1.300"


def test_bad_files_and_figures_leave_nothing_behind(reporting):
    app, rounds = reporting
    cao_loc = _unit(app, UNIT_EMAIL)
    round_id = rounds["so-ket-2022"]
    with app.app_context():
        files_before = set(_names(app))
    wrong_type = _submit(cao_loc, round_id, {}, content=b"MZ\x90\x00", name="bao-cao.exe")
    assert wrong_type.status_code == 400 and "chỉ nhận PDF hoặc DOCX" in wrong_type.get_data(as_text=True)
    lying = _submit(cao_loc, round_id, {}, content=b"not a pdf", name="bao-cao.pdf")
    assert lying.status_code == 400 and "không đúng định dạng PDF" in lying.get_data(as_text=True)
    bad_figure = _submit(cao_loc, round_id, {"ho-ban-giao-som": "-3", "dien-tich-ban-giao": "nhiều"})
    text = bad_figure.get_data(as_text=True)
    assert bad_figure.status_code == 400 and "«-3» không phải số không âm" in text and "«nhiều»" in text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(units.UnitReport.id))) == 0
        assert set(_names(app)) == files_before


def _names(app):
    from portal.services import storage
    return storage().names()


def test_units_see_only_their_own_reports_and_the_office_all(reporting, as_role):  # noqa: F811
    app, rounds = reporting
    cao_loc, dinh_lap = _unit(app, UNIT_EMAIL), _unit(app, OTHER_EMAIL)
    _submit(cao_loc, rounds["so-ket-2022"], {"ho-ban-giao-som": "1"})
    with app.app_context():
        report_id = db.session.scalar(db.select(units.UnitReport.id))
    assert _download(cao_loc, f"/don-vi/bao-cao/tep/{report_id}") == PDF
    assert dinh_lap.get(f"/don-vi/bao-cao/tep/{report_id}").status_code == 404
    assert dinh_lap.get(f"/quan-tri/bao-cao/tep/{report_id}").status_code == 403
    assert _download(as_role("editor"), f"/quan-tri/bao-cao/tep/{report_id}") == PDF
    due = f"/quan-tri/bao-cao/{rounds['so-ket-2023']}/han"
    assert as_role("editor").post(due, {"due": "2023-12-20"}).status_code == 403
    assert as_role("editor").get("/don-vi/bao-cao").status_code == 403


def _download(session, url: str) -> bytes:
    with session.get(url) as response:
        assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
        return response.get_data()


def test_the_office_is_reminded_to_enter_next_years_announced_days(reporting, as_role, write_doc):  # noqa: F811
    """Issue 25: "Nothing reminds the office that next year's announced days are not entered."
    From November on, while no day of next year is entered, the office's dashboard says so."""
    import time_machine

    from tests.conftest import load

    app, _ = reporting
    with time_machine.travel(datetime(2026, 6, 1, 9, 0, tzinfo=VN), tick=True):
        assert "Chưa nhập ngày nghỉ bù" not in as_role("editor").get("/quan-tri/").get_data(as_text=True)
    with time_machine.travel(datetime(2026, 11, 20, 9, 0, tzinfo=VN), tick=True):
        board = as_role("editor").get("/quan-tri/").get_data(as_text=True)
        assert "Chưa nhập ngày nghỉ bù, ngày làm bù năm 2027" in board
        path = write_doc("ngay-nghi.md", """
            kind: days_off
            days:
              - {date: 2026-01-02, label: Nghỉ bù Tết Dương lịch 2026}
              - {date: 2027-04-17, label: Làm bù cho ngày nghỉ Giỗ Tổ, working: true}
            """)
        load(app, path.parent)
        assert "Chưa nhập ngày nghỉ bù" not in as_role("editor").get("/quan-tri/").get_data(as_text=True)


def test_the_units_home_and_the_offices_board_owe_the_same_reports(reporting, as_role):  # noqa: F811
    """Issue 25: "The unit's home says the tổng kết report is missing while the office's board does
    not list it." A district unit dissolved on 30/06/2025 owes no report due after that day; the
    office's board lists, near and after a deadline, the units that owe one and sent nothing."""
    import time_machine

    app, rounds = reporting
    office = as_role("reviewer")
    assert office.post(f"/quan-tri/bao-cao/{rounds['tong-ket-2025']}/han", {"due": "2025-12-15"}).status_code == 302
    home = _unit(app, UNIT_EMAIL).get("/don-vi/").get_data(as_text=True)
    assert "đợt chưa nộp báo cáo: Sơ kết năm 2022" in home and "Tổng kết phong trào" not in home
    board = office.get(f"/quan-tri/bao-cao/{rounds['tong-ket-2025']}").get_data(as_text=True)
    assert "Cao Lộc" not in board
    with time_machine.travel(datetime(2025, 12, 10, 9, 0, tzinfo=VN), tick=True):
        dashboard = as_role("editor").get("/quan-tri/").get_data(as_text=True)
        with app.app_context():
            owed = units.reports.round_status(db.session.get(ReviewRound, rounds["tong-ket-2025"])).count("missing")
        assert owed >= 1
        assert f"<strong>{owed}</strong> đơn vị chưa nộp báo cáo Tổng kết phong trào (hạn 15/12/2025)" in dashboard


def test_a_dissolved_unit_neither_reports_nor_nominates_for_a_round_due_after_it(reporting, as_role):  # noqa: F811
    """Issue 25: the district units "expired 30/06/2025 … and they still report and nominate"."""
    app, rounds = reporting
    as_role("reviewer").post(f"/quan-tri/bao-cao/{rounds['tong-ket-2025']}/han", {"due": "2025-12-15"})
    cao_loc = _unit(app, UNIT_EMAIL)
    refused = _submit(cao_loc, rounds["tong-ket-2025"], {})
    assert refused.status_code == 400
    assert "Viện kiểm sát nhân dân huyện Cao Lộc đã giải thể từ 30/06/2025" in refused.get_data(as_text=True)
    nominated = cao_loc.post("/don-vi/ho-so", {"round": str(rounds["tong-ket-2025"]),
                                               "distinction": "bang-khen-chu-tich-ubnd-tinh", "title": ""})
    assert nominated.status_code == 400 and "đã giải thể từ 30/06/2025" in nominated.get_data(as_text=True)
    assert _submit(cao_loc, rounds["so-ket-2022"], {}).status_code == 302  # its own years stay open to it
    with app.app_context():
        assert [r.round_id for r in units.UnitReport.query.all()] == [rounds["so-ket-2022"]]
