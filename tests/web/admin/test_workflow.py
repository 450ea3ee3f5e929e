"""Every transition for every role, allowed and refused; history; the reviewer's worklist;
scheduled and expiring publication honoured by pages, search, feeds and the sitemap."""
import time
from datetime import datetime, timedelta

import pytest

from portal.domain.documents.models import Document
from portal.domain.editorial.editing import VN
from portal.extensions import db

from .conftest import EMAILS, FORM, create, publish

SLUG = "/van-ban/12-kh-vks-2026"
# (transition, state it starts from, roles allowed)
MATRIX = [
    ("submit", "draft", {"editor", "reviewer", "admin"}),
    ("publish", "pending", {"reviewer", "admin"}),
    ("reject", "pending", {"reviewer", "admin"}),
    ("retract", "published", {"reviewer", "admin"}),
    ("redraft", "retracted", {"editor", "reviewer", "admin"}),
]
ILLEGAL = [("publish", "draft"), ("submit", "published"), ("publish", "published"), ("reject", "draft"),
           ("retract", "draft"), ("redraft", "draft"), ("retract", "pending"), ("submit", "pending")]


def session_email(role: str) -> str:
    return EMAILS[role]


def _set_state(app, doc_id: int, state: str) -> None:
    with app.app_context():
        db.session.get(Document, doc_id).status = state
        db.session.commit()


def _state(app, doc_id: int) -> str:
    with app.app_context():
        return db.session.get(Document, doc_id).status


@pytest.mark.parametrize("name, start, allowed", MATRIX, ids=[f"{m[0]}-from-{m[1]}" for m in MATRIX])
@pytest.mark.parametrize("role", ["editor", "reviewer", "admin"])
def test_transition_by_role(app, as_role, name, start, allowed, role):
    doc_id = create(as_role("admin"))
    _set_state(app, doc_id, start)
    session = as_role(role)
    response = session.post(f"/quan-tri/van-ban/{doc_id}/chuyen/{name}", {"comment": "Lý do cụ thể"})
    if role in allowed:
        assert response.status_code == 302
        assert _state(app, doc_id) != start
        page = session.get(f"/quan-tri/van-ban/{doc_id}").get_data(as_text=True)
        assert "Lý do cụ thể" in page and session_email(role) in page
    else:
        assert response.status_code == 403
        assert "không được phép" in response.get_data(as_text=True)
        assert _state(app, doc_id) == start


@pytest.mark.parametrize("name, start", ILLEGAL)
def test_transitions_outside_the_table_are_refused(app, as_role, name, start):
    doc_id = create(as_role("admin"))
    _set_state(app, doc_id, start)
    response = as_role("admin").post(f"/quan-tri/van-ban/{doc_id}/chuyen/{name}", {"comment": "x"})
    assert response.status_code == 409
    assert "Không thể" in response.get_data(as_text=True)
    assert _state(app, doc_id) == start


def test_unknown_transition_is_refused(app, as_role):
    doc_id = create(as_role("admin"))
    assert as_role("admin").post(f"/quan-tri/van-ban/{doc_id}/chuyen/explode").status_code == 409


def test_reject_needs_a_reason(app, as_role):
    doc_id = create(as_role("editor"))
    as_role("editor").post(f"/quan-tri/van-ban/{doc_id}/chuyen/submit")
    response = as_role("reviewer").post(f"/quan-tri/van-ban/{doc_id}/chuyen/reject", {"comment": " "})
    assert response.status_code == 400 and "lý do" in response.get_data(as_text=True)
    assert _state(app, doc_id) == "pending"


def test_full_cycle_with_history_and_worklist(app, as_role, client):
    editor, reviewer = as_role("editor"), as_role("reviewer")
    doc_id = create(editor)
    assert client.get(SLUG).status_code == 404
    editor.post(f"/quan-tri/van-ban/{doc_id}/chuyen/submit", {"comment": "Nhờ duyệt giúp"})
    worklist = reviewer.get("/quan-tri/cho-duyet").get_data(as_text=True)
    assert "12/KH-VKS" in worklist
    assert editor.get("/quan-tri/cho-duyet").status_code == 403
    reviewer.post(f"/quan-tri/van-ban/{doc_id}/chuyen/reject", {"comment": "Sửa lại trích yếu"})
    editor.post(f"/quan-tri/van-ban/{doc_id}/chuyen/submit")
    reviewer.post(f"/quan-tri/van-ban/{doc_id}/chuyen/publish")
    assert "Không có văn bản nào chờ duyệt" in reviewer.get("/quan-tri/cho-duyet").get_data(as_text=True)
    assert client.get(SLUG).status_code == 200
    assert SLUG in client.get("/tim-kiem?q=12/KH-VKS").get_data(as_text=True)
    reviewer.post(f"/quan-tri/van-ban/{doc_id}/chuyen/retract", {"comment": "Ban hành nhầm"})
    assert client.get(SLUG).status_code == 404
    assert "12-kh-vks-2026" not in client.get("/rss.xml").get_data(as_text=True)
    history = editor.get(f"/quan-tri/van-ban/{doc_id}").get_data(as_text=True)
    for text in ("Gửi duyệt", "Trả lại", "Sửa lại trích yếu", "Đăng", "Gỡ xuống", "Ban hành nhầm",
                 "duyet@vks.test", "bientap@vks.test"):
        assert text in history


def _local(delta: timedelta) -> str:
    return (datetime.now(VN) + delta).strftime("%Y-%m-%dT%H:%M:%S")


def _public_everywhere(client) -> dict[str, bool]:
    return {
        "page": client.get(SLUG).status_code == 200,
        "list": "12/KH-VKS" in client.get("/van-ban").get_data(as_text=True),
        "search": SLUG in client.get("/tim-kiem?q=12/KH-VKS").get_data(as_text=True),
        "api": SLUG in client.get("/api/v1/search?q=12/KH-VKS").get_data(as_text=True),
        "feed": "12-kh-vks-2026" in client.get("/rss.xml").get_data(as_text=True),
        "sitemap": "12-kh-vks-2026" in client.get("/sitemap.xml").get_data(as_text=True),
    }


def test_scheduled_publication_appears_on_time_without_any_job(app, as_role, client):
    admin = as_role("admin")
    doc_id = create(admin, publish_from=_local(timedelta(seconds=3)))
    publish(admin, doc_id)
    assert "Hẹn đăng" in admin.get(f"/quan-tri/van-ban/{doc_id}").get_data(as_text=True)
    assert not any(_public_everywhere(client).values())
    time.sleep(3.5)
    assert all(_public_everywhere(client).values())


def test_expired_publication_disappears_on_time(app, as_role, client):
    admin = as_role("admin")
    doc_id = create(admin, publish_until=_local(timedelta(seconds=3)))
    publish(admin, doc_id)
    assert all(_public_everywhere(client).values())
    time.sleep(3.5)
    assert not any(_public_everywhere(client).values())
    assert "Hết hạn" in admin.get(f"/quan-tri/van-ban/{doc_id}").get_data(as_text=True)


def test_expiry_before_start_is_refused(app, as_role):
    response = as_role("admin").post("/quan-tri/van-ban/moi", {
        **FORM, "publish_from": _local(timedelta(days=2)), "publish_until": _local(timedelta(days=1))})
    assert response.status_code == 400
    assert "phải sau thời điểm bắt đầu đăng" in response.get_data(as_text=True)
