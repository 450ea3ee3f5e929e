"""Public views of the honor roll: filters, counts, statistics and exports (public fields only)."""
from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import func, or_

from ..extensions import db
from .campaigns import Campaign, ReviewRound
from .documents import Document, public_filter
from .honors import Award, HonorDecision
from .listing import Page
from .places import Area
from .vocab import DISTINCTIONS, RECIPIENT_KINDS, fold

LISTED = ("public", "name-unit")


@dataclass(frozen=True)
class HonorFilter:
    kind: str | None = None
    distinction: str | None = None
    year: int | None = None
    campaign: str | None = None
    review_round: str | None = None
    area: str | None = None  # area code (a former district keeps its code)
    unit: str | None = None
    name: str | None = None
    decision_id: int | None = None

    def without(self, field: str) -> HonorFilter:
        return replace(self, **{field: None})


def _base():
    return (db.select(Award, HonorDecision, Document)
            .join(HonorDecision, Award.decision_id == HonorDecision.id)
            .join(Document, HonorDecision.document_id == Document.id))


def _conditions(flt: HonorFilter) -> list:
    conds = [Award.publication.in_(LISTED), public_filter()]
    if flt.kind:
        conds.append(Award.kind == flt.kind)
    if flt.distinction:
        conds.append(HonorDecision.distinction == flt.distinction)
    if flt.year:
        conds.append(HonorDecision.achievement_year == flt.year)
    if flt.campaign:
        conds.append(HonorDecision.campaign.has(Campaign.slug == flt.campaign))
    if flt.review_round:
        conds.append(HonorDecision.review_round.has(ReviewRound.code == flt.review_round))
    if flt.area:
        conds.append(Award.district_area.has(Area.code == flt.area))
    if flt.unit:
        conds.append(Award.unit == flt.unit)
    if flt.decision_id:
        conds.append(HonorDecision.id == flt.decision_id)
    if flt.name:
        words = fold(flt.name).split()[:8]
        conds += [or_(Award.name_folded.contains(w, autoescape=True)) for w in words]
    return conds


def list_awards(flt: HonorFilter, page: int, per_page: int, session=None) -> Page:
    """A page of listed awards in Vietnamese order (people by given name)."""
    session = session or db.session
    conds = _conditions(flt)
    total = session.scalar(db.select(func.count(Award.id)).join(HonorDecision).join(Document)
                              .where(*conds)) or 0
    query = _base().where(*conds).order_by(Award.sort_key, Award.id).limit(per_page).offset((page - 1) * per_page)
    return Page(list(session.execute(query)), total, page, per_page)


def _count_by(column, flt: HonorFilter, *joins) -> list[tuple]:
    query = db.select(column, func.count(Award.id)).join(HonorDecision).join(Document)
    for target in joins:
        query = query.outerjoin(target)
    return list(db.session.execute(query.where(*_conditions(flt)).group_by(column)))


def facets(flt: HonorFilter) -> dict[str, list[tuple[str, str, int]]]:
    """Counts for each filter under the others, as (value, label, count)."""
    kinds = _count_by(Award.kind, flt.without("kind"))
    forms = _count_by(HonorDecision.distinction, flt.without("distinction"))
    years = _count_by(HonorDecision.achievement_year, flt.without("year"))
    areas = db.session.execute(
        db.select(Area.code, Area.name, Area.level, Area.valid_to, func.count(Award.id))
        .join(Award, Award.district_area_id == Area.id).join(HonorDecision).join(Document)
        .where(*_conditions(flt.without("area"))).group_by(Area.code, Area.name, Area.level, Area.valid_to))
    rounds = db.session.execute(
        db.select(ReviewRound.code, ReviewRound.label, func.count(Award.id))
        .join(HonorDecision, HonorDecision.review_round_id == ReviewRound.id)
        .join(Award, Award.decision_id == HonorDecision.id).join(Document)
        .where(*_conditions(flt.without("review_round"))).group_by(ReviewRound.code, ReviewRound.label))
    return {
        "doi-tuong": sorted(((k, RECIPIENT_KINDS.label(k), n) for k, n in kinds),
                            key=lambda r: RECIPIENT_KINDS.rank(r[0])),
        "hinh-thuc": sorted(((d, DISTINCTIONS.label(d), n) for d, n in forms), key=lambda r: DISTINCTIONS.rank(r[0])),
        "nam": sorted(((str(y), str(y), n) for y, n in years if y), reverse=True),
        "dot": [(c, label, n) for c, label, n in rounds],
        "dia-ban": sorted(((code, _area_label(name, level, valid_to), n) for code, name, level, valid_to, n in areas),
                          key=lambda r: fold(r[1])),
    }


def _area_label(name: str, level: str, valid_to) -> str:
    prefix = "TP." if level == "thanh-pho" else "Huyện"
    return f"{prefix} {name}" + (" (cũ)" if valid_to else "")


def statistics(flt: HonorFilter) -> dict:
    """Counts by year and form, by recipient kind and by locality, for the charts."""
    rows = db.session.execute(
        db.select(HonorDecision.achievement_year, HonorDecision.distinction, func.count(Award.id))
        .join(Award, Award.decision_id == HonorDecision.id).join(Document)
        .where(*_conditions(flt)).group_by(HonorDecision.achievement_year, HonorDecision.distinction))
    by_year: dict[int, dict[str, int]] = {}
    for year, form, count in rows:
        by_year.setdefault(year, {})[form] = count
    forms = sorted({f for counts in by_year.values() for f in counts}, key=DISTINCTIONS.rank)
    data = facets(flt)
    return {"years": sorted(by_year), "forms": forms, "by_year": by_year,
            "by_kind": data["doi-tuong"], "by_area": sorted(data["dia-ban"], key=lambda r: -r[2])}


def public_fields(award: Award, decision: HonorDecision, document: Document) -> dict:
    """What anyone may see of an award; `name-unit` entries show name and unit only."""
    full = award.publication == "public"
    return {
        "id": award.id, "seq": award.seq, "kind": award.kind_label, "name": award.name,
        "position": award.position if full else None, "unit": award.unit,
        "locality": award.locality if full else None,
        "achievement": award.achievement if full else None,
        "contribution": award.contribution if full and decision.contribution_public else None,
        "register_no": award.register_no if full else None,
        "distinction": decision.distinction_label, "year": decision.achievement_year,
        "decision": document.symbol, "decision_date": document.issued_on.isoformat(),
        "decision_slug": document.slug, "issuer": document.issuer, "demo": document.is_demo,
    }


def export_rows(flt: HonorFilter, limit: int = 200_000):
    """Public fields of every listed award under a filter, in list order."""
    query = _base().where(*_conditions(flt)).order_by(Award.sort_key, Award.id).limit(limit)
    for award, decision, document in db.session.execute(query.execution_options(yield_per=2000)):
        yield public_fields(award, decision, document)


def listed_award(award_id: int, session=None) -> tuple[Award, HonorDecision, Document] | None:
    row = (session or db.session).execute(_base().where(Award.id == award_id, *_conditions(HonorFilter()))).first()
    return tuple(row) if row else None
