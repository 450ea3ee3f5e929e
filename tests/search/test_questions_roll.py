"""New-user observations that need the demo honor roll loaded (its own module: on PostgreSQL
each module's app has the database to itself): who signed outranks a list naming him, a
syllable typed without its mark, documents and honor-roll entries apart."""
import re

from tests.search.test_questions import LETTER, PLAN, api, urls


def test_who_signed_outranks_a_mention_in_a_list(roll_app):
    # the demo decisions name him in their lists; he signed 1033/VKS-VP
    assert urls(roll_app, "nguyen thuc lieu", kind="document")[0] == LETTER
    assert urls(roll_app, "Nguyễn Thúc Liễu", kind="document")[0] == LETTER
    assert urls(roll_app, "ho tien thieu", kind="document")[0] == PLAN


def test_one_syllable_typed_without_its_mark_among_marked_ones(roll_app):
    assert urls(roll_app, "bồi thường hỗ trợ tái định cu", kind="document")[0] == PLAN
    assert urls(roll_app, "boi thuong ho tro tái định cư", kind="document")[0] == PLAN


def test_documents_and_honor_roll_entries_are_shown_apart(roll_app):
    client = roll_app.test_client()
    page = client.get("/tim-kiem?q=khen+thuong").get_data(as_text=True)
    listed = re.findall(r'<a class="doc-title" href="([^"]+)"', page)
    assert listed and all(u.startswith("/van-ban/") for u in listed)  # before: mixed in one list
    both = api(roll_app, "khen thuong")
    assert both["kinds"]["document"] >= 1 and both["kinds"]["award"] >= 1
    assert f'Văn bản <span class="count">({both["kinds"]["document"]})</span>' in page
    assert f'Bảng vinh danh <span class="count">({both["kinds"]["award"]})</span>' in page
    awards = client.get("/tim-kiem?q=khen+thuong&ket-qua=vinh-danh").get_data(as_text=True)
    listed = re.findall(r'<a class="doc-title" href="([^"]+)"', awards)
    assert listed and all(u.startswith("/vinh-danh/") for u in listed)
    name = client.get("/tim-kiem?q=Hoàng Văn C").get_data(as_text=True)  # a person: the roll first
    assert re.findall(r'<a class="doc-title" href="([^"]+)"', name)[0].startswith("/vinh-danh/")
    only = api(roll_app, "khen thuong", kind="award", per_page=100)
    assert only["results"] and {r["kind"] for r in only["results"]} == {"award"}
    assert only["total"] == both["kinds"]["award"]
    mixed = api(roll_app, "khen thuong", per_page=100)["results"]
    assert {r["kind"] for r in mixed} == {"document", "award"}  # the API keeps one list
