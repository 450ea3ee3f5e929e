"""Emulation registration (đăng ký thi đua): a unit registers its collective's and its members'
target titles in January; the office sees them consolidated; at the year's end a nominee for a
title they did not register for fails the registration rule ("Chưa đăng ký")."""
import csv
import io
import re
from datetime import UTC, date, datetime

import pytest
import time_machine

from portal.domain import accounts
from portal.domain.kernel.actor import Actor
from portal.domain.kernel.models_base import VN
from portal.domain.units.registrations import Registration
from portal.domain.units.registry import Unit
from portal.extensions import db
from tests.web.admin.conftest import PASSWORD, as_role, users  # noqa: F401 (fixtures)
from tests.web.test_dossiers import PRIVATE, list_csv, upload
from tests.web.test_unit_reports import _unit
from tests.web.test_units import UNIT_EMAIL

OFFICE_UNIT, SECOND_UNIT = "vanphong@vks.test", "khuvuc1@vks.test"
PERSON = "001085009876"
JANUARY = datetime(2027, 1, 12, 9, 0, tzinfo=VN)


@pytest.fixture
def registering(seeded):
    with seeded.app_context():
        db.session.add(Unit(code="vks-khu-vuc-1", name="Viện kiểm sát nhân dân khu vực 1 - Lạng Sơn",
                            short_name="VKS khu vực 1", valid_from=date(2025, 7, 1)))
        db.session.commit()
        accounts.create_user(OFFICE_UNIT, PASSWORD, "unit", Actor("test"), unit_code="van-phong")
        accounts.create_user(SECOND_UNIT, PASSWORD, "unit", Actor("test"), unit_code="vks-khu-vuc-1")
        accounts.create_user(UNIT_EMAIL, PASSWORD, "unit", Actor("test"), unit_code="vks-cao-loc")
    return seeded


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(Registration))


def _register(unit, name, title, kind="ca-nhan", id_number="", year=2027):
    return unit.post(f"/don-vi/dang-ky-thi-dua?nam={year}", {"doi-tuong": kind, "ten": name, "danh-hieu": title,
                                                            "chuc-vu": "", "so-dinh-danh": id_number})


def test_a_unit_registers_withdraws_and_keeps_the_history(registering):
    with time_machine.travel(JANUARY, tick=False):
        unit, other = _unit(registering, OFFICE_UNIT), _unit(registering, SECOND_UNIT)
        assert _register(unit, "Văn phòng Viện kiểm sát nhân dân tỉnh Lạng Sơn", "tap-the-lao-dong-xuat-sac",
                         kind="tap-the").status_code == 303
        assert _register(unit, "Hoàng Thị Mai", "chien-si-thi-dua-co-so", id_number=PERSON).status_code == 303
        page = unit.get("/don-vi/dang-ky-thi-dua?nam=2027").get_data(as_text=True)
        assert "Hoàng Thị Mai" in page and "Chiến sĩ thi đua cơ sở" in page and "Tập thể lao động xuất sắc" in page
        assert "muộn" not in page.split("Đã đăng ký")[1].split("Thêm đăng ký")[0]

        twice = _register(unit, "Hoang Thi Mai", "lao-dong-tien-tien", id_number=PERSON)
        assert twice.status_code == 400 and "đã đăng ký «Chiến sĩ thi đua cơ sở»" in twice.get_data(as_text=True)
        wrong = _register(unit, "Phòng 7", "chien-si-thi-dua-co-so", kind="tap-the")
        assert wrong.status_code == 400
        assert "không phải danh hiệu đăng ký được cho tập thể" in wrong.get_data(as_text=True)
        assert "Phòng 7" in wrong.get_data(as_text=True)  # what was typed is kept in the form

        with registering.app_context():
            mai = db.session.scalar(db.select(Registration.id).where(Registration.name == "Hoàng Thị Mai"))
        assert other.post(f"/don-vi/dang-ky-thi-dua/{mai}/rut").status_code == 404  # another unit's: not there
        assert unit.post(f"/don-vi/dang-ky-thi-dua/{mai}/rut?nam=2027").status_code == 303
        page = unit.get("/don-vi/dang-ky-thi-dua?nam=2027").get_data(as_text=True)
        assert "Đăng ký đã rút (1)" in page and OFFICE_UNIT in page.split("Đăng ký đã rút")[1]
        assert _count(registering) == 2  # withdrawn, never deleted
        assert _register(unit, "Hoàng Thị Mai", "lao-dong-tien-tien", id_number=PERSON).status_code == 303

        assert _register(unit, "Lê Văn An", "lao-dong-tien-tien", year=2024).status_code == 400  # a past year
        gone = _register(_unit(registering, UNIT_EMAIL), "Nông Văn Bình", "lao-dong-tien-tien")
        assert gone.status_code == 400 and "đã giải thể" in gone.get_data(as_text=True)
    with time_machine.travel(datetime(2027, 2, 20, 9, 0, tzinfo=VN), tick=False):
        late = _unit(registering, OFFICE_UNIT)
        assert _register(late, "Lê Văn An", "lao-dong-tien-tien").status_code == 303
        page = late.get("/don-vi/dang-ky-thi-dua?nam=2027").get_data(as_text=True)
        row = page[page.index("Lê Văn An"):]
        assert "muộn" in row[:row.index("</tr>")]


def _list(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["STT", "Đối tượng", "Họ tên", "Chức vụ", "Số định danh", "Danh hiệu đăng ký"])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def test_a_list_replaces_the_years_registrations_only_when_every_row_passes(registering):
    with time_machine.travel(JANUARY, tick=False):
        unit = _unit(registering, OFFICE_UNIT)
        assert _register(unit, "Hoàng Thị Mai", "lao-dong-tien-tien", id_number=PERSON).status_code == 303
        bad = upload(unit, "/don-vi/dang-ky-thi-dua/danh-sach?nam=2027", _list([
            [1, "Cá nhân", "Nguyễn Văn Cường", "Kiểm sát viên", "", "Chiến sĩ thi đua cơ sở"],
            [2, "Cá nhân", "Đinh Thị Lan", "Chuyên viên", "12345", "Lao động tiên tiến"],
            [3, "Tập thể", "Phòng 7", "", "", "Lao động tiên tiến"]]), "dang-ky.csv")
        text = bad.get_data(as_text=True)
        assert bad.status_code == 400 and "chưa ghi đăng ký nào" in text
        assert "dòng 3, cột Số định danh: phải gồm 9 hoặc 12 chữ số" in text and "dòng 4:" in text
        assert _count(registering) == 1

        good = upload(unit, "/don-vi/dang-ky-thi-dua/danh-sach?nam=2027", _list([
            [1, "Tập thể", "Văn phòng Viện kiểm sát nhân dân tỉnh Lạng Sơn", "", "", "Tập thể lao động xuất sắc"],
            [2, "Cá nhân", "Nguyễn Văn Cường", "Kiểm sát viên", "", "chien-si-thi-dua-co-so"],
            [3, "Cá nhân", "Hoàng Thị Mai", "Chuyên viên", PERSON, "Chiến sĩ thi đua cơ sở"]]), "dang-ky.csv")
        assert good.status_code == 303
        page = unit.get("/don-vi/dang-ky-thi-dua?nam=2027").get_data(as_text=True)
        assert "Đã đăng ký (3)" in page and "Đăng ký đã rút (1)" in page


def test_the_office_sees_every_unit_consolidated_and_who_has_not_registered(registering, as_role):  # noqa: F811
    with time_machine.travel(JANUARY, tick=False):
        unit = _unit(registering, OFFICE_UNIT)
        _register(unit, "Văn phòng Viện kiểm sát nhân dân tỉnh Lạng Sơn", "tap-the-lao-dong-xuat-sac", kind="tap-the")
        _register(unit, "Hoàng Thị Mai", "chien-si-thi-dua-co-so", id_number=PERSON)
        _register(unit, "Lê Văn An", "chien-si-thi-dua-co-so")
        _register(unit, "Đinh Thị Lan", "lao-dong-tien-tien")
        office = as_role("editor")
        page = office.get("/quan-tri/dang-ky-thi-dua?nam=2027").get_data(as_text=True)
        row = page[page.index("<th scope=\"row\">Văn phòng"):]
        row = row[:row.index("</tr>")]
        assert "Tập thể lao động xuất sắc" in row and ">2</td>" in row and ">1</td>" in row
        assert "1 đơn vị chưa đăng ký: Viện kiểm sát nhân dân khu vực 1 - Lạng Sơn" in page
        assert "huyện Cao Lộc" not in page  # dissolved before 2027: not expected to register
        exported = office.get("/quan-tri/dang-ky-thi-dua.csv?nam=2027")
        text = exported.get_data(as_text=True)
        assert exported.mimetype == "text/csv" and "Hoàng Thị Mai" in text and PERSON not in text
        assert unit.get("/quan-tri/dang-ky-thi-dua?nam=2027").status_code == 403
    anonymous = registering.test_client()
    assert anonymous.get("/quan-tri/dang-ky-thi-dua").status_code in (302, 303)
    assert anonymous.get("/don-vi/dang-ky-thi-dua").status_code in (302, 303)


def test_a_nominee_who_did_not_register_fails_the_rule_with_what_they_did_register(registering, as_role):  # noqa: F811
    from portal.domain.campaigns.models import ReviewRound
    from tests.web.test_dossiers import NOMINEES
    with registering.app_context():
        rounds = {r.code: r for r in db.session.scalars(db.select(ReviewRound))}
        rounds["so-ket-2024"].ends_on, rounds["so-ket-2024"].report_due_on = date(2027, 12, 15), date(2027, 12, 10)
        round_id = rounds["so-ket-2024"].id
        db.session.commit()
    with time_machine.travel(JANUARY, tick=False):
        unit = _unit(registering, OFFICE_UNIT)
        assert _register(unit, "Lương Thị Hạnh", "lao-dong-tien-tien", id_number=PRIVATE["id"]).status_code == 303
        assert _register(unit, "Văn phòng tổng hợp", "tap-the-lao-dong-xuat-sac", kind="tap-the").status_code == 303
    with time_machine.travel(datetime(2027, 12, 1, 9, 0, tzinfo=VN), tick=False):
        unit, office = _unit(registering, OFFICE_UNIT), as_role("editor")
        created = unit.post("/don-vi/ho-so", {"round": str(round_id), "distinction": "chien-si-thi-dua-co-so",
                                              "title": ""})
        dossier_id = int(created.headers["Location"].rstrip("/").rsplit("/", 1)[1])
        assert upload(unit, f"/don-vi/ho-so/{dossier_id}/danh-sach", list_csv([NOMINEES[1]]),
                      "danh-sach.csv").status_code == 303
        for session, url in ((unit, f"/don-vi/ho-so/{dossier_id}"), (office, f"/quan-tri/ho-so/{dossier_id}")):
            html = session.get(url).get_data(as_text=True)
            row = html[html.index("Lương Thị Hạnh<br>"):]
            row = row[:row.index("</tr>")]
            assert "Chưa đủ điều kiện" in row and "Chưa đăng ký «Chiến sĩ thi đua cơ sở»" in row, url
            assert "chỉ đăng ký «Lao động tiên tiến»" in row and "Điều 5" in row

        api = office.get(f"/api/v1/office/eligibility?id_number={PRIVATE['id']}&title=lao-dong-tien-tien&year=2027")
        rule = next(r for r in api.get_json()["rules"] if r["id"] == "dang-ky-thi-dua")
        assert rule["met"] is True and "Đã đăng ký «Lao động tiên tiến» năm 2027" in rule["evidence"]
        api = office.get(f"/api/v1/office/eligibility?id_number={PERSON}&title=lao-dong-tien-tien&year=2027")
        rule = next(r for r in api.get_json()["rules"] if r["id"] == "dang-ky-thi-dua")
        assert rule["met"] is False and rule["evidence"].startswith("Chưa đăng ký")
        assert api.get_json()["status"] == "not_eligible"


def test_both_boards_remind_of_registrations_due_in_january(registering, as_role):  # noqa: F811
    with time_machine.travel(datetime(2026, 12, 28, 9, 0, tzinfo=VN), tick=False):
        unit, office = _unit(registering, OFFICE_UNIT), as_role("editor")
        assert "chưa đăng ký thi đua năm 2027 (hạn 31/01/2027)" in unit.get("/don-vi/").get_data(as_text=True)
        board = office.get("/quan-tri/").get_data(as_text=True)
        assert "2 đơn vị chưa đăng ký thi đua năm 2027" in " ".join(re.sub(r"<[^>]+>", " ", board).split())
        assert _register(unit, "Hoàng Thị Mai", "lao-dong-tien-tien").status_code == 303
        assert "chưa đăng ký thi đua" not in unit.get("/don-vi/").get_data(as_text=True)
    with time_machine.travel(datetime(2027, 3, 2, 9, 0, tzinfo=VN), tick=False):  # out of season: nothing
        assert "chưa đăng ký thi đua" not in as_role("editor").get("/quan-tri/").get_data(as_text=True)


def test_the_registration_year_turns_with_vietnams_date(registering):
    # 31/12/2026 20:00 UTC is already 01/01/2027 in Lạng Sơn: the 2026 list is closed to units.
    with time_machine.travel(datetime(2026, 12, 31, 20, 0, tzinfo=UTC), tick=False):
        unit = _unit(registering, OFFICE_UNIT)
        refused = _register(unit, "Hoàng Thị Mai", "lao-dong-tien-tien", year=2026)
        assert refused.status_code == 400 and "Năm 2026 không còn nhận đăng ký" in refused.get_data(as_text=True)
        assert _register(unit, "Hoàng Thị Mai", "lao-dong-tien-tien", year=2027).status_code == 303
