"""Working days across Tết (lunar) 2026 and 2027, and days the office adds by hand."""
from datetime import date

import pytest

from portal.config import PROJECT_ROOT
from portal.domain.campaigns import calendar
from portal.domain.content import loader as content
from portal.errors import ValidationFailed
from portal.extensions import db
from portal.services import storage


def test_ten_working_days_skip_tet_2026_and_2027(app):
    with app.app_context():
        # Tết Bính Ngọ: 16–20/02/2026 (Monday to Friday) off, with the weekends around it.
        assert calendar.add_working_days(date(2026, 2, 10), 10) == date(2026, 3, 3)
        assert calendar.day_off(date(2026, 2, 17)) == "Tết Nguyên Đán"
        # Tết Đinh Mùi: 04–10/02/2027 off.
        assert calendar.add_working_days(date(2027, 2, 1), 10) == date(2027, 2, 22)
        assert calendar.working_days_between(date(2027, 2, 1), date(2027, 2, 22)) == 10
        assert calendar.day_off(date(2027, 2, 6)).startswith("Tết")
        assert calendar.day_off(date(2027, 4, 16)) == "Ngày Giỗ Tổ Hùng Vương"  # 10/3 lunar
        assert calendar.day_off(date(2026, 3, 4)) is None and calendar.day_off(date(2026, 3, 7)) == "Thứ Bảy"


def test_days_set_by_hand_move_the_count(app, tmp_path):
    (tmp_path / "ngay-nghi.md").write_text(
        "---\nkind: days_off\ndays:\n"
        "  - {date: 2027-04-15, label: Nghỉ bù Giỗ Tổ Hùng Vương}\n"
        "  - {date: 2027-04-17, label: Làm bù ngày 15/4, working: true}\n---\n", encoding="utf-8")
    with app.app_context():
        before = calendar.add_working_days(date(2027, 4, 12), 5)  # Mon 12/4; Fri 16/4 is Giỗ Tổ
        assert before == date(2027, 4, 20)
        content.load(tmp_path, storage())
        assert calendar.day_off(date(2027, 4, 15)) == "Nghỉ bù Giỗ Tổ Hùng Vương"
        assert calendar.day_off(date(2027, 4, 17)) is None  # a Saturday worked in exchange
        assert calendar.add_working_days(date(2027, 4, 12), 5) == date(2027, 4, 20)  # one off, one gained
        assert calendar.add_working_days(date(2027, 4, 12), 3) == date(2027, 4, 17)
        db.session.remove()


def test_a_bad_days_file_is_refused(app, tmp_path):
    (tmp_path / "ngay-nghi.md").write_text("---\nkind: days_off\ndays:\n  - {date: hôm nay, label: x}\n"
                                           "  - {date: 2027-01-02}\n---\n", encoding="utf-8")
    with app.app_context(), pytest.raises(ValidationFailed) as caught:
        content.load(tmp_path, storage())
    assert any("YYYY-MM-DD" in p for p in caught.value.problems)
    assert any("cần label" in p for p in caught.value.problems)


def test_counts_are_bounded(app):
    with app.app_context(), pytest.raises(ValueError):
        calendar.add_working_days(date(2026, 1, 1), 10_000_000)


def test_the_shipped_calendar_has_the_announced_2026_swaps(app):
    # Seen: ngay-nghi.md shipped empty; a window opened 22/12/2025 closed 05/01/2026, below the
    # legal 10 working days (02/01/2026 was off, with Saturday 10/01 worked in exchange).
    with app.app_context():
        content.load(PROJECT_ROOT / "content" / "danh-muc", storage())
        assert calendar.day_off(date(2026, 1, 2)).startswith("Nghỉ bù Tết Dương lịch")
        assert calendar.day_off(date(2026, 1, 10)) is None and calendar.day_off(date(2026, 8, 22)) is None
        assert calendar.day_off(date(2026, 8, 31)) is not None
        assert calendar.add_working_days(date(2025, 12, 22), 10) == date(2026, 1, 7)
        db.session.remove()
