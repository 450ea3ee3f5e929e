"""Journeys of real users in a real browser against the portal served by gunicorn."""
import re

import docx

from tests.browser.conftest import ARTIFACTS, WEBMASTER_PASSWORD, WEBMASTERS, shows


def test_a_unit_finds_reads_and_downloads_the_plan(page, portal_url, tmp_path):
    page.goto(portal_url + "/")
    page.fill("#q-home", "ke hoach giai phong mat bang")
    page.press("#q-home", "Enter")
    page.wait_for_url("**/tim-kiem?**")
    first = page.locator(".result .doc-title").first
    assert "Phát động Phong trào thi đua" in first.inner_text()
    first.click()
    page.wait_for_url("**/van-ban/174-kh-ubnd-2022")
    related = page.locator("#lien-quan")
    assert "57/2018/QĐ-UBND" in related.inner_text() and "1033/VKS-VP" in related.inner_text()
    with page.expect_download() as info:
        page.click("text=Bản Word (.docx)")
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    assert target.name.endswith(".docx")
    text = "\n".join(p.text for p in docx.Document(target).paragraphs)
    assert "KẾ HOẠCH" in text and "I. MỤC ĐÍCH, YÊU CẦU" in text


def test_keyboard_only_skip_link_menu_and_search(page, portal_url):
    page.goto(portal_url + "/van-ban")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert "Bỏ qua" in focused
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#noi-dung"
    page.focus("#q-top")
    page.keyboard.type("1033 vks vp")
    page.keyboard.press("Enter")
    page.wait_for_url("**/tim-kiem?**")
    shows(page.locator(".result").first, "1033/VKS-VP")


def test_a_citizen_on_a_phone_filters_the_honor_roll_and_prints_an_award(browser, portal_url):
    context = browser.new_context(viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    page.goto(portal_url + "/vinh-danh")
    page.click("summary:has-text('Lọc')")  # folded on a phone: one tap opens the filters
    page.click("text=Huyện Cao Lộc (cũ)")
    page.click("summary:has-text('Lọc (1 đang chọn)')")
    page.click("details a:has-text('Hộ gia đình')")
    names = page.locator("table.honors th[scope=row] a").all_inner_texts()
    assert names == ["Hộ ông Hoàng Văn C"]
    chips = [" ".join(t.split()) for t in page.locator(".chips .chip").all_inner_texts()]
    assert chips == ["Đối tượng: Hộ gia đình × (bỏ lọc này)", "Địa bàn: Huyện Cao Lộc (cũ) × (bỏ lọc này)"]
    page.click("text=Hộ ông Hoàng Văn C")
    assert "Dữ liệu minh họa" in page.content()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page wider than the phone: {width}px"
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden() and page.locator(".request-form").is_hidden()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "phone-award-print.png"), full_page=True)
    context.close()


def _sign_in(page, base: str, email: str) -> None:
    page.goto(base + "/quan-tri/dang-nhap")
    page.fill("#email", email)
    page.fill("#password", WEBMASTER_PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.wait_for_url("**/quan-tri/")


def test_a_webmaster_drafts_submits_publishes_finds_and_retracts(browser, portal_url):
    editor = browser.new_context(locale="vi-VN", viewport={"width": 1024, "height": 1366})  # a tablet
    page = editor.new_page()
    _sign_in(page, portal_url, WEBMASTERS["editor"])
    page.click("nav >> text=Soạn mới")
    page.fill("#f-symbol", "77/KH-VKS")
    page.select_option("#f-type", "ke-hoach")
    page.fill("#f-issuer", "Viện kiểm sát nhân dân tỉnh Lạng Sơn")
    page.fill("#f-issued_on", "2026-11-20")
    page.fill("#f-subject", "Tổng kết phong trào thi đua đặc biệt về giải phóng mặt bằng")
    page.fill("#f-body", "## Mục đích\n\nBiểu dương **điển hình tiên tiến** trong công tác kiểm sát.")
    page.locator("#xem-truoc strong").filter(has_text="điển hình tiên tiến").wait_for()  # live preview
    page.fill("#rs-1", "174/KH")
    page.select_option("#rk-1", "implements")
    page.fill("#rs-1", "174/KH-UBND")
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.wait_for_url(re.compile(r".*/quan-tri/van-ban/\d+$"))
    page.click("button:has-text('Gửi duyệt')")
    shows(page.locator(".state").first, "Chờ duyệt")
    editor.close()

    reviewer = browser.new_context(locale="vi-VN")
    page = reviewer.new_page()
    _sign_in(page, portal_url, WEBMASTERS["reviewer"])
    page.click("nav >> text=Chờ duyệt")
    page.click("text=77/KH-VKS")
    page.fill("#comment-publish", "Đồng ý đăng")
    page.get_by_role("button", name="Đăng…", exact=True).click()
    assert "Đăng công khai" in page.locator("h1").inner_text()  # a page of its own asks first
    page.get_by_role("button", name="Xác nhận đăng", exact=True).click()
    shows(page.locator(".state").first, "Đã đăng")

    page.goto(portal_url + "/tim-kiem?q=dien hinh tien tien")
    shows(page.locator(".result").first, "77/KH-VKS")
    page.goto(portal_url + "/van-ban/174-kh-ubnd-2022")
    shows(page.locator("#lien-quan"), "77/KH-VKS")

    page.goto(portal_url + "/quan-tri/van-ban?q=77/KH-VKS")
    page.click("table >> text=77/KH-VKS")
    page.fill("#comment-retract", "Đăng nhầm")
    page.click("button:has-text('Gỡ xuống')")
    shows(page.locator(".state").first, "Đã gỡ")
    page.goto(portal_url + "/tim-kiem?q=dien hinh tien tien")
    assert "77/KH-VKS" not in page.content()
    page.goto(portal_url + "/rss.xml")
    assert "77-kh-vks-2026" not in page.content()
    page.goto(portal_url + "/quan-tri/van-ban?q=77")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "webmaster-retracted.png"), full_page=True)
    reviewer.close()


def test_a_webmaster_signs_in_and_opens_the_editor_with_the_keyboard_alone(page, portal_url):
    page.goto(portal_url + "/quan-tri/dang-nhap")
    page.keyboard.press("Tab")
    assert "Bỏ qua" in page.evaluate("document.activeElement.textContent")
    page.focus("#email")
    page.keyboard.type(WEBMASTERS["editor"])
    page.keyboard.press("Tab")
    page.keyboard.type(WEBMASTER_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/quan-tri/")
    for _ in range(40):  # tab through the page until the "Soạn mới" link has focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Soạn mới":
            break
    page.keyboard.press("Enter")
    page.wait_for_url("**/quan-tri/van-ban/moi")
    page.focus("#f-symbol")
    page.keyboard.press("Enter")  # submitting the empty form from a field: errors, focus on their summary
    page.wait_for_selector("#tom-tat-loi")
    assert page.evaluate("document.activeElement.id") == "tom-tat-loi"
