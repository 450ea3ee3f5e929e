"""wapiti (tests/scans/wapiti.py) sends every parameter time-based blind SQL injections,
payloads that would make the database wait: nothing may be reported."""
from tests.scans.wapiti import assert_nothing_found, scan

MODULES = "timesql"


def test_wapiti_finds_nothing(wapiti, scanned_portal, tmp_path):
    assert_nothing_found(scan(wapiti, scanned_portal, MODULES, tmp_path), scanned_portal)
