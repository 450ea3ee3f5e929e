"""Attachment store: random names on disk, sha256, size and type checked from the content."""
from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..errors import ValidationFailed

# Extension -> (MIME type, check of the first bytes / the container).
MIME_BY_EXT = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".doc": "application/msword",
    ".csv": "text/csv",
}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MARKER = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}
CHUNK = 1 << 16


@dataclass(frozen=True)
class Stored:
    stored_name: str
    filename: str
    sha256: str
    size: int
    mime_type: str


def clean_filename(name: str) -> str:
    """Keep the Vietnamese name a person gave, without any path or control characters."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").split("/")[-1]
    name = "".join(c for c in name if c.isprintable() and c not in '<>:"|?*').strip(" .")
    if not name or "." not in name:
        raise ValidationFailed(f"Tên tệp «{name}» không hợp lệ.")
    return name[:200]


def sniff(path: Path, ext: str) -> bool:
    """Whether the file's content is what its extension claims."""
    with open(path, "rb") as handle:
        head = handle.read(8)
    if ext == ".pdf":
        return head.startswith(b"%PDF-")
    if ext == ".doc":
        return head == _OLE
    if ext == ".csv":
        with open(path, "rb") as handle:
            sample = handle.read(CHUNK)
        return b"\x00" not in sample and not head.startswith((b"MZ", b"\x7fELF", b"PK"))
    if ext in (".docx", ".xlsx", ".odt"):
        if not zipfile.is_zipfile(path):
            return False
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if ext == ".odt":
                return "mimetype" in names and archive.read("mimetype").startswith(
                    b"application/vnd.oasis.opendocument.text")
            return _ZIP_MARKER[ext] in names
    return False


class Storage:
    """Files under one folder, each named by a random token."""

    def __init__(self, root: str | Path, max_bytes: int):
        self.root = Path(root)
        self.max_bytes = max_bytes

    def path(self, stored_name: str) -> Path:
        if not stored_name.isalnum():
            raise ValidationFailed("Tên lưu trữ không hợp lệ.")
        return self.root / stored_name[:2] / stored_name

    def save(self, stream: BinaryIO, filename: str) -> Stored:
        """Copy a stream in chunks, refusing it past the size limit or when its type lies."""
        filename = clean_filename(filename)
        ext = os.path.splitext(filename)[1].lower()
        if ext not in MIME_BY_EXT:
            raise ValidationFailed(
                f"Tệp «{filename}»: chỉ nhận PDF, DOCX, DOC, ODT, XLSX hoặc CSV.")
        token = secrets.token_hex(16)
        target = self.path(token)
        target.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        tmp = target.with_suffix(".part")
        try:
            with open(tmp, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise ValidationFailed(
                            f"Tệp «{filename}» vượt quá dung lượng cho phép "
                            f"({self.max_bytes // (1024 * 1024)} MB).")
                    digest.update(chunk)
                    out.write(chunk)
            if size == 0:
                raise ValidationFailed(f"Tệp «{filename}» rỗng.")
            if not sniff(tmp, ext):
                raise ValidationFailed(
                    f"Nội dung tệp «{filename}» không đúng định dạng {ext[1:].upper()}.")
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        return Stored(token, filename, digest.hexdigest(), size, MIME_BY_EXT[ext])

    def delete(self, stored_name: str) -> None:
        self.path(stored_name).unlink(missing_ok=True)
