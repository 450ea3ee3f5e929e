"""Journeys of real users in a real browser against the portal served by gunicorn."""
import docx

from tests.browser.conftest import ARTIFACTS


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
    assert "1033/VKS-VP" in page.locator(".result").first.inner_text()


def test_a_citizen_on_a_phone_filters_the_honor_roll_and_prints_an_award(browser, portal_url):
    context = browser.new_context(viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    page.goto(portal_url + "/vinh-danh")
    page.click("text=Huyện Cao Lộc (cũ)")
    page.click("a:has-text('Hộ gia đình')")
    names = page.locator("table.honors th[scope=row] a").all_inner_texts()
    assert names == ["Hộ ông Hoàng Văn C"]
    page.click("text=Hộ ông Hoàng Văn C")
    assert "Dữ liệu minh họa" in page.content()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page wider than the phone: {width}px"
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden() and page.locator(".request-form").is_hidden()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "phone-award-print.png"), full_page=True)
    context.close()
