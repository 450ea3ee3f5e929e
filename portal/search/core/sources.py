"""Where the index's entries come from: the public documents and listed awards of the database."""
from __future__ import annotations

from sqlalchemy.orm import Session, selectinload

from portal.domain.documents.models import Document, public_filter
from portal.domain.honors.models import HonorDecision
from portal.domain.honors.roll import listed_award
from portal.domain.honors.shown import public_fields
from portal.extensions import db
from portal.search.core.entries import SearchEntry, entries_for_awards, entry_for_award, entry_for_document


def load_entries(session: Session, key: str) -> list[SearchEntry]:
    """The current public entries of a key: a document with its awards, or one award."""
    kind, _, ident = key.partition(":")
    if not (ident.isascii() and ident.isdigit()):
        return []
    if kind == "document":
        document = session.get(Document, int(ident))
        if document is None or not document.is_public:
            return []
        return [entry_for_document(document)] + entries_for_awards(document, session)
    if kind == "award":
        found = listed_award(int(ident), session)
        return [entry_for_award(public_fields(*found), found[2])] if found else []
    return []


def all_entries(session: Session):
    """Every public entry: documents and the listed awards of public decisions."""
    query = (db.select(Document).where(public_filter())
             .options(selectinload(Document.attachments), selectinload(Document.campaign))
             .order_by(Document.id))
    decisions = {d.document_id: d for d in session.scalars(db.select(HonorDecision))}
    for document in session.scalars(query).all():
        yield entry_for_document(document)
        yield from entries_for_awards(document, session, decisions)
