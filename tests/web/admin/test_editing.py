"""The editor: validation by field, revisions with diff and revert, the edit conflict,
the Markdown preview and the relation picker."""
import re

from portal.domain.documents.models import Document
from portal.extensions import db

from .conftest import FORM, create, publish


def _version(session, doc_id: int) -> str:
    html = session.get(f"/quan-tri/van-ban/{doc_id}/sua").get_data(as_text=True)
    return re.search(r'name="version" value="(\d+)"', html)[1]


def _current(session, doc_id: int) -> int:
    html = session.get(f"/quan-tri/van-ban/{doc_id}/phien-ban").get_data(as_text=True)
    return int(re.search(r"<td>(\d+) \(hiện tại\)", html)[1])


def _edit(session, doc_id: int, version: str, **changes):
    return session.post(f"/quan-tri/van-ban/{doc_id}/sua", {**FORM, **changes, "version": version})


def test_bad_fields_are_named_and_nothing_is_saved(app, as_role):
    editor = as_role("editor")
    response = editor.post("/quan-tri/van-ban/moi", {**FORM, "symbol": "abc", "issued_on": "31/02/2026",
                                                     "type": "", "relation_kind": "based_on",
                                                     "relation_symbol": "không phải số hiệu"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'href="#f-symbol"' in html and 'href="#f-issued_on"' in html and 'aria-invalid="true"' in html
    assert "Tổ chức phong trào thi đua năm 2026" in html  # what was typed comes back
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Document.id))) == 0


def test_duplicate_symbol_in_the_same_year_is_refused(app, as_role):
    editor = as_role("editor")
    create(editor)
    response = editor.post("/quan-tri/van-ban/moi", FORM)
    assert response.status_code == 400 and "đã có văn bản 12/KH-VKS năm 2026" in response.get_data(as_text=True)


def test_every_save_is_a_revision_with_diff_and_revert(app, as_role, client):
    editor = as_role("editor")
    doc_id = create(editor)
    assert _edit(editor, doc_id, _version(editor, doc_id), subject="Trích yếu đã sửa",
                 body="## Mục đích\n\nNội dung mới hoàn toàn.\n").status_code == 302
    listing = editor.get(f"/quan-tri/van-ban/{doc_id}/phien-ban").get_data(as_text=True)
    assert "Khôi phục phiên bản 1" in listing and "(hiện tại)" in listing
    diff = editor.get(f"/quan-tri/van-ban/{doc_id}/phien-ban/so-sanh?a=1&b=2").get_data(as_text=True)
    assert "<del>Tổ chức phong trào thi đua năm 2026</del>" in diff
    assert "<ins>Trích yếu đã sửa</ins>" in diff and "<ins>Nội dung mới hoàn toàn.</ins>" in diff
    assert editor.post(f"/quan-tri/van-ban/{doc_id}/phien-ban/1/khoi-phuc").status_code == 302
    with app.app_context():
        document = db.session.get(Document, doc_id)
        assert document.subject == FORM["subject"] and "Đẩy mạnh phong trào" in document.body_html
    assert _current(editor, doc_id) == 3


def test_saving_without_changes_adds_no_revision(app, as_role):
    editor = as_role("editor")
    doc_id = create(editor)
    _edit(editor, doc_id, _version(editor, doc_id))
    assert _current(editor, doc_id) == 1


def test_second_save_of_the_same_version_gets_the_conflict_page_and_loses_nothing(app, as_role):
    first, second = as_role("editor"), as_role("admin")
    doc_id = create(first)
    version = _version(first, doc_id)
    assert _version(second, doc_id) == version
    assert _edit(first, doc_id, version, subject="Bản của người thứ nhất").status_code == 302
    conflict = _edit(second, doc_id, version, subject="Bản của người thứ hai", body="Đoạn người thứ hai viết.")
    assert conflict.status_code == 409
    html = conflict.get_data(as_text=True)
    assert "<del>Bản của người thứ nhất</del>" in html and "<ins>Bản của người thứ hai</ins>" in html
    assert "Đoạn người thứ hai viết." in html
    with app.app_context():
        assert db.session.get(Document, doc_id).subject == "Bản của người thứ nhất"
    new_version = re.search(r'name="version" value="(\d+)"', html)[1]
    assert _edit(second, doc_id, new_version, subject="Bản của người thứ hai").status_code == 302
    with app.app_context():
        assert db.session.get(Document, doc_id).subject == "Bản của người thứ hai"


def test_editors_edit_drafts_only_reviewers_correct_published(app, as_role, client):
    editor, reviewer = as_role("editor"), as_role("reviewer")
    doc_id = create(editor)
    publish(reviewer, doc_id)
    assert editor.get(f"/quan-tri/van-ban/{doc_id}/sua").status_code == 403
    assert _edit(editor, doc_id, "2", subject="Không được").status_code == 403
    assert _edit(reviewer, doc_id, _version(reviewer, doc_id), subject="Đính chính trích yếu").status_code == 302
    assert "Đính chính trích yếu" in client.get("/van-ban/12-kh-vks-2026").get_data(as_text=True)


def test_changed_symbol_keeps_the_old_address_as_a_redirect(app, as_role, client):
    reviewer = as_role("reviewer")
    doc_id = create(reviewer)
    publish(reviewer, doc_id)
    _edit(reviewer, doc_id, _version(reviewer, doc_id), symbol="13/KH-VKS")
    response = client.get("/van-ban/12-kh-vks-2026")
    assert response.status_code == 301 and response.headers["Location"].endswith("/van-ban/13-kh-vks-2026")


def test_preview_uses_the_sanitizing_renderer(app, as_role):
    editor = as_role("editor")
    response = editor.post("/quan-tri/xem-truoc", {"body": "## Đề mục\n\n<script>alert(1)</script>**đậm**"})
    html = response.get_json()["html"]
    assert "<h2>Đề mục</h2>" in html and "<strong>đậm</strong>" in html and "<script" not in html
    assert editor.client.post("/quan-tri/xem-truoc", data={"body": "x"}).status_code == 403  # no CSRF token


def test_relation_picker_suggests_by_symbol_and_links_resolve(seeded, as_role, client):
    editor = as_role("editor")
    items = editor.get("/quan-tri/goi-y-ky-hieu?q=174/KH").get_json()["items"]
    assert items[0]["symbol"] == "174/KH-UBND" and items[0]["year"] == 2022
    by_subject = editor.get("/quan-tri/goi-y-ky-hieu?q=giải phóng mặt bằng").get_json()["items"]
    assert "174/KH-UBND" in [i["symbol"] for i in by_subject]
    doc_id = create(as_role("reviewer"), relation_kind="implements", relation_symbol="174/KH-UBND")
    publish(as_role("reviewer"), doc_id)
    page = client.get("/van-ban/12-kh-vks-2026").get_data(as_text=True)
    assert "/van-ban/174-kh-ubnd-2022" in page
    assert "/van-ban/12-kh-vks-2026" in client.get("/van-ban/174-kh-ubnd-2022").get_data(as_text=True)


def test_a_decision_is_edited_with_its_award_fields(seeded, as_role, client):
    reviewer = as_role("reviewer")
    doc_id = create(reviewer, symbol="45/QĐ-VKS", type="quyet-dinh", subject="Khen thưởng tập thể",
                    award_form="giay-khen-vien-truong-vksnd-tinh", level="co-quan",
                    campaign="day-nhanh-tien-do-giai-phong-mat-bang-2022-2025",
                    review_round="so-ket-2022", reason="đã có thành tích xuất sắc", achievement_year="2022")
    html = reviewer.get(f"/quan-tri/van-ban/{doc_id}").get_data(as_text=True)
    assert "Giấy khen của Viện trưởng" in html and "Tải lên danh sách" in html
    bad = reviewer.post("/quan-tri/van-ban/moi", {**FORM, "symbol": "46/KH-VKS", "award_form": "huy-chuong-vang"})
    assert bad.status_code == 400 and "không phải hình thức khen thưởng" in bad.get_data(as_text=True)
