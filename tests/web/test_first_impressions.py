"""What a newcomer met first (set-up, feed dates, award-list dates): each point as a test."""
import subprocess
from email.utils import parsedate_to_datetime

import pytest

from portal.config import PROJECT_ROOT
from portal.domain.honors.award_lists import _date
from tests.web.admin.conftest import as_role, users  # noqa: F401 (fixtures)


def test_feed_dates_are_when_documents_were_posted_not_when_they_were_loaded(seeded, client):
    xml = client.get("/rss.xml").get_data(as_text=True)
    dates = [parsedate_to_datetime(d.split("</pubDate>")[0]) for d in xml.split("<pubDate>")[1:]]
    assert dates and all(d.year in (2018, 2022) for d in dates)  # issue dates, not the day of loading
    assert "Wed, 03 Aug 2022 17:00:00 +0000" in xml  # plan 174/KH-UBND: 04/8/2022 in Vietnam
    assert "<lastBuildDate>" in xml
    newest = parsedate_to_datetime(xml.split("<lastBuildDate>")[1].split("</lastBuildDate>")[0])
    assert newest == max(dates)


def test_feed_answers_when_public_documents_have_no_publication_date(seeded, client):
    """Seen when 20,000 documents were inserted without one: /rss.xml answered 500."""
    from portal.domain.documents.models import Document
    from portal.extensions import db
    from portal.web import cache
    with seeded.app_context():
        db.session.execute(db.update(Document).values(published_at=None))
        db.session.commit()
    cache.clear()
    response = client.get("/rss.xml")
    assert response.status_code == 200
    xml = response.get_data(as_text=True)
    dates = [parsedate_to_datetime(d.split("</pubDate>")[0]) for d in xml.split("<pubDate>")[1:]]
    assert parsedate_to_datetime(xml.split("<lastBuildDate>")[1].split("</lastBuildDate>")[0]) == max(dates)


def test_feed_date_follows_front_matter_published_at(app, client, write_doc):
    from tests.conftest import load
    load(app, write_doc("tb.md", """
        symbol: 55/TB-VKS
        type: TB
        issuer: Viện kiểm sát nhân dân tỉnh Lạng Sơn
        place: Lạng Sơn
        issued_on: 2024-05-02
        published_at: 2024-05-06
        subject: Thông báo lịch trực
    """, "Nội dung.\n"))
    xml = client.get("/rss.xml").get_data(as_text=True)
    assert "Sun, 05 May 2024 17:00:00 +0000" in xml  # 06/5/2024 00:00 in Vietnam


def test_award_lists_read_iso_and_excel_dates():
    from datetime import date, datetime
    assert _date("1985-03-04") == date(1985, 3, 4)
    assert _date("04/03/1985") == date(1985, 3, 4)
    assert _date(datetime(1985, 3, 4)) == date(1985, 3, 4)
    assert _date("1985-13-04") is None and _date("3/4/85") is None


def test_make_run_derives_site_url_from_port():
    out = subprocess.run(["make", "-n", "run", "PORT=5401"], cwd=PROJECT_ROOT, capture_output=True, text=True).stdout
    assert "SITE_URL=http://127.0.0.1:5401" in out


def test_no_lock_file_is_tracked_in_the_repository():
    tracked = subprocess.run(["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True, text=True).stdout.split()
    assert not [name for name in tracked if name.endswith(".lock") and "/" not in name]


def test_award_list_xlsx_with_real_date_cells_and_iso_text(tmp_path):
    from datetime import date, datetime

    import openpyxl

    from portal.domain.honors.award_lists import parse_list
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["STT", "Đối tượng", "Họ tên", "Ngày sinh"])
    sheet.append([1, "Cá nhân", "Nguyễn Văn An", datetime(1985, 3, 4)])
    sheet.append([2, "Cá nhân", "Lê Thị Hà", "1990-12-31"])
    sheet.append([3, "Cá nhân", "Hoàng Văn Nam", "31/12/90"])
    book.save(tmp_path / "ds.xlsx")
    result = parse_list(tmp_path / "ds.xlsx")
    assert [row.private["birth_date"] for row in result.rows] == [date(1985, 3, 4), date(1990, 12, 31)]
    assert result.errors == ["dòng 4, cột Ngày sinh: phải là ngày dạng dd/mm/yyyy (hoặc yyyy-mm-dd, hoặc ô kiểu ngày)"]


def test_a_cong_van_shows_v_v_everywhere_whether_typed_or_not(app, client, write_doc):
    import io

    import docx

    from portal.domain.documents.models import subject_line
    from tests.conftest import load
    assert subject_line("cong-van", "triển khai kế hoạch") == "V/v triển khai kế hoạch"
    assert subject_line("cong-van", "v/v  triển khai") == "V/v triển khai"
    assert subject_line("ke-hoach", "Triển khai") == "Triển khai"
    load(app, write_doc("cv.md", """
        symbol: 77/VKS-VP
        type: Công văn
        issuer: Viện kiểm sát nhân dân tỉnh Lạng Sơn
        place: Lạng Sơn
        issued_on: 2024-05-02
        subject: đôn đốc báo cáo sơ kết
    """, "Kính gửi các đơn vị.\n"))
    page = client.get("/van-ban/77-vks-vp-2024").get_data(as_text=True)
    assert page.count("V/v đôn đốc báo cáo sơ kết") >= 2
    assert "V/v đôn đốc báo cáo sơ kết" in client.get("/rss.xml").get_data(as_text=True)
    word = docx.Document(io.BytesIO(client.get("/van-ban/77-vks-vp-2024/ban-word.docx").data))
    assert any("V/v đôn đốc báo cáo sơ kết" in p.text for p in word.paragraphs) or any(
        "V/v đôn đốc báo cáo sơ kết" in c.text for t in word.tables for r in t.rows for c in r.cells)


def test_publishing_asks_on_a_page_of_its_own(seeded, as_role):  # noqa: F811
    from tests.web.admin.conftest import create
    reviewer = as_role("reviewer")
    doc_id = create(reviewer)
    draft = reviewer.get(f"/quan-tri/van-ban/{doc_id}").get_data(as_text=True)
    assert "chuyen/publish" not in draft and "Gửi duyệt" in draft  # a draft is submitted first
    assert reviewer.post(f"/quan-tri/van-ban/{doc_id}/chuyen/publish/xac-nhan").status_code == 409
    reviewer.post(f"/quan-tri/van-ban/{doc_id}/chuyen/submit")
    view = reviewer.get(f"/quan-tri/van-ban/{doc_id}").get_data(as_text=True)
    assert f'action="/quan-tri/van-ban/{doc_id}/chuyen/publish/xac-nhan"' in view
    asked = reviewer.post(f"/quan-tri/van-ban/{doc_id}/chuyen/publish/xac-nhan", {"comment": "Đồng ý"})
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Xác nhận đăng" in page and 'value="Đồng ý"' in page
    assert "<script" not in page.split("<main")[1]
    assert reviewer.get("/van-ban/12-kh-vks-2026").status_code == 404  # nothing published yet
    assert as_role("editor").post(f"/quan-tri/van-ban/{doc_id}/chuyen/publish/xac-nhan").status_code == 409


@pytest.mark.slow  # three CLI processes
def test_the_first_run_prints_nothing_alarming(tmp_path):
    from tests.servers import environment, flask
    env = environment(tmp_path)
    env.pop("SECRET_KEY")
    printed = ""
    for command in (["db", "upgrade"], ["content", "load", "content"], ["search", "rebuild"]):
        done = flask(env, *command, text=True)
        printed += done.stdout + done.stderr
    assert "Đã nạp content: 4 mới" in printed and "Đã dựng lại chỉ mục tìm kiếm" in printed
    for alarming in ("OperationalError", "not built yet", "missing or unreadable", "Traceback", "WARNING"):
        assert alarming not in printed, printed


def test_list_dashes_stay_on_the_line_of_their_text(seeded, client):
    """Plan 174, sections I.1–I.2: loose Markdown lists (items holding a <p>) showed each "-" on a
    line of its own, on the page and in the .docx."""
    import io

    import docx
    import lxml.html

    page = lxml.html.fromstring(client.get("/van-ban/174-kh-ubnd-2022").data)
    items = page.xpath("//div[@class='official-body']/ul/li")
    assert items and any(li.find("p") is not None for li in items)
    css = (PROJECT_ROOT / "static/css/site.css").read_text()
    assert ".official-body li > p:first-child { display: inline; }" in css
    word = docx.Document(io.BytesIO(client.get("/van-ban/174-kh-ubnd-2022/ban-word.docx").data))
    dashed = [p.text for p in word.paragraphs if p.text.startswith("-")]
    assert any(t.startswith("- Nhằm thực hiện có hiệu quả công tác giải phóng mặt bằng") for t in dashed)
    assert all(len(t) > 3 and "\n" not in t for t in dashed), dashed


def test_official_headings_break_before_the_territory(seeded, client):
    import io

    import docx

    from portal.domain.documents.models import heading_lines

    assert heading_lines("Ủy ban nhân dân tỉnh Lạng Sơn") == ["ỦY BAN NHÂN DÂN", "TỈNH LẠNG SƠN"]
    assert heading_lines("Viện kiểm sát nhân dân tỉnh Lạng Sơn") == ["VIỆN KIỂM SÁT NHÂN DÂN", "TỈNH LẠNG SƠN"]
    assert heading_lines("Viện kiểm sát nhân dân tối cao") == ["VIỆN KIỂM SÁT NHÂN DÂN TỐI CAO"]
    assert heading_lines("Sở Tài chính") == ["SỞ TÀI CHÍNH"]
    html = client.get("/van-ban/174-kh-ubnd-2022").get_data(as_text=True)
    assert "ỦY BAN NHÂN DÂN<br>TỈNH LẠNG SƠN" in html
    word = docx.Document(io.BytesIO(client.get("/van-ban/1033-vks-vp-2022/ban-word.docx").data))
    cell = [p.text for p in word.tables[0].rows[0].cells[0].paragraphs]
    assert cell[:3] == ["VIỆN KIỂM SÁT NHÂN DÂN TỐI CAO", "VIỆN KIỂM SÁT NHÂN DÂN", "TỈNH LẠNG SƠN"]


def test_issuer_and_place_start_from_the_accounts_last_document(seeded, as_role):  # noqa: F811
    from tests.web.admin.conftest import create
    editor = as_role("editor")
    first = editor.get("/quan-tri/van-ban/moi").get_data(as_text=True)
    assert 'value="Viện kiểm sát nhân dân tỉnh Lạng Sơn"' in first and 'value="Lạng Sơn"' in first
    create(editor, issuer="Ủy ban nhân dân tỉnh Lạng Sơn", issuer_parent="", place="Lạng Sơn")
    again = editor.get("/quan-tri/van-ban/moi").get_data(as_text=True)
    assert 'value="Ủy ban nhân dân tỉnh Lạng Sơn"' in again
    assert 'value="Viện kiểm sát nhân dân tối cao"' not in again
    other = as_role("reviewer").get("/quan-tri/van-ban/moi").get_data(as_text=True)
    assert 'value="Viện kiểm sát nhân dân tỉnh Lạng Sơn"' in other  # another account keeps the default
