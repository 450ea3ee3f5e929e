"""Only published content is ever found; changes show at once; the index heals itself."""
import io
import os
import subprocess
import sys
import textwrap

import docx
import pytest
from pypdf import PdfWriter

from portal import create_app
from portal.config import PROJECT_ROOT
from portal.domain.documents import models as docs
from portal.domain.documents.models import Attachment
from portal.extensions import db
from portal.search.whoosh.indexer import index_at
from tests.conftest import load
from tests.pdfs import blank_pdf

FRONT = """
symbol: 55/TB-VKS
type: TB
issuer: Viện kiểm sát nhân dân tỉnh Lạng Sơn
place: Lạng Sơn
issued_on: 2024-05-02
subject: Thông báo kỳ lân hiếm gặp
"""


@pytest.fixture
def restarted():
    """Factory: a second app on the same data, as a newly started worker; closed afterwards."""
    apps = []

    def start(app):
        apps.append(create_app({**app.config, "INSTANCE_PATH": app.instance_path, "SEARCH_CHECK_ON_START": True}))
        return apps[-1]

    yield start
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def found(client, text):
    data = client.get("/api/v1/search", query_string={"q": text, "per_page": 100}).get_json()
    return [r["url"].rsplit("/", 1)[1] for r in data["results"]]


@pytest.mark.parametrize("status", ["draft", "pending", "retracted"])
def test_unpublished_documents_are_never_found(app, client, write_doc, status):
    load(app, write_doc("x.md", FRONT + f"status: {status}\n", "Nội dung bí mật ngựa vằn.\n"))
    assert found(client, "ky lan") == []
    assert found(client, "ngựa vằn") == []
    assert found(client, "55/TB-VKS") == []


def test_publish_edit_retract_and_delete_show_in_search_at_once(app, client, write_doc):
    path = write_doc("x.md", FRONT + "status: draft\n", "Nội dung ngựa vằn.\n")
    load(app, path)
    assert found(client, "ky lan") == []
    path.write_text(path.read_text(encoding="utf-8").replace("status: draft", "status: published"), encoding="utf-8")
    load(app, path)
    assert found(client, "ky lan") == ["55-tb-vks-2024"]
    path.write_text(path.read_text(encoding="utf-8").replace("ngựa vằn", "hươu cao cổ"), encoding="utf-8")
    load(app, path)
    assert found(client, "ngua van") == [] and found(client, "huou cao co") == ["55-tb-vks-2024"]
    path.write_text(path.read_text(encoding="utf-8").replace("status: published", "status: retracted"),
                    encoding="utf-8")
    load(app, path)
    assert found(client, "huou cao co") == []
    path.write_text(path.read_text(encoding="utf-8").replace("status: retracted", "status: published"),
                    encoding="utf-8")
    load(app, path)
    assert found(client, "huou cao co") == ["55-tb-vks-2024"]
    with app.app_context():
        db.session.delete(docs.by_slug("55-tb-vks-2024"))
        db.session.commit()
    assert found(client, "huou cao co") == []


def _pdf_with_text(text: str) -> bytes:
    """A one-page PDF whose text layer says `text` (Helvetica, ASCII)."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=300, height=200)
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
        {NameObject("/F1"): writer._add_object(font)})})
    stream = DecodedStreamObject()
    stream.set_data(f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode())
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_attachment_text_is_searchable_and_scans_are_flagged(app, client, write_doc, tmp_path):
    folder = tmp_path / "extra"
    folder.mkdir()
    (folder / "phu-luc.pdf").write_bytes(_pdf_with_text("bang tong hop ho gia dinh hien dat"))
    word = docx.Document()
    word.add_paragraph("Danh sách đề nghị tặng Bằng khen tuần lộc")
    word.save(folder / "danh-sach.docx")
    (folder / "ban-quet.pdf").write_bytes(blank_pdf(300, 200))
    load(app, write_doc("x.md", FRONT + "attachments: [phu-luc.pdf, danh-sach.docx, ban-quet.pdf]\n",
                        "Thân văn bản.\n"))
    assert found(client, "ho gia dinh hien dat") == ["55-tb-vks-2024"]
    assert found(client, "tuần lộc") == ["55-tb-vks-2024"]
    with app.app_context():
        statuses = {a.filename: a.text_status for a in db.session.scalars(db.select(Attachment))}
    assert statuses == {"phu-luc.pdf": "ok", "danh-sach.docx": "ok", "ban-quet.pdf": "no-text"}


# Whoosh leaves the handle of a corrupt TOC file open when it fails to read it.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def _postgres(app) -> bool:
    return app.config["SEARCH_BACKEND"] == "postgresql"


def _lose_postgres_rows(app, how: str) -> None:
    from sqlalchemy import text
    with app.app_context():
        db.session.execute(text("DELETE FROM search_entries" if how == "rows" else "DROP TABLE search_entries"))
        db.session.commit()


def test_missing_or_corrupt_index_is_rebuilt_at_start_up(seeded, restarted):
    if _postgres(seeded):  # its rows lost
        _lose_postgres_rows(seeded, "rows")
        assert found(restarted(seeded).test_client(), "giai phong mat bang")[0] == "174-kh-ubnd-2022"
        return
    index_dir = seeded.config["SEARCH_INDEX_DIR"]
    for name in os.listdir(index_dir):
        path = os.path.join(index_dir, name)
        if name.endswith(".toc") or name.endswith(".seg"):
            with open(path, "wb") as handle:
                handle.write(b"garbage")
    index_at(index_dir).forget()  # this process forgets its open index, as a new worker would
    again = restarted(seeded)
    assert found(again.test_client(), "giai phong mat bang")[0] == "174-kh-ubnd-2022"


def test_rebuild_command_rebuilds_from_the_database(seeded):
    runner = seeded.test_cli_runner()
    result = runner.invoke(args=["search", "rebuild"])
    assert result.exit_code == 0 and "3 mục" in result.output
    assert found(seeded.test_client(), "174 kh ubnd")[0] == "174-kh-ubnd-2022"


WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from portal import create_app
    from portal.domain.content import loader as content
    from portal.services import storage
    folder, start = Path(sys.argv[1]), int(sys.argv[2])
    app = create_app()
    with app.app_context():
        for n in range(start, start + 25):
            path = folder / f"d{n}.md"
            path.write_text(
                "---\\nsymbol: %d/TB-VKS\\ntype: TB\\nissuer: Viện kiểm sát nhân dân tỉnh Lạng Sơn\\n"
                "place: Lạng Sơn\\nissued_on: 2024-01-01\\nsubject: Đồng thời mã%d\\n---\\nThân.\\n" % (n, n),
                encoding="utf-8")
            content.load(path, storage())
""")


def test_a_change_committed_after_a_later_one_is_not_skipped(app, client, write_doc):
    """Two editors save at once; the first to take a change number is the last to commit. The
    index replays what has committed in between, and must still find the first editor's text."""
    import threading
    import time

    from sqlalchemy.orm import Session

    from portal.domain.kernel import changes
    from portal.search import service

    for number in (61, 62):
        load(app, write_doc(f"d{number}.md", FRONT.replace("55/TB-VKS", f"{number}/TB-VKS") + "status: published\n"))
    numbered, release = threading.Event(), threading.Event()

    def editor(number: int, subject: str, pause: bool) -> None:
        with app.app_context(), Session(db.engine) as session:
            session.scalars(db.select(docs.Document).filter_by(number=number)).one().subject = subject
            session.info["pause"] = pause
            session.commit()

    def hold(session, keys):  # the first editor stops between taking its number and committing
        if session.info.get("pause"):
            numbered.set()
            release.wait(10)

    changes.recorded.connect(hold)
    try:
        first = threading.Thread(target=editor, args=(61, "Thông báo hải âu", True))
        first.start()
        assert numbered.wait(10)
        second = threading.Thread(target=editor, args=(62, "Thông báo sơn dương", False))
        second.start()
        time.sleep(1.0)
        with app.app_context():
            service.sync()  # replays whatever has committed by now
        release.set()
        first.join(30)
        second.join(30)
        with app.app_context():
            service.sync()
    finally:
        changes.recorded.disconnect(hold)
    assert found(client, "hải âu") == ["61-tb-vks-2024"]
    assert found(client, "sơn dương") == ["62-tb-vks-2024"]


@pytest.mark.slow
def test_concurrent_writer_processes_lose_no_update(app, tmp_path):
    env = {**os.environ, "INSTANCE_DIR": app.instance_path, "SECRET_KEY": "t",
           "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"].replace("postgresql+psycopg", "postgresql"),
           "SEARCH_INDEX_DIR": app.config["SEARCH_INDEX_DIR"], "UPLOAD_DIR": app.config["UPLOAD_DIR"],
           "PYTHONPATH": str(PROJECT_ROOT), "SCHEMA_CHECK": "0",  # tables made by the fixture, not migrations
           "SEARCH_BACKEND": app.config["SEARCH_BACKEND"]}
    procs = []
    for start in (1000, 2000, 3000):
        folder = tmp_path / f"w{start}"
        folder.mkdir()
        procs.append(subprocess.Popen([sys.executable, "-c", WRITER, str(folder), str(start)], env=env))
    assert [p.wait(timeout=300) for p in procs] == [0, 0, 0]
    client = app.test_client()
    data = client.get("/api/v1/search?q=dong+thoi&per_page=100").get_json()
    assert data["total"] == 75
    for start in (1000, 2000, 3000):
        assert found(client, f"mã{start + 24}") == [f"{start + 24}-tb-vks-2024"]


def test_missing_index_folder_is_rebuilt_at_start_up(seeded, restarted):
    if _postgres(seeded):  # its table dropped
        _lose_postgres_rows(seeded, "table")
        assert found(restarted(seeded).test_client(), "1033 vks vp") == ["1033-vks-vp-2022"]
        return
    import shutil
    shutil.rmtree(seeded.config["SEARCH_INDEX_DIR"])
    index_at(seeded.config["SEARCH_INDEX_DIR"]).forget()
    again = restarted(seeded)
    assert found(again.test_client(), "1033 vks vp") == ["1033-vks-vp-2022"]
