"""Hostile input renders inert everywhere it is shown: 40 payloads in the Markdown body and in
every text field of a document, of a decision's award list and of a request, checked on every
page (public and admin) and in the feed with an HTML parser, not by string search."""
import io
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from .conftest import FORM, create, publish

PAYLOADS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>", '"><script>alert(1)</script>', "'><img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>', "[bấm](javascript:alert(1))", "[bấm](JaVaScRiPt:alert(1))",
    "[bấm](  javascript:alert(1))", "[bấm](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![ảnh](javascript:alert(1))", '<iframe src="javascript:alert(1)"></iframe>',
    '<object data="javascript:alert(1)"></object>', '<embed src="javascript:alert(1)">', "<body onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>', '<p style="position:fixed;top:0">phủ trang</p>',
    "<style>body{display:none}</style>", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>", "<input autofocus onfocus=alert(1)>",
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">', '<base href="javascript:alert(1)//">',
    '<link rel=stylesheet href="javascript:alert(1)">', '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>', "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>", '<!--<img src="--><img src=x onerror=alert(1)//">',
    '<a href="vbscript:msgbox(1)">x</a>', '<video><source onerror="alert(1)"></video>', '"onmouseover="alert(1)',
    "javascript:alert(1)", "<xss onafterscriptexecute=alert(1)>", "[x](javascript&#58;alert(1))",
    "<a href='javas\u0000cript:alert(1)'>x</a>", "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
]
FORBIDDEN_TAGS = {"iframe", "object", "embed", "style", "base", "svg", "math", "frame", "frameset", "applet",
                  "xss", "video", "audio", "source", "details"}
URL_ATTRS = {"href", "src", "action", "formaction", "data", "xlink:href", "poster", "background", "srcset"}
OUR_META = {"charset", "viewport", "description", "robots", "csrf-token"}


class Inertness(HTMLParser):
    """Collects everything in a page that could run script or restyle it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        ours = (tag == "svg" and values.get("role") == "img" and "aria-labelledby" in values  # server-drawn charts
                or tag == "details" and values.get("class") == "filters filter-fold")  # the honor roll's filters
        if tag in FORBIDDEN_TAGS and not ours:
            self.problems.append(f"<{tag}>")
        if tag == "script" and not (values.get("src") or "").startswith("/static/"):
            self.problems.append("inline <script>")
        if tag == "meta" and not ({"charset"} & set(values) or values.get("name") in OUR_META):
            self.problems.append(f"<meta {values}>")
        if tag == "link" and not (values.get("href") or "").startswith("/"):
            self.problems.append(f"<link {values}>")
        if tag == "form" and not (values.get("action") or "/").startswith("/"):
            self.problems.append(f"<form action={values.get('action')}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"<{tag} {name}=...>")
            if name in URL_ATTRS and value:
                cleaned = re.sub(r"[\x00-\x20]", "", value).lower()
                if cleaned.startswith(("javascript:", "vbscript:", "data:")):
                    self.problems.append(f"<{tag} {name}={value!r}>")


def assert_inert(html: str, where: str) -> None:
    checker = Inertness()
    checker.feed(html)
    checker.close()
    assert checker.problems == [], where


def _publish_hostile_documents(seeded, as_role) -> list[tuple[int, str]]:
    reviewer = as_role("reviewer")
    made = []
    for number, payload in enumerate(PAYLOADS, start=1):
        fields = {key: f"{value} {payload}" for key, value in FORM.items()
                  if key in ("issuer", "place", "subject", "signer_title", "signer", "recipients",
                             "distribution", "body")}
        fields.update(symbol=f"{number}/KH-VKS", signing_authority=f"KT. VIỆN TRƯỞNG {payload}",
                      issuer_parent=payload, field=payload, body=f"## {payload}\n\n{payload}\n\n- {payload}\n")
        doc_id = create(reviewer, **fields)
        publish(reviewer, doc_id, payload)
        made.append((doc_id, f"{number}-kh-vks-2026"))
    return made


@pytest.fixture
def hostile(seeded, as_role):
    return _publish_hostile_documents(seeded, as_role)


def test_there_are_at_least_thirty_payloads():
    assert len(set(PAYLOADS)) >= 30


def test_hostile_documents_render_inert_on_every_public_page(hostile, client):
    assert client.get(f"/van-ban/{hostile[0][1]}").status_code == 200
    pages = ["/", "/van-ban", "/van-ban?trang=2", "/tim-kiem?q=ke hoach vks", "/tim-kiem?q=alert",
             "/tim-kiem?q=<script>alert(1)</script>", "/so-do-trang"]
    for _doc_id, slug in hostile:
        pages += [f"/van-ban/{slug}", f"/van-ban/{slug}/in"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.get_data(as_text=True), url)
    feed = ET.fromstring(client.get("/rss.xml").data)
    for item in feed.iter("item"):
        for child in item:
            assert_inert(child.text or "", "rss.xml")


def test_hostile_documents_render_inert_in_the_admin_area(hostile, as_role):
    reviewer = as_role("reviewer")
    pages = ["/quan-tri/", "/quan-tri/van-ban", "/quan-tri/cho-duyet"]
    for doc_id, _slug in hostile[:12]:
        pages += [f"/quan-tri/van-ban/{doc_id}", f"/quan-tri/van-ban/{doc_id}/sua",
                  f"/quan-tri/van-ban/{doc_id}/phien-ban", f"/quan-tri/van-ban/{doc_id}/xoa"]
    for url in pages:
        response = reviewer.get(url)
        assert response.status_code == 200, url
        assert_inert(response.get_data(as_text=True), url)
    for payload in PAYLOADS:
        html = reviewer.post("/quan-tri/xem-truoc", {"body": payload}).get_json()["html"]
        assert_inert(html, f"preview of {payload!r}")


def test_hostile_award_lists_and_requests_render_inert(seeded, as_role, client):
    reviewer = as_role("reviewer")
    doc_id = create(reviewer, symbol="45/QĐ-VKS", type="quyet-dinh", subject="Khen thưởng",
                    award_form="bang-khen-chu-tich-ubnd-tinh", reason=PAYLOADS[0])
    rows = ["STT,Đối tượng,Họ tên,Chức vụ,Đơn vị,Thôn,Xã,Thành tích"]
    # A NUL byte makes the file binary: the upload is refused before any row is read (tested elsewhere).
    for number, payload in enumerate([p for p in PAYLOADS if "\x00" not in p], start=1):
        quoted = '"' + payload.replace('"', '""') + '"'
        rows.append(f"{number},Cá nhân,{quoted},{quoted},{quoted},{quoted},{quoted},{quoted}")
    data = ("\n".join(rows) + "\n").encode()
    report = reviewer.post(f"/quan-tri/van-ban/{doc_id}/danh-sach",
                           {"file": (io.BytesIO(data), "ds.csv")}, content_type="multipart/form-data")
    html = report.get_data(as_text=True)
    assert report.status_code == 200, html[html.find("<main"):][:1500]
    assert_inert(html, "award list report")
    token = html.split("/danh-sach/")[1].split('"')[0]
    reviewer.post(f"/quan-tri/van-ban/{doc_id}/danh-sach/{token}", {"action": "confirm"})
    publish(reviewer, doc_id)
    pages = ["/vinh-danh", "/vinh-danh?q=alert", "/vinh-danh/thong-ke", "/vinh-danh/quyet-dinh/45-qd-vks-2026",
             "/tim-kiem?q=alert"]
    roll = client.get("/vinh-danh").get_data(as_text=True)
    award_ids = sorted(set(re.findall(r"/vinh-danh/khen-thuong/(\d+)", roll)))
    pages += [f"/vinh-danh/khen-thuong/{i}" for i in award_ids[:10]]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.get_data(as_text=True), url)
    page = client.get(f"/vinh-danh/khen-thuong/{award_ids[0]}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    for payload in PAYLOADS[:10]:
        client.post(f"/vinh-danh/khen-thuong/{award_ids[0]}/yeu-cau", data={
            "csrf_token": token, "loai": "correct", "noi-dung": payload, "lien-he": payload})
    assert_inert(reviewer.get("/quan-tri/yeu-cau").get_data(as_text=True), "request queue")
    assert_inert(as_role("admin").get("/quan-tri/nhat-ky").get_data(as_text=True), "audit log")


def test_the_checker_itself_catches_live_script():
    for bad in ('<img src=x onerror="alert(1)">', "<script>alert(1)</script>", '<a href=" javascript:x">',
                '<p style="x">', "<iframe></iframe>", '<a href="&#106;avascript:alert(1)">'):
        checker = Inertness()
        checker.feed(bad)
        assert checker.problems, bad
