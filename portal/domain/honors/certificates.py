"""Certificates (Bằng khen, Giấy khen) as PDF: in the form's own design, or only the variable
fields placed on the office's pre-printed blank at positions it measured (millimetres, per form).

The web layer renders the HTML (templates/certificates/); this module turns it into PDF with
WeasyPrint, reading nothing but the portal's own fonts and data: URIs, keeps each PDF by the
digest of its HTML (a corrected decision renders other HTML, hence a new file), and makes a
decision's batch in chunks so that memory stays bounded whatever the list's length."""
from __future__ import annotations

import hashlib
import io
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import segno
from sqlalchemy import JSON, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.config import PROJECT_ROOT
from portal.domain.kernel.models_base import utcnow
from portal.errors import ValidationFailed
from portal.extensions import db

FONTS = PROJECT_ROOT / "static" / "fonts" / "certificate"
CHUNK = 40  # certificates rendered per WeasyPrint document in a batch


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    x: float  # mm from the left edge of an A4 landscape sheet, to the field's centre
    y: float  # mm from the top edge, to the text's baseline box top
    size: float  # points


# Where the variable fields fall on a blank when the office has measured nothing yet.
BLANK_FIELDS = (
    Field("name", "Họ tên / tên tập thể", 148.5, 92, 24),
    Field("detail", "Chức vụ, đơn vị / địa bàn", 148.5, 106, 14),
    Field("achievement", "Thành tích", 148.5, 118, 14),
    Field("place_date", "Địa danh, ngày tháng", 205, 150, 13),
    Field("decision", "Số quyết định", 62, 178, 11),
    Field("register_no", "Số vào sổ", 62, 185, 11),
    Field("code", "Mã xác minh và mã QR", 262, 170, 9),
)
LIMITS = {"x": (0.0, 297.0), "y": (0.0, 210.0), "size": (6.0, 48.0)}


class CertificateLayout(db.Model):
    """The office's measured field positions on its pre-printed blank of one form."""

    __tablename__ = "certificate_layouts"

    distinction: Mapped[str] = mapped_column(String(60), primary_key=True)
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str] = mapped_column(String(254), default="")


def layout_for(distinction: str) -> list[Field]:
    """The fields of a form's blank: the office's saved positions over the defaults."""
    saved = db.session.get(CertificateLayout, distinction)
    values = saved.fields if saved else {}
    return [Field(f.key, f.label, *(values.get(f.key) or (f.x, f.y, f.size))) for f in BLANK_FIELDS]


def save_layout(distinction: str, form: dict, who: str) -> list[Field]:
    """Positions typed in millimetres ("12,5" or "12.5"), each inside the sheet; all or none."""
    values, problems = {}, []
    for f in BLANK_FIELDS:
        triple = []
        for part, (low, high) in LIMITS.items():
            raw = str(form.get(f"{f.key}_{part}", "")).strip().replace(",", ".")
            try:
                number = float(raw)
            except ValueError:
                number = None
            if number is None or not low <= number <= high or number != number:
                problems.append(f"{f.label}, {_PART_LABELS[part]}: phải là số từ {low:g} đến {high:g}.")
            triple.append(number)
        values[f.key] = triple
    if problems:
        raise ValidationFailed("Chưa lưu vị trí các trường:", problems)
    row = db.session.get(CertificateLayout, distinction) or CertificateLayout(distinction=distinction)
    row.fields, row.updated_by = values, who[:254]
    db.session.add(row)
    return layout_for(distinction)


_PART_LABELS = {"x": "khoảng cách từ mép trái (mm)", "y": "khoảng cách từ mép trên (mm)", "size": "cỡ chữ (pt)"}


def printable(distinction: str) -> bool:
    """The forms whose certificate the portal prints: Bằng khen and Giấy khen (orders and
    medals, flags and titles come on the State's or the sector's own documents)."""
    return distinction.startswith(("bang-khen", "giay-khen"))


def conferrer(issuer: str) -> str:
    """Who signs the certificate, from the issuing body: the chairman of a People's Committee,
    the chief procurator of a procuracy, else the body itself (Thủ tướng Chính phủ)."""
    folded = issuer.strip()
    if folded.lower().startswith("ủy ban nhân dân"):
        return f"Chủ tịch {folded}"
    if folded.lower().startswith("viện kiểm sát"):
        return f"Viện trưởng {folded}"
    return folded


def qr_data_uri(url: str) -> str:
    """The verification address as a QR code (SVG data URI, medium error correction)."""
    return segno.make(url, error="m").svg_data_uri(scale=4, border=0)


def _fetcher():
    """WeasyPrint reads only the certificate fonts and data: URIs; anything else is refused, so
    no text on a certificate can make the server fetch a resource."""
    from weasyprint.urls import URLFetcher

    class OwnFilesOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("file://"):
                path = Path(url[len("file://"):].split("?")[0]).resolve()
                if path.parent != FONTS.resolve() or path.suffix != ".woff2":
                    raise ValueError(f"refused: {url[:80]}")
            elif not url.startswith("data:"):
                raise ValueError(f"refused: {url[:80]}")
            return super().fetch(url, headers)

    return OwnFilesOnly(allowed_protocols=("file", "data"), allow_redirects=False)


def to_pdf(html: str) -> bytes:
    from weasyprint import HTML
    return HTML(string=html, base_url=str(FONTS) + "/", url_fetcher=_fetcher()).write_pdf()


def _cache_dir(instance: Path) -> Path:
    folder = Path(instance) / "certificates"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def cached_pdf(html: str, instance: Path) -> Path:
    """The PDF of one certificate's HTML, made once per distinct HTML and kept."""
    path = _cache_dir(instance) / (hashlib.sha256(html.encode()).hexdigest() + ".pdf")
    if not path.exists():
        _write_atomically(path, [to_pdf(html)])
    return path


def batch_pdf(chunks: Iterable[str], digest: str, instance: Path) -> Path:
    """One PDF of many certificates: each chunk of HTML (CHUNK certificates) is rendered alone and
    its pages appended, so memory holds one chunk's layout at a time; kept under `digest`."""
    from pypdf import PdfReader, PdfWriter
    path = _cache_dir(instance) / f"batch-{digest}.pdf"
    if path.exists():
        return path
    writer = PdfWriter()
    for html in chunks:
        writer.append(PdfReader(io.BytesIO(to_pdf(html))))
    fd, temp = tempfile.mkstemp(dir=path.parent, suffix=".part")
    with os.fdopen(fd, "wb") as handle:
        writer.write(handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)
    return path


def chunked(items: list, size: int | None = None) -> Iterator[list]:
    size = size or CHUNK
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _write_atomically(path: Path, parts: list[bytes]) -> None:
    fd, temp = tempfile.mkstemp(dir=path.parent, suffix=".part")
    with os.fdopen(fd, "wb") as handle:
        for part in parts:
            handle.write(part)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)
