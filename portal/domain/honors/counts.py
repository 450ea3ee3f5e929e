"""The honor roll's counts: each filter's values with their numbers under the other filters
(the list's facets), and the statistics page's figures. Annulled awards are counted apart."""
from __future__ import annotations

from collections import Counter
from dataclasses import replace
from operator import attrgetter

from sqlalchemy import func

from portal.domain.honors import names
from portal.domain.honors.models import Award
from portal.domain.honors.roll import (
    HonorFilter,
    _award_conditions,
    _Decision,
    _decision_matches,
    _decisions_by_id,
    _named_kept,
    _named_rows,
    _public_decisions,
    _source,
    areas,
)
from portal.domain.kernel.vocab import DISTINCTIONS, RECIPIENT_KINDS
from portal.extensions import db
from portal.vietnamese.folding import fold


def _count_by(column, flt: HonorFilter, decisions: list[_Decision], annulled_only: bool = False) -> dict:
    if flt.name:
        kept = _named_kept(flt, db.session)
        if annulled_only:
            kept = [row for row in kept if row.annulled]
        return dict(Counter(map(attrgetter(column.key), kept)))
    conds = _award_conditions(flt, [d.id for d in decisions if _decision_matches(d, flt)])
    if annulled_only:
        conds.append(Award.annulled.is_(True))
    return dict(db.session.execute(db.select(column, func.count(Award.id)).select_from(_source(flt))
                                   .where(*conds).group_by(column)).all())


FACETS = ("doi-tuong", "hinh-thuc", "nam", "dot", "dia-ban")


def facets(flt: HonorFilter) -> dict[str, list[tuple[str, str, int]]]:
    """Counts for each filter under the others, as (value, label, count)."""
    if flt.name and not _named_rows(flt.name, db.session):
        return {key: [] for key in FACETS}  # a name nobody has: nothing to count under any filter
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
    area_rows = [area for area in areas(db.session) if area[0] in by_area]
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


def filter_label(key: str, value: str) -> str:
    """How a filter's value reads when no count lists it (nothing matches under the others):
    the kind's, form's or district's name, never its code; other values as given."""
    if key == "doi-tuong":
        return RECIPIENT_KINDS.label(value)
    if key == "hinh-thuc":
        return DISTINCTIONS.label(value)
    if key == "dia-ban":
        for _id, code, name, level, valid_to in areas(db.session):
            if code == value:
                return _area_label(name, level, valid_to)
    return value


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


def prepare(session) -> int:
    """Read now what the honor roll reads once per generation (the name index, the public
    decisions, the areas), so that a worker's first visitors do not wait for it; returns the
    number of names indexed."""
    index = names.current(session)
    _decisions_by_id(session)
    areas(session)
    return len(index.rows)
