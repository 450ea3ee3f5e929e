"""Public views of the honor roll: filters, listing, the fields a row shows and exports (public
fields only); the counts and statistics are in counts.py."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from operator import attrgetter

from flask import g, has_app_context
from sqlalchemy import bindparam, func

from portal.domain.campaigns.models import Campaign, ReviewRound
from portal.domain.documents.listing import Page
from portal.domain.documents.models import SETTINGS, Document, public_filter
from portal.domain.honors import names
from portal.domain.honors.models import Award, HonorDecision
from portal.domain.honors.names import LISTED
from portal.domain.honors.places import Area
from portal.domain.honors.shown import public_fields, row_fields
from portal.domain.kernel import changes
from portal.extensions import db


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
    """A public decision with what filters use, and what a row of the roll shows of it and its
    document (row_fields reads it as both)."""

    id: int
    distinction: str
    year: int | None
    campaign: str | None
    round_code: str | None
    round_label: str | None
    symbol: str
    issued_on: date
    slug: str
    is_demo: bool

    @property
    def achievement_year(self) -> int | None:
        return self.year


def forget() -> None:
    """Drop the decisions kept per generation and the name index: a new app may face a database
    whose generations restart from where an emptied one's did (tests on PostgreSQL)."""
    for kept in (_decisions, _decision_ids, _prepared, _areas):
        kept.clear()
    names.forget()


def _public_decisions(session) -> list[_Decision]:
    """Decisions whose document is public (a few hundred at most), with what filters use; read
    once per content generation (a page of the honor roll needs them two or three times)."""
    return _decisions.get(session, SETTINGS["show_demo"])  # what public_filter() reads


def _decisions_by_id(session) -> dict[int, _Decision]:
    return _decision_ids.get(session, SETTINGS["show_demo"])


def _read_public_decisions(session) -> list[_Decision]:
    """The decisions are read first and their documents checked by id: joining from the
    documents made SQLite walk all 20,000 of them."""
    rows = session.execute(
        db.select(HonorDecision.id, HonorDecision.distinction, HonorDecision.achievement_year,
                  Campaign.slug, ReviewRound.code, ReviewRound.label, HonorDecision.document_id)
        .outerjoin(Campaign, HonorDecision.campaign_id == Campaign.id)
        .outerjoin(ReviewRound, HonorDecision.review_round_id == ReviewRound.id)).all()
    public = {found[0]: found[1:] for found in session.execute(
        db.select(Document.id, Document.symbol, Document.issued_on, Document.slug, Document.is_demo)
        .where(Document.id.in_([row[-1] for row in rows] or [-1]), public_filter()))}
    return [_Decision(*row[:-1], *public[row[-1]]) for row in rows if row[-1] in public]


_decisions = changes.PerGeneration(_read_public_decisions)
_decision_ids = changes.PerGeneration(lambda session: {d.id: d for d in _public_decisions(session)})


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
        area_id = _area_id(flt.area, db.session)
        conds.append(Award.district_area_id == area_id)
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
    """_award_conditions() as a test of the rows _named_rows() reads. What it needs of the
    decisions and areas is prepared once per generation and filter (a page asks it for the
    list and three counts; a common name word matches thousands of rows)."""
    prepared = _prepared.get(session)
    key = (flt.distinction, flt.year, flt.campaign, flt.review_round, flt.decision_id, flt.area)
    found = prepared.get(key)
    if found is None:
        if len(prepared) >= 512:  # filters come from addresses anyone types
            prepared.clear()
        area_id = _area_id(flt.area, session) if flt.area else -1
        found = prepared[key] = ({d.id for d in _public_decisions(session) if _decision_matches(d, flt)}, area_id)
    decision_ids, area_id = found
    kind, unit, area = flt.kind, flt.unit, flt.area

    def keeps(row) -> bool:
        return (row.decision_id in decision_ids and (not kind or row.kind == kind)
                and (not unit or row.unit == unit) and (not area or row.district_area_id == area_id))
    return keeps


_prepared = changes.PerGeneration(lambda session: {})  # _keeper()'s, per filter


def areas(session) -> list:
    """The areas (a few dozen) as (id, code, name, level, valid_to), read once per generation."""
    return _areas.get(session)


_areas = changes.PerGeneration(lambda session: session.execute(
    db.select(Area.id, Area.code, Area.name, Area.level, Area.valid_to)).all())


def _area_id(code: str, session) -> int:
    """The id of the area with `code` (a former district keeps its code), -1 for none."""
    return next((area[0] for area in areas(session) if area[1] == code), -1)


def _conditions(flt: HonorFilter, session=None) -> list:
    decisions = _public_decisions(session or db.session)
    return _award_conditions(flt, [d.id for d in decisions if _decision_matches(d, flt)])


def _named_kept(flt: HonorFilter, session) -> list[names.Listed]:
    """The awards whose name matches that the filter's other conditions keep, in the roll's
    order: once per request and filter (the page, its total and facets without a filter of
    their own ask the same)."""
    if changes.holds_own_changes(session):
        return _kept_in_order(flt, session)
    kept = g.setdefault("_named_kept", {}) if has_app_context() else {}
    key = (id(session), flt)
    if key not in kept:
        kept[key] = _kept_in_order(flt, session)
    return kept[key]


_in_order = attrgetter("sort_key", "id")  # the roll's order, as a key made in C


def _kept_in_order(flt: HonorFilter, session) -> list[names.Listed]:
    rows = _named_rows(flt.name, session)
    return sorted(filter(_keeper(flt, session), rows), key=_in_order) if rows else []  # nobody: nothing to prepare


def _named_page(flt: HonorFilter, page: int, per_page: int, session) -> tuple[list[names.Listed], int]:
    """A page of the awards whose name matches, in the roll's order, and their number."""
    rows = _named_kept(flt, session)
    return rows[(page - 1) * per_page:page * per_page], len(rows)


def _page_ids(flt: HonorFilter, page: int, per_page: int, session) -> tuple[list[int], int]:
    """The ids of a page of listed awards in Vietnamese order (people by given name), and the total."""
    if flt.name:
        rows, total = _named_page(flt, page, per_page, session)
        return [r.id for r in rows], total
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


# What row_fields() reads, as columns: a page of the roll needs no model objects.
_FIELDS = (Award.id, Award.kind, Award.name, Award.position, Award.unit, Award.village, Award.commune,
           Award.district, Award.publication, Award.annulled, HonorDecision.distinction,
           HonorDecision.achievement_year, Document.symbol, Document.issued_on, Document.slug, Document.is_demo)
_FIELDS_BY_ID = (db.select(*_FIELDS).join(HonorDecision, Award.decision_id == HonorDecision.id)
                 .join(Document, HonorDecision.document_id == Document.id)
                 .where(Award.id.in_(bindparam("ids", expanding=True))))  # built once


def listed_fields(flt: HonorFilter, page: int, per_page: int, session=None) -> Page:
    """A page of the honor roll as what each row shows (row_fields). A name search reads it
    all from the name index and the decisions kept for the generation: no query at all."""
    session = session or db.session
    if flt.name and not changes.holds_own_changes(session):
        found, total = _named_page(flt, page, per_page, session)
        decisions = _decisions_by_id(session)
        return Page([row_fields(row, decisions[row.decision_id], decisions[row.decision_id]) for row in found],
                    total, page, per_page)
    ids, total = _page_ids(flt, page, per_page, session)
    rows = {row.id: row for row in session.execute(_FIELDS_BY_ID, {"ids": ids})} if ids else {}
    return Page([row_fields(rows[i], rows[i], rows[i]) for i in ids if i in rows], total, page, per_page)


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
