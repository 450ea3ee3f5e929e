"""Public views of the honor roll: filters, counts, statistics and exports (public fields only)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from flask import g, has_app_context
from sqlalchemy import bindparam, func

from portal.domain.campaigns.models import Campaign, ReviewRound
from portal.domain.documents.listing import Page
from portal.domain.documents.models import SETTINGS, Document, public_filter
from portal.domain.honors import names
from portal.domain.honors.models import Award, HonorDecision
from portal.domain.honors.names import LISTED
from portal.domain.honors.places import Area
from portal.domain.kernel import changes
from portal.domain.kernel.rows import locality
from portal.domain.kernel.vocab import DISTINCTIONS, RECIPIENT_KINDS
from portal.extensions import db
from portal.vietnamese.folding import fold


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


@dataclass(frozen=True)
class _Decision:
    id: int
    distinction: str
    year: int | None
    campaign: str | None
    round_code: str | None
    round_label: str | None


def forget() -> None:
    """Drop the decisions kept per generation and the name index: a new app may face a database
    whose generations restart from where an emptied one's did (tests on PostgreSQL)."""
    _decisions.clear()
    names.forget()


def _public_decisions(session) -> list[_Decision]:
    """Decisions whose document is public (a few hundred at most), with what filters use; read
    once per content generation (a page of the honor roll needs them two or three times)."""
    return _decisions.get(session, SETTINGS["show_demo"])  # what public_filter() reads


def _read_public_decisions(session) -> list[_Decision]:
    """The decisions are read first and their documents checked by id: joining from the
    documents made SQLite walk all 20,000 of them."""
    rows = session.execute(
        db.select(HonorDecision.id, HonorDecision.distinction, HonorDecision.achievement_year,
                  Campaign.slug, ReviewRound.code, ReviewRound.label, HonorDecision.document_id)
        .outerjoin(Campaign, HonorDecision.campaign_id == Campaign.id)
        .outerjoin(ReviewRound, HonorDecision.review_round_id == ReviewRound.id)).all()
    public = set(session.scalars(db.select(Document.id).where(
        Document.id.in_([row[-1] for row in rows] or [-1]), public_filter())))
    return [_Decision(*row[:-1]) for row in rows if row[-1] in public]


_decisions = changes.PerGeneration(_read_public_decisions)


def _decision_matches(d: _Decision, flt: HonorFilter) -> bool:
    return ((not flt.distinction or d.distinction == flt.distinction) and (not flt.year or d.year == flt.year)
            and (not flt.campaign or d.campaign == flt.campaign)
            and (not flt.review_round or d.round_code == flt.review_round)
            and (not flt.decision_id or d.id == flt.decision_id))


def _award_conditions(flt: HonorFilter, decision_ids: list[int]) -> list:
    """Conditions on the awards table alone: decision-level filters arrive as decision ids, so
    counting and sorting 100,000 awards needs no join."""
    conds = [Award.publication.in_(LISTED), Award.decision_id.in_(decision_ids or [-1])]
    if flt.kind:
        conds.append(Award.kind == flt.kind)
    if flt.area:
        area_id = db.session.scalar(db.select(Area.id).where(Area.code == flt.area))
        conds.append(Award.district_area_id == (area_id or -1))
    if flt.unit:
        conds.append(Award.unit == flt.unit)
    return conds


def _source(flt: HonorFilter):
    """The awards, or with a name typed, the awards of the names that match joined from the
    word lookup: SQLite then reads those rows by id instead of testing every award."""
    if not flt.name:
        return Award
    named = names.named_ids(flt.name).subquery("named")
    return db.join(named, Award, Award.id == named.c.award_id)


def _named_rows(name: str, session) -> list[names.Listed]:
    """The listed awards whose name matches, with what filters, counts and order need: found
    once per request (the page, its total and three facets each need them)."""
    if changes.holds_own_changes(session):  # what it sees may yet be rolled back
        return names.matching(name, session)
    cache = g.setdefault("_named_rows", {}) if has_app_context() else {}
    key = (id(session), name)
    if key not in cache:
        cache[key] = names.matching(name, session)
    return cache[key]


def _keeper(flt: HonorFilter, session):
    """_award_conditions() as a test of the rows _named_rows() reads, prepared once per filter
    (a common name word matches thousands of rows, each tested for the page and four counts)."""
    prepared = g.setdefault("_named_filters", {}) if has_app_context() else {}
    key = (id(session), replace(flt, name=None, kind=None, unit=None))
    if key not in prepared:
        area_id = session.scalar(db.select(Area.id).where(Area.code == flt.area)) if flt.area else None
        prepared[key] = ({d.id for d in _public_decisions(session) if _decision_matches(d, flt)}, area_id or -1)
    decision_ids, area_id = prepared[key]
    kind, unit, area = flt.kind, flt.unit, flt.area

    def keeps(row) -> bool:
        return (row.decision_id in decision_ids and (not kind or row.kind == kind)
                and (not unit or row.unit == unit) and (not area or row.district_area_id == area_id))
    return keeps


def _conditions(flt: HonorFilter, session=None) -> list:
    decisions = _public_decisions(session or db.session)
    return _award_conditions(flt, [d.id for d in decisions if _decision_matches(d, flt)])


def _page_ids(flt: HonorFilter, page: int, per_page: int, session) -> tuple[list[int], int]:
    """The ids of a page of listed awards in Vietnamese order (people by given name), and the total."""
    if flt.name:
        rows = sorted(filter(_keeper(flt, session), _named_rows(flt.name, session)), key=lambda r: (r.sort_key, r.id))
        return [r.id for r in rows[(page - 1) * per_page:page * per_page]], len(rows)
    conds = _conditions(flt, session)
    source = _source(flt)
    total = session.scalar(db.select(func.count(Award.id)).select_from(source).where(*conds)) or 0
    # The page's ids first (awards table only), then their decisions and documents.
    ids = session.scalars(db.select(Award.id).select_from(source).where(*conds).order_by(Award.sort_key, Award.id)
                          .limit(per_page).offset((page - 1) * per_page))
    return list(ids), total


def list_awards(flt: HonorFilter, page: int, per_page: int, session=None) -> Page:
    """A page of listed awards, each as (award, decision, document)."""
    session = session or db.session
    ids, total = _page_ids(flt, page, per_page, session)
    rows = {row[0].id: row for row in session.execute(_base().where(Award.id.in_(ids or [-1])))}
    return Page([tuple(rows[i]) for i in ids if i in rows], total, page, per_page)


# What public_fields() reads, as columns: a page of the roll needs no model objects.
_FIELDS = (Award.id, Award.seq, Award.kind, Award.name, Award.position, Award.unit, Award.village, Award.commune,
           Award.district, Award.achievement, Award.contribution, Award.register_no, Award.publication,
           Award.annulled, HonorDecision.contribution_public, HonorDecision.distinction,
           HonorDecision.achievement_year, Document.symbol, Document.issued_on, Document.slug, Document.issuer,
           Document.is_demo)
_FIELDS_BY_ID = (db.select(*_FIELDS).join(HonorDecision, Award.decision_id == HonorDecision.id)
                 .join(Document, HonorDecision.document_id == Document.id)
                 .where(Award.id.in_(bindparam("ids", expanding=True))))  # built once


def listed_fields(flt: HonorFilter, page: int, per_page: int, session=None) -> Page:
    """list_awards() as the public fields of each award (what the honor roll's page shows)."""
    session = session or db.session
    ids, total = _page_ids(flt, page, per_page, session)
    rows = {row.id: row for row in session.execute(_FIELDS_BY_ID, {"ids": ids})} if ids else {}
    return Page([public_fields(rows[i], rows[i], rows[i]) for i in ids if i in rows], total, page, per_page)


def _count_by(column, flt: HonorFilter, decisions: list[_Decision], annulled_only: bool = False) -> dict:
    if flt.name:
        kept = filter(_keeper(flt, db.session), _named_rows(flt.name, db.session))
        return dict(Counter(getattr(row, column.key) for row in kept if row.annulled or not annulled_only))
    conds = _award_conditions(flt, [d.id for d in decisions if _decision_matches(d, flt)])
    if annulled_only:
        conds.append(Award.annulled.is_(True))
    return dict(db.session.execute(db.select(column, func.count(Award.id)).select_from(_source(flt))
                                   .where(*conds).group_by(column)).all())


def facets(flt: HonorFilter) -> dict[str, list[tuple[str, str, int]]]:
    """Counts for each filter under the others, as (value, label, count)."""
    decisions = _public_decisions(db.session)
    kinds = _count_by(Award.kind, flt.without("kind"), decisions)
    per_decision = _count_by(Award.decision_id, replace(flt, distinction=None, year=None, review_round=None),
                             decisions)
    forms: dict[str, int] = {}
    years: dict[int, int] = {}
    rounds: dict[tuple, int] = {}
    any_form, any_year, any_round = flt.without("distinction"), flt.without("year"), flt.without("review_round")
    for d in decisions:
        n = per_decision.get(d.id, 0)
        if not n:
            continue
        if _decision_matches(d, any_form):
            forms[d.distinction] = forms.get(d.distinction, 0) + n
        if _decision_matches(d, any_year) and d.year:
            years[d.year] = years.get(d.year, 0) + n
        if _decision_matches(d, any_round) and d.round_code:
            rounds[(d.round_code, d.round_label)] = rounds.get((d.round_code, d.round_label), 0) + n
    by_area = _count_by(Award.district_area_id, flt.without("area"), decisions)
    area_rows = [area for area in _areas.get(db.session) if area[0] in by_area]
    return {
        "doi-tuong": sorted(((k, RECIPIENT_KINDS.label(k), n) for k, n in kinds.items()),
                            key=lambda r: RECIPIENT_KINDS.rank(r[0])),
        "hinh-thuc": sorted(((d, DISTINCTIONS.label(d), n) for d, n in forms.items()),
                            key=lambda r: DISTINCTIONS.rank(r[0])),
        "nam": sorted(((str(y), str(y), n) for y, n in years.items()), reverse=True),
        "dot": sorted(((code, label, n) for (code, label), n in rounds.items()), key=lambda r: r[0]),
        "dia-ban": sorted(((code, _area_label(name, level, valid_to), by_area[area_id])
                           for area_id, code, name, level, valid_to in area_rows), key=lambda r: fold(r[1])),
    }


_areas = changes.PerGeneration(lambda session: session.execute(
    db.select(Area.id, Area.code, Area.name, Area.level, Area.valid_to)).all())  # a few dozen


def _area_label(name: str, level: str, valid_to) -> str:
    prefix = "TP." if level == "thanh-pho" else "Huyện"
    return f"{prefix} {name}" + (" (cũ)" if valid_to else "")


def statistics(flt: HonorFilter) -> dict:
    """Counts by year and form, by recipient kind and by locality, for the charts; annulled
    awards are counted apart, not in the years' figures."""
    decisions = {d.id: d for d in _public_decisions(db.session)}
    per_decision = _count_by(Award.decision_id, flt, list(decisions.values()))
    annulled = _count_by(Award.decision_id, flt, list(decisions.values()), annulled_only=True)
    by_year: dict[int, dict[str, int]] = {}
    for decision_id, count in per_decision.items():
        count -= annulled.get(decision_id, 0)
        d = decisions[decision_id]
        by_year.setdefault(d.year, {})
        by_year[d.year][d.distinction] = by_year[d.year].get(d.distinction, 0) + count
    forms = sorted({f for counts in by_year.values() for f in counts}, key=DISTINCTIONS.rank)
    data = facets(flt)
    return {"years": sorted(y for y in by_year if y), "forms": forms, "by_year": by_year,
            "annulled": sum(annulled.values()),
            "by_kind": data["doi-tuong"], "by_area": sorted(data["dia-ban"], key=lambda r: -r[2])}


def public_fields(award, decision, document) -> dict:
    """What anyone may see of an award; `name-unit` entries show name and unit only. Reads
    columns only: the three may be model objects or one row of listed_fields()' columns."""
    full = award.publication == "public"
    return {
        "id": award.id, "seq": award.seq, "kind": RECIPIENT_KINDS.label(award.kind), "name": award.name,
        "position": award.position if full else None, "unit": award.unit,
        "locality": locality(award.village, award.commune, award.district) if full else None,
        "achievement": award.achievement if full else None,
        "contribution": award.contribution if full and decision.contribution_public else None,
        "register_no": award.register_no if full else None,
        "distinction": DISTINCTIONS.label(decision.distinction), "year": decision.achievement_year,
        "decision": document.symbol, "decision_date": document.issued_on.isoformat(),
        "decision_slug": document.slug, "issuer": document.issuer, "demo": document.is_demo,
        "annulled": award.annulled, "status": "Đã bị hủy bỏ" if award.annulled else "Còn hiệu lực",
    }


def export_rows(flt: HonorFilter, limit: int = 200_000):
    """Public fields of every listed award under a filter, in list order."""
    conds = _conditions(flt) + ([Award.id.in_(names.named_ids(flt.name))] if flt.name else [])
    query = _base().where(*conds).order_by(Award.sort_key, Award.id).limit(limit)
    for award, decision, document in db.session.execute(query.execution_options(yield_per=2000)):
        yield public_fields(award, decision, document)


def listed_award(award_id: int, session=None) -> tuple[Award, HonorDecision, Document] | None:
    found = listed_awards([award_id], session)
    return found[0] if found else None


def listed_awards(award_ids: list[int], session=None) -> list[tuple[Award, HonorDecision, Document]]:
    """The awards among `award_ids` the public may see, each with its decision and document (one query)."""
    session = session or db.session
    if not award_ids:
        return []
    rows = session.execute(_base().where(Award.id.in_(award_ids), *_conditions(HonorFilter(), session)))
    return [tuple(row) for row in rows]
