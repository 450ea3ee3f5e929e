"""wapiti (tests/scans/wapiti.py) tries to read or run files through every parameter, XML
external entities and requests forged to the server: nothing may be reported."""
from tests.scans.wapiti import assert_nothing_found, scan

MODULES = "file,xxe,ssrf"


def test_wapiti_finds_nothing(wapiti, scanned_portal, tmp_path):
    assert_nothing_found(scan(wapiti, scanned_portal, MODULES, tmp_path), scanned_portal)
