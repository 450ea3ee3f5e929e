"""Deleting: link-integrity warning first, then the trash; restore; purge for admins only."""

from portal.domain.documents.models import Document
from portal.extensions import db

from .conftest import create, publish
from .test_uploads import pdf_bytes, stored_files, upload


def _trashed(app, doc_id: int) -> bool:
    with app.app_context():
        return db.session.get(Document, doc_id).deleted_at is not None


def test_a_cited_document_lists_who_cites_it_before_deletion(seeded, as_role, client):
    reviewer = as_role("reviewer")
    with seeded.app_context():
        plan_id = db.session.scalar(db.select(Document.id).where(Document.symbol == "174/KH-UBND"))
    warning = reviewer.get(f"/quan-tri/van-ban/{plan_id}/xoa").get_data(as_text=True)
    assert "Cảnh báo liên kết" in warning and "1033/VKS-VP" in warning and "Triển khai" in warning
    assert "Đẩy nhanh tiến độ" in warning  # the campaign whose plan it is
    refused = reviewer.post(f"/quan-tri/van-ban/{plan_id}/xoa", {})
    assert refused.status_code == 409 and not _trashed(seeded, plan_id)
    assert reviewer.post(f"/quan-tri/van-ban/{plan_id}/xoa", {"confirm": "1"}).status_code == 302
    assert _trashed(seeded, plan_id)
    assert client.get("/van-ban/174-kh-ubnd-2022").status_code == 404
    assert "/van-ban/174-kh-ubnd-2022" not in client.get("/tim-kiem?q=174/KH-UBND").get_data(as_text=True)
    assert "174-kh-ubnd-2022" not in client.get("/sitemap.xml").get_data(as_text=True)
    assert "174/KH-UBND" in reviewer.get("/quan-tri/thung-rac").get_data(as_text=True)
    assert reviewer.post(f"/quan-tri/thung-rac/{plan_id}/khoi-phuc").status_code == 302
    assert client.get("/van-ban/174-kh-ubnd-2022").status_code == 200
    assert "/van-ban/174-kh-ubnd-2022" in client.get("/tim-kiem?q=174/KH-UBND").get_data(as_text=True)


def test_an_uncited_draft_goes_to_the_trash_without_warning(app, as_role):
    editor = as_role("editor")
    doc_id = create(editor)
    page = editor.get(f"/quan-tri/van-ban/{doc_id}/xoa").get_data(as_text=True)
    assert "Cảnh báo liên kết" not in page
    assert editor.post(f"/quan-tri/van-ban/{doc_id}/xoa", {"confirm": "1"}).status_code == 302
    assert _trashed(app, doc_id)
    assert editor.get(f"/quan-tri/van-ban/{doc_id}/sua").status_code == 404


def test_editors_cannot_delete_what_is_published(app, as_role):
    doc_id = create(as_role("reviewer"))
    publish(as_role("reviewer"), doc_id)
    assert as_role("editor").post(f"/quan-tri/van-ban/{doc_id}/xoa", {"confirm": "1"}).status_code == 403
    assert not _trashed(app, doc_id)


def test_purge_is_for_admins_typed_symbol_and_removes_files(app, as_role):
    editor, admin = as_role("editor"), as_role("admin")
    doc_id = create(editor)
    upload(editor, doc_id, pdf_bytes(), "ban-goc.pdf")
    assert len(stored_files(app)) == 1
    editor.post(f"/quan-tri/van-ban/{doc_id}/xoa", {"confirm": "1"})
    assert editor.post(f"/quan-tri/thung-rac/{doc_id}/xoa-vinh-vien", {"confirm": "12/KH-VKS"}).status_code == 403
    wrong = admin.post(f"/quan-tri/thung-rac/{doc_id}/xoa-vinh-vien", {"confirm": "12/KH"})
    assert wrong.status_code == 400 and "gõ đúng số ký hiệu" in wrong.get_data(as_text=True)
    assert admin.post(f"/quan-tri/thung-rac/{doc_id}/xoa-vinh-vien", {"confirm": "12/KH-VKS"}).status_code == 302
    with app.app_context():
        assert db.session.get(Document, doc_id) is None
    assert stored_files(app) == []
    log = admin.get("/quan-tri/nhat-ky").get_data(as_text=True)
    assert "Xóa vĩnh viễn 12/KH-VKS" in log and "Chuyển 12/KH-VKS vào thùng rác" in log


def test_purge_refuses_a_document_not_in_the_trash(app, as_role):
    doc_id = create(as_role("admin"))
    response = as_role("admin").post(f"/quan-tri/thung-rac/{doc_id}/xoa-vinh-vien", {"confirm": "12/KH-VKS"})
    assert response.status_code == 409
    with app.app_context():
        assert db.session.get(Document, doc_id) is not None
