"""Text of attachments for search, with bounded work: PDF through pypdf, DOCX read as a stream.

An original can be small on disk and huge inside (a .docx of 200,000 paragraphs, a PDF of
thousands of pages). Extraction stops at `LIMITS` (pages, paragraphs, bytes of text); the file
is kept and its text status says that only part of it is searchable.
"""
from __future__ import annotations

import logging
import unicodedata
import zipfile
from pathlib import Path

log = logging.getLogger(__name__)

# Measured on this machine (README, "Limits"): each bound keeps extraction under a second.
LIMITS = {"pdf_pages": 300, "docx_paragraphs": 20_000, "docx_xml_bytes": 60 << 20, "text_bytes": 2 << 20}

# text_status values: ok, partial, no-text (a scan without a text layer), unreadable, unsupported
STATUS_LABELS = {
    "ok": "Đã trích văn bản",
    "partial": "Tệp quá lớn: chỉ phần đầu được đưa vào tìm kiếm",
    "no-text": "PDF không có lớp chữ (bản quét): không tìm kiếm được nội dung",
    "unreadable": "Không đọc được nội dung tệp",
    "unsupported": "Định dạng không trích được nội dung",
}


class _Text:
    """Collected text that refuses to grow past the byte limit."""

    def __init__(self):
        self.parts: list[str] = []
        self.size = 0
        self.truncated = False

    def add(self, text: str) -> bool:
        """Keep `text`; False once the limit is reached (stop reading)."""
        if self.size >= LIMITS["text_bytes"]:
            self.truncated = True
            return False
        self.parts.append(text)
        self.size += len(text.encode("utf-8", "replace"))
        return True


def _pdf(path: Path, out: _Text) -> None:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    for number, page in enumerate(reader.pages):
        if number >= LIMITS["pdf_pages"]:
            out.truncated = True
            return
        if not out.add(page.extract_text() or ""):
            return


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx(path: Path, out: _Text) -> None:
    """Paragraph text (tables included) streamed from word/document.xml, never a whole tree."""
    from lxml import etree

    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("word/document.xml")
        if info.file_size > LIMITS["docx_xml_bytes"]:
            out.truncated = True
        with archive.open(info) as stream:
            _docx_paragraphs(etree.iterparse(stream, events=("end",), tag=(f"{_W}p",), huge_tree=False), out)


def _docx_paragraphs(events, out: _Text) -> None:
    read = 0
    for _event, element in events:
        read += 1
        if read > LIMITS["docx_paragraphs"]:
            out.truncated = True
            return
        if not out.add("".join(node.text or "" for node in element.iter(f"{_W}t"))):
            return
        element.clear(keep_tail=False)  # read: free it and everything before it
        parent = element.getparent()
        while parent is not None and element.getprevious() is not None:
            del parent[0]


def extract_text(path: Path, mime_type: str) -> tuple[str, str]:
    """(text, status) of a stored file; never raises on a broken file."""
    readers = {"application/pdf": _pdf,
               "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _docx}
    reader = readers.get(mime_type)
    if reader is None:
        return "", "unsupported"
    out = _Text()
    try:
        reader(path, out)
    except Exception as exc:  # noqa: BLE001 (any parser failure means "unreadable", not a crash)
        log.warning("cannot read %s: %s", path, exc)
        return "", "unreadable"
    text = unicodedata.normalize("NFC", " ".join(" ".join(out.parts).split()))
    text = text.encode("utf-8")[:LIMITS["text_bytes"]].decode("utf-8", "ignore")
    if out.truncated:
        return text, "partial"
    if not text:
        return "", "no-text" if mime_type == "application/pdf" else "ok"
    return text, "ok"


def inspect_original(path: Path, mime_type: str) -> tuple[str, str, list[dict]]:
    """(text, status, signatures) of an original: its text for search, and for a PDF the
    digital signatures it carries (domain/files/signatures.py)."""
    from portal.domain.files import signatures
    text, status = extract_text(path, mime_type)
    return text, status, signatures.check(path) if mime_type == "application/pdf" else []
