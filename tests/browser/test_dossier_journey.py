"""The loop from directive to honor roll in a real browser, against gunicorn whose clock the
test moves (libfaketime): a unit takes the plan, reports, nominates three; the office appraises
and opens a consultation; a visitor comments; ten working days later (Tết counted) the office
proposes, drafts the decision from the dossier, a reviewer publishes it, and the three are on
the honor roll with nothing typed twice. The Huân chương is the President's: the office proposes
it in a tờ trình and records the President's decision, whose issuer the roll shows. A dossier
returned after its decision was drafted leaves the draft, which can no longer be published; the
corrected list is what reaches the roll."""
from __future__ import annotations

import glob
from datetime import UTC, datetime

import pytest

from tests.browser.conftest import ACCOUNTS, UNIT_ACCOUNT, WEBMASTER_PASSWORD, WEBMASTERS, shows
from tests.servers import missing, prepared, serve
from tests.web.test_dossiers import NOMINEES, PRIVATE, list_csv
from tests.web.test_unit_reports import PDF

LIBFAKETIME = sorted(glob.glob("/usr/lib/*/faketime/libfaketime.so.1"))


@pytest.fixture
def clock(tmp_path):
    """A file holding the served portal's time; writing it moves the clock of every worker."""
    if not LIBFAKETIME:
        missing("libfaketime not found: install it (apt-get install faketime) to run the dossier journey")
    path = tmp_path / "clock"

    def set_to(moment: str) -> None:
        # An offset from the real clock, the same for every worker. An absolute "@start" would
        # start running in each process when it next reads the clock: an idle worker then lags
        # the busy one, and rejects the session cookie the other just signed (negative age).
        target = datetime.strptime(moment, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        path.write_text(f"{round((target - datetime.now(UTC)).total_seconds()):+d}\n")

    set_to("2027-02-01 09:00:00")  # Monday, three days before Tết 2027
    set_to.env = {"LD_PRELOAD": LIBFAKETIME[0], "FAKETIME_TIMESTAMP_FILE": str(path), "FAKETIME_NO_CACHE": "1",
                  "GUNICORN_CMD_ARGS": "--timeout 0"}
    return set_to


@pytest.fixture
def moving_portal(tmp_path, clock):
    env = prepared(tmp_path / "portal", (("db", "upgrade"), ("content", "load", "content"), ("search", "rebuild"),
                                         *ACCOUNTS), {"PORTAL_PASSWORD": WEBMASTER_PASSWORD})
    with serve({**env, **clock.env}) as base:
        yield base


@pytest.fixture
def browser_contexts(browser):
    """New browser contexts, all closed after the test: a page left open keeps polling a
    server that is gone, and its CPU slows every later test."""
    made = []

    def new():
        made.append(browser.new_context(accept_downloads=True, locale="vi-VN"))
        return made[-1]

    yield new
    for context in made:
        context.close()


def sign_in(new_context, base: str, email: str):
    page = new_context().new_page()
    page.goto(base + "/quan-tri/dang-nhap")
    page.fill("#email", email)
    page.fill("#password", WEBMASTER_PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    return page


def test_from_directive_to_honor_roll_with_nothing_typed_twice(browser_contexts, moving_portal, clock, tmp_path):
    base = moving_portal
    signed = tmp_path / "ban-ky.pdf"
    signed.write_bytes(PDF)
    nominees = tmp_path / "danh-sach-de-nghi.csv"
    nominees.write_bytes(list_csv())

    # A unit finds the plan sent to it and downloads it: its receipt is recorded.
    unit = sign_in(browser_contexts, base, UNIT_ACCOUNT[0])
    unit.wait_for_url("**/don-vi/")
    row = unit.locator("tr", has_text="174/KH-UBND")
    with unit.expect_download():
        row.get_by_role("link", name="Bản Word").click()
    unit.reload()
    shows(unit.locator("tr", has_text="174/KH-UBND"), "Đã nhận")

    # Its sơ kết report with figures (late: due 15/12/2022).
    unit.click("nav >> text=Báo cáo")
    unit.click("text=Nộp báo cáo Sơ kết năm 2022")
    unit.set_input_files("#r-file", str(signed))
    unit.fill("#f-ho-ban-giao-som", "12")
    unit.fill("#f-dien-tich-ban-giao", "1.250,5")
    unit.get_by_role("button", name="Nộp báo cáo").click()
    shows(unit.locator("body"), "sau hạn")

    # A dossier of three for Huân chương Lao động hạng Ba.
    unit.click("nav >> text=Hồ sơ khen thưởng")
    unit.select_option("#d-form", "huan-chuong-lao-dong-hang-ba")
    unit.get_by_role("button", name="Lập hồ sơ").click()
    for role in ("to-trinh", "bien-ban", "bao-cao-thanh-tich"):
        unit.select_option("#f-role", role)
        unit.set_input_files("#f-file", str(signed))
        unit.get_by_role("button", name="Đính kèm").click()
    unit.set_input_files("#l-file", str(nominees))
    unit.get_by_role("button", name="Nạp danh sách").click()
    shows(unit.locator("body"), "Đã nạp danh sách: 3 người")
    unit.get_by_role("button", name="Nộp hồ sơ").click()
    shows(unit.locator(".lead"), "Đã nộp")

    # The office appraises, agrees to all three, and opens the consultation for the individual.
    office = sign_in(browser_contexts, base, WEBMASTERS["editor"])
    office.click("text=hồ sơ đề nghị khen thưởng mới nộp")
    office.click("table >> text=Đề nghị Huân chương Lao động hạng Ba")
    office.get_by_role("button", name="Nhận thẩm định").click()
    for name in (row[2] for row in NOMINEES):  # one form for the list: every choice is kept
        office.locator("tr", has_text=name).locator("select").select_option("approved")
    office.get_by_role("button", name="Ghi ý kiến thẩm định cả danh sách").click()
    shows(office.locator("body"), f"Đã ghi ý kiến thẩm định của {len(NOMINEES)} người")
    office.get_by_role("button", name="Mở lấy ý kiến").click()
    shows(office.locator("body"), "Đã mở lấy ý kiến đến hết ngày 19/02/2027 (10 ngày làm việc)")

    # A visitor reads it (public fields only) and comments.
    visitor = browser_contexts().new_page()
    visitor.goto(base + "/")
    visitor.click("nav >> text=Lấy ý kiến")
    shows(visitor.locator("body"), "còn 10 ngày làm việc")
    visitor.click("h2 a")
    shows(visitor.locator("main"), "Lương Thị Hạnh")
    page_text = visitor.locator("main").inner_text()
    assert "Lương Thị Hạnh" in page_text and not any(value in page_text for value in PRIVATE.values())
    visitor.fill("#gy-noi-dung", "Chị Hạnh tận tụy, giúp bà con hiểu chính sách bồi thường.")
    visitor.get_by_role("button", name="Gửi ý kiến").click()
    shows(visitor.locator("body"), "Đã gửi ý kiến")

    # Ten working days later (Tết 2027 from 04 to 10/02 not counted) the window has closed.
    clock("2027-02-22 09:00:00")
    visitor.reload()
    shows(visitor.locator("main"), "Đã kết thúc lấy ý kiến")
    office = sign_in(browser_contexts, base, WEBMASTERS["editor"])  # yesterday's session has expired
    office.goto(base + "/quan-tri/y-kien")
    shows(office.locator("main"), "tận tụy")
    office.goto(base + "/quan-tri/ho-so?trang-thai=consulting")
    office.click("table >> text=Đề nghị Huân chương Lao động hạng Ba")
    office.get_by_role("button", name="Trình khen thưởng").click()
    shows(office.locator(".lead"), "Đã trình")

    # A Huân chương is the President's to confer: the office proposes it up in a tờ trình drafted
    # from the dossier (numbered from the register) ...
    office.goto(base + "/quan-tri/quyet-dinh-khen-thuong/du-thao")
    assert "Chủ tịch nước Cộng hòa xã hội chủ nghĩa Việt Nam quyết định: chưa có tờ trình" in office.locator(
        "main").inner_text()
    office.check("input[name=dossier]")
    office.fill("#f-issued_on", "2027-02-22")
    office.fill("#f-signing_authority", "KT. VIỆN TRƯỞNG")
    office.fill("#f-signer_title", "PHÓ VIỆN TRƯỞNG")
    office.fill("#f-signer", "Hoàng Văn Ký")
    office.get_by_role("button", name="Dự thảo tờ trình đề nghị cấp trên").click()
    shows(office.locator("body"), "Đã dự thảo tờ trình 1/TTr-VKS")
    assert "Đề nghị Chủ tịch nước Cộng hòa xã hội chủ nghĩa Việt Nam tặng Huân chương Lao động hạng Ba" in \
        office.locator(".lead").inner_text()
    # ... and records the President's decision when it comes back, which then fills the roll.
    office.goto(base + "/quan-tri/quyet-dinh-khen-thuong/du-thao")
    shows(office.locator("main"), "đã có tờ trình 1/TTr-VKS")
    office.check("input[name=dossier]")
    office.fill("#f-symbol", "215/QĐ-CTN")
    office.fill("#f-issued_on", "2027-02-22")
    office.fill("#f-signing_authority", "")
    office.fill("#f-signer_title", "CHỦ TỊCH NƯỚC")
    office.fill("#f-signer", "Trần Văn Nước")
    office.get_by_role("button", name="Tạo dự thảo quyết định").click()
    shows(office.locator("body"), "với 3 người được khen")
    office.click("button:has-text('Gửi duyệt')")
    reviewer = sign_in(browser_contexts, base, WEBMASTERS["reviewer"])
    reviewer.click("nav >> text=Chờ duyệt")
    reviewer.click("text=215/QĐ-CTN")
    reviewer.get_by_role("button", name="Đăng…", exact=True).click()
    reviewer.get_by_role("button", name="Xác nhận đăng", exact=True).click()

    visitor.goto(base + "/vinh-danh")
    roll = visitor.locator("main").inner_text()
    assert all(row[2] in roll for row in NOMINEES)
    assert not any(value in roll for value in PRIVATE.values())
    visitor.click(f"text={NOMINEES[1][2]}")
    shows(visitor.locator("main"), "215/QĐ-CTN")
    award = visitor.locator("main").inner_text()
    assert "215/QĐ-CTN" in award and "của Chủ tịch nước Cộng hòa xã hội chủ nghĩa Việt Nam" in award
    assert "Viện kiểm sát nhân dân tỉnh Lạng Sơn" not in award.split("Quyết định")[1].split("\n")[0]
    unit = sign_in(browser_contexts, base, UNIT_ACCOUNT[0])
    unit.goto(base + "/don-vi/ho-so")
    shows(unit.locator("main"), "Đã quyết định")


def test_a_dossier_returned_after_its_draft_leaves_the_draft_and_the_roll_gets_the_corrected_list(
        browser_contexts, moving_portal, tmp_path):
    """The office drafts a decision, then finds a nominee who should not be on it and returns
    the dossier: the draft loses it and cannot be published; the unit, sent straight to the
    dossier from its home, drops the nominee and resubmits; the new decision puts only the two
    on the roll."""
    base = moving_portal
    signed = tmp_path / "ban-ky.pdf"
    signed.write_bytes(PDF)
    every, corrected = tmp_path / "danh-sach.csv", tmp_path / "danh-sach-sua.csv"
    every.write_bytes(list_csv())
    corrected.write_bytes(list_csv([NOMINEES[0], NOMINEES[2]]))
    dropped = NOMINEES[1][2]

    unit = sign_in(browser_contexts, base, UNIT_ACCOUNT[0])
    unit.click("nav >> text=Hồ sơ khen thưởng")
    unit.select_option("#d-form", "giay-khen-vien-truong-vksnd-tinh")
    unit.get_by_role("button", name="Lập hồ sơ").click()
    for role in ("to-trinh", "bien-ban", "bao-cao-thanh-tich"):
        unit.select_option("#f-role", role)
        unit.set_input_files("#f-file", str(signed))
        unit.get_by_role("button", name="Đính kèm").click()
    unit.set_input_files("#l-file", str(every))
    unit.get_by_role("button", name="Nạp danh sách").click()
    unit.get_by_role("button", name="Nộp hồ sơ").click()

    def appraise_and_propose(office, count: int):
        office.click("text=hồ sơ đề nghị khen thưởng mới nộp")
        office.click("table >> text=Đề nghị Giấy khen")
        office.get_by_role("button", name="Nhận thẩm định").click()
        for select in office.locator("tr select").all():
            select.select_option("approved")
        office.get_by_role("button", name="Ghi ý kiến thẩm định cả danh sách").click()
        shows(office.locator("body"), f"Đã ghi ý kiến thẩm định của {count} người")
        office.get_by_role("button", name="Trình khen thưởng").click()
        dossier_url = office.url
        office.goto(base + "/quan-tri/quyet-dinh-khen-thuong/du-thao")
        office.check("input[name=dossier]")
        office.fill("#f-issued_on", "2027-02-01")
        office.fill("#f-signer", "Hoàng Văn Ký")
        office.get_by_role("button", name="Tạo dự thảo quyết định").click()
        shows(office.locator("body"), f"với {count} người được khen")
        return dossier_url

    office = sign_in(browser_contexts, base, WEBMASTERS["editor"])
    dossier_url = appraise_and_propose(office, 3)
    draft_url = office.url
    office.goto(dossier_url)
    office.fill("#r-return", f"{dropped} đã nhận Giấy khen năm nay cho cùng thành tích")
    office.get_by_role("button", name="Trả lại", exact=True).click()
    shows(office.locator("body"), "Hồ sơ đã được rút khỏi dự thảo quyết định")
    shows(office.locator("body"), "không còn đăng được")

    reviewer = sign_in(browser_contexts, base, WEBMASTERS["reviewer"])
    reviewer.goto(draft_url)
    shows(reviewer.locator("main"), "Rút hồ sơ khỏi dự thảo")
    reviewer.click("button:has-text('Gửi duyệt')")
    reviewer.get_by_role("button", name="Đăng…", exact=True).click()
    reviewer.get_by_role("button", name="Xác nhận đăng", exact=True).click()
    shows(reviewer.locator("body"), "không còn khớp hồ sơ")

    unit.goto(base + "/don-vi/")
    unit.click("text=hồ sơ bị trả lại, cần bổ sung và nộp lại")
    shows(unit.locator("main"), "đã nhận Giấy khen năm nay")
    unit.set_input_files("#l-file", str(corrected))
    unit.get_by_role("button", name="Nạp danh sách").click()
    shows(unit.locator("body"), "Đã nạp danh sách: 2 người")
    unit.get_by_role("button", name="Nộp hồ sơ").click()

    office.goto(base + "/quan-tri/")
    appraise_and_propose(office, 2)
    office.click("button:has-text('Gửi duyệt')")
    reviewer.goto(office.url)
    reviewer.get_by_role("button", name="Đăng…", exact=True).click()
    reviewer.get_by_role("button", name="Xác nhận đăng", exact=True).click()

    visitor = browser_contexts().new_page()
    visitor.goto(base + "/vinh-danh")
    roll = visitor.locator("main").inner_text()
    assert NOMINEES[0][2] in roll and NOMINEES[2][2] in roll and dropped not in roll
