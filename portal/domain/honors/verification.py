"""Verifying a certificate by its code: what anyone holding it may learn, and nothing more (the
recipient's public name, the title or form, the decision, and whether the award still stands)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from portal.domain.documents.models import Document, public_filter
from portal.domain.honors.annulments import current
from portal.domain.honors.models import Award, HonorDecision, normalize_code
from portal.extensions import db


@dataclass(frozen=True)
class Verified:
    award_id: int
    listed: bool  # whether the award has its own page on the honor roll
    name: str
    kind: str
    distinction: str
    level: str
    year: int | None
    symbol: str
    issued_on: date
    issuer: str
    slug: str
    annulled_by: str | None = None
    annulled_on: date | None = None
    annulled_reason: str | None = None

    @property
    def standing(self) -> bool:
        return self.annulled_by is None


def lookup(raw_code: str) -> Verified | None:
    """The award a code designates, when its decision is published; else None (the caller
    answers 404 whichever way the code failed)."""
    code = normalize_code(raw_code)
    if code is None:
        return None
    row = db.session.execute(
        db.select(Award, HonorDecision, Document)
        .join(HonorDecision, Award.decision_id == HonorDecision.id)
        .join(Document, HonorDecision.document_id == Document.id)
        .where(Award.verification_code == code, Award.publication != "removed", public_filter())).first()
    if row is None:
        return None
    award, decision, document = row
    annulment = current(award) if award.annulled else None
    return Verified(
        award.id, award.is_listed, award.name, award.kind_label, decision.distinction_label,
        decision.level_label, decision.achievement_year, document.symbol, document.issued_on,
        document.issuer, document.slug,
        annulment.symbol if annulment else None, annulment.decided_on if annulment else None,
        annulment.reason if annulment else None)
