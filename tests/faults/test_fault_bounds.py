"""Rows 2 and 3: no input an editor or a visitor controls makes a worker run past 5 seconds or
use more than 256 MB. Each case runs in a fresh process that reports its time and peak memory."""
import json
import subprocess
import sys
import textwrap
import time

import pytest

from portal.config import PROJECT_ROOT
from tests.faults import hostile_files
from tests.web.admin.conftest import create

SECONDS, MEGABYTES = 5.0, 256


def measure(code: str, *args: str) -> dict:
    """Run `code` (which sets `result`) in a new interpreter; its seconds, peak MB and result."""
    script = textwrap.dedent("""
        import json, re, sys, time
        start = time.perf_counter()
    """) + textwrap.dedent(code) + textwrap.dedent("""
        seconds = time.perf_counter() - start
        # VmHWM is this program's own peak: ru_maxrss would keep the size of the (forked) test
        # process this one was started from.
        with open("/proc/self/status") as status:
            peak = int(re.search(r"VmHWM:\\s+(\\d+)", status.read()).group(1)) / 1024
        print(json.dumps({"seconds": seconds, "peak_mb": peak, "result": result}, ensure_ascii=False))
    """)
    done = subprocess.run([sys.executable, "-c", script, *args], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def within_bounds(report: dict) -> None:
    assert report["seconds"] < SECONDS, report
    assert report["peak_mb"] < MEGABYTES, report


RENDER = """
from portal.domain.documents.markdown import render
unit, times = sys.argv[1], int(sys.argv[2])
if unit == "nested":  # a list nested `times` levels deep
    text = "".join("    " * level + "- mục\\n" for level in range(times))
else:
    text = unit * times
result = len(render(text))
"""


@pytest.mark.parametrize("unit,times", [("`", 10_000), ("[", 10_000), ("![", 50_000), ("-\n", 100_000),
                                        ("<a ", 50_000), ("&#96;", 50_000), ("- ", 5_000)])
def test_row2_markdown_takes_linear_time(unit, times):
    within_bounds(measure(RENDER, unit, str(times)))


def test_row2_deep_nesting_renders_without_recursion_error():
    report = measure(RENDER, "nested", "400")
    within_bounds(report)
    assert report["result"] > 0


def test_row2_the_preview_answers_within_bounds(app, as_role):
    editor = as_role("editor")
    for body in ("`" * 2500, "x " + "`" * 2500, "[" * 10_000, "a` " * 5000):
        start = time.monotonic()
        response = editor.post("/quan-tri/xem-truoc", {"body": body})
        assert response.status_code == 200 and response.get_json()["html"]
        assert time.monotonic() - start < SECONDS


def test_row2_content_load_names_the_file_of_an_overlong_body(app, write_doc):
    from portal.domain.documents.markdown import MAX_CHARS
    path = write_doc("dai.md", """
        symbol: 55/TB-VKS
        type: TB
        issuer: Viện kiểm sát nhân dân tỉnh Lạng Sơn
        place: Lạng Sơn
        issued_on: 2024-05-02
        subject: Thông báo rất dài
    """, "a " * (MAX_CHARS // 2 + 10))
    result = app.test_cli_runner().invoke(args=["content", "load", str(path)])
    assert result.exit_code == 1 and "dai.md: body:" in result.output and "vượt giới hạn" in result.output
    assert "Traceback" not in result.output


def test_row2_content_load_of_deep_nesting_loads(app, write_doc, client):
    nested = "".join("    " * level + "- mục\n" for level in range(400))
    path = write_doc("long.md", """
        symbol: 56/TB-VKS
        type: TB
        issuer: Viện kiểm sát nhân dân tỉnh Lạng Sơn
        place: Lạng Sơn
        issued_on: 2024-05-02
        subject: Thông báo lồng nhau
    """, nested)
    result = app.test_cli_runner().invoke(args=["content", "load", str(path)])
    assert result.exit_code == 0, result.output
    assert client.get("/van-ban/56-tb-vks-2024").status_code == 200


PARSE = """
from pathlib import Path
from portal.domain.honors.award_lists import parse_list
found = parse_list(Path(sys.argv[1]))
result = {"rows": len(found.rows), "errors": found.errors[:3]}
"""


def test_row3_one_huge_cell(tmp_path):
    path = hostile_files.xlsx_one_huge_cell(tmp_path / "o-lon.xlsx", 300)
    assert path.stat().st_size < 2 << 20
    report = measure(PARSE, str(path))
    within_bounds(report)
    (error,) = report["result"]["errors"]
    assert "quá lớn khi giải nén" in error and len(error) < 300


def test_row3_a_cell_over_the_limit_is_quoted_briefly(tmp_path):
    path = hostile_files.xlsx_one_huge_cell(tmp_path / "o-dai.xlsx", 1)
    report = measure(PARSE, str(path))
    within_bounds(report)
    (error,) = report["result"]["errors"]
    assert "ô dài quá" in error and len(error) < 300 and error.count("A") <= 101


@pytest.mark.parametrize("empty", [False, True], ids=["rows", "empty-rows"])
def test_row3_a_million_rows_stop_at_the_limit(tmp_path, empty):
    path = hostile_files.xlsx_rows(tmp_path / "dong.xlsx", 1_000_000, empty=empty)
    assert path.stat().st_size < 10 << 20  # under the upload limit
    report = measure(PARSE, str(path))
    within_bounds(report)
    assert report["result"]["rows"] == 0 and "hơn 20000 dòng" in report["result"]["errors"][0]


EXTRACT = """
from pathlib import Path
from portal.domain.files.extract import extract_text
text, status = extract_text(Path(sys.argv[1]), sys.argv[2])
result = {"status": status, "bytes": len(text.encode())}
"""
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_row3_a_docx_of_200000_paragraphs_is_read_in_part(tmp_path):
    path = hostile_files.docx_paragraphs(tmp_path / "dai.docx", 200_000)
    assert path.stat().st_size < 2 << 20
    report = measure(EXTRACT, str(path), DOCX)
    within_bounds(report)
    assert report["result"]["status"] == "partial" and report["result"]["bytes"] <= 2 << 20


def test_row3_a_partly_read_original_is_stored_and_flagged(app, as_role, tmp_path):
    from tests.web.admin.test_uploads import upload
    editor = as_role("editor")
    doc_id = create(editor)
    data = hostile_files.docx_paragraphs(tmp_path / "dai.docx", 30_000).read_bytes()
    response = upload(editor, doc_id, data, "bao-cao.docx")
    assert response.status_code == 302
    page = editor.get(f"/quan-tri/van-ban/{doc_id}").get_data(as_text=True)
    assert "chỉ phần đầu được đưa vào tìm kiếm" in page
