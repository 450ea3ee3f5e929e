"""Filtered, faceted, paginated lists of published documents."""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

from sqlalchemy import func

from portal.domain.campaigns.models import Campaign
from portal.domain.documents.models import Document, public_filter
from portal.domain.kernel.vocab import DOCUMENT_TYPES
from portal.extensions import db


@dataclass(frozen=True)
class DocumentFilter:
    doc_type: str | None = None
    issuer: str | None = None
    year: int | None = None
    campaign: str | None = None  # campaign slug

    def without(self, name: str) -> DocumentFilter:
        return replace(self, **{name: None})


@dataclass
class Facet:
    value: str
    label: str
    count: int


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def _conditions(flt: DocumentFilter) -> list:
    conds = [public_filter()]
    if flt.doc_type:
        conds.append(Document.doc_type == flt.doc_type)
    if flt.issuer:
        conds.append(Document.issuer == flt.issuer)
    if flt.year:
        conds.append(Document.year == flt.year)
    if flt.campaign:
        conds.append(Document.campaign.has(Campaign.slug == flt.campaign))
    return conds


def list_documents(flt: DocumentFilter, page: int, per_page: int) -> Page:
    """One page of published documents, newest first."""
    conds = _conditions(flt)
    total = db.session.scalar(db.select(func.count(Document.id)).where(*conds)) or 0
    query = (db.select(Document).where(*conds)
             .order_by(Document.issued_on.desc(), Document.number.desc(), Document.id.desc())
             .limit(per_page).offset((page - 1) * per_page))
    return Page(list(db.session.scalars(query)), total, page, per_page)


def _counts(column, flt: DocumentFilter) -> list[tuple]:
    query = (db.select(column, func.count(Document.id)).where(*_conditions(flt))
             .group_by(column))
    return list(db.session.execute(query))


def facets(flt: DocumentFilter) -> dict[str, list[Facet]]:
    """Counts for each filter, computed under the other filters (so choices combine)."""
    types = sorted(_counts(Document.doc_type, flt.without("doc_type")),
                   key=lambda row: DOCUMENT_TYPES.rank(row[0]))
    issuers = sorted(_counts(Document.issuer, flt.without("issuer")), key=lambda r: (-r[1], r[0]))
    years = sorted(_counts(Document.year, flt.without("year")), reverse=True)
    campaign_rows = db.session.execute(
        db.select(Campaign.slug, Campaign.name, func.count(Document.id))
        .join(Document, Document.campaign_id == Campaign.id)
        .where(*_conditions(flt.without("campaign")))
        .group_by(Campaign.slug, Campaign.name))
    return {
        "loai": [Facet(code, DOCUMENT_TYPES.label(code), n) for code, n in types],
        "co-quan": [Facet(name, name, n) for name, n in issuers],
        "nam": [Facet(str(year), str(year), n) for year, n in years],
        "phong-trao": [Facet(slug, name, n) for slug, name, n in campaign_rows],
    }


def latest(limit: int = 10) -> list[Document]:
    query = (db.select(Document).where(public_filter())
             .order_by(Document.published_at.desc(), Document.issued_on.desc()).limit(limit))
    return list(db.session.scalars(query))


def campaign_documents(campaign: Campaign) -> list[Document]:
    query = (db.select(Document).where(public_filter(),
                                       Document.campaign_id == campaign.id)
             .order_by(Document.issued_on))
    return list(db.session.scalars(query))
