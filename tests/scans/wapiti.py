"""wapiti (PyPI, pinned in requirements-scan.txt, in its own virtualenv .venv-scan) crawls the
portal and attacks every page and form it finds. Its attack modules run in three groups, one test
file each (test_wapiti*.py), so that the groups run on separate workers at once: alone, one scan
of all modules took 249 s on two cores, 90 s of them the time-based SQL injection module."""
import http.cookiejar
import json
import re
import subprocess
import urllib.error
import urllib.parse
import urllib.request

from portal.config import PROJECT_ROOT
from tests.servers import ARTIFACTS

WAPITI = PROJECT_ROOT / ".venv-scan" / "bin" / "wapiti"
# Binary downloads: their bytes are compressed data, in which the file module's one-character
# signature for PHP code execution turns up by chance. Their arguments are the honor roll's,
# which the scan attacks on /vinh-danh and the CSV export.
EXCLUDED = ["/vinh-danh/xuat.xlsx*", "/van-ban/*/ban-word.docx"]
# Over plain HTTP (the loopback server) a Secure cookie could not be sent back at all; the
# portal marks it Secure whenever SITE_URL is https:// (tests/web/admin/test_auth.py).
EXPECTED_OVER_HTTP = {"Secure Flag cookie"}
# wapiti's CSRF module replays the crawled form without the crawl's session, so the genuine
# request fails the CSRF check exactly as the forged one does, and it concludes that the token
# is not checked. Each form it names is re-checked here: a real session's token is accepted and
# a forged one refused (403).
CSRF = "Cross Site Request Forgery"


def _token_is_checked(base: str, path: str) -> bool:
    """The form posting to `path` accepts its own session's token and refuses a forged one (403).
    The form is on the page at `path` (the sign-in form) or on the page above it (a request to
    correct an award, posted to …/de-nghi)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    token = None
    for page_path in (path, path.rsplit("/", 1)[0] or "/"):
        try:
            page = opener.open(base + page_path).read().decode()
        except urllib.error.HTTPError:
            continue
        if found := re.search(r'name="csrf_token" value="([^"]+)"', page):
            token = found[1]
            break
    assert token, f"no form with a token found for {path}"

    def status(value: str) -> int:
        body = urllib.parse.urlencode({"csrf_token": value, "loai": "correct", "noi-dung": "ngắn",
                                       "lien-he": "", "email": "", "password": ""}).encode()
        try:
            return opener.open(base + path, data=body).status
        except urllib.error.HTTPError as exc:
            return exc.code

    # With its token the form is read, and its (empty or short) fields refused for what they
    # are: anything but the CSRF refusal.
    return status(token) != 403 and status("wapiti") == 403


def scan(wapiti, base: str, modules: str, folder) -> dict:
    """wapiti's findings (its JSON report) for `modules` run against the portal at `base`; the
    report is kept in ARTIFACTS as wapiti-<first module>.json."""
    report = folder / "wapiti.json"
    command = [str(wapiti), "-u", base + "/", "--scope", "folder", "-m", modules, "-d", "3",
               "--max-links-per-page", "30", "--max-files-per-dir", "30", "--max-scan-time", "360",
               "--max-attack-time", "90", "--flush-session", "--store-session", str(folder / "session"),
               "-f", "json", "-o", str(report), "--verbose", "0"]
    for pattern in EXCLUDED:
        command += ["-x", base + pattern]
    subprocess.run(command, capture_output=True, text=True, timeout=900, check=True)
    findings = json.loads(report.read_text())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"wapiti-{modules.split(',')[0]}.json").write_text(json.dumps(findings, ensure_ascii=False, indent=1))
    return findings


def assert_nothing_found(findings: dict, base: str) -> None:
    """No vulnerability or anomaly but the expected ones; each CSRF report re-checked by hand; the
    crawl reached the site's pages."""
    expected = (EXPECTED_OVER_HTTP if base.startswith("http://") else set()) | {CSRF}
    found = {name: [(item["path"], item["info"][:200]) for item in items]
             for group in ("vulnerabilities", "anomalies") for name, items in findings[group].items()
             if items and name not in expected}
    assert found == {}
    for item in findings["vulnerabilities"].get(CSRF, []):
        assert "not properly checked" in item["info"], item["info"]  # a form without a token would fail
        assert _token_is_checked(base, item["path"])
    assert findings["infos"]["crawled_pages_nbr"] >= 50  # it did reach the site's pages
