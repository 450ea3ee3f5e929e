"""Official documents (văn bản): parts, attachments and typed relations."""
from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Index, String, Text, UniqueConstraint, and_, false, or_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.campaigns.models import Campaign
from portal.domain.kernel import changes
from portal.domain.kernel.models_base import as_utc, created_column, updated_column, utcnow
from portal.domain.kernel.vocab import DOCUMENT_TYPES, RELATION_KINDS, SIGNING_AUTHORITIES, STATES
from portal.extensions import db


def subject_line(doc_type: str | None, subject: str) -> str:
    """`V/v …` for a công văn (added when missing, "v/v" and "V/V" normalized), else the subject."""
    subject = (subject or "").strip()
    if doc_type != "cong-van" or not subject:
        return subject
    bare = re.sub(r"^v\s*/\s*v\.?\s*", "", subject, flags=re.IGNORECASE)
    return f"V/v {bare}"


_HEADING_BODY = re.compile(
    r"^((?:Ủy|Uỷ) ban nhân dân|Hội đồng nhân dân|Viện kiểm sát nhân dân|Tòa án nhân dân|Toà án nhân dân)\s+"
    r"((?:tỉnh|thành phố|huyện|quận|thị xã|thị trấn|xã|phường|khu vực)\b.*)$", re.IGNORECASE)


def heading_lines(name: str | None) -> list[str]:
    """An issuing body as an official heading prints it, in capitals: a people's body breaks
    before its territory ("ỦY BAN NHÂN DÂN" / "TỈNH LẠNG SƠN"); other names stay on one line."""
    name = " ".join((name or "").split())
    if not name:
        return []
    match = _HEADING_BODY.match(name)
    parts = [match.group(1), match.group(2)] if match else [name]
    return [part.upper() for part in parts]


class Document(db.Model):
    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("symbol_key", "year", name="uq_documents_symbol_year"),
        Index("ix_documents_public_list", "status", "issued_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    symbol: Mapped[str] = mapped_column(String(80))
    symbol_key: Mapped[str] = mapped_column(String(80), index=True)
    number: Mapped[int]
    year: Mapped[int] = mapped_column(index=True)
    doc_type: Mapped[str] = mapped_column(String(40), index=True)
    issuer_code: Mapped[str] = mapped_column(String(40))
    unit_code: Mapped[str | None] = mapped_column(String(40))
    issuer: Mapped[str] = mapped_column(String(300), index=True)
    issuer_parent: Mapped[str | None] = mapped_column(String(300))
    place: Mapped[str] = mapped_column(String(100))
    issued_on: Mapped[date]
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    recipients: Mapped[list] = mapped_column(JSON, default=list)
    distribution: Mapped[list] = mapped_column(JSON, default=list)
    field: Mapped[str | None] = mapped_column(String(200))
    signing_authority: Mapped[str | None] = mapped_column(String(10))
    signing_authority_title: Mapped[str | None] = mapped_column(String(200))
    signer_title: Mapped[str | None] = mapped_column(String(200))
    signer: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    # Fictional sample data, marked as such on every page and hidden when DEMO_DATA=0.
    is_demo: Mapped[bool] = mapped_column(default=False, server_default=false())
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None]
    # Scheduled publication: public only between these instants (either may be empty).
    publish_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    publish_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # In the trash since; restored or purged later.
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_by: Mapped[str | None] = mapped_column(String(254))
    # Optimistic locking: every UPDATE checks and moves it; a stale edit is refused.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    source_path: Mapped[str | None] = mapped_column(String(500), index=True)
    source_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_column()
    updated_at: Mapped[datetime] = updated_column()

    __mapper_args__ = {"version_id_col": version}

    campaign: Mapped[Campaign | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="Attachment.id"
    )
    relations: Mapped[list[Relation]] = relationship(
        back_populates="source", cascade="all, delete-orphan", order_by="Relation.id"
    )

    @property
    def is_public(self) -> bool:
        return (self.status == "published" and self.deleted_at is None and self.in_window()
                and (SETTINGS["show_demo"] or not self.is_demo))

    def in_window(self, now: datetime | None = None) -> bool:
        """Whether the scheduled publication window (if any) holds `now`."""
        now = now or utcnow()
        start, end = as_utc(self.publish_from), as_utc(self.publish_until)
        return (start is None or start <= now) and (end is None or now < end)

    @property
    def schedule_label(self) -> str:
        """`Hẹn đăng`, `Hết hạn` or empty, for a published document outside its window."""
        if self.status != "published":
            return ""
        now = utcnow()
        if self.publish_from and as_utc(self.publish_from) > now:
            return "Hẹn đăng"
        if self.publish_until and as_utc(self.publish_until) <= now:
            return "Hết hạn"
        return ""

    @property
    def type_label(self) -> str:
        return DOCUMENT_TYPES.label(self.doc_type)

    @property
    def subject_line(self) -> str:
        """The subject as printed: a công văn's starts with "V/v" (Nghị định 30/2020/NĐ-CP), whether
        or not it was typed; every page, the .docx and the feed use this one rule."""
        return subject_line(self.doc_type, self.subject)

    @property
    def issuer_lines(self) -> list[str]:
        return heading_lines(self.issuer)

    @property
    def issuer_parent_lines(self) -> list[str]:
        return heading_lines(self.issuer_parent)

    @property
    def state_label(self) -> str:
        return STATES.label(self.status)

    @property
    def authority_line(self) -> str:
        """`KT. VIỆN TRƯỞNG`, `TM. ỦY BAN NHÂN DÂN`, or empty."""
        prefix = SIGNING_AUTHORITIES.label(self.signing_authority) if self.signing_authority else ""
        return " ".join(p for p in (prefix, self.signing_authority_title or "") if p)

    @property
    def title(self) -> str:
        """How lists name a document: type, symbol and subject."""
        return f"{self.type_label} {self.symbol}: {self.subject}"


class Attachment(db.Model):
    """An original file of a document, stored under a random name."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    mime_type: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text, default="")
    text_status: Mapped[str] = mapped_column(String(20), default="ok")
    # Digital signatures found when the file was stored (files/signatures.py), one dict each.
    signatures: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = created_column()

    document: Mapped[Document] = relationship(back_populates="attachments")

    @property
    def size_label(self) -> str:
        if self.size >= 1024 * 1024:
            return f"{self.size / 1024 / 1024:.1f} MB".replace(".", ",")
        return f"{max(1, round(self.size / 1024))} KB"


class Relation(db.Model):
    """A typed link to another document, named by symbol so it may point ahead of its target."""

    __tablename__ = "relations"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    target_symbol: Mapped[str] = mapped_column(String(80))
    target_key: Mapped[str] = mapped_column(String(80), index=True)

    source: Mapped[Document] = relationship(back_populates="relations")

    @property
    def label(self) -> str:
        return RELATION_KINDS[self.kind][0]


class DocumentAlias(db.Model):
    """A slug a document was known by before its symbol was corrected; it redirects."""

    __tablename__ = "document_aliases"

    slug: Mapped[str] = mapped_column(String(200), primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))


# Set by the app factory from its configuration (DEMO_DATA).
SETTINGS = {"show_demo": True}


changes.track(Document, lambda d: (f"document:{d.id}" if d.id is not None else None, None))
changes.track(Attachment, lambda a: (f"document:{a.document_id}" if a.document_id is not None else None, None))


def public_filter():
    """The SQL condition every public view of documents uses: published, not in the trash,
    inside its publication window, and not sample data when sample data is switched off."""
    now = utcnow()
    conditions = [
        Document.status == "published", Document.deleted_at.is_(None),
        or_(Document.publish_from.is_(None), Document.publish_from <= now),
        or_(Document.publish_until.is_(None), Document.publish_until > now),
    ]
    if not SETTINGS["show_demo"]:
        conditions.append(Document.is_demo.is_(False))
    return and_(*conditions)


def by_slug(slug: str) -> Document | None:
    return db.session.scalar(db.select(Document).where(Document.slug == slug))


def alias_target(slug: str) -> Document | None:
    alias = db.session.get(DocumentAlias, slug)
    return db.session.get(Document, alias.document_id) if alias else None


def resolve(symbol_key: str, near: date | None = None, public_only: bool = True) -> Document | None:
    """The document a symbol names: of several years, the latest issued on or before `near`."""
    query = db.select(Document).where(Document.symbol_key == symbol_key)
    if public_only:
        query = query.where(public_filter())
    found = list(db.session.scalars(query.order_by(Document.issued_on)))
    if not found:
        return None
    if near is not None:
        earlier = [d for d in found if d.issued_on <= near]
        if earlier:
            return earlier[-1]
    return found[0]


def outgoing(document: Document) -> list[tuple[Relation, Document | None]]:
    """Each relation of a document with its public target, or None when the portal lacks it."""
    return [(rel, resolve(rel.target_key, document.issued_on)) for rel in document.relations]


def incoming(document: Document) -> list[tuple[str, Document]]:
    """Public documents that point at this one, with the relation seen from here."""
    query = (
        db.select(Relation, Document)
        .join(Document, Relation.source_id == Document.id)
        .where(Relation.target_key == document.symbol_key, public_filter())
        .order_by(Document.issued_on)
    )
    result = []
    for rel, source in db.session.execute(query):
        if resolve(rel.target_key, source.issued_on) is document:
            result.append((RELATION_KINDS[rel.kind][1], source))
    return result
