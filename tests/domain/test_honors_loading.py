import pytest
from sqlalchemy import func

from portal.domain.honors.models import Award, AwardPrivate, HonorDecision
from portal.errors import ValidationFailed
from portal.extensions import db
from portal.vietnamese.collation import person_key, sort_key
from tests.conftest import CONTENT, load
from tests.honors_helpers import row, write_decision


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(db.select(func.count()).select_from(model))


def test_a_decision_list_loads_into_the_honor_roll(seeded, tmp_path):
    rows = [row(1, name="Nguyễn Văn An", id_number="012345678901", birth="01/02/1980"),
            row(2, kind="Tập thể", name="Ủy ban nhân dân xã Tân Liên"),
            row(3, kind="Hộ gia đình", name="Hộ ông Hoàng Văn Chiến", contribution="150.000.000")]
    load(seeded, write_decision(tmp_path / "qd", rows))
    with seeded.app_context():
        decision = db.session.scalars(db.select(HonorDecision)).one()
        assert decision.distinction == "bang-khen-chu-tich-ubnd-tinh"
        assert decision.review_round.code == "so-ket-2022" and decision.campaign.slug.startswith("day-nhanh")
        awards = {a.seq: a for a in decision.awards}
        assert awards[1].kind == "ca-nhan" and awards[1].district_area.code == "huyen-cao-loc"
        assert awards[1].private.id_number == "012345678901" and awards[1].private.birth_date.year == 1980
        assert awards[3].contribution is None and awards[3].private.contribution == 150_000_000
        assert awards[2].kind == "tap-the"


def test_faulty_rows_are_each_reported_and_nothing_is_written(seeded, tmp_path):
    rows = [row(1), row("x"), row(3, kind="Đoàn thể"), row(4, name=""), row(5, kind="Hộ gia đình", name="Lò Văn Sinh"),
            row(6, contribution="một trăm triệu"), row(7, birth="31/02/1990"), row(8, id_number="12ab"),
            row(1, name="Trùng số thứ tự"), row(9, district="Huyện Không Có")]
    before = (count(seeded, Award), count(seeded, HonorDecision))
    with pytest.raises(ValidationFailed) as info:
        load(seeded, write_decision(tmp_path / "qd", rows))
    text = "\n".join(info.value.problems)
    for expected in ["dòng 3, cột STT", "dòng 4, cột Đối tượng", "dòng 5, cột Họ tên", "dòng 6, cột Họ tên",
                     "dòng 7, cột Giá trị đóng góp", "dòng 8, cột Ngày sinh", "dòng 9, cột Số định danh",
                     "dòng 10, cột STT", "dòng 11, cột Huyện"]:
        assert expected in text, expected
    assert "dòng 2," not in text
    assert (count(seeded, Award), count(seeded, HonorDecision)) == before


def test_unknown_column_and_missing_column_are_reported(seeded, tmp_path):
    folder = tmp_path / "qd"
    path = write_decision(folder, [row(1)])
    (folder / "qd.csv").write_text("STT;Loại;Họ tên\n1;Cá nhân;A\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as info:
        load(seeded, path)
    text = "\n".join(info.value.problems)
    assert "cột «Loại» không được hỗ trợ" in text and "thiếu cột Đối tượng" in text


def test_xlsx_lists_load_too(seeded, tmp_path):
    from openpyxl import Workbook
    folder = tmp_path / "qd"
    path = write_decision(folder, [row(1)])
    book = Workbook()
    book.active.append(["stt", "doi tuong", "HO TEN", "Huyện"])
    book.active.append([1, "Cá nhân", "Lê Thị Đào", "Chi Lăng"])
    book.save(folder / "qd.xlsx")
    path.write_text(path.read_text(encoding="utf-8").replace("qd.csv", "qd.xlsx"), encoding="utf-8")
    load(seeded, path)
    with seeded.app_context():
        award = db.session.scalars(db.select(Award)).one()
        assert award.name == "Lê Thị Đào" and award.district_area.code == "huyen-chi-lang"


def test_reloading_changes_nothing_and_keeps_publication_status(seeded, tmp_path):
    path = write_decision(tmp_path / "qd", [row(1), row(2, name="Trần Thị Bình")])
    load(seeded, path)
    with seeded.app_context():
        award = db.session.scalars(db.select(Award).where(Award.seq == 2)).one()
        award.publication = "hidden"
        db.session.commit()
    report = load(seeded, CONTENT.parent / "content")
    assert report.created == [] and report.updated == []
    load(seeded, path)
    rows = [row(1, achievement="Thành tích đã sửa"), row(2, name="Trần Thị Bình")]
    load(seeded, write_decision(tmp_path / "qd", rows))
    with seeded.app_context():
        awards = {a.seq: a for a in db.session.scalars(db.select(Award))}
        assert awards[1].achievement == "Thành tích đã sửa" and awards[2].publication == "hidden"
        assert count(seeded, AwardPrivate) == 2


def test_household_thresholds_of_the_campaign_are_warnings(seeded, tmp_path):
    rows = [row(1, kind="Hộ gia đình", name="Hộ ông Vi Văn Dũng", contribution="90000000"),
            row(2, kind="Hộ gia đình", name="Hộ bà Lăng Thị Én", contribution="120.000.000 đồng")]
    report = load(seeded, write_decision(tmp_path / "qd", rows))
    assert len(report.warnings) == 1 and report.warnings[0].startswith("dòng 2:")
    assert "100.000.000 đồng" in report.warnings[0]
    rows = [row(1, kind="Hộ gia đình", name="Hộ ông Vi Văn Dũng", contribution="450000000")]
    report = load(seeded, write_decision(tmp_path / "ttg", rows, symbol="16/QĐ-UBND", name="ttg",
                                         form="Bằng khen của Thủ tướng Chính phủ"))
    assert "500.000.000 đồng" in report.warnings[0]


def test_vietnamese_order_where_code_point_order_is_wrong():
    names = ["Đỗ Văn Bình", "Dương Văn Cường", "Ăn Thị Hoa", "Âu Văn Hoa", "An Văn Hoa", "Nguyễn Văn Ánh",
             "Lê Thị Anh", "Trần Văn An", "Hộ ông Bế Văn Ân"]
    ordered = sorted(names, key=person_key)
    assert ordered == ["Trần Văn An", "Lê Thị Anh", "Nguyễn Văn Ánh", "Hộ ông Bế Văn Ân", "Đỗ Văn Bình",
                       "Dương Văn Cường", "Ăn Thị Hoa", "An Văn Hoa", "Âu Văn Hoa"]
    assert sorted(names) != ordered  # code-point order gets it wrong
    collectives = ["Đội thuế", "Dân quân", "Ủy ban", "Uỷ ban nhân dân", "Ban quản lý", "Ăn uống"]
    assert sorted(collectives, key=lambda n: sort_key(n, "tap-the")) == [
        "Ăn uống", "Ban quản lý", "Dân quân", "Đội thuế", "Ủy ban", "Uỷ ban nhân dân"]
