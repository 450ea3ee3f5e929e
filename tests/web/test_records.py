"""Recipients as records: one record per person (by ID number), collective or household across
decisions and years; the office merges records it recognises and can undo the merge."""
import pytest

from portal.domain.honors.models import Award
from portal.domain.honors.records import Recipient
from portal.extensions import db
from tests.conftest import load
from tests.honors_helpers import row, write_decision
from tests.web.admin.conftest import as_role, users  # noqa: F401 (fixtures)

PERSON = "001085004321"


def _load(app, tmp_path):
    load(app, write_decision(tmp_path / "a", [
        row(1, name="Nguyễn Thị Mai", id_number=PERSON, unit="Phòng 7"),
        row(2, kind="Tập thể", name="Phòng Tài nguyên", unit="UBND huyện Cao Lộc"),
        row(3, name="Trần Văn Bình", birth="02/03/1980", unit="Phòng 7")], symbol="40/QĐ-VKS", date="2023-12-20",
        form="Chiến sĩ thi đua cơ sở", name="a2023"))
    load(app, write_decision(tmp_path / "b", [
        row(1, name="Nguyễn Thị Mai", id_number=PERSON, unit="Phòng 7"),
        row(2, kind="Tập thể", name="PHÒNG TÀI NGUYÊN", unit="UBND huyện Cao Lộc"),
        row(3, name="Trần Văn Bình", birth="02/03/1980", unit="Phòng 7")], symbol="41/QĐ-VKS", date="2024-12-20",
        form="Chiến sĩ thi đua cơ sở", name="b2024"))


def _records(app) -> dict[str, list[int]]:
    with app.app_context():
        found: dict[str, list[int]] = {}
        for award in db.session.scalars(db.select(Award).order_by(Award.id)):
            found.setdefault(award.name.lower(), []).append(award.recipient_id)
        return found


def test_a_person_by_id_number_and_a_collective_by_name_and_unit_are_one_record(seeded, tmp_path):
    _load(seeded, tmp_path)
    found = _records(seeded)
    assert len(set(found["nguyễn thị mai"])) == 1 and None not in found["nguyễn thị mai"]
    assert len(set(found["phòng tài nguyên"])) == 1  # the same collective, written in capitals the next year
    assert len(set(found["trần văn bình"])) == 2  # no ID number: proposed to the office, not merged


def test_the_office_merges_proposed_records_and_can_undo_it(seeded, tmp_path, as_role):  # noqa: F811
    _load(seeded, tmp_path)
    first, second = _records(seeded)["trần văn bình"]
    reviewer = as_role("reviewer")
    page = reviewer.get(f"/quan-tri/nguoi-duoc-khen/{first}").get_data(as_text=True)
    assert f"#{second}" in page and "cùng tên, ngày sinh và đơn vị" in page and "02/03/1980" not in page
    assert as_role("editor").post(f"/quan-tri/nguoi-duoc-khen/{first}/gop",
                                  {"other": str(second), "reason": "Cùng ngày sinh, cùng đơn vị"}).status_code == 403
    short = reviewer.post(f"/quan-tri/nguoi-duoc-khen/{first}/gop", {"other": str(second), "reason": "x"})
    assert short.status_code == 400
    assert reviewer.post(f"/quan-tri/nguoi-duoc-khen/{first}/gop",
                         {"other": str(second), "reason": "Cùng ngày sinh, cùng đơn vị"}).status_code == 303
    assert set(_records(seeded)["trần văn bình"]) == {first}
    merged = reviewer.get(f"/quan-tri/nguoi-duoc-khen/{first}").get_data(as_text=True)
    assert "40/QĐ-VKS" in merged and "41/QĐ-VKS" in merged and "2024" in merged and "2023" in merged
    assert reviewer.get(f"/quan-tri/nguoi-duoc-khen/{second}").status_code == 303  # leads to the kept record
    with seeded.app_context():
        merge_id = db.session.scalar(db.select(db.func.max(db.text("id"))).select_from(db.text("recipient_merges")))
    assert reviewer.post(f"/quan-tri/nguoi-duoc-khen/gop/{merge_id}/tach").status_code == 303
    assert set(_records(seeded)["trần văn bình"]) == {first, second}
    with seeded.app_context():
        assert db.session.get(Recipient, second).merged_into_id is None
    log = as_role("admin").get("/quan-tri/nhat-ky").get_data(as_text=True)
    assert f"Gộp hồ sơ #{second}" in log and f"Tách hồ sơ #{second}" in log


def test_records_are_found_by_name_without_diacritics_and_by_id_number(seeded, tmp_path, as_role):  # noqa: F811
    _load(seeded, tmp_path)
    office = as_role("editor")
    assert "Nguyễn Thị Mai" in office.get("/quan-tri/nguoi-duoc-khen?ten=nguyen thi mai").get_data(as_text=True)
    by_number = office.get(f"/quan-tri/nguoi-duoc-khen?so-dinh-danh={PERSON}").get_data(as_text=True)
    assert "Nguyễn Thị Mai" in by_number and "Trần Văn Bình" not in by_number
    assert PERSON not in office.get(f"/quan-tri/nguoi-duoc-khen/{_records(seeded)['nguyễn thị mai'][0]}"
                                    ).get_data(as_text=True)


def test_a_collectives_record_is_public_and_a_persons_is_not(seeded, tmp_path, client):
    _load(seeded, tmp_path)
    found = _records(seeded)
    collective = found["phòng tài nguyên"][0]
    with seeded.app_context():
        award_id = db.session.scalar(db.select(Award.id).where(Award.recipient_id == collective).order_by(Award.id))
    page = client.get(f"/vinh-danh/khen-thuong/{award_id}").get_data(as_text=True)
    assert f"/vinh-danh/tap-the/{collective}" in page
    html = client.get(f"/vinh-danh/tap-the/{collective}").get_data(as_text=True)
    assert "40/QĐ-VKS" in html and "41/QĐ-VKS" in html and "2 lượt khen thưởng" in html
    assert client.get(f"/vinh-danh/tap-the/{found['nguyễn thị mai'][0]}").status_code == 404
    assert client.get("/vinh-danh/tap-the/999999").status_code == 404


def test_a_list_with_a_conflicting_identity_is_refused_row_by_row(seeded, tmp_path):
    from portal.errors import ValidationFailed
    load(seeded, write_decision(tmp_path / "a", [row(1, name="Nguyễn Thị Mai", id_number=PERSON, birth="01/02/1985")],
                                symbol="40/QĐ-VKS", date="2023-12-20", name="a2023"))
    other = write_decision(tmp_path / "b", [row(1, name="Nguyễn Thị Mai", id_number=PERSON, birth="09/09/1990"),
                                            row(2, name="Lê Văn Tư", id_number="001090001111", birth="01/01/1990"),
                                            row(3, name="Lê Văn Tư", id_number="001090001111", birth="02/01/1990")],
                           symbol="41/QĐ-VKS", date="2024-12-20", name="b2024")
    with pytest.raises(ValidationFailed) as refused:
        load(seeded, other)
    text = str(refused.value)
    assert "dòng 2: số định danh này đã có trên cổng với ngày sinh khác" in text  # line 1 is the header
    assert "dòng 4: số định danh này đã có ở dòng trên với ngày sinh khác" in text and "dòng 3" not in text
    assert "1985" not in text  # the other date is never repeated
    with seeded.app_context():
        assert db.session.scalar(db.select(db.func.count(Award.id))) == 1  # nothing of the refused list
    # The same decision reloaded with a corrected birth date is its own correction, not a conflict.
    load(seeded, write_decision(tmp_path / "a", [row(1, name="Nguyễn Thị Mai", id_number=PERSON, birth="01/03/1985")],
                                symbol="40/QĐ-VKS", date="2023-12-20", name="a2023"))
