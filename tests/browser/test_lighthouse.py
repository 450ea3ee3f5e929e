"""Lighthouse scores of the main pages: at least 0.95 in every category (performance at
least 0.9 on the throttled mobile profile). `make audit` prints the same figures."""
import json
from pathlib import Path

import pytest

from tests.browser.conftest import ARTIFACTS, CONSULTATION, UNIT_ACCOUNT, WEBMASTER_PASSWORD, WEBMASTERS
from tests.browser.lighthouse import AGENT, CHROMIUM, LIGHTHOUSE, PAGES, PROFILES, failures, run_many
from tests.servers import missing

# The consultation page, and the dashboards and dossier pages of the signed-in areas.
MORE = {"consultation": (None, CONSULTATION), "office dashboard": (WEBMASTERS["editor"], "/quan-tri/"),
        "office dossier": (WEBMASTERS["editor"], "/quan-tri/ho-so/1"), "unit dashboard": (UNIT_ACCOUNT[0], "/don-vi/"),
        "unit dossier": (UNIT_ACCOUNT[0], "/don-vi/ho-so/1")}


def session_cookie(base: str, email: str) -> str:
    """The session cookie of a real login made with Lighthouse's agent string."""
    import re

    import requests
    http = requests.Session()
    http.headers["User-Agent"] = AGENT
    token = re.search(r'name="csrf_token" value="([^"]+)"', http.get(base + "/quan-tri/dang-nhap", timeout=30).text)[1]
    http.post(base + "/quan-tri/dang-nhap", data={"email": email, "password": WEBMASTER_PASSWORD, "csrf_token": token},
              timeout=30)
    return "; ".join(f"{name}={value}" for name, value in http.cookies.items())


@pytest.fixture(scope="module")
def scores(portal_url) -> dict[tuple[str, str], dict[str, float]]:
    """Every page under both profiles, audited once for the module in one Chromium (each test
    below checks its own page)."""
    if not LIGHTHOUSE.exists() or not Path(CHROMIUM).exists():
        missing("Lighthouse or Chromium missing: run `npm ci` and install chromium to enable these checks")
    cookies = {email: session_cookie(portal_url, email) for email, _path in MORE.values() if email}
    pages = {**{page: (None, path) for page, path in PAGES.items()}, **MORE}
    keys = [(page, profile) for page in pages for profile in PROFILES]
    jobs = [(portal_url + pages[page][1], profile, cookies.get(pages[page][0])) for page, profile in keys]
    return dict(zip(keys, run_many(jobs), strict=True))


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("page", list(PAGES))
def test_lighthouse_scores_meet_the_targets(scores, page, profile):
    _record_and_check(page, profile, scores[page, profile])


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("page", list(MORE))
def test_lighthouse_scores_of_consultation_and_dashboards(scores, page, profile):
    _record_and_check(page, profile, scores[page, profile])


def _record_and_check(page: str, profile: str, scores: dict) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    record = ARTIFACTS / "lighthouse.json"
    known = json.loads(record.read_text()) if record.exists() else {}
    known[f"{page} / {profile}"] = scores
    record.write_text(json.dumps(known, ensure_ascii=False, indent=1))
    assert failures({(page, profile): scores}) == []
