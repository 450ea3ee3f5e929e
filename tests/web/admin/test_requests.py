"""The honor roll's request queue: a request is handled, the entry's status changes, the
request closes with a note, and the audit log keeps it."""
from portal.domain.honors.models import Award, HonorRequest
from portal.extensions import db
from tests.conftest import CONTENT, load


def _award_and_request(app, client):
    load(app, CONTENT.parent / "demo")
    with app.app_context():
        award = db.session.scalars(db.select(Award).order_by(Award.id)).first()
        award_id, name = award.id, award.name
    page = client.get(f"/vinh-danh/khen-thuong/{award_id}").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(f"/vinh-danh/khen-thuong/{award_id}/yeu-cau", data={
        "csrf_token": token, "loai": "remove", "noi-dung": "Đề nghị gỡ tên tôi khỏi bảng vinh danh.",
        "lien-he": "nguoidan@example.vn"})
    assert response.status_code in (200, 302, 303)
    return award_id, name


def test_request_is_handled_from_the_queue(seeded, as_role, client):
    award_id, name = _award_and_request(seeded, client)
    reviewer = as_role("reviewer")
    queue = reviewer.get("/quan-tri/yeu-cau").get_data(as_text=True)
    assert name in queue and "Đề nghị gỡ thông tin" in queue and "nguoidan@example.vn" in queue
    with seeded.app_context():
        request_id = db.session.scalar(db.select(HonorRequest.id))
    missing_note = reviewer.post(f"/quan-tri/yeu-cau/{request_id}", {"publication": "removed", "note": ""})
    assert missing_note.status_code == 400
    done = reviewer.post(f"/quan-tri/yeu-cau/{request_id}", {"publication": "removed",
                                                              "note": "Đã xác minh, gỡ theo yêu cầu."})
    assert done.status_code == 302
    assert client.get(f"/vinh-danh/khen-thuong/{award_id}").status_code in (404, 410)
    assert name not in client.get("/vinh-danh").get_data(as_text=True)
    closed = reviewer.get("/quan-tri/yeu-cau?trang-thai=closed").get_data(as_text=True)
    assert "Đã xác minh, gỡ theo yêu cầu." in closed and "duyet@vks.test" in closed
    log = as_role("admin").get("/quan-tri/nhat-ky").get_data(as_text=True)
    assert f"Xử lý yêu cầu #{request_id}" in log and "Đã gỡ theo yêu cầu" in log
    assert reviewer.post(f"/quan-tri/yeu-cau/{request_id}", {"publication": "public", "note": "x"}).status_code == 400


def test_the_audit_log_is_read_only(app, as_role):
    admin = as_role("admin")
    assert admin.get("/quan-tri/nhat-ky").status_code == 200
    assert admin.post("/quan-tri/nhat-ky", {}).status_code == 405
    assert as_role("reviewer").get("/quan-tri/nhat-ky").status_code == 403
