"""The Nu HTML Checker (vnu.jar from npm, run with Java) on every public page type: no errors."""
import json
import shutil
import subprocess
import urllib.error
import urllib.request

from portal.config import PROJECT_ROOT
from tests.browser.conftest import CONSULTATION, UNIT_ACCOUNT, WEBMASTER_PASSWORD, WEBMASTERS
from tests.browser.seed_dossier import ANNULLED, DECISION_DOCUMENT, STANDING
from tests.servers import missing

VNU = PROJECT_ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
PAGES = ["/", "/van-ban", "/van-ban?loai=ke-hoach&nam=2022", "/van-ban/174-kh-ubnd-2022", "/van-ban/1033-vks-vp-2022",
         "/van-ban/57-2018-qd-ubnd", "/van-ban/174-kh-ubnd-2022/in",
         "/phong-trao/day-nhanh-tien-do-giai-phong-mat-bang-2022-2025", "/tim-kiem", "/tim-kiem?q=giai+phong+mat+bang",
         "/tim-kiem?q=xyzzy", "/vinh-danh", "/vinh-danh?dia-ban=huyen-cao-loc&doi-tuong=ho-gia-dinh",
         "/vinh-danh/thong-ke", "/vinh-danh/quyet-dinh/9001-qd-mh-2022", "/vinh-danh/khen-thuong/1", "/so-do-trang",
         "/lay-y-kien", CONSULTATION, "/xac-minh", f"/xac-minh/{STANDING}", f"/xac-minh/{ANNULLED}",
         "/vinh-danh/khen-thuong/2", "/vinh-danh/tap-the/1"]


def _checker() -> list[str]:
    java = shutil.which("java")
    if not (java and VNU.exists()):
        missing("the Nu HTML Checker needs Java and `npm ci` (vnu-jar); install them to run this check")
    return [java, "-Dnu.validator.servlet.allow-forbidden-hosts=true", "-jar", str(VNU)]


def _signed_in_html(base: str, email: str, path: str) -> str:
    """A page of the signed-in areas, fetched with a real login (the checker cannot sign in)."""
    import re

    import requests
    http = requests.Session()
    login = http.get(base + "/quan-tri/dang-nhap", timeout=30).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', login)[1]
    http.post(base + "/quan-tri/dang-nhap", data={"email": email, "password": WEBMASTER_PASSWORD,
                                                  "csrf_token": token}, timeout=30)
    page = http.get(base + path, timeout=30)
    assert page.status_code == 200 and "csrf-token" in page.text, path
    return page.text


def test_public_pages_are_valid_html(portal_url, tmp_path):
    command = _checker()
    try:  # a page that answers 404 is checked from a file
        urllib.request.urlopen(portal_url + "/khong-co-trang-nay")  # noqa: S310 (loopback)
    except urllib.error.HTTPError as error:
        (tmp_path / "404.html").write_bytes(error.read())
    targets = [portal_url + path for path in PAGES] + [str(tmp_path / "404.html")]
    for email, path in ((UNIT_ACCOUNT[0], "/don-vi/"), (UNIT_ACCOUNT[0], "/don-vi/bao-cao"),
                        (UNIT_ACCOUNT[0], "/don-vi/bao-cao/1"), (WEBMASTERS["reviewer"], "/quan-tri/van-ban/2/don-vi"),
                        (WEBMASTERS["reviewer"], "/quan-tri/bao-cao/1"), (WEBMASTERS["reviewer"], "/quan-tri/"),
                        (UNIT_ACCOUNT[0], "/don-vi/ho-so"), (UNIT_ACCOUNT[0], "/don-vi/ho-so/1"),
                        (WEBMASTERS["editor"], "/quan-tri/ho-so"), (WEBMASTERS["editor"], "/quan-tri/ho-so/1"),
                        (WEBMASTERS["editor"], "/quan-tri/quyet-dinh-khen-thuong/du-thao"),
                        (WEBMASTERS["editor"], "/quan-tri/y-kien"),
                        (WEBMASTERS["reviewer"], f"/quan-tri/van-ban/{DECISION_DOCUMENT}/khen-thuong"),
                        (WEBMASTERS["editor"], "/quan-tri/so-quyet-dinh"),
                        (WEBMASTERS["editor"], "/quan-tri/mau-giay-chung-nhan/bang-khen-chu-tich-ubnd-tinh"),
                        (WEBMASTERS["reviewer"], "/quan-tri/nguoi-duoc-khen/1"),
                        (WEBMASTERS["editor"], "/quan-tri/nguoi-duoc-khen?ten=minh+hoa"),
                        (WEBMASTERS["editor"], "/quan-tri/tra-cuu-dieu-kien?so-dinh-danh=001085004321"
                                               "&danh-hieu=chien-si-thi-dua-nganh&nam=2024")):
        target = tmp_path / (path.strip("/").replace("/", "-") + ".html")
        target.write_text(_signed_in_html(portal_url, email, path), encoding="utf-8")
        targets.append(str(target))
    run = subprocess.run(command + ["--errors-only", "--format", "json"] + targets,
                         capture_output=True, text=True, timeout=300)
    messages = json.loads(run.stderr or '{"messages": []}')["messages"]
    errors = [(m.get("url", "").replace(portal_url, ""), m.get("lastLine"), m["message"]) for m in messages]
    assert errors == [], errors
