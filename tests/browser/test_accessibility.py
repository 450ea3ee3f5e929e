"""axe-core on every public page type: no serious or critical violation of WCAG 2.1 A/AA."""

import pytest

from portal.config import PROJECT_ROOT
from tests.browser.conftest import CONSULTATION, UNIT_ACCOUNT, WEBMASTERS
from tests.browser.seed_dossier import ANNULLED, DECISION_DOCUMENT, STANDING
from tests.servers import missing

AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
PAGES = ["/", "/van-ban", "/van-ban?loai=ke-hoach", "/van-ban/174-kh-ubnd-2022", "/van-ban/1033-vks-vp-2022",
         "/van-ban/57-2018-qd-ubnd", "/van-ban/174-kh-ubnd-2022/in",
         "/phong-trao/day-nhanh-tien-do-giai-phong-mat-bang-2022-2025", "/tim-kiem?q=giai+phong+mat+bang",
         "/tim-kiem?q=xyzzy", "/vinh-danh", "/vinh-danh?dia-ban=huyen-cao-loc", "/vinh-danh/thong-ke",
         "/vinh-danh/quyet-dinh/9001-qd-mh-2022", "/vinh-danh/khen-thuong/1", "/so-do-trang", "/khong-co",
         "/lay-y-kien", CONSULTATION, "/xac-minh", f"/xac-minh/{STANDING}", f"/xac-minh/{ANNULLED}",
         "/vinh-danh/khen-thuong/2", "/vinh-danh/tap-the/1"]


ADMIN_PAGES = ["/quan-tri/dang-nhap", "/quan-tri/", "/quan-tri/van-ban", "/quan-tri/van-ban/moi",
               "/quan-tri/van-ban/2", "/quan-tri/van-ban/2/sua", "/quan-tri/van-ban/2/phien-ban",
               "/quan-tri/van-ban/2/xoa", "/quan-tri/cho-duyet", "/quan-tri/thung-rac", "/quan-tri/yeu-cau",
               "/quan-tri/mat-khau", "/quan-tri/van-ban/2/don-vi", "/quan-tri/bao-cao", "/quan-tri/bao-cao/1",
               "/quan-tri/ho-so", "/quan-tri/ho-so/1", "/quan-tri/quyet-dinh-khen-thuong/du-thao", "/quan-tri/y-kien",
               f"/quan-tri/van-ban/{DECISION_DOCUMENT}/khen-thuong", "/quan-tri/so-quyet-dinh",
               "/quan-tri/mau-giay-chung-nhan/bang-khen-chu-tich-ubnd-tinh", "/quan-tri/nguoi-duoc-khen?ten=minh+hoa",
               "/quan-tri/nguoi-duoc-khen/1", "/quan-tri/tra-cuu-dieu-kien?so-dinh-danh=001085004321"
               "&danh-hieu=chien-si-thi-dua-nganh&nam=2024"]
UNIT_PAGES = ["/don-vi/", "/don-vi/bao-cao", "/don-vi/bao-cao/1", "/don-vi/ho-so", "/don-vi/ho-so/1"]


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.exists():
        missing("axe-core missing: run `npm ci` in the project folder to enable the accessibility checks")
    return AXE.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("width", [1280, 375])
def test_no_serious_accessibility_violation(tab, portal_url, axe_source, path, width):
    _check(tab(width, script=axe_source), portal_url, path)


@pytest.mark.parametrize("path", ADMIN_PAGES)
@pytest.mark.parametrize("width", [1280, 768])
def test_no_serious_accessibility_violation_in_the_admin_area(tab, portal_url, axe_source, path, width):
    account = WEBMASTERS["reviewer"] if path != "/quan-tri/dang-nhap" else None
    _check(tab(width, account, axe_source), portal_url, path)


@pytest.mark.parametrize("path", UNIT_PAGES)
@pytest.mark.parametrize("width", [1280, 375])
def test_no_serious_accessibility_violation_in_the_unit_area(tab, portal_url, axe_source, path, width):
    _check(tab(width, UNIT_ACCOUNT[0], axe_source), portal_url, path)


def _check(page, portal_url: str, path: str) -> None:
    """axe on one page, in a kept tab (conftest.tab) that loads axe into every document, under
    the page's own Content-Security-Policy."""
    page.goto(portal_url + path)
    assert "/dang-nhap" not in page.url or path == "/quan-tri/dang-nhap", f"{path} asked to sign in again"
    result = page.evaluate("""async () => await axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})""")
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
           if v["impact"] in ("serious", "critical")]
    assert bad == [], bad
