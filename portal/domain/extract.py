"""Text of attachments for search: PDF through pypdf, DOCX through python-docx."""
from __future__ import annotations

import logging
import unicodedata
from pathlib import Path

log = logging.getLogger(__name__)

# text_status values: ok, no-text (a scan without a text layer), unreadable, unsupported
STATUS_LABELS = {
    "ok": "Đã trích văn bản",
    "no-text": "PDF không có lớp chữ (bản quét): không tìm kiếm được nội dung",
    "unreadable": "Không đọc được nội dung tệp",
    "unsupported": "Định dạng không trích được nội dung",
}


def _pdf(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    return "\n".join((page.extract_text() or "") for page in reader.pages)


def _docx(path: Path) -> str:
    import docx

    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def extract_text(path: Path, mime_type: str) -> tuple[str, str]:
    """(text, status) of a stored file; never raises on a broken file."""
    readers = {"application/pdf": _pdf,
               "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _docx}
    reader = readers.get(mime_type)
    if reader is None:
        return "", "unsupported"
    try:
        text = reader(path)
    except Exception as exc:  # noqa: BLE001 (any parser failure means "unreadable", not a crash)
        log.warning("cannot read %s: %s", path, exc)
        return "", "unreadable"
    text = unicodedata.normalize("NFC", " ".join(text.split()))
    if not text:
        return "", "no-text" if mime_type == "application/pdf" else "ok"
    return text, "ok"
