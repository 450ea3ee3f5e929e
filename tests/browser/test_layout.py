"""Every public page type and the editor, looked at as a person would: screenshots at phone,
tablet and desktop widths into ARTIFACTS/layout/ (tests/servers.py), and a check that nothing overflows the
page sideways or is clipped by its container (headings, labels, table cells, chart text)."""
import pytest

from tests.browser.conftest import ARTIFACTS, UNIT_ACCOUNT, WEBMASTERS, shows
from tests.browser.test_accessibility import PAGES

SCREENSHOT_WIDTHS = [390, 768, 1280]
CHECK_ONLY_WIDTHS = [320, 1440]
LAYOUT = ARTIFACTS / "layout"

# Returns what a reader would see as broken: the page scrolls sideways, a block's text runs past
# its box, an element sticks out of the viewport, or SVG text leaves its drawing.
PROBLEMS = """() => {
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth + 1)
    problems.push(`page scrolls sideways: ${root.scrollWidth} > ${root.clientWidth}`);
  const scrolls = el => { for (let p = el.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll') return true; }
    return false; };
  const clippedOnPurpose = el => { for (let p = el; p; p = p.parentElement)  // the visually-hidden pattern
      if (getComputedStyle(p).clip !== 'auto') return true;
    return false; };
  const hidden = el => el.closest('.visually-hidden, [hidden], details:not([open]) > :not(summary)')
    || el.getClientRects().length === 0 || clippedOnPurpose(el);
  const selector = 'h1, h2, h3, h4, p, label, th, td, dt, dd, li, summary, button, .button, .chip, ' +
                   '.badge, .symbol, .step, .official-head p, figcaption, legend, input, select, textarea';
  for (const el of document.querySelectorAll(selector)) {
    if (hidden(el) || scrolls(el)) continue;
    const label = (el.textContent || '').trim().slice(0, 40);
    const name = `${el.tagName.toLowerCase()}${el.className ? '.' + el.className : ''} "${label}"`;
    const field = ['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName);  // a long value scrolls inside
    if (!field && el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).display !== 'inline')
      problems.push(`clipped or overflowing: ${name} ${el.scrollWidth} > ${el.clientWidth}`);
    const box = el.getBoundingClientRect();
    if (box.right > root.clientWidth + 1 || box.left < -1)
      problems.push(`outside the viewport: ${name} [${Math.round(box.left)}, ${Math.round(box.right)}]`);
  }
  for (const text of document.querySelectorAll('svg text')) {
    const svg = text.ownerSVGElement, view = svg.viewBox.baseVal, b = text.getBBox();
    if (view && view.width && (b.x < view.x - 1 || b.x + b.width > view.x + view.width + 1))
      problems.push(`svg text cut off: "${text.textContent.slice(0, 40)}" [${b.x}, ${b.x + b.width}] of ${view.width}`);
  }
  return problems;
}"""


def _name(path: str) -> str:
    return (path.strip("/").replace("/", "_").replace("?", "_").replace("=", "-").replace("+", "-")
            .replace("&", "_") or "home")


def _look(page, url: str, shot: str | None) -> list[str]:
    """Problems a reader would see on one page, opened in a kept tab (conftest.tab) of the width
    checked; a screenshot of it when `shot` names one."""
    page.goto(url)
    assert "/dang-nhap" not in page.url, f"{url} asked to sign in again"
    page.evaluate("document.fonts.ready")
    if shot:
        LAYOUT.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(LAYOUT / f"{shot}-{page.viewport_size['width']}.png"), full_page=True)
    return page.evaluate(PROBLEMS)


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("width", SCREENSHOT_WIDTHS + CHECK_ONLY_WIDTHS)
def test_public_pages_fit_every_width(tab, portal_url, path, width):
    shot = _name(path) if width in SCREENSHOT_WIDTHS else None
    assert _look(tab(width), portal_url + path, shot) == []


@pytest.mark.parametrize("width", SCREENSHOT_WIDTHS)
def test_the_editor_shows_vietnamese_in_its_own_font(browser, portal_url, signed_in, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="vi-VN",
                                  storage_state=signed_in(WEBMASTERS["editor"]))
    page = context.new_page()
    try:
        page.goto(portal_url + "/quan-tri/van-ban/moi")
        page.fill("#f-body", "## I. MỤC ĐÍCH, YÊU CẦU\n\n- Kế hoạch số 174/KH-UBND: đẩy nhanh tiến độ "
                           "giải phóng mặt bằng; Ủy ban nhân dân tỉnh Lạng Sơn.\n")
        page.evaluate("document.fonts.ready")
        family = page.eval_on_selector("#f-body", "el => getComputedStyle(el).fontFamily")
        assert family.startswith('"Portal Mono"')
        # The shipped face is the one drawing the marks: it loaded, from the portal itself.
        assert page.evaluate("document.fonts.check('16px \"Portal Mono\"', 'Kế hoạch số ờ ữ ặ')")
        loaded = page.evaluate("[...document.fonts].filter(f => f.family.includes('Portal Mono') "
                               "&& f.status === 'loaded').length")
        assert loaded >= 1
        LAYOUT.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(LAYOUT / f"editor-{width}.png"), full_page=True)
        assert page.evaluate(PROBLEMS) == []
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/quan-tri/", "/quan-tri/ho-so", "/quan-tri/ho-so/1", "/quan-tri/y-kien",
                                  "/quan-tri/quyet-dinh-khen-thuong/du-thao", "/quan-tri/dang-ky-thi-dua"])
@pytest.mark.parametrize("width", SCREENSHOT_WIDTHS)
def test_the_office_dossier_pages_fit_every_width(tab, portal_url, path, width):
    assert _look(tab(width, WEBMASTERS["editor"]), portal_url + path, "office-" + _name(path)) == []


@pytest.mark.parametrize("path", ["/don-vi/", "/don-vi/bao-cao", "/don-vi/bao-cao/1", "/don-vi/ho-so",
                                  "/don-vi/ho-so/1", "/don-vi/dang-ky-thi-dua", "/don-vi/nguoi-duoc-khen"])
@pytest.mark.parametrize("width", SCREENSHOT_WIDTHS)
def test_the_unit_area_fits_every_width(tab, portal_url, path, width):
    assert _look(tab(width, UNIT_ACCOUNT[0]), portal_url + path, "unit-" + _name(path)) == []


def test_phone_honor_roll_folds_filters_and_shows_chips_and_cards(browser, portal_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    page = context.new_page()
    try:
        page.goto(portal_url + "/vinh-danh?doi-tuong=ho-gia-dinh&nam=2022")
        fold = page.locator("details.filter-fold")
        assert fold.get_attribute("open") is None  # folded: the first name is on the first screen
        shows(fold.locator("summary"), "(2 đang chọn)")
        first_name = page.locator("table.honors tbody tr th a").first.bounding_box()
        assert first_name["y"] < 844
        row = page.locator("table.honors tbody tr").first
        assert page.evaluate("getComputedStyle(document.querySelector('table.honors tr')).display") == "block"
        assert row.bounding_box()["width"] <= 390
        chips = page.locator(".chips .chip")
        assert chips.count() == 2
        chips.filter(has_text="Năm").click()
        page.wait_for_url("**/vinh-danh?doi-tuong=ho-gia-dinh")
        assert page.locator(".chips .chip").count() == 1
        shows(page.locator("details.filter-fold summary"), "(1 đang chọn)")
        for link in page.locator("table.honors td a.nowrap").all():  # symbols never break inside
            assert link.evaluate("el => el.getClientRects().length") == 1
    finally:
        context.close()
    wide = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    try:
        page = wide.new_page()
        page.goto(portal_url + "/vinh-danh")
        assert page.locator("details.filter-fold").get_attribute("open") is not None
    finally:
        wide.close()
