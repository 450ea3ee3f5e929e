"""Units and receipts (issue: units take part): the registry, unit accounts, documents sent to
units, receipts by download or by "Đã nhận", the office's view and export, and who may see what."""
import csv
import io
import re

import pytest

from portal.domain import accounts, units
from portal.domain.documents.models import by_slug
from portal.domain.kernel.actor import Actor
from portal.extensions import db
from tests.web.admin.conftest import PASSWORD, Session, as_role, users  # noqa: F401 (fixtures)

UNIT_EMAIL, OTHER_EMAIL = "caoloc@vks.test", "dinhlap@vks.test"


class UnitSession(Session):
    def csrf(self) -> str:
        if self.token is None:
            html = self.client.get("/don-vi/").get_data(as_text=True)
            self.token = re.search(r'name="csrf-token" content="([^"]+)"', html)[1]
        return self.token

    def login(self, email: str, password: str = PASSWORD):
        html = self.client.get("/quan-tri/dang-nhap").get_data(as_text=True)
        token = re.search(r'name="csrf[-_]token"[^>]*(?:content|value)="([^"]+)"', html)[1]
        response = self.client.post("/quan-tri/dang-nhap", data={"email": email, "password": password,
                                                                 "csrf_token": token})
        self.token = None
        return response


@pytest.fixture
def unit_users(seeded):
    with seeded.app_context():
        accounts.create_user(UNIT_EMAIL, PASSWORD, "unit", Actor("test"), unit_code="vks-cao-loc")
        accounts.create_user(OTHER_EMAIL, PASSWORD, "unit", Actor("test"), unit_code="vks-dinh-lap")
    return seeded


def test_the_registry_is_loaded_from_content(seeded):
    with seeded.app_context():
        everything = units.units_on()
        assert len(everything) == 12 and units.by_code("van-phong") is not None
        district = units.by_code("vks-cao-loc")
        assert district.name == "Viện kiểm sát nhân dân huyện Cao Lộc" and str(district.valid_to) == "2025-06-30"
        from datetime import date
        assert [u.code for u in units.units_on(date(2026, 1, 1))] == ["van-phong"]
        plan = by_slug("174-kh-ubnd-2022")
        assert len(units.receipt_rows(plan)) == 12  # `sent_to: all`: every unit of 04/8/2022


def test_a_bad_units_file_is_refused_whole(app, tmp_path):
    from portal.domain.content import loader as content
    from portal.errors import ValidationFailed
    from portal.services import storage
    (tmp_path / "don-vi.md").write_text(
        "---\nkind: units\nunits:\n  - {code: a, name: Đơn vị A, successor: khong-co}\n"
        "  - {code: a, name: Trùng mã}\n  - {code: Sai Ma, name: X}\n"
        "  - {code: b, name: B, valid_from: 2025-07-01, valid_to: 2025-01-01}\n---\n", encoding="utf-8")
    with app.app_context():
        with pytest.raises(ValidationFailed) as caught:
            content.load(tmp_path, storage())
        text = "\n".join(caught.value.problems)
        for expected in ("bị trùng", "khong-co", "Sai Ma", "trước ngày bắt đầu"):
            assert expected in text, text
        assert units.units_on() == []


def test_the_command_line_creates_a_unit_account(seeded):
    runner = seeded.test_cli_runner()
    env = {"PORTAL_PASSWORD": PASSWORD}
    done = runner.invoke(args=["users", "create", "vanlang@vks.test", "--role", "unit", "--unit", "vks-van-lang"],
                         env=env)
    assert done.exit_code == 0 and "Viện kiểm sát nhân dân huyện Văn Lãng" in done.output
    missing = runner.invoke(args=["users", "create", "x@vks.test", "--role", "unit"], env=env)
    assert missing.exit_code != 0 and "--unit" in missing.output
    wrong = runner.invoke(args=["users", "create", "y@vks.test", "--role", "editor", "--unit", "vks-van-lang"], env=env)
    assert wrong.exit_code != 0
    # Issue 25: accounts were created for the dissolved district units "without a warning".
    assert "Cảnh báo: Viện kiểm sát nhân dân huyện Văn Lãng đã giải thể từ 30/06/2025" in done.output
    office = runner.invoke(args=["users", "create", "vp@vks.test", "--role", "unit", "--unit", "van-phong"], env=env)
    assert office.exit_code == 0 and "Cảnh báo" not in office.output


def test_a_unit_finds_what_was_sent_to_it_and_its_receipt_is_recorded(unit_users, as_role):  # noqa: F811
    unit = UnitSession(unit_users.test_client(), None)
    landed = unit.login(UNIT_EMAIL)
    assert landed.headers["Location"].endswith("/don-vi/")
    page = unit.get("/don-vi/").get_data(as_text=True)
    assert "Văn bản gửi Viện kiểm sát nhân dân huyện Cao Lộc" in page
    assert "174/KH-UBND" in page and "1033/VKS-VP" in page and "<strong>2</strong> văn bản cần xác nhận đã nhận" in page
    assert unit.get("/van-ban/174-kh-ubnd-2022/ban-word.docx").status_code == 200  # the download is the receipt
    with unit_users.app_context():
        letter = by_slug("1033-vks-vp-2022")
        letter_id = letter.id
    confirmed = unit.post(f"/don-vi/van-ban/{letter_id}/da-nhan")
    assert confirmed.status_code == 302
    page = unit.get("/don-vi/").get_data(as_text=True)
    assert page.count("Đã nhận 3") + page.count("Đã nhận ") >= 2 and "Tải về, caoloc@vks.test" in page
    assert "Xác nhận đã nhận, caoloc@vks.test" in page and "cần xác nhận" not in page
    unit.get("/van-ban/174-kh-ubnd-2022/ban-word.docx")  # a second download changes nothing
    office = as_role("reviewer")
    with unit_users.app_context():
        plan_id = by_slug("174-kh-ubnd-2022").id
    status = office.get(f"/quan-tri/van-ban/{plan_id}/don-vi").get_data(as_text=True)
    assert "1/12 đơn vị đã nhận" in status and "Viện kiểm sát nhân dân huyện Đình Lập" in status
    exported = office.get(f"/quan-tri/van-ban/{plan_id}/don-vi.csv")
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Đơn vị", "Tình trạng", "Thời điểm nhận", "Cách nhận", "Tài khoản"]
    received = [r for r in rows[1:] if r[1] == "Đã nhận"]
    assert len(received) == 1 and received[0][0] == "Viện kiểm sát nhân dân huyện Cao Lộc"
    assert received[0][3] == "Tải về" and received[0][4] == UNIT_EMAIL
    assert len([r for r in rows[1:] if r[1] == "Chưa nhận"]) == 11
    # Seen: the receipts CSV said 04:35 where the screen said 11:35 (UTC in the file).
    shown = re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", status.split("Viện kiểm sát nhân dân huyện Cao Lộc", 1)[1])[0]
    assert received[0][2] == shown
    with unit_users.app_context():
        from portal.domain.kernel.models_base import VN, as_utc
        from portal.domain.units.receipts import Receipt
        at = db.session.scalar(db.select(Receipt.at).where(Receipt.document_id == plan_id))
    assert received[0][2] == as_utc(at).astimezone(VN).strftime("%d/%m/%Y %H:%M")


def test_a_unit_sees_only_its_own_public_documents(unit_users, as_role):  # noqa: F811
    from tests.web.admin.conftest import create
    editor = as_role("editor")
    draft_id = create(editor)
    with unit_users.app_context():
        cao_loc = units.by_code("vks-cao-loc")
    editor.post(f"/quan-tri/van-ban/{draft_id}/don-vi", {"unit": str(cao_loc.id), "ask_receipt": "1"})
    unit = UnitSession(unit_users.test_client(), None)
    unit.login(UNIT_EMAIL)
    assert "12/KH-VKS" not in unit.get("/don-vi/").get_data(as_text=True)  # a draft: never shown
    assert unit.post(f"/don-vi/van-ban/{draft_id}/da-nhan").status_code == 404
    other = UnitSession(unit_users.test_client(), None)
    other.login(OTHER_EMAIL)
    with unit_users.app_context():
        decision_id = by_slug("57-2018-qd-ubnd").id  # sent to no unit
        letter_id = by_slug("1033-vks-vp-2022").id
    assert other.post(f"/don-vi/van-ban/{decision_id}/da-nhan").status_code == 404
    unit.post(f"/don-vi/van-ban/{letter_id}/da-nhan")
    other_page = other.get("/don-vi/").get_data(as_text=True)
    assert "caoloc@vks.test" not in other_page and "<strong>2</strong> văn bản cần xác nhận" in other_page


def test_unit_accounts_stay_out_of_the_webmaster_area_and_webmasters_out_of_theirs(unit_users, as_role):  # noqa: F811
    unit = UnitSession(unit_users.test_client(), None)
    unit.login(UNIT_EMAIL)
    assert unit.get("/quan-tri/").headers["Location"].endswith("/don-vi/")
    for path in ("/quan-tri/van-ban", "/quan-tri/van-ban/moi", "/quan-tri/cho-duyet", "/quan-tri/thung-rac",
                 "/quan-tri/don-vi", "/quan-tri/van-ban/1/don-vi", "/quan-tri/van-ban/1/don-vi.csv"):
        assert unit.get(path).status_code == 403, path
    assert unit.post("/quan-tri/van-ban/moi", {"symbol": "1/KH-VKS"}).status_code == 403
    assert unit.get("/quan-tri/mat-khau").status_code == 200
    for role in ("editor", "reviewer", "admin"):
        assert as_role(role).get("/don-vi/").status_code == 403, role
    anonymous = unit_users.test_client()
    assert "/quan-tri/dang-nhap" in anonymous.get("/don-vi/").headers["Location"]
    assert anonymous.post("/don-vi/van-ban/1/da-nhan").status_code in (302, 400, 403)  # no session, no CSRF


def test_the_office_edits_recipients_and_admins_the_registry(unit_users, as_role):  # noqa: F811
    with unit_users.app_context():
        plan = by_slug("174-kh-ubnd-2022")
        plan_id, van_phong = plan.id, units.by_code("van-phong")
        cao_loc_id, vp_id = units.by_code("vks-cao-loc").id, van_phong.id
    editor = as_role("editor")
    editor.post(f"/quan-tri/van-ban/{plan_id}/don-vi", {"unit": [str(vp_id), str(cao_loc_id)]})
    with unit_users.app_context():
        assert sorted(r.unit.code for r in units.receipt_rows(by_slug("174-kh-ubnd-2022"))) == \
            ["van-phong", "vks-cao-loc"]
    assert editor.get("/quan-tri/don-vi").status_code == 403
    admin = as_role("admin")
    registry = admin.get("/quan-tri/don-vi").get_data(as_text=True)
    assert "Danh mục đơn vị" in registry
    # Issue 25: the 11 district units expired 30/06/2025 and "their successors are not in the registry".
    assert "11 đơn vị đã giải thể chưa có đơn vị kế thừa" in registry
    bad = admin.post(f"/quan-tri/don-vi/{cao_loc_id}", {"name": "Viện kiểm sát nhân dân huyện Cao Lộc",
                                                         "valid_from": "2026-01-01", "valid_to": "2025-06-30"})
    assert bad.status_code == 400 and "trước ngày bắt đầu" in bad.get_data(as_text=True)
    good = admin.post(f"/quan-tri/don-vi/{cao_loc_id}", {"name": "Viện kiểm sát nhân dân huyện Cao Lộc",
                                                          "short": "VKS Cao Lộc", "valid_to": "2025-06-30",
                                                          "successor": "van-phong"})
    assert good.status_code == 302
    with unit_users.app_context():
        assert units.by_code("vks-cao-loc").successor.code == "van-phong"
        db.session.remove()
    assert "10 đơn vị đã giải thể chưa có đơn vị kế thừa" in admin.get("/quan-tri/don-vi").get_data(as_text=True)


def test_every_webmaster_route_refuses_a_unit_account(unit_users):
    from portal.web.admin import UNIT_ENDPOINTS
    from tests.web.admin.test_access import RULES, _url
    unit = UnitSession(unit_users.test_client(), None)
    unit.login(UNIT_EMAIL)
    checked = 0
    for rule in RULES:
        if rule.endpoint in UNIT_ENDPOINTS or rule.endpoint == "admin.dashboard":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            data = {"csrf_token": unit.csrf()} if method == "POST" else None
            response = unit.client.open(_url(rule), method=method, data=data)
            assert response.status_code == 403, (method, rule.rule)
            checked += 1
    assert checked >= 30
