"""wapiti (tests/scans/wapiti.py) attacks every page and form it finds with injected commands,
SQL and scripts (reflected and stored), open redirects and header injection, and checks the
security headers, the cookie flags and forged cross-site requests: nothing may be reported but
what tests/scans/wapiti.py expects."""
from tests.scans.wapiti import assert_nothing_found, scan

MODULES = "exec,sql,xss,permanentxss,redirect,crlf,http_headers,csp,cookieflags,csrf"


def test_wapiti_finds_nothing(wapiti, scanned_portal, tmp_path):
    assert_nothing_found(scan(wapiti, scanned_portal, MODULES, tmp_path), scanned_portal)
