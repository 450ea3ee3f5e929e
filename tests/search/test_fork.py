"""The guard on the Whoosh we run (portal/search/fork.py): the pinned version, every private
name the fast paths reach, and no fast path falling back to Whoosh's slow one."""
import pytest

from portal.search import service
from portal.search.whoosh import fork
from tests.conftest import CONTENT, load


def test_the_installed_whoosh_is_the_pinned_one_with_every_name_the_portal_reaches():
    from importlib import metadata
    assert metadata.version("Whoosh-Reloaded") == fork.WHOOSH_VERSION
    assert fork.missing() == []


def test_a_name_whoosh_no_longer_has_is_caught(monkeypatch):
    monkeypatch.setitem(fork.REACHED, "whoosh.searching:Searcher", ("_filter_to_comb", "_gone_in_a_new_release"))
    monkeypatch.setitem(fork.REACHED, "whoosh.writing:NoSuchClass", ("_x",))
    assert fork.missing() == ["whoosh.searching:Searcher._gone_in_a_new_release", "whoosh.writing:NoSuchClass"]


def test_rebuild_live_updates_and_searches_take_the_fast_paths(app, client):
    with app.app_context():
        if service.postgres():
            pytest.skip("the Whoosh backend's fast paths")
    fork.FALLBACKS.clear()
    load(app, CONTENT)
    load(app, CONTENT.parent / "demo")
    with app.app_context():
        service.rebuild()
    for query in ("174/KH-UBND", "giai phong mat bang", "Bằng khen", "Hoàng Thị Mai", "hộ gia đình hiến đất"):
        assert client.get("/api/v1/search", query_string={"q": query}).status_code == 200
        assert client.get("/tim-kiem", query_string={"q": query}).status_code == 200
    assert dict(fork.FALLBACKS) == {}
