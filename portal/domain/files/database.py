"""Files kept in the shared database (`FILE_STORAGE=database`), so that any node serves any file.

A file is a row of `stored_files` and its content 1 MB chunks in `stored_file_chunks`, written in
a transaction of their own (as a file on disk would be, before the row that names it) and read
back one chunk at a time: a 20 MB original never sits whole in a worker's memory.
"""
from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import DateTime, ForeignKeyConstraint, Integer, LargeBinary, String, delete, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from portal.domain.files.storage import FILES, FileMissing, Storage, Stored, check_name
from portal.domain.kernel.models_base import as_utc, utcnow
from portal.extensions import db

CHUNK_BYTES = 1 << 20


class StoredFile(db.Model):
    __tablename__ = "stored_files"
    __private_state__ = True

    area: Mapped[str] = mapped_column(String(10), primary_key=True)
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StoredChunk(db.Model):
    __tablename__ = "stored_file_chunks"
    __private_state__ = True
    __table_args__ = (ForeignKeyConstraint(["area", "name"], ["stored_files.area", "stored_files.name"],
                                           ondelete="CASCADE"),)

    area: Mapped[str] = mapped_column(String(10), primary_key=True)
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class _ChunkReader(io.RawIOBase):
    """Reads a stored file chunk by chunk, each in a short query of its own."""

    def __init__(self, area: str, name: str, size: int):
        self.area, self.name, self.size = area, name, size
        self.engine = db.engine  # the response is read after the request's app context ends
        self.seq, self.buffer = 0, b""

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        if not self.buffer:
            with self.engine.connect() as connection:
                self.buffer = connection.scalar(select(StoredChunk.data).where(
                    StoredChunk.area == self.area, StoredChunk.name == self.name,
                    StoredChunk.seq == self.seq)) or b""
            self.seq += 1
            if not self.buffer:
                return 0
        count = min(len(target), len(self.buffer))
        target[:count] = self.buffer[:count]
        self.buffer = self.buffer[count:]
        return count


class DatabaseStorage(Storage):
    """Files in the portal's database, shared by every node."""

    def _put(self, name: str, area: str, source: Path, stored: Stored) -> None:
        with db.engine.begin() as connection, open(source, "rb") as handle:
            connection.execute(insert(StoredFile).values(area=area, name=name, size=stored.size,
                                                         sha256=stored.sha256, created_at=utcnow()))
            seq = 0
            while chunk := handle.read(CHUNK_BYTES):
                connection.execute(insert(StoredChunk).values(area=area, name=name, seq=seq, data=chunk))
                seq += 1

    def _row(self, name: str, area: str):
        with db.engine.connect() as connection:
            return connection.execute(select(StoredFile.size).where(
                StoredFile.area == area, StoredFile.name == check_name(name))).first()

    def open(self, name: str, area: str = FILES) -> BinaryIO:
        row = self._row(name, area)
        if row is None:
            raise FileMissing(name)
        return io.BufferedReader(_ChunkReader(area, name, row.size), CHUNK_BYTES)

    def exists(self, name: str, area: str = FILES) -> bool:
        return self._row(name, area) is not None

    def delete(self, name: str, area: str = FILES) -> None:
        with db.engine.begin() as connection:
            for model in (StoredChunk, StoredFile):
                connection.execute(delete(model).where(model.area == area, model.name == check_name(name)))

    def names(self, area: str = FILES) -> list[str]:
        with db.engine.connect() as connection:
            return list(connection.scalars(select(StoredFile.name).where(StoredFile.area == area)
                                           .order_by(StoredFile.name)))

    def stored_at(self, name: str, area: str = FILES) -> float:
        with db.engine.connect() as connection:
            created = connection.scalar(select(StoredFile.created_at).where(
                StoredFile.area == area, StoredFile.name == check_name(name)))
        if created is None:
            raise FileMissing(name)
        return as_utc(created).timestamp()

    def expire(self, area: str, older_than: float) -> None:
        limit = datetime.fromtimestamp(older_than, UTC)
        with db.engine.connect() as connection:
            old = list(connection.scalars(select(StoredFile.name).where(
                StoredFile.area == area, StoredFile.created_at < limit)))
        for name in old:
            self.delete(name, area)


def verify(storage: Storage, name: str, sha256: str) -> bool:
    """Whether a stored file's content has the expected sha256 (read as a stream)."""
    digest = hashlib.sha256()
    with storage.open(name) as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest() == sha256

