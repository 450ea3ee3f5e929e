"""Lighthouse scores of the main pages: at least 0.95 in every category (performance at
least 0.9 on the throttled mobile profile). `make audit` prints the same figures."""
import json
import os
from pathlib import Path

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.browser.lighthouse import CHROMIUM, LIGHTHOUSE, PAGES, PROFILES, failures, run


@pytest.fixture(scope="module")
def lighthouse():
    if not LIGHTHOUSE.exists() or not Path(CHROMIUM).exists():
        message = "Lighthouse or Chromium missing: run `npm ci` and install chromium to enable these checks"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return LIGHTHOUSE


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("page", list(PAGES))
def test_lighthouse_scores_meet_the_targets(lighthouse, portal_url, page, profile):
    scores = run(portal_url + PAGES[page], profile)
    ARTIFACTS.mkdir(exist_ok=True)
    record = ARTIFACTS / "lighthouse.json"
    known = json.loads(record.read_text()) if record.exists() else {}
    known[f"{page} / {profile}"] = scores
    record.write_text(json.dumps(known, ensure_ascii=False, indent=1))
    assert failures({(page, profile): scores}) == []
