"""Every change made through one node, or by a command with a third node's settings, is seen
through the other node and through nginx within a second: lists, pages, search, feed, sitemap,
downloads and the honor roll. A node killed mid-publish leaves the other serving, and the publish
happened completely or not at all."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import psycopg
import pytest

from bench.harness import RUNNING
from tests.search.test_lifecycle import _pdf_with_text as pdf_with_text
from tests.web.admin.conftest import FORM

pytestmark = pytest.mark.slow
WITHIN = 1.0
SLUG = "12-kh-vks-2026"


def within(check, seconds: float = WITHIN, start: float | None = None) -> float:
    """Poll until `check()` holds, at most `seconds` after `start`; how long it took."""
    start = start or time.monotonic()
    while True:
        problem = check()
        if not problem:
            return time.monotonic() - start
        if time.monotonic() - start > seconds:
            raise AssertionError(f"after {seconds} s: {problem}")
        time.sleep(0.05)


def found(http, base: str, query: str) -> list[str]:
    data = http.get(base + "/api/v1/search", params={"q": query, "per_page": 100}, timeout=30).json()
    return [r["url"].rsplit("/", 1)[1] for r in data["results"]]


def public_view(http, base: str, slug: str, text_query: str) -> dict:
    """Where a document shows through one address."""
    get = lambda path: http.get(base + path, timeout=30)  # noqa: E731
    return {"page": get(f"/van-ban/{slug}").status_code == 200, "list": slug in get("/van-ban").text,
            "home": slug in get("/").text, "feed": slug in get("/rss.xml").text,
            "sitemap": slug in get("/sitemap.xml").text, "search": slug in found(http, base, text_query)}


def create_draft(web, base: str, **changes) -> int:
    response = web.post(base + "/quan-tri/van-ban/moi", {**FORM, **changes})
    assert response.status_code == 200, response.text[:2000]
    return int(response.url.rstrip("/").split("/")[-1])


def test_publish_with_an_original_then_retract_through_the_other_node(cluster):
    from tests.cluster.conftest import Webmaster
    a, b = cluster.nodes
    web = Webmaster(a)
    doc_id = create_draft(web, a)
    original = pdf_with_text("bang tong hop ho gia dinh hien dat som")
    assert web.post(a + f"/quan-tri/van-ban/{doc_id}/tep", {},
                    files={"file": ("ban-ky.pdf", original, "application/pdf")}).status_code == 200
    web.post(a + f"/quan-tri/van-ban/{doc_id}/chuyen/submit", {})
    web.post(a + f"/quan-tri/van-ban/{doc_id}/chuyen/publish", {})
    published = time.monotonic()

    def everywhere_published():
        for base in cluster.everywhere:
            view = public_view(web.http, base, SLUG, "Tổ chức phong trào thi đua năm 2026")
            missing = [where for where, shown in view.items() if not shown]
            if missing:
                return f"{base}: not in {missing}"
            if SLUG not in found(web.http, base, "ho gia dinh hien dat som"):
                return f"{base}: the original's text is not found"
            page = web.http.get(base + f"/van-ban/{SLUG}", timeout=30).text
            link = page[page.index(f"/van-ban/{SLUG}/tai-ve/"):].split('"')[0]
            download = web.http.get(base + link, timeout=30)
            if download.status_code != 200 or download.content != original:
                return f"{base}: the original downloads as {download.status_code}"
        return None

    print(f"published: seen everywhere after {within(everywhere_published, start=published):.2f} s")
    web.post(b + f"/quan-tri/van-ban/{doc_id}/chuyen/retract", {"comment": "gỡ để sửa"})
    retracted = time.monotonic()

    def nowhere():
        for base in cluster.everywhere:
            view = public_view(web.http, base, SLUG, "Tổ chức phong trào thi đua năm 2026")
            if any(view.values()):
                return f"{base}: still shown in {[k for k, v in view.items() if v]}"
        return None

    print(f"retracted: gone everywhere after {within(nowhere, start=retracted):.2f} s")


# A third node's editor sets "Đăng từ" a few seconds ahead: prints the id, the edge (Unix time)
# and the change its save recorded.
SCHEDULE = """
from datetime import timedelta
from portal import create_app
from portal.domain.kernel import changes
from portal.domain.documents.models import Document
from portal.domain.kernel.models_base import utcnow
from portal.extensions import db
app = create_app()
with app.app_context():
    document = db.session.scalar(db.select(Document).where(Document.symbol == "55/TB-VKS"))
    document.publish_from = utcnow() + timedelta(seconds=4)
    db.session.commit()
    print(document.id, document.publish_from.timestamp(), changes.latest(db.session))
"""
NOTICE = """---
symbol: 55/TB-VKS
type: TB
issuer: Viện kiểm sát nhân dân tỉnh Lạng Sơn
place: Lạng Sơn
issued_on: 2024-05-02
subject: {subject}
---
Nội dung thông báo.
"""


def test_commands_on_a_third_node_and_a_schedule_edge(cluster, tmp_path):
    import requests
    http = requests.Session()
    path = tmp_path / "tb.md"
    path.write_text(NOTICE.format(subject="Thông báo kỳ lân hiếm gặp"), encoding="utf-8")
    cluster.flask("content", "load", str(path))
    loaded = time.monotonic()
    within(lambda: next((base for base in cluster.everywhere
                         if "55-tb-vks-2024" not in found(http, base, "ky lan hiem gap")), None), start=loaded)
    path.write_text(NOTICE.format(subject="Thông báo tuần lộc phương bắc"), encoding="utf-8")
    cluster.flask("content", "load", str(path))
    edited = time.monotonic()
    within(lambda: next((f"{base}: old {found(http, base, 'ky lan hiem gap')} new "
                         f"{found(http, base, 'tuan loc phuong bac')}" for base in cluster.everywhere
                         if "55-tb-vks-2024" in found(http, base, "ky lan hiem gap")
                         or "55-tb-vks-2024" not in found(http, base, "tuan loc phuong bac")), None), start=edited)

    # An editor on a third node schedules it a few seconds ahead (the save records its change).
    url = cluster.env["DATABASE_URL"]
    saved = subprocess.run([sys.executable, "-c", SCHEDULE], env=cluster.node_env("c"), check=True,
                           capture_output=True, text=True).stdout.split()
    doc_id, edge_at = int(saved[0]), float(saved[1])
    hidden = lambda: next((base for base in cluster.everywhere  # noqa: E731
                           if http.get(base + "/van-ban/55-tb-vks-2024", timeout=30).status_code != 404
                           or "55-tb-vks-2024" in found(http, base, "tuan loc phuong bac")), None)
    within(hidden)
    time.sleep(max(0.0, edge_at - time.time()))
    opened = time.monotonic()
    within(lambda: next((base for base in cluster.everywhere
                         if http.get(base + "/van-ban/55-tb-vks-2024", timeout=30).status_code != 200
                         or "55-tb-vks-2024" not in http.get(base + "/van-ban", timeout=30).text
                         or "55-tb-vks-2024" not in found(http, base, "tuan loc phuong bac")), None),
           seconds=WITHIN + 0.5, start=opened)
    with psycopg.connect(url) as connection:
        applied = connection.execute("SELECT count(*) FROM changes WHERE keys = %s AND id > %s",
                                     (f"document:{doc_id}", int(saved[2]))).fetchone()[0]
    assert applied == 1  # the edge was recorded once, by whichever node saw it first


def test_award_list_staged_on_one_node_confirmed_on_the_other(cluster):
    from tests.cluster.conftest import Webmaster
    a, b = cluster.nodes
    web = Webmaster(a)
    doc_id = create_draft(web, a, symbol="45/QĐ-VKS", type="quyet-dinh", subject="Khen thưởng sơ kết năm 2022",
                          award_form="bang-khen-chu-tich-ubnd-tinh", level="tinh",
                          campaign="day-nhanh-tien-do-giai-phong-mat-bang-2022-2025", review_round="so-ket-2022",
                          reason="đã có thành tích trong giải phóng mặt bằng")
    rows = ("STT,Đối tượng,Họ tên,Chức vụ,Đơn vị,Thành tích,Số định danh\n"
            "1,Cá nhân,Hoàng Văn Tuấn Kiệt,Cán bộ,UBND xã Hợp Thành,Vận động hiến đất,012345678901\n"
            "2,Hộ gia đình,Hộ ông Lương Văn Sử,,,Hiến đất làm đường,\n")
    staged = web.post(a + f"/quan-tri/van-ban/{doc_id}/danh-sach", {},
                      files={"file": ("danh-sach.csv", rows.encode(), "text/csv")})
    assert staged.status_code == 200 and "Danh sách hợp lệ: 2 dòng" in staged.text
    token = staged.text.split("/danh-sach/")[1].split('"')[0]
    confirmed = web.post(b + f"/quan-tri/van-ban/{doc_id}/danh-sach/{token}", {"action": "confirm"})
    assert confirmed.status_code == 200 and "Đã nạp danh sách: 2" in confirmed.text
    web.post(cluster.balancer + f"/quan-tri/van-ban/{doc_id}/chuyen/submit", {})
    web.post(cluster.balancer + f"/quan-tri/van-ban/{doc_id}/chuyen/publish", {})
    published = time.monotonic()

    def honored():
        for base in cluster.everywhere:
            roll = web.http.get(base + "/vinh-danh", timeout=30).text
            if "Hoàng Văn Tuấn Kiệt" not in roll or "Hộ ông Lương Văn Sử" not in roll or "012345678901" in roll:
                return f"{base}: the honor roll is not up to date"
            if not found(web.http, base, "hoang van tuan kiet"):
                return f"{base}: search misses the award"
        return None

    within(honored, start=published)


def test_the_same_page_has_the_same_etag_on_every_node(cluster):
    import requests
    a, b = cluster.nodes
    first = requests.get(a + "/van-ban/174-kh-ubnd-2022", timeout=30)
    second = requests.get(b + "/van-ban/174-kh-ubnd-2022", timeout=30)
    assert first.text == second.text and first.headers["ETag"] == second.headers["ETag"]
    again = requests.get(b + "/van-ban/174-kh-ubnd-2022", headers={"If-None-Match": first.headers["ETag"]},
                         timeout=30)
    assert again.status_code == 304


def _kill_node(base: str) -> None:
    master = RUNNING[base]
    children = subprocess.run(["pgrep", "-P", str(master.pid)], capture_output=True, text=True).stdout.split()
    for pid in [master.pid, *map(int, children)]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    master.wait(timeout=10)


def test_a_node_killed_mid_publish_leaves_all_or_nothing(cluster):
    from tests.cluster.conftest import Webmaster
    a, b = cluster.nodes
    web = Webmaster(b)
    doc_id = create_draft(web, b, symbol="13/KH-VKS", subject="Kế hoạch sói xám vùng cao")
    web.post(b + f"/quan-tri/van-ban/{doc_id}/chuyen/submit", {})
    killer = threading.Timer(0.02, _kill_node, args=(a,))
    killer.start()
    try:
        web.post(a + f"/quan-tri/van-ban/{doc_id}/chuyen/publish", {})
    except Exception:  # noqa: BLE001 (the node died under the request)
        pass
    killer.join()
    with psycopg.connect(cluster.env["DATABASE_URL"]) as connection:
        status = connection.execute("SELECT status FROM documents WHERE id = %s", (doc_id,)).fetchone()[0]
    survivors = [b, cluster.balancer]
    expect = status == "published"

    def consistent():
        for base in survivors:
            view = public_view(web.http, base, "13-kh-vks-2026", "soi xam vung cao")
            if any(view.values()) != expect or (expect and not all(view.values())):
                return f"{base}: status {status} but shown as {view}"
        return None

    within(consistent)
