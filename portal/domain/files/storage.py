"""Attachment store: random names, sha256, size and type checked from the content; a folder or the database."""
from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import tempfile
import unicodedata
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO

from portal.errors import ValidationFailed

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
FILES, STAGING = "files", "staging"
_NAME = re.compile(r"[0-9a-f]{32}(\.[a-z]{3,4})?")


class FileMissing(ValidationFailed):
    """No stored file by that name (a 404 where a visitor asked for it)."""

    status = 404


def check_name(name: str) -> str:
    """A stored name is a random token (with an extension for staged lists), nothing else."""
    if not _NAME.fullmatch(name or ""):
        raise ValidationFailed("Tên lưu trữ không hợp lệ.")
    return name


@dataclass(frozen=True)
class Stored:
    stored_name: str
    filename: str
    sha256: str
    size: int
    mime_type: str
    inspected: Any = None


NAME_LIMIT = 200


def clean_filename(name: str) -> str:
    """Keep the Vietnamese name a person gave, without any path or control characters."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").split("/")[-1]
    name = "".join(c for c in name if c.isprintable() and c not in '<>:"|?*').strip(" .")
    if not name or "." not in name:
        raise ValidationFailed(f"Tên tệp «{name[:100]}» không hợp lệ.")
    stem, ext = os.path.splitext(name)
    if len(ext) > 10 or not stem:
        raise ValidationFailed(f"Tên tệp «{name[:100]}» không hợp lệ.")
    # Shortened by its stem: the extension the type is checked on is the one stored.
    return stem[:NAME_LIMIT - len(ext)].rstrip(" .") + ext


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


class Storage(ABC):
    """Where originals and staged lists live, behind open / save / delete.

    `save` copies a stream in chunks into a scratch file (refused past the size limit or when
    its type lies), lets the caller `inspect` it there (text extraction, list checks), then
    hands it to the backend: a folder (FolderStorage, the default) or the shared database
    (DatabaseStorage, `FILE_STORAGE=database`). Names are random tokens; staged award lists keep
    their extension (`<token>.csv`) in a separate area.
    """

    def __init__(self, max_bytes: int, scratch: str | Path | None = None):
        self.max_bytes = max_bytes
        self.scratch = Path(scratch) if scratch else None

    # -- backend -----------------------------------------------------------------------------
    @abstractmethod
    def _put(self, name: str, area: str, source: Path, stored: Stored) -> None:
        """Keep the checked file at `source` under `name`."""

    @abstractmethod
    def open(self, name: str, area: str = FILES) -> BinaryIO:
        """A readable binary stream (FileMissing when there is no such file)."""

    @abstractmethod
    def delete(self, name: str, area: str = FILES) -> None:
        """Remove a file (nothing happens when there is none)."""

    @abstractmethod
    def exists(self, name: str, area: str = FILES) -> bool:
        """Whether a file is stored under `name`."""

    @abstractmethod
    def names(self, area: str = FILES) -> list[str]:
        """Every stored name of an area, sorted."""

    @abstractmethod
    def expire(self, area: str, older_than: float) -> None:
        """Remove files of an area stored before `older_than` (a Unix time)."""

    @abstractmethod
    def stored_at(self, name: str, area: str = FILES) -> float:
        """When a file was stored (a Unix time)."""

    def local_path(self, name: str, area: str = FILES) -> Path | None:
        """A path on this machine when the backend has one (lets downloads use sendfile)."""
        return None

    def put_as(self, name: str, source: Path, sha256: str) -> None:
        """Store a file under the name it already has elsewhere (moving between stores)."""
        self.delete(check_name(name))
        self._put(name, FILES, source, Stored(name, name, sha256, source.stat().st_size, ""))

    # -- shared ------------------------------------------------------------------------------
    @contextmanager
    def local(self, name: str, area: str = FILES):
        """A path to the file's content on this machine, for parsers that need one."""
        path = self.local_path(name, area)
        if path is not None:
            if not path.is_file():
                raise FileMissing(name)
            yield path
            return
        suffix = os.path.splitext(name)[1]
        with tempfile.NamedTemporaryFile(suffix=suffix, dir=self.scratch) as copy, self.open(name, area) as source:
            shutil.copyfileobj(source, copy, CHUNK)
            copy.flush()
            yield Path(copy.name)

    def save(self, stream: BinaryIO, filename: str, area: str = FILES,
             inspect: Callable[[Path, str], object] | None = None) -> Stored:
        """Copy a stream in chunks, refusing it past the size limit or when its type lies;
        `inspect(path, mime_type)` runs on the checked copy and its result is `Stored.inspected`."""
        filename = clean_filename(filename)
        ext = os.path.splitext(filename)[1].lower()
        if ext not in MIME_BY_EXT:
            raise ValidationFailed(
                f"Tệp «{filename}»: chỉ nhận PDF, DOCX, DOC, ODT, XLSX hoặc CSV.")
        token = secrets.token_hex(16)
        name = token if area == FILES else f"{token}{ext}"
        if self.scratch is not None:
            self.scratch.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(suffix=ext, dir=self.scratch) as tmp:
            digest, size = hashlib.sha256(), 0
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > self.max_bytes:
                    raise ValidationFailed(
                        f"Tệp «{filename}» vượt quá dung lượng cho phép "
                        f"({self.max_bytes // (1024 * 1024)} MB).")
                digest.update(chunk)
                tmp.write(chunk)
            tmp.flush()
            if size == 0:
                raise ValidationFailed(f"Tệp «{filename}» rỗng.")
            path = Path(tmp.name)
            if not sniff(path, ext):
                raise ValidationFailed(
                    f"Nội dung tệp «{filename}» không đúng định dạng {ext[1:].upper()}.")
            stored = Stored(name, filename, digest.hexdigest(), size, MIME_BY_EXT[ext])
            if inspect is not None:
                stored = replace(stored, inspected=inspect(path, stored.mime_type))
            self._put(name, area, path, stored)
        return stored


class FolderStorage(Storage):
    """Files under one folder of this machine (the embedded default)."""

    def __init__(self, root: str | Path, max_bytes: int):
        self.root = Path(root)
        super().__init__(max_bytes, self.root / "tmp")

    def path(self, name: str, area: str = FILES) -> Path:
        check_name(name)
        if area == STAGING:
            return self.root / "staging" / name
        return self.root / name[:2] / name

    def local_path(self, name: str, area: str = FILES) -> Path:
        return self.path(name, area)

    def _put(self, name: str, area: str, source: Path, stored: Stored) -> None:
        target = self.path(name, area)
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_suffix(".part")
        shutil.copyfile(source, part)
        os.replace(part, target)

    def open(self, name: str, area: str = FILES) -> BinaryIO:
        try:
            return open(self.path(name, area), "rb")  # noqa: SIM115 (the caller closes it)
        except FileNotFoundError:
            raise FileMissing(name) from None

    def delete(self, name: str, area: str = FILES) -> None:
        self.path(name, area).unlink(missing_ok=True)

    def exists(self, name: str, area: str = FILES) -> bool:
        return self.path(name, area).is_file()

    def names(self, area: str = FILES) -> list[str]:
        if area == STAGING:
            folder = self.root / "staging"
            return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
        return sorted(p.name for p in self.root.glob("??/*") if p.is_file() and _NAME.fullmatch(p.name))

    def stored_at(self, name: str, area: str = FILES) -> float:
        return self.path(name, area).stat().st_mtime

    def expire(self, area: str, older_than: float) -> None:
        for name in self.names(area):
            path = self.path(name, area)
            if path.stat().st_mtime < older_than:
                path.unlink(missing_ok=True)
