"""What an adversarial probe of the portal found (forged hosts and headers, a page cache that kept
someone's message, numbers and dates that overflowed, file names and control characters, a stale
draft published), each as the request that showed it."""
from __future__ import annotations

import email
import email.policy
import socket
from datetime import date

import pytest

from portal.domain.units.dossiers import Dossier
from portal.extensions import db
from portal.web import cache
from tests.web.admin.conftest import as_role, users  # noqa: F401 (fixtures)
from tests.web.test_dossiers import dossier_app, nominee_ids, prepared_dossier, upload  # noqa: F401
from tests.web.test_unit_reports import PDF, _submit, _unit
from tests.web.test_units import UNIT_EMAIL

EVIL = "thiduakhenthuong-vks.langson.evil.example"


class Inbox:
    """A real SMTP server on a free loopback port, keeping what it is sent."""

    def __init__(self):
        from aiosmtpd.controller import Controller
        self.messages = []
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, message["Subject"], message.get_content()))
        return "250 OK"


@pytest.fixture
def inbox():
    box = Inbox()
    box.controller.start()
    yield box
    box.controller.stop()


# -- F1: hosts ---------------------------------------------------------------------------------
def test_a_request_for_another_host_is_refused(client):
    # Seen: any Host was served, and links in mail were built from it.
    response = client.get("/van-ban", headers={"Host": EVIL})
    assert response.status_code == 400
    assert EVIL not in response.get_data(as_text=True)
    assert client.get("/van-ban").status_code == 200  # the machine itself (localhost) still is


def test_links_in_mail_come_from_site_url_alone_with_its_port(dossier_app, inbox):  # noqa: F811
    # Seen: "Xem và xử lý: http://thiduakhenthuong-vks.langson.evil.example/quan-tri/y-kien"; links lost the port.
    app, rounds = dossier_app
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=inbox.port, MAIL_OFFICE=["thuongtruc@vks.test"],
                      SITE_URL="https://thiduakhenthuong.example.vn:8443")
    unit = _unit(app, UNIT_EMAIL)
    dossier_id = prepared_dossier(unit, rounds["so-ket-2022"], "bang-khen-chu-tich-ubnd-tinh")
    assert unit.post(f"/don-vi/ho-so/{dossier_id}/chuyen/submit").status_code == 303  # asked as localhost
    (_to, _subject, body), = inbox.messages
    assert f"https://thiduakhenthuong.example.vn:8443/quan-tri/ho-so/{dossier_id}" in body
    assert "localhost" not in body


def test_the_shipped_nginx_refuses_unknown_hosts():
    conf = (__import__("portal.config").config.PROJECT_ROOT / "deploy" / "nginx.conf").read_text()
    default = conf.split("default_server")[1].split("}")[0]
    assert "return 444" in default


# -- F2: the page cache ------------------------------------------------------------------------
def _cached_urls(app) -> list[str]:
    """One URL of every route the page cache serves (the seeded content gives the slugs)."""
    from portal.config import PROJECT_ROOT
    from portal.domain.content import loader as content
    from portal.domain.documents.models import Document
    from portal.services import storage
    urls = []
    with app.app_context():
        content.load(PROJECT_ROOT / "demo", storage())  # decisions with their awards
        slug = db.session.scalar(db.select(Document.slug).where(Document.slug == "1033-vks-vp-2022"))
        campaign = db.session.scalar(db.text("SELECT slug FROM campaigns LIMIT 1"))
        decision = db.session.scalar(db.text(
            "SELECT d.slug FROM documents d JOIN honor_decisions h ON h.document_id = d.id "
            "WHERE d.status = 'published' LIMIT 1"))
        collective = db.session.scalar(db.text("SELECT id FROM recipients WHERE kind = 'tap-the' LIMIT 1"))
    values = {"slug": slug, "record_id": collective}
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if not getattr(view, "page_cached", False):
            continue
        args = {name: (campaign if "campaign" in rule.endpoint else decision if "decision" in rule.endpoint
                       else values[name]) for name in rule.arguments}
        with app.test_request_context():
            from flask import url_for
            urls.append(url_for(rule.endpoint, **args))
    return urls


def test_no_cached_page_keeps_a_visitors_flashed_message(seeded):
    # Seen: a comment posted without following its redirect, then GET /vinh-danh?nguon=fb, and
    # four later visitors saw "Đã gửi ý kiến của bạn…".
    urls = _cached_urls(seeded)
    assert len(urls) >= 8 and "/vinh-danh" in urls
    for url in urls:
        cache.clear()
        visitor = seeded.test_client()
        with visitor.session_transaction() as session:
            session["_flashes"] = [("message", "THÔNG BÁO: Cổng đã chuyển sang evil.example")]
        own = visitor.get(url + "?nguon=zalo")
        assert own.status_code == 200, url
        if b'class="site-header"' in own.data:
            assert b"evil.example" in own.data, url  # the visitor sees their own message
        later = seeded.test_client().get(url + "?nguon=zalo")
        assert b"evil.example" not in later.data, url


def test_a_signed_in_visitor_neither_reads_nor_fills_the_page_cache(seeded, as_role):  # noqa: F811
    cache.clear()
    editor = as_role("editor")
    editor.get("/vinh-danh?nguon=fb")
    editor.get("/vinh-danh?nguon=fb")  # twice: a page with a query is kept from its second request
    assert cache.cached_bytes() == 0
    seeded.test_client().get("/vinh-danh?nguon=fb")
    seeded.test_client().get("/vinh-danh?nguon=fb")
    assert cache.cached_bytes() > 0


# -- F6: numbers -------------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["/van-ban?trang=²", "/van-ban?nam=²²²²", "/vinh-danh?nam=²²²²", "/vinh-danh?trang=²",
                                 "/tim-kiem?q=ke+hoach&trang=²", "/vinh-danh/xuat.csv?nam=²²²²",
                                 "/van-ban?trang=٣", "/vinh-danh?nam=２０２２"])
def test_digits_that_are_not_ascii_are_no_500(seeded, url):
    response = seeded.test_client().get(url)
    assert response.status_code == 200, url


@pytest.mark.parametrize("url", ["/api/v1/search?q=a&page=²", "/api/v1/honors?per_page=²"])
def test_the_api_names_a_bad_number_in_vietnamese(seeded, url):
    response = seeded.test_client().get(url)
    assert response.status_code == 400
    assert "phải là số nguyên" in response.get_json()["error"]["message"]


def test_the_api_says_401_in_vietnamese(client):
    response = client.get("/api/v1/office/dossiers")
    assert response.status_code == 401
    assert response.get_json()["error"]["message"] == "Bạn cần đăng nhập để dùng chức năng này."


# -- F7: file names ----------------------------------------------------------------------------
def test_a_long_name_is_shortened_by_its_stem_and_checked_as_stored(dossier_app, as_role):  # noqa: F811
    # Seen: 196 characters + ".csv.pdf" was checked as PDF, cut to 200 and stored as text/csv.
    app, rounds = dossier_app
    unit = _unit(app, UNIT_EMAIL)
    dossier_id = prepared_dossier(unit, rounds["so-ket-2022"], "bang-khen-chu-tich-ubnd-tinh")
    tricky = "a" * 196 + ".csv.pdf"
    sent = upload(unit, f"/don-vi/ho-so/{dossier_id}/tep", b"x,y\n1,2\n", tricky, role="bien-ban")
    assert sent.status_code == 400
    long_pdf = "Biên bản họp xét thi đua " * 12 + ".pdf"  # a valid PDF with a name over 200 characters
    assert upload(unit, f"/don-vi/ho-so/{dossier_id}/tep", PDF, long_pdf, role="bien-ban").status_code == 303
    with app.app_context():
        stored = db.session.get(Dossier, dossier_id).files
        names = [f.filename for f in stored if f.role == "bien-ban"]
        assert all(len(n) <= 200 and n.endswith(".pdf") for n in names)
        assert all(f.mime_type == "application/pdf" for f in stored if f.role == "bien-ban")


def test_a_report_with_a_long_pdf_name_is_accepted(dossier_app):  # noqa: F811
    app, rounds = dossier_app
    unit = _unit(app, UNIT_EMAIL)
    sent = _submit(unit, rounds["so-ket-2022"], {"ho-ban-giao-som": "3"}, name="Báo cáo sơ kết " * 20 + ".pdf")
    assert sent.status_code == 302, sent.get_data(as_text=True)[:2000]


# -- F11: control characters -------------------------------------------------------------------
def test_a_units_short_name_keeps_no_line_break_nor_direction_override(seeded, as_role):  # noqa: F811
    from portal.domain.units.registry import Unit
    admin = as_role("admin")
    with seeded.app_context():
        unit = db.session.scalar(db.select(Unit).where(Unit.code == "vks-cao-loc"))
        unit_id, name = unit.id, unit.name
    form = admin.get(f"/quan-tri/don-vi/{unit_id}").get_data(as_text=True)
    assert name in form
    sent = admin.post(f"/quan-tri/don-vi/{unit_id}", {"name": name, "short": "Cao\r\nLộc\u202egpj.exe\x00"})
    assert sent.status_code in (302, 303), sent.get_data(as_text=True)[:2000]
    with seeded.app_context():
        short = db.session.get(Unit, unit_id).short_name
    assert short == "Cao Lộcgpj.exe"


# -- F12: dates --------------------------------------------------------------------------------
@pytest.mark.parametrize("opens_on", ["9999-12-25", "3000-01-01"])
def test_a_consultation_opens_within_the_year_ahead(dossier_app, as_role, opens_on):  # noqa: F811
    # Seen: 9999-12-25 raised OverflowError (500); 3000-01-01 kept a dossier in consultation for 974 years.
    app, rounds = dossier_app
    unit, office = _unit(app, UNIT_EMAIL), as_role("editor")
    dossier_id = prepared_dossier(unit, rounds["so-ket-2022"])
    unit.post(f"/don-vi/ho-so/{dossier_id}/chuyen/submit")
    office.post(f"/quan-tri/ho-so/{dossier_id}/chuyen/appraise")
    individual = str(nominee_ids(app, dossier_id)[1])
    refused = office.post(f"/quan-tri/ho-so/{dossier_id}/lay-y-kien", {"nominee": [individual], "opens_on": opens_on})
    assert refused.status_code == 400
    assert "Ngày bắt đầu lấy ý kiến phải trong khoảng" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Dossier, dossier_id).status == "appraising"


def test_a_publication_window_far_in_the_future_is_refused(seeded, as_role):  # noqa: F811
    from tests.web.admin.conftest import FORM
    editor = as_role("editor")
    response = editor.post("/quan-tri/van-ban/moi", {**FORM, "publish_from": "9999-12-31T23:59"})
    assert response.status_code == 400
    assert "từ năm 2000 đến năm 2100" in response.get_data(as_text=True)


# -- F5: a stale draft -------------------------------------------------------------------------
def proposed(app, unit, office, round_id, form: str = "bang-khen-chu-tich-ubnd-tinh") -> int:
    """A unit's dossier of three, every nominee approved by the office, proposed (đã trình)."""
    dossier_id = prepared_dossier(unit, round_id, form)
    unit.post(f"/don-vi/ho-so/{dossier_id}/chuyen/submit")
    office.post(f"/quan-tri/ho-so/{dossier_id}/chuyen/appraise")
    for nominee in nominee_ids(app, dossier_id):
        office.post(f"/quan-tri/ho-so/{dossier_id}/nguoi/{nominee}", {"verdict": "approved"})
    assert office.post(f"/quan-tri/ho-so/{dossier_id}/chuyen/propose").status_code == 303
    return dossier_id


def _draft(office, dossier_id: int, symbol: str) -> int:
    drafted = office.post("/quan-tri/quyet-dinh-khen-thuong/du-thao", {
        "dossier": [str(dossier_id)], "symbol": symbol, "issued_on": "2026-12-20",
        "signing_authority": "KT. VIỆN TRƯỞNG", "signer_title": "PHÓ VIỆN TRƯỞNG", "signer": "Nguyễn Văn Viện",
        "place": "Lạng Sơn", "reason": "Có thành tích xuất sắc"})
    assert drafted.status_code == 303, drafted.get_data(as_text=True)[:3000]
    return int(drafted.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def test_a_draft_whose_dossier_was_returned_cannot_be_published(dossier_app, as_role, client):  # noqa: F811
    # Seen: the office returned the dossier ("SentinelB không đủ điều kiện"), the unit resubmitted
    # without SentinelB, the reviewer published the old draft: SentinelB on the public decision.
    app, rounds = dossier_app
    unit, office, reviewer = _unit(app, UNIT_EMAIL), as_role("editor"), as_role("reviewer")
    dossier_id = proposed(app, unit, office, rounds["so-ket-2022"])
    stale = _draft(office, dossier_id, "77/QĐ-VKS")
    returned = reviewer.post(f"/quan-tri/ho-so/{dossier_id}/chuyen/return",
                             {"comment": "Lương Thị Hạnh không đủ điều kiện"}, follow_redirects=True)
    assert "Hồ sơ đã được rút khỏi dự thảo quyết định 77/QĐ-VKS" in returned.get_data(as_text=True)
    history = reviewer.get(f"/quan-tri/van-ban/{stale}").get_data(as_text=True)
    assert "Rút hồ sơ khỏi dự thảo" in history
    reviewer.post(f"/quan-tri/van-ban/{stale}/chuyen/submit")
    refused = reviewer.post(f"/quan-tri/van-ban/{stale}/chuyen/publish")
    assert refused.status_code == 409
    assert "không còn khớp hồ sơ" in refused.get_data(as_text=True)
    assert "Lương Thị Hạnh" not in client.get("/vinh-danh").get_data(as_text=True)
    # The unit corrects and submits again: the dossier can enter a new decision.
    assert unit.post(f"/don-vi/ho-so/{dossier_id}/chuyen/submit").status_code == 303
    office.post(f"/quan-tri/ho-so/{dossier_id}/chuyen/appraise")
    ids = nominee_ids(app, dossier_id)
    office.post(f"/quan-tri/ho-so/{dossier_id}/nguoi/{ids[0]}", {"verdict": "approved"})
    office.post(f"/quan-tri/ho-so/{dossier_id}/nguoi/{ids[1]}", {"verdict": "rejected", "note": "Không đủ"})
    office.post(f"/quan-tri/ho-so/{dossier_id}/chuyen/propose")
    fresh = _draft(office, dossier_id, "78/QĐ-VKS")
    reviewer.post(f"/quan-tri/van-ban/{fresh}/chuyen/submit")
    assert reviewer.post(f"/quan-tri/van-ban/{fresh}/chuyen/publish").status_code == 302
    with app.app_context():
        assert db.session.get(Dossier, dossier_id).status == "decided"


# -- F10: mail after the response --------------------------------------------------------------
def test_a_notice_is_queued_with_its_change_and_sent_by_the_command(dossier_app, inbox):  # noqa: F811
    from click.testing import CliRunner  # noqa: F401 (the command runs in this process)

    from portal.domain.kernel.outbox import OutboxMessage
    app, rounds = dossier_app
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=9, MAIL_OFFICE=["thuongtruc@vks.test"])  # nobody there
    unit = _unit(app, UNIT_EMAIL)
    dossier_id = prepared_dossier(unit, rounds["so-ket-2022"], "bang-khen-chu-tich-ubnd-tinh")
    assert unit.post(f"/don-vi/ho-so/{dossier_id}/chuyen/submit").status_code == 303
    with app.app_context():
        row = db.session.scalar(db.select(OutboxMessage))
        assert row.sent_at is None and row.attempts == 1 and "ConnectionRefusedError" in row.last_error
        row.next_attempt_at = row.created_at  # due again now
        db.session.commit()
    app.config.update(MAIL_PORT=inbox.port)
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert "Đã gửi 1 thư" in result.output, result.output
    (to, subject, body), = inbox.messages
    assert "thuongtruc@vks.test" in to and f"/quan-tri/ho-so/{dossier_id}" in body
    assert app.test_cli_runner().invoke(args=["mail", "send"]).output.startswith("Đã gửi 0 thư")


def test_a_hung_mail_server_delays_no_request(dossier_app):  # noqa: F811
    """The sender thread meets a server that accepts and never answers; the unit's request
    returns at once and the notice waits in the queue with the reason."""
    import threading
    import time

    from portal.domain.kernel.outbox import OutboxMessage
    app, rounds = dossier_app
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepted by the kernel, never a greeting
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=silent.getsockname()[1], MAIL_TIMEOUT=3,
                      MAIL_BACKGROUND=True, MAIL_OFFICE=["thuongtruc@vks.test"])
    unit = _unit(app, UNIT_EMAIL)
    dossier_id = prepared_dossier(unit, rounds["so-ket-2022"], "bang-khen-chu-tich-ubnd-tinh")
    started = time.monotonic()
    assert unit.post(f"/don-vi/ho-so/{dossier_id}/chuyen/submit").status_code == 303
    assert time.monotonic() - started < 1.5, "the request waited on the mail server"
    assert any(t.name == "mail-sender" for t in threading.enumerate())
    deadline = time.monotonic() + 15
    with app.app_context():
        while time.monotonic() < deadline:
            db.session.expire_all()
            row = db.session.scalar(db.select(OutboxMessage))
            if row.attempts:
                break
            time.sleep(0.2)
        assert row.sent_at is None and row.attempts == 1 and "timed out" in row.last_error
    # An app discarded while its process goes on stops its sender (here: it would retry a minute
    # later, after pytest has closed the output it logs to).
    app.extensions["mail_sender"].stop()
    silent.close()
    deadline = time.monotonic() + 10
    while any(t.name == "mail-sender" for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(t.name == "mail-sender" for t in threading.enumerate())


def test_a_sender_stopped_and_started_again_runs_one_thread(app):
    """stop() then kick() at once: the stopped thread must end, not go on beside the new one
    (two senders would each send the queue)."""
    import threading
    import time

    sender = app.extensions["mail_sender"]

    def senders() -> set:
        return {t for t in threading.enumerate() if t.name == "mail-sender"}

    before = senders()
    sender.kick()
    first = senders() - before
    sender.stop()
    sender.kick()  # before the first thread has woken to see it was stopped
    deadline = time.monotonic() + 10
    while first & senders() and time.monotonic() < deadline:
        time.sleep(0.05)
    running = senders() - before
    sender.stop()
    assert len(first) == 1 and not first & running and len(running) == 1
    # The second thread may be in a round, holding a database connection: it ends before the
    # app is discarded (seen on CI: its connection, checked in after the engine was disposed,
    # was later collected open and failed another test with a ResourceWarning).
    deadline = time.monotonic() + 10
    while running & senders() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not running & senders()


# -- the office's comment queue ----------------------------------------------------------------
def test_the_comment_queue_is_paginated(dossier_app, as_role):  # noqa: F811
    from portal.domain.units.consultations import COMMENTS_PER_PAGE, Consultation, ConsultationComment
    app, rounds = dossier_app
    with app.app_context():
        consultation = Consultation(slug="lay-y-kien-thu", distinction="huan-chuong-lao-dong-hang-ba",
                                    round_label="Sơ kết 2022", title="Lấy ý kiến thử", dossier_id=None,
                                    opens_on=date(2026, 12, 1), closes_on=date(2026, 12, 14), working_days=10,
                                    legal_basis="", opened_by="test")
        db.session.add(consultation)
        db.session.flush()
        db.session.add_all([ConsultationComment(consultation_id=consultation.id, message=f"Ý kiến số {n}")
                            for n in range(COMMENTS_PER_PAGE + 5)])
        db.session.commit()
    office = as_role("editor")
    first = office.get("/quan-tri/y-kien").get_data(as_text=True)
    assert first.count('class="card"') == COMMENTS_PER_PAGE and "Trang 1/2" in first
    second = office.get("/quan-tri/y-kien?trang=2").get_data(as_text=True)
    assert second.count('class="card"') == 5 and "Ý kiến số 54" in second


# -- F9: forwarded addresses -------------------------------------------------------------------
def test_forwarded_addresses_are_believed_only_from_listed_proxies(app):
    from flask import request

    from portal.web.security import ForwardedBy, proxy_networks
    seen = []

    @app.get("/_dia-chi")
    def _address():
        seen.append(request.remote_addr)
        return "ok"

    app.wsgi_app = ForwardedBy(app.wsgi_app, proxy_networks("10.0.0.10, 127.0.0.0/8"))
    client = app.test_client()
    client.get("/_dia-chi", headers={"X-Forwarded-For": "1.2.3.4"}, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    client.get("/_dia-chi", headers={"X-Forwarded-For": "9.9.9.9, 198.51.100.7"},
               environ_base={"REMOTE_ADDR": "10.0.0.10"})
    client.get("/_dia-chi", headers={"X-Forwarded-For": "x" * 180}, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert seen == ["203.0.113.9", "198.51.100.7", "127.0.0.1"]


def test_a_count_of_proxies_is_refused_with_a_message():
    from portal.config import ConfigurationError
    from portal.web.security import proxy_networks
    with pytest.raises(ConfigurationError, match="TRUSTED_PROXIES nhận địa chỉ"):
        proxy_networks("1")


def test_the_shipped_unit_listens_on_loopback():
    from portal.config import PROJECT_ROOT
    unit = (PROJECT_ROOT / "deploy" / "portal.service").read_text()
    assert "0.0.0.0" not in unit.split("[Service]")[1] and "--bind 127.0.0.1:8000" in unit
