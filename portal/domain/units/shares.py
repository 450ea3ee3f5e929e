"""Share caps counted over a review round (eligibility's `share_cap` rules): how many
collectives are proposed for, or were given, a capped title (Tập thể lao động xuất sắc) against
the collectives graded the base title (Tập thể lao động tiên tiến) in the same year. Within the
cap a nominee meets the rule; past it the office chooses, so each nominee is "Cần xem xét"."""
from __future__ import annotations

from portal.domain.documents.models import Document, public_filter
from portal.domain.honors.models import Award, HonorDecision
from portal.domain.kernel.vocab import DISTINCTIONS
from portal.domain.units.dossiers import Dossier, Nominee
from portal.extensions import db
from portal.vietnamese.folding import fold

LIVE = ("submitted", "appraising", "consulting", "proposed", "decided")  # not drafts, returned or cancelled


def _proposed(round_id: int, titles: tuple[str, ...]) -> set[str]:
    names = db.session.scalars(
        db.select(Nominee.name).join(Dossier, Dossier.id == Nominee.dossier_id)
        .where(Dossier.round_id == round_id, Dossier.distinction.in_(titles), Dossier.status.in_(LIVE),
               Nominee.kind == "tap-the", Nominee.verdict != "rejected"))
    return {fold(name) for name in names}


def _given(year: int, titles: tuple[str, ...]) -> set[str]:
    rows = db.session.execute(
        db.select(Award.name, HonorDecision.achievement_year, Document.issued_on)
        .join(HonorDecision, Award.decision_id == HonorDecision.id)
        .join(Document, HonorDecision.document_id == Document.id)
        .where(HonorDecision.distinction.in_(titles), Award.kind == "tap-the", Award.annulled.is_(False),
               public_filter()))
    return {fold(name) for name, achieved, issued in rows if (achieved or issued.year) == year}


def for_round(review_round):
    """eligibility.Shares for the nominees of one round, counted once per rule and year (every
    nominee of a dossier asks the same question)."""
    counted: dict[tuple[str, int], tuple[bool | None, str]] = {}

    def shares(rule, year: int) -> tuple[bool | None, str]:
        if (rule.id, year) not in counted:
            counted[rule.id, year] = _count(rule, year)
        return counted[rule.id, year]

    def _count(rule, year: int) -> tuple[bool | None, str]:
        capped = _proposed(review_round.id, rule.titles) | _given(year, rule.titles)
        base = _proposed(review_round.id, rule.base) | _given(year, rule.base)
        titles = " hoặc ".join(DISTINCTIONS.label(code) for code in rule.titles)
        base_titles = " hoặc ".join(DISTINCTIONS.label(code) for code in rule.base)
        if not base:
            return None, (f"Chưa có tập thể nào được đề nghị hay công nhận {base_titles} năm {year}: "
                          "chưa tính được tỷ lệ.")
        allowed = len(base) * rule.share // 100
        count = (f"{len(capped)} tập thể được đề nghị hoặc đã được tặng {titles} năm {year}; tối đa {allowed} "
                 f"({rule.share}% của {len(base)} tập thể {base_titles})")
        if len(capped) <= allowed:
            return True, count + "."
        return None, count + ": vượt tỷ lệ, cơ quan thường trực chọn những tập thể được trình."
    return shares
