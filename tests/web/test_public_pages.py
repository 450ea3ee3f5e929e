import io
import re
import xml.etree.ElementTree as ET
from urllib.parse import unquote

import docx
import pytest

from tests.conftest import load

CAMPAIGN = "/phong-trao/day-nhanh-tien-do-giai-phong-mat-bang-2022-2025"
PAGES = ["/", "/van-ban", "/van-ban/174-kh-ubnd-2022", "/van-ban/1033-vks-vp-2022",
         "/van-ban/57-2018-qd-ubnd", "/van-ban/174-kh-ubnd-2022/in", CAMPAIGN, "/so-do-trang"]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_is_vietnamese_accessible_html(seeded, client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="vi">' in html
    assert "<h1" in html
    assert "http://" not in re.sub(r'(href|content)="http://portal\.test[^"]*"', "", html).replace(
        "Nguồn: http://portal.test", "")
    assert "<script>" not in html and " style=" not in html


def test_home_shows_campaign_latest_documents_and_search(seeded, client):
    html = client.get("/").get_data(as_text=True)
    assert "Thi đua - khen thưởng" in html
    assert CAMPAIGN in html
    assert "/van-ban/1033-vks-vp-2022" in html
    assert 'role="search"' in html


@pytest.mark.parametrize("url, links", [
    ("/van-ban/1033-vks-vp-2022", ["/van-ban/174-kh-ubnd-2022"]),
    ("/van-ban/174-kh-ubnd-2022", ["/van-ban/57-2018-qd-ubnd", "/van-ban/1033-vks-vp-2022"]),
    ("/van-ban/57-2018-qd-ubnd", ["/van-ban/174-kh-ubnd-2022"]),
])
def test_the_chain_shows_both_ways_on_each_page(seeded, client, url, links):
    html = client.get(url).get_data(as_text=True)
    related = html.split('id="lien-quan"')[1].split("</section>")[0]
    for link in links:
        assert f'href="{link}"' in related


def test_the_letter_reads_in_full_with_its_parts(seeded, client):
    html = client.get("/van-ban/1033-vks-vp-2022").get_data(as_text=True)
    for part in ["Số: 1033/VKS-VP", "ngày 09 tháng 8 năm 2022", "V/v triển khai Kế hoạch phát động",
                 "Kính gửi:", "Các đồng chí Trưởng phòng Viện tỉnh.", "Nơi nhận:", "04 đ/c lãnh đạo Viện;",
                 "KT. VIỆN TRƯỞNG", "PHÓ VIỆN TRƯỞNG", "Nguyễn Thúc Liễu", "nghiêm túc tổ chức triển khai",
                 "VIỆN KIỂM SÁT NHÂN DÂN TỐI CAO"]:
        assert part in html, part
    # Symbols cited in the text link to the plan.
    assert '<a href="/van-ban/174-kh-ubnd-2022">174/KH-UBND</a>' in html


def test_the_plan_reads_in_full(seeded, client):
    html = client.get("/van-ban/174-kh-ubnd-2022").get_data(as_text=True)
    for part in ["I. MỤC ĐÍCH, YÊU CẦU", "VI. TỔ CHỨC THỰC HIỆN", "từ 100 triệu đồng trở lên",
                 "từ 500 triệu đồng trở lên", "quý IV năm 2025", "Huân chương Lao động hạng Ba",
                 "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Hồ Tiến Thiệu", "Lưu: VT, KG-VX (NTB).",
                 "công tác thu hồi đất, bồi thường"]:
        assert part in html, part
    assert '<a href="/van-ban/57-2018-qd-ubnd">57/2018/QĐ-UBND</a>' in html


def test_document_list_filters_combine_and_count(seeded, client):
    html = client.get("/van-ban").get_data(as_text=True)
    assert "3 văn bản" in html
    html = client.get("/van-ban?loai=ke-hoach").get_data(as_text=True)
    assert "1 văn bản" in html and "/van-ban/174-kh-ubnd-2022" in html
    assert "/van-ban/1033-vks-vp-2022" not in html.split('id="h-results"')[1]
    html = client.get("/van-ban?nam=2022&co-quan=Ủy ban nhân dân tỉnh Lạng Sơn").get_data(as_text=True)
    assert "1 văn bản" in html
    # Facet links keep the other filters in the URL.
    assert "nam=2022" in html.split('id="h-filters"')[1].split("Loại văn bản")[1].split("</section>")[0]
    html = client.get("/van-ban?phong-trao=day-nhanh-tien-do-giai-phong-mat-bang-2022-2025").get_data(as_text=True)
    assert "2 văn bản" in html


def test_list_is_sorted_by_date_and_paginated(seeded, client, write_doc, tmp_path):
    for n in range(1, 26):
        write_doc(f"tb{n}.md", f"""
            symbol: {n}/TB-VKS
            type: TB
            issuer: Viện kiểm sát nhân dân tỉnh Lạng Sơn
            place: Lạng Sơn
            issued_on: 2024-01-{n:02d}
            subject: Thông báo số {n}
        """)
    load(seeded, tmp_path / "extra")
    first = client.get("/van-ban").get_data(as_text=True)
    assert first.index("/van-ban/25-tb-vks-2024") < first.index("/van-ban/24-tb-vks-2024")
    assert "28 văn bản" in first and "trang=2" in first
    second = client.get("/van-ban?trang=2").get_data(as_text=True)
    assert "/van-ban/57-2018-qd-ubnd" in second
    assert client.get("/van-ban?trang=3").status_code == 404
    assert client.get("/van-ban?trang=-1").status_code == 200
    assert client.get("/van-ban?trang=99999999999999999999").status_code == 200


@pytest.mark.parametrize("url", ["/van-ban/khong-co", "/van-ban/khong-co/in", "/phong-trao/khong-co",
                                 "/van-ban/174-kh-ubnd-2022/tai-ve/999", "/van-ban/57-2018-qd-ubnd/ban-word.docx",
                                 "/khong-co-trang-nay"])
def test_unknown_things_get_the_vietnamese_404_page(seeded, client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Không tìm thấy" in response.get_data(as_text=True)


@pytest.mark.parametrize("slug, fragments", [
    ("174-kh-ubnd-2022", ["KẾ HOẠCH", "Số: 174/KH-UBND", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                          "Độc lập - Tự do - Hạnh phúc", "Lạng Sơn, ngày 04 tháng 8 năm 2022",
                          "I. MỤC ĐÍCH, YÊU CẦU", "Nơi nhận:", "TM. ỦY BAN NHÂN DÂN", "Hồ Tiến Thiệu"]),
    ("1033-vks-vp-2022", ["Số: 1033/VKS-VP", "V/v triển khai", "Kính gửi:", "KT. VIỆN TRƯỞNG",
                          "Nguyễn Thúc Liễu", "Lưu VT."]),
])
def test_documents_download_as_docx_laid_out_officially(seeded, client, slug, fragments):
    response = client.get(f"/van-ban/{slug}/ban-word.docx")
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    word = docx.Document(io.BytesIO(response.data))
    text = "\n".join(p.text for p in word.paragraphs)
    text += "\n".join(c.text for t in word.tables for row in t.rows for c in row.cells)
    for fragment in fragments:
        assert fragment in text, fragment


def test_attachments_download_under_their_vietnamese_name(app, client, write_doc, tmp_path):
    folder = tmp_path / "extra"
    folder.mkdir()
    (folder / "Kế hoạch 174 bản ký.pdf").write_bytes(b"%PDF-1.4\n%test\n")
    load(app, write_doc("tb.md", """
        symbol: 3/TB-VKS
        type: TB
        issuer: Viện kiểm sát nhân dân tỉnh Lạng Sơn
        place: Lạng Sơn
        issued_on: 2023-01-01
        subject: Có tệp đính kèm
        attachments: [Kế hoạch 174 bản ký.pdf]
    """))
    html = client.get("/van-ban/3-tb-vks-2023").get_data(as_text=True)
    url = re.search(r'href="(/van-ban/3-tb-vks-2023/tai-ve/\d+)"', html).group(1)
    with client.get(url) as response:
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert response.data == b"%PDF-1.4\n%test\n"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "Kế hoạch 174 bản ký.pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_campaign_page_shows_timeline_rules_and_documents(seeded, client):
    html = client.get(CAMPAIGN).get_data(as_text=True)
    for part in ["Tháng 12/2022", "Tháng 12/2023", "Tháng 12/2024", "Quý IV/2025", "class=\"stepper\"",
                 "Đã diễn ra", "Sắp tới", "100.000.000 đồng", "500.000.000 đồng",
                 "/van-ban/174-kh-ubnd-2022", "/van-ban/1033-vks-vp-2022"]:
        assert part in html, part


def test_feed_and_sitemap_list_published_documents(seeded, client):
    feed = client.get("/rss.xml")
    assert feed.mimetype == "application/rss+xml"
    items = ET.fromstring(feed.data).findall("./channel/item")
    assert {i.findtext("link") for i in items} == {
        "http://portal.test/van-ban/174-kh-ubnd-2022", "http://portal.test/van-ban/1033-vks-vp-2022",
        "http://portal.test/van-ban/57-2018-qd-ubnd"}
    sitemap = ET.fromstring(client.get("/sitemap.xml").data)
    locs = {e.text for e in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    assert "http://portal.test/van-ban/174-kh-ubnd-2022" in locs
    assert "http://portal.test" + CAMPAIGN in locs


@pytest.mark.parametrize("status", ["draft", "pending", "retracted"])
def test_unpublished_documents_are_invisible_everywhere(seeded, client, write_doc, status):
    load(seeded, write_doc("secret.md", f"""
        symbol: 77/KH-VKS
        type: KH
        issuer: Viện kiểm sát nhân dân tỉnh Lạng Sơn
        place: Lạng Sơn
        issued_on: 2024-02-01
        subject: Bí mật chưa đăng
        status: {status}
        campaign: day-nhanh-tien-do-giai-phong-mat-bang-2022-2025
    """, "Nội dung chưa đăng.\n"))
    assert client.get("/van-ban/77-kh-vks-2024").status_code == 404
    assert client.get("/van-ban/77-kh-vks-2024/ban-word.docx").status_code == 404
    assert client.get("/van-ban/77-kh-vks-2024/in").status_code == 404
    for url in ["/", "/van-ban", "/van-ban?loai=ke-hoach", "/rss.xml", "/sitemap.xml", CAMPAIGN]:
        body = client.get(url).get_data(as_text=True)
        assert "77-kh-vks" not in body and "Bí mật chưa đăng" not in body, url
    assert "3 văn bản" in client.get("/van-ban").get_data(as_text=True)


def test_pages_answer_conditional_requests_with_304(seeded, client):
    first = client.get("/van-ban/174-kh-ubnd-2022")
    etag = first.headers["ETag"]
    again = client.get("/van-ban/174-kh-ubnd-2022", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


def test_a_page_asked_with_a_query_is_kept_from_its_second_request(seeded, client):
    """A name typed once is not kept (it would push out a page many read); typed again, it is,
    and answers a conditional request with 304. A page without a query is kept at once."""
    from portal.web import cache
    cache.clear()
    once = client.get("/vinh-danh?ten=Ho%C3%A0ng")
    assert once.status_code == 200 and "ETag" not in once.headers and cache.cached_bytes() == 0
    twice = client.get("/vinh-danh?ten=Ho%C3%A0ng")
    assert twice.get_data() == once.get_data() and cache.cached_bytes() > 0
    again = client.get("/vinh-danh?ten=Ho%C3%A0ng", headers={"If-None-Match": twice.headers["ETag"]})
    assert again.status_code == 304
    kept = cache.cached_bytes()
    assert "ETag" in client.get("/vinh-danh").headers and cache.cached_bytes() > kept


def test_a_change_shows_at_once_despite_the_page_cache(seeded, client, content_dir):
    assert "khẩn trương" not in client.get("/van-ban/1033-vks-vp-2022").get_data(as_text=True)
    etag = client.get("/van-ban/1033-vks-vp-2022").headers["ETag"]
    letter = content_dir / "van-ban" / "1033-vks-vp-2022.md"
    letter.write_text(letter.read_text(encoding="utf-8").replace("nghiêm túc", "khẩn trương"), encoding="utf-8")
    load(seeded, content_dir)
    response = client.get("/van-ban/1033-vks-vp-2022", headers={"If-None-Match": etag})
    assert response.status_code == 200 and "khẩn trương" in response.get_data(as_text=True)


def test_while_the_database_is_away_a_page_is_served_as_last_rendered(seeded, client, content_dir, tmp_path):
    """Seen in the outage drill: content changed a moment before the database went away, so no
    worker had rendered the honor roll for the newest generation, and every visitor got the 503
    page although each page had been rendered a second earlier."""
    from portal.extensions import db
    from tests.conftest import DATABASE_FILE, _postgres_url
    if _postgres_url():
        pytest.skip("the database is taken away as a file (SQLite); the outage drill does it on PostgreSQL")
    before = client.get("/vinh-danh").get_data(as_text=True)
    letter = content_dir / "van-ban" / "1033-vks-vp-2022.md"
    letter.write_text(letter.read_text(encoding="utf-8").replace("nghiêm túc", "khẩn trương"), encoding="utf-8")
    load(seeded, content_dir)  # a new generation: nothing is rendered for it yet
    database = tmp_path / DATABASE_FILE
    with seeded.app_context():
        db.engine.dispose()
    database.rename(tmp_path / "away.sqlite3")  # connecting now opens an empty database
    try:
        roll = client.get("/vinh-danh")
        never_rendered = client.get("/vinh-danh?nam=2022")
    finally:
        with seeded.app_context():
            db.engine.dispose()
        (tmp_path / "away.sqlite3").replace(database)
    assert roll.status_code == 200 and roll.get_data(as_text=True) == before
    assert never_rendered.status_code == 503
    assert "tạm thời không truy cập được cơ sở dữ liệu" in never_rendered.get_data(as_text=True)
    assert "khẩn trương" in client.get("/van-ban/1033-vks-vp-2022").get_data(as_text=True)  # back, fresh


def test_security_headers_are_set(seeded, client):
    headers = client.get("/").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"]


def test_a_server_error_gets_the_vietnamese_500_page(app):
    @app.get("/boom-test")
    def boom():
        raise RuntimeError("boom")

    app.testing = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/boom-test")
    assert response.status_code == 500
    assert "Lỗi máy chủ" in response.get_data(as_text=True)


def test_links_to_the_same_page_with_other_arguments_are_written_as_url_for_writes_them(app):
    """Facet, tab, sort and page links reuse the page's path; their query must be exactly what
    url_for() writes (marks, spaces, slashes, reserved characters)."""
    from flask import url_for

    from portal.web.public import page_url, url_with

    query = {"q": "174/KH-UBND giải phóng & mặt bằng", "loai": "ke-hoach", "trang": "3", "x": "a+b=c;d'e"}
    with app.test_request_context("/tim-kiem", query_string=query):
        expected = {k: v for k, v in query.items() if k != "trang"}
        assert url_with() == url_for("public.search", **expected)
        assert url_with(loai=None, nam=2022) == url_for("public.search", **{**expected, "nam": 2022, "loai": None})
        assert page_url(2) == url_for("public.search", **{**query, "trang": 2})
        assert page_url(1) == url_for("public.search", **expected)
    with app.test_request_context("/tim-kiem"):
        assert url_with(q=None) == url_for("public.search") == "/tim-kiem"


def test_links_kept_by_templates_follow_where_the_portal_is_mounted(seeded, client):
    """Templates keep the links they build; a portal served under a path (SCRIPT_NAME, behind a
    proxy) must still link under that path, and the plain one at the root, whichever came first."""
    mounted = client.get("/vinh-danh", base_url="http://localhost/thi-dua").get_data(as_text=True)
    plain = client.get("/vinh-danh?nam=2022").get_data(as_text=True)
    assert 'href="/thi-dua/van-ban"' in mounted and 'href="/thi-dua/static/css/site.css"' in mounted
    assert 'href="/van-ban"' in plain and 'href="/thi-dua/' not in plain
    with client.application.test_request_context("/"):
        link = client.application.jinja_env.globals["url_for"]
        assert link("public.honor_roll", _external=True).startswith("http")  # options are built each time
        assert link("public.honor_roll", ten=["a", "b"]) == "/vinh-danh?ten=a&ten=b"  # no key: built each time


def test_the_kept_layout_marks_each_page_kind_and_carries_each_search(seeded, client):
    """The layout's header and footer are rendered once per page kind and kept: the current
    section is still marked on each kind, and the header's box still shows each search typed."""
    def header(url: str, **options) -> str:
        html = client.get(url, **options).get_data(as_text=True)
        return html[html.index('<header class="site-header">'):html.index("</header>")]

    def current(html: str) -> list[str]:
        return re.findall(r'aria-current="page">([^<]+)<', html)

    assert current(header("/vinh-danh?nam=2022")) == ["Vinh danh"]
    assert current(header("/van-ban")) == ["Văn bản"] and current(header("/")) == ["Trang chủ"]
    assert 'value="giải phóng"' in header("/tim-kiem?q=giải+phóng")
    assert 'value="174/KH-UBND"' in header("/tim-kiem?q=174/KH-UBND")
    assert 'value=""' in header("/vinh-danh?q=giải+phóng")  # the box speaks of searches only
    mounted = header("/van-ban", base_url="http://localhost/thi-dua")
    assert 'href="/thi-dua/vinh-danh"' in mounted and current(mounted) == ["Văn bản"]
    assert 'href="/vinh-danh"' in header("/van-ban")


@pytest.mark.parametrize(("slug", "day"), [("174-kh-ubnd-2022", "04/08/2022"), ("1033-vks-vp-2022", "09/08/2022")])
def test_a_document_is_dated_in_vietnams_time(seeded, client, slug, day):
    # Seen: the plan was signed 04/08/2022; its page said "Đã đăng ngày 03/08/2022" (the UTC date).
    html = client.get(f"/van-ban/{slug}").get_data(as_text=True)
    assert f"ngày {day}" in html
    earlier = f"{int(day[:2]) - 1:02d}{day[2:]}"
    assert f"ngày {earlier}" not in html


def test_units_find_their_way_in_from_any_public_page(seeded, client):
    # Seen: units signed in at "Đăng nhập quản trị"; public pages had no way back to /don-vi/.
    for url in ("/", "/van-ban", "/vinh-danh"):
        html = client.get(url).get_data(as_text=True)
        assert 'href="/don-vi/"' in html, url
    door = client.get("/don-vi/", follow_redirects=True).get_data(as_text=True)
    assert "<h1>Đăng nhập</h1>" in door and "các đơn vị" in door and "Đăng nhập quản trị" not in door
