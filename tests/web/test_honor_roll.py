import csv
import io
import re
from dataclasses import replace
from urllib.parse import urlencode

import pytest
from openpyxl import load_workbook

from portal.config import PROJECT_ROOT
from portal.domain.honors.models import Award, HonorRequest
from portal.extensions import db
from tests.conftest import load
from tests.honors_helpers import row, write_decision

SENTINELS = {"id": "987650001234", "birth": "13/07/1931", "address": "Số 77 ngõ Bí Mật",
             "phone": "0912 000 777", "money": "987654321"}


@pytest.fixture
def roll(seeded, tmp_path):
    """The seed content plus two decisions: 2022 (districts of the time) and 2024."""
    rows = [row(1, name="Nguyễn Văn An", district="Cao Lộc", id_number=SENTINELS["id"], birth=SENTINELS["birth"],
                address=SENTINELS["address"], phone=SENTINELS["phone"]),
            row(2, kind="Hộ gia đình", name="Hộ ông Hoàng Văn Chiến", district="Văn Lãng",
                contribution=SENTINELS["money"]),
            row(3, name="Đinh Thị Ánh", district="Lộc Bình", unit="Viện kiểm sát nhân dân huyện Lộc Bình"),
            row(4, kind="Tập thể", name="Ủy ban nhân dân xã Tân Liên", district="Cao Lộc")]
    load(seeded, write_decision(tmp_path / "a", rows))
    load(seeded, write_decision(tmp_path / "b", [row(1, name="Bùi Văn Dũng", district="Hữu Lũng")],
                                symbol="30/QĐ-UBND", date="2024-12-18", name="b",
                                form="Giấy khen của Thủ trưởng cơ quan, đơn vị"))
    return seeded


def names(html: str) -> list[str]:
    return re.findall(r'href="/vinh-danh/khen-thuong/\d+">([^<]+)</a>', html)


def test_the_honor_roll_lists_in_vietnamese_order(roll, client):
    html = client.get("/vinh-danh").get_data(as_text=True)
    assert names(html) == ["Nguyễn Văn An", "Đinh Thị Ánh", "Hộ ông Hoàng Văn Chiến", "Bùi Văn Dũng",
                           "Ủy ban nhân dân xã Tân Liên"]
    assert "5 lượt khen thưởng" in html


@pytest.mark.parametrize("query, expected", [
    ("dia-ban=huyen-cao-loc", ["Nguyễn Văn An", "Ủy ban nhân dân xã Tân Liên"]),
    ("doi-tuong=ho-gia-dinh", ["Hộ ông Hoàng Văn Chiến"]),
    ("hinh-thuc=giay-khen-thu-truong", ["Bùi Văn Dũng"]),
    ("nam=2022&doi-tuong=ca-nhan", ["Nguyễn Văn An", "Đinh Thị Ánh"]),
    ("dot=so-ket-2022&ten=dinh+thi", ["Đinh Thị Ánh"]),
    ("ten=HOANG VAN", ["Hộ ông Hoàng Văn Chiến"]),
    ("ten=ánh", ["Đinh Thị Ánh"]),
    ("don-vi=Viện kiểm sát nhân dân huyện Lộc Bình", ["Đinh Thị Ánh"]),
])
def test_filters(roll, client, query, expected):
    assert names(client.get(f"/vinh-danh?{query}").get_data(as_text=True)) == expected


def test_former_district_facet_is_labelled_and_finds_2022_awards(roll, client):
    html = client.get("/vinh-danh").get_data(as_text=True)
    assert "Huyện Cao Lộc (cũ)" in html
    data = client.get("/api/v1/honors?dia-ban=huyen-van-lang").get_json()
    assert [r["name"] for r in data["results"]] == ["Hộ ông Hoàng Văn Chiến"] and data["results"][0]["year"] == 2022


def test_a_filter_that_matches_nothing_still_reads_in_vietnamese_on_its_chip(roll, client):
    """Seen by hand: `/vinh-danh?ten=hoàng&doi-tuong=ca-nhan` (nobody) showed the chip
    "Đối tượng: ca-nhan", the filter's code, because no count listed it."""
    html = client.get("/vinh-danh?" + urlencode({"ten": "Zzq Không Ai", "doi-tuong": "ca-nhan",
                                                  "hinh-thuc": "bang-khen-chu-tich-ubnd-tinh",
                                                  "dia-ban": "huyen-cao-loc"})).get_data(as_text=True)
    chips = re.findall(r'class="chip"[^>]*>([^<]*)<', html)
    assert [c.strip() for c in chips] == ["Tên: Zzq Không Ai", "Đối tượng: Cá nhân",
                                          "Hình thức: Bằng khen của Chủ tịch UBND tỉnh", "Địa bàn: Huyện Cao Lộc (cũ)"]


def test_decision_and_award_pages(roll, client):
    html = client.get("/vinh-danh/quyet-dinh/15-qd-ubnd-2022").get_data(as_text=True)
    assert names(html) == ["Nguyễn Văn An", "Hộ ông Hoàng Văn Chiến", "Đinh Thị Ánh", "Ủy ban nhân dân xã Tân Liên"]
    assert "Vì: Đã có thành tích" in html and "/van-ban/15-qd-ubnd-2022" in html
    award_url = re.search(r'href="(/vinh-danh/khen-thuong/\d+)">Nguyễn Văn An', html).group(1)
    page = client.get(award_url).get_data(as_text=True)
    assert "Bằng khen của Chủ tịch UBND tỉnh" in page and "Thôn Nà Chuông, Xã Tân Liên, Cao Lộc" in page
    assert "Yêu cầu đính chính / gỡ bỏ thông tin" in page


def test_statistics_draw_charts_with_tables(roll, client):
    html = client.get("/vinh-danh/thong-ke").get_data(as_text=True)
    assert html.count("<svg") == 3 and "<table" in html
    assert re.search(r"<th scope=\"row\">2022</th><td>4</td>", html)
    assert re.search(r"<th scope=\"row\">Cá nhân</th><td>3</td>", html)


def test_exports_open_in_a_spreadsheet(roll, client):
    text = client.get("/vinh-danh/xuat.csv?nam=2022").get_data(as_text=True)
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert table[0][2] == "Họ tên / Tên tập thể" and len(table) == 5
    book = load_workbook(io.BytesIO(client.get("/vinh-danh/xuat.xlsx").data))
    sheet = book.active
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert values[0][0] == "STT" and {v[2] for v in values[1:]} >= {"Nguyễn Văn An", "Bùi Văn Dũng"}
    assert len(values) == 6


def _public_urls(client) -> list[str]:
    urls = ["/", "/van-ban", "/vinh-danh", "/vinh-danh/thong-ke", "/vinh-danh/xuat.csv", "/rss.xml",
            "/sitemap.xml", "/so-do-trang", "/api/v1/honors?per_page=100",
            "/phong-trao/day-nhanh-tien-do-giai-phong-mat-bang-2022-2025"]
    listing = client.get("/vinh-danh").get_data(as_text=True) + client.get("/van-ban").get_data(as_text=True)
    urls += sorted(set(re.findall(r'href="(/(?:vinh-danh/(?:khen-thuong|quyet-dinh)|van-ban)/[^"?#]+)"', listing)))
    for text in ["Nguyễn Văn An", "Hoàng Văn Chiến", "Cao Lộc", "hiến đất"]:
        urls += [f"/tim-kiem?q={text}", f"/api/v1/search?q={text}", f"/vinh-danh?ten={text}"]
    return urls


def test_private_sentinels_never_appear_in_any_public_response(roll, client):
    crawled = 0
    for url in _public_urls(client):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        for value in SENTINELS.values():
            assert value not in body, (url, value)
        assert "987.654.321" not in body and "1931" not in body, url
        crawled += 1
    book = load_workbook(io.BytesIO(client.get("/vinh-danh/xuat.xlsx").data))
    cells = " ".join(str(c.value) for r in book.active.iter_rows() for c in r)
    assert not any(v in cells for v in SENTINELS.values())
    assert crawled > 25
    for value in SENTINELS.values():  # searching for a private value shows it nowhere
        data = client.get("/api/v1/search", query_string={"q": value}).get_json()
        assert value not in str(data["results"]), value
        html = client.get("/vinh-danh", query_string={"ten": value}).get_data(as_text=True)
        assert "0 lượt khen thưởng" in html, value
    assert client.get(f"/api/v1/search?q={SENTINELS['id']}").get_json()["total"] == 0


def test_hidden_or_removed_entries_disappear_everywhere_at_once(roll, client):
    before = client.get("/api/v1/search?q=dinh+thi+anh").get_json()
    assert before["total"] >= 1
    with roll.app_context():
        award = db.session.scalars(db.select(Award).where(Award.name == "Đinh Thị Ánh")).one()
        award_id, award.publication = award.id, "removed"
        db.session.commit()
    assert "Đinh Thị Ánh" not in client.get("/vinh-danh").get_data(as_text=True)
    assert "Đinh Thị Ánh" not in client.get("/vinh-danh/quyet-dinh/15-qd-ubnd-2022").get_data(as_text=True)
    assert client.get(f"/vinh-danh/khen-thuong/{award_id}").status_code == 404
    assert "Đinh Thị Ánh" not in client.get("/vinh-danh/xuat.csv").get_data(as_text=True)
    found = client.get("/api/v1/search?q=dinh+thi+anh").get_json()["results"]
    assert [r["title"] for r in found if "Đinh Thị Ánh" in r["title"]] == []


def test_name_unit_only_entries_show_no_more(roll, client):
    with roll.app_context():
        award = db.session.scalars(db.select(Award).where(Award.name == "Nguyễn Văn An")).one()
        award_id, award.publication = award.id, "name-unit"
        db.session.commit()
    page = client.get(f"/vinh-danh/khen-thuong/{award_id}").get_data(as_text=True)
    assert "Nguyễn Văn An" in page and "Phòng Tài nguyên" in page and "Thôn Nà Chuông" not in page


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_correction_request_form(roll, client):
    listing = client.get("/vinh-danh").get_data(as_text=True)
    award_url = re.search(r'href="(/vinh-danh/khen-thuong/\d+)"', listing).group(1)
    form = {"loai": "correct", "noi-dung": "Tên thôn bị ghi sai, đề nghị sửa.", "lien-he": "0900000000"}
    assert client.post(award_url + "/yeu-cau", data=form).status_code == 403  # no CSRF token
    token = _token(client.get(award_url).get_data(as_text=True))
    bad = client.post(award_url + "/yeu-cau", data={**form, "noi-dung": "ngắn", "csrf_token": token})
    assert bad.status_code == 400 and "ít nhất 10 ký tự" in bad.get_data(as_text=True)
    ok = client.post(award_url + "/yeu-cau", data={**form, "csrf_token": token})
    assert ok.status_code == 303
    assert "Đã ghi nhận yêu cầu" in client.get(ok.headers["Location"]).get_data(as_text=True)
    with roll.app_context():
        assert db.session.scalars(db.select(HonorRequest)).one().contact == "0900000000"
    codes = [client.post(award_url + "/yeu-cau", data={**form, "csrf_token": token}).status_code for _ in range(6)]
    assert codes[-1] == 429 and codes[0] == 303


def test_sample_data_is_marked_and_can_be_switched_off(app, client):
    from portal.domain.documents import models as documents
    load(app, PROJECT_ROOT / "content")
    load(app, PROJECT_ROOT / "demo")
    html = client.get("/vinh-danh").get_data(as_text=True)
    assert "Dữ liệu minh họa" in html and "Nguyễn Văn A" in html
    documents.SETTINGS["show_demo"] = False
    try:
        from portal.web import cache
        cache.clear()
        assert "Nguyễn Văn A" not in client.get("/vinh-danh").get_data(as_text=True)
        assert client.get("/van-ban/9001-qd-mh-2022").status_code == 404
    finally:
        documents.SETTINGS["show_demo"] = True


def test_in_a_list_mixing_real_and_sample_awards_each_sample_row_is_marked(roll, client):
    """Issue 25: "The honor roll says the names below are made up – is Hoàng Thị Mai's medal real
    or not?" With real decisions beside the sample ones, the banner says which rows are samples
    and each of them carries the mark; real rows carry none."""
    import lxml.html

    load(roll, PROJECT_ROOT / "demo")
    page = lxml.html.fromstring(client.get("/vinh-danh").data)
    banner = page.find_class("demo-banner")[0].text_content()
    assert "Các dòng có nhãn «Minh họa» là giả định" in banner
    rows = {row.xpath(".//th//a")[0].text_content(): bool(row.find_class("demo-tag"))
            for row in page.xpath("//table//tbody/tr")}
    assert rows["Nguyễn Văn An"] is False and rows["Bùi Văn Dũng"] is False
    assert any(rows.values())
    with roll.app_context():
        from portal.domain.documents.models import Document
        from portal.domain.honors.models import Award, HonorDecision
        from portal.extensions import db
        demo_names = set(db.session.scalars(db.select(Award.name).join(HonorDecision).join(Document)
                                            .where(Document.is_demo.is_(True))))
    assert {name for name, marked in rows.items() if marked} == demo_names & set(rows)


def test_home_sitemap_and_site_map_lead_to_the_honor_roll(roll, client):
    assert "/vinh-danh" in client.get("/").get_data(as_text=True)
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    assert "http://portal.test/vinh-danh/quyet-dinh/15-qd-ubnd-2022" in sitemap
    assert "/vinh-danh/thong-ke" in client.get("/so-do-trang").get_data(as_text=True)


def test_api_responses_match_the_openapi_document(roll, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert {p for p in spec["paths"] if not p.startswith("/api/v1/office/")} == {"/api/v1/search", "/api/v1/honors"}
    assert all(op["get"]["security"] == [{"session": []}] for p, op in spec["paths"].items() if "/office/" in p)
    honors = client.get("/api/v1/honors").get_json()
    fields = spec["components"]["schemas"]["Honors"]["properties"]["results"]["items"]["properties"]
    assert set(honors["results"][0]) == set(fields)
    search = client.get("/api/v1/search?q=giai+phong").get_json()
    required = spec["components"]["schemas"]["SearchResults"]["properties"]["results"]["items"]["required"]
    assert set(search["results"][0]) == set(required)


def test_a_request_whose_content_type_was_sent_twice_is_still_read(seeded, client):
    load(seeded, PROJECT_ROOT / "demo")
    page = client.get("/vinh-danh/khen-thuong/1").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    body = urlencode({"csrf_token": token, "loai": "correct", "noi-dung": "Sai chức vụ của tôi",
                      "lien-he": "0912000777"})
    response = client.post("/vinh-danh/khen-thuong/1/yeu-cau", data=body, headers={
        "Content-Type": "application/x-www-form-urlencoded, application/x-www-form-urlencoded"})
    assert response.status_code in (200, 302, 303), response.status_code


@pytest.mark.parametrize("name", ["van", "Văn", "nguyen v", "thi anh", "hoang", "x"])
@pytest.mark.parametrize("extra", [{}, {"kind": "ca-nhan"}, {"area": "huyen-cao-loc"}, {"year": 2022},
                                   {"unit": "Viện kiểm sát nhân dân huyện Lộc Bình"}])
def test_a_name_search_lists_and_counts_what_the_other_filters_give_narrowed_to_the_name(roll, name, extra):
    """The name search reads the matching awards once and filters them in memory: it must give
    exactly the rows, total and facet counts of the filters without a name, narrowed to the name."""
    from portal.domain.honors import counts as honor_counts
    from portal.domain.honors import roll as honor_roll
    from portal.domain.honors.models import name_words
    from portal.vietnamese.folding import fold

    typed = re.findall(r"\w+", fold(name))

    def matches(award) -> bool:
        words = name_words(award.name)
        return all(w in words for w in typed[:-1]) and any(w.startswith(typed[-1]) for w in words)

    with roll.test_request_context():
        flt = honor_roll.HonorFilter(name=name, **extra)
        named = honor_roll.list_awards(flt, 1, 100)
        everyone = honor_roll.list_awards(flt.without("name"), 1, 100)
        expected = [row[0].id for row in everyone.items if matches(row[0])]
        assert [row[0].id for row in named.items] == expected and named.total == len(expected)
        facets = honor_counts.facets(flt)
        for key, field in (("doi-tuong", "kind"), ("dia-ban", "area"), ("nam", "year")):
            wider = honor_roll.list_awards(replace(flt.without(field), name=None), 1, 100)
            counts: dict = {}
            for award, decision, _doc in wider.items:
                if matches(award):
                    value = {"kind": award.kind, "year": str(decision.achievement_year),
                             "area": award.district_area.code if award.district_area else None}[field]
                    counts[value] = counts.get(value, 0) + 1
            assert {code: n for code, _label, n in facets[key]} == {k: v for k, v in counts.items() if k}, key


@pytest.mark.parametrize("typed", ["Lí Thị Hoà", "Lý Thị Hòa", "ly thi hoa", "li thi hoa", "Quí", "lí"])
def test_the_roll_folds_names_as_search_does(seeded, client, tmp_path, typed):
    # Seen: `/vinh-danh?ten=Lí Thị Hoà` missed "Lý Thị Hòa" while site search found her.
    load(seeded, write_decision(tmp_path / "qd", [row(1, name="Lý Thị Hòa"), row(2, name="Trần Văn Quý")]))
    found = names(client.get("/vinh-danh?" + urlencode({"ten": typed})).get_data(as_text=True))
    assert found == (["Trần Văn Quý"] if typed == "Quí" else ["Lý Thị Hòa"])
    searched = client.get("/api/v1/search", query_string={"q": typed, "kind": "award"}).get_json()
    assert any(name in str(item) for item in searched["results"] for name in found), searched["results"]


def test_the_name_search_follows_corrections_and_new_decisions_at_once(roll, client, tmp_path):
    """The name search keeps its words in memory and follows the change sequence: a corrected
    name, an entry taken off the list and a new decision of many rows show at the next search,
    without the words being read whole again."""
    from portal.domain.honors import names as name_index

    def found(typed: str) -> list[str]:
        return names(client.get("/vinh-danh?" + urlencode({"ten": typed})).get_data(as_text=True))

    assert found("dinh thi") == ["Đinh Thị Ánh"] and found("bui van") == ["Bùi Văn Dũng"]
    built = name_index._state["index"]
    with roll.app_context():
        award = db.session.scalars(db.select(Award).where(Award.name == "Đinh Thị Ánh")).one()
        award.set_name("Đinh Thị Ngọc Ánh")
        db.session.commit()
        other = db.session.scalars(db.select(Award).where(Award.name == "Bùi Văn Dũng")).one()
        other.publication = "removed"
        db.session.commit()
    # 60 rows in one commit: the change names the decision's document, not each award.
    load(roll, write_decision(tmp_path / "c", [row(n, name=f"Lương Văn Thứ{n}") for n in range(1, 61)],
                              symbol="44/QĐ-UBND", date="2025-12-18", name="c"))
    assert found("dinh thi ngoc") == ["Đinh Thị Ngọc Ánh"] and found("dinh thi a") == ["Đinh Thị Ngọc Ánh"]
    assert found("bui van") == []
    assert found("luong van thu60") == ["Lương Văn Thứ60"]
    assert len(found("luong van")) == 20  # a page of the 60
    assert name_index._state["index"] is built


def test_a_name_search_shows_what_the_list_shows_and_follows_each_shown_field(roll, client):
    """Found by name, a row is built from the name index and the decisions kept for the
    generation: it shows the same fields as the list without a name, hides the position and
    place of a name-and-unit entry, and shows a corrected position, place, unit or decision
    symbol at the next search."""
    def row_of(query: str) -> str:
        html = client.get("/vinh-danh?" + query).get_data(as_text=True)
        found = re.findall(r"<tr>\s*<th scope=\"row\">.*?</tr>", html, re.S)
        return found[0] if len(found) == 1 else f"{len(found)} rows"

    listed, named = row_of("dia-ban=huyen-loc-binh"), row_of("ten=dinh+thi+a")
    assert named == listed and "Chuyên viên" in named and "Thôn Nà Chuông, Xã Tân Liên, Lộc Bình" in named
    assert "15/QĐ-UBND" in named and "/vinh-danh/quyet-dinh/15-qd-ubnd-2022" in named
    with roll.app_context():
        award = db.session.scalars(db.select(Award).where(Award.name == "Đinh Thị Ánh")).one()
        award.position, award.village, award.unit = "Kiểm sát viên", "Thôn Khòn Bó", "Phòng 7"
        award.decision.document.symbol = "16/QĐ-UBND"
        symbol = award.decision.document.symbol
        db.session.commit()
    named = row_of("ten=dinh+thi+a")
    assert "Kiểm sát viên" in named and "Thôn Khòn Bó" in named and "Phòng 7" in named and symbol in named
    assert named == row_of("dia-ban=huyen-loc-binh")
    with roll.app_context():
        award = db.session.scalars(db.select(Award).where(Award.name == "Đinh Thị Ánh")).one()
        award.publication = "name-unit"
        db.session.commit()
    named = row_of("ten=dinh+thi+a")
    assert "Đinh Thị Ánh" in named and "Phòng 7" in named
    assert "Kiểm sát viên" not in named and "Khòn Bó" not in named


def page_and_statements(app, client, url: str) -> tuple[str, list[str]]:
    """The page at `url` and the SQL statements the app sent to make it."""
    from sqlalchemy import event

    from portal.extensions import db as database

    statements = []
    with app.app_context():
        engine = database.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        return client.get(url).get_data(as_text=True), statements
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def test_a_name_typed_once_is_answered_without_asking_the_database(roll, client, monkeypatch):
    """The page of a name search is built from the name index and what is kept for the
    generation: once those are read, a name never typed before sends no statement (on
    PostgreSQL, no round trip), and the page still shows the right row."""
    from portal.domain.kernel import changes

    assert "Bùi Văn Dũng" in client.get("/vinh-danh?ten=bui+van").get_data(as_text=True)  # all read once
    monkeypatch.setitem(changes.settings, "poll", 3600)  # the generation as last read, as between polls
    page, statements = page_and_statements(roll, client, "/vinh-danh?ten=dinh+thi+a&doi-tuong=ca-nhan")
    assert names(page) == ["Đinh Thị Ánh"] and "Chuyên viên" in page
    assert statements == []


def test_a_name_search_inside_an_uncommitted_change_sees_that_change_and_nothing_after_its_rollback(roll):
    from portal.domain.honors import roll as honor_roll

    def named(typed: str) -> list[str]:
        return [row[0].name for row in honor_roll.list_awards(honor_roll.HonorFilter(name=typed), 1, 20).items]

    with roll.test_request_context():
        assert named("dinh thi") == ["Đinh Thị Ánh"]
        award = db.session.scalars(db.select(Award).where(Award.name == "Đinh Thị Ánh")).one()
        award.set_name("Đinh Thị Ngọc Ánh")
        db.session.flush()  # written in this transaction, not committed
        assert named("ngoc anh") == ["Đinh Thị Ngọc Ánh"]
        db.session.rollback()
        assert named("ngoc anh") == [] and named("dinh thi") == ["Đinh Thị Ánh"]


def test_a_started_worker_reads_the_name_index_before_anyone_types_a_name(roll, client, monkeypatch):
    """The warm-up a served worker runs as it starts (web/warmup.py): afterwards the first name
    ever typed in that process sends no statement; tests and scripts start none of their own."""
    from portal.domain.honors import names as name_index
    from portal.domain.kernel import changes
    from portal.web import warmup

    assert not warmup.wanted(roll)  # a test app: no thread behind the test's back
    monkeypatch.setitem(roll.config, "WARM_UP", True)
    assert warmup.wanted(roll)
    name_index.forget()
    monkeypatch.setitem(changes.settings, "poll", 3600)
    client.get("/vinh-danh")  # the generation read, as by any first page
    warmup.start(roll).join(timeout=60)
    page, statements = page_and_statements(roll, client, "/vinh-danh?ten=hoang+van+chi")
    assert names(page) == ["Hộ ông Hoàng Văn Chiến"]
    assert statements == []
