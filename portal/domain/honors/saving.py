"""The honor-roll part of content: decisions' award lists and the list of areas."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from portal.domain.campaigns.models import format_money
from portal.domain.honors import records
from portal.domain.honors.award_lists import AwardList, parse_list
from portal.domain.honors.models import Award, AwardPrivate, HonorDecision
from portal.domain.honors.places import Area, find_area, name_key
from portal.domain.kernel import frontmatter as fm
from portal.domain.kernel.vocab import AWARD_LEVELS, DISTINCTIONS
from portal.extensions import db
from portal.vietnamese.collation import sort_key
from portal.vietnamese.folding import fold

HONOR_KEYS = {"award_form", "level", "review_round", "achievement_year", "awards", "reason",
              "contribution_public"}


@dataclass
class HonorSpec:
    distinction: str
    level: str | None
    review_round: str | None
    achievement_year: int | None
    reason: str
    contribution_public: bool
    list_path: Path | None
    awards: AwardList = field(default_factory=AwardList)
    digest: str = ""


def parse_honor(path: Path, meta: dict, problems: fm.Problems, doc_type: str | None) -> HonorSpec | None:
    """The honors keys of a decision's front matter, with its award list read and checked."""
    if not HONOR_KEYS & set(meta):
        return None
    where = str(path)
    if doc_type and doc_type != "quyet-dinh":
        problems.add(where, "award_form", "chỉ quyết định (QĐ) mới có danh sách khen thưởng")
    form_name = fm.text(meta, "award_form", where, problems)
    form = DISTINCTIONS.resolve(form_name) if form_name else None
    if form_name and form is None:
        problems.add(where, "award_form", f"«{form_name}» không phải hình thức khen thưởng hay danh hiệu đã biết")
    level_name = fm.text(meta, "level", where, problems, required=False)
    level = AWARD_LEVELS.resolve(level_name) if level_name else None
    if level_name and level is None:
        problems.add(where, "level", f"«{level_name}» không phải cấp quyết định đã biết")
    year = meta.get("achievement_year")
    if year is not None and not (isinstance(year, int) and 1945 <= year <= 2100):
        problems.add(where, "achievement_year", "phải là năm (4 chữ số)")
    list_path, awards = None, AwardList()
    list_name = fm.text(meta, "awards", where, problems, required=False)
    if list_name:
        list_path = (path.parent / list_name).resolve()
        if not list_path.is_file():
            problems.add(where, "awards", f"không tìm thấy danh sách «{list_name}»")
        else:
            awards = parse_list(list_path)
            for error in awards.errors:
                problems.add(where, "awards", f"{list_name}, {error}")
    if form is None:
        return None
    digest = hashlib.sha256(list_path.read_bytes()).hexdigest() if list_path and list_path.is_file() else ""
    return HonorSpec(form.code, level.code if level else None,
                     fm.text(meta, "review_round", where, problems, required=False),
                     year if isinstance(year, int) else None,
                     fm.text(meta, "reason", where, problems, required=False) or "",
                     bool(meta.get("contribution_public")), list_path, awards, digest)


def _round_id(rounds, name: str | None):
    """The round (object or dict with code, label, when_label) a name designates."""
    if not name:
        return None
    wanted = fold(name)
    for rnd in rounds or []:
        get = rnd.get if isinstance(rnd, dict) else lambda key, r=rnd: getattr(r, key)
        if wanted in (fold(get("code")), fold(get("label")), fold(get("when_label"))):
            return rnd
    return None


def check_honor(spec: HonorSpec, where: str, rounds: list, rules: list[dict], area_keys: set[str],
                problems: fm.Problems, document_id: int | None = None) -> None:
    """Checks against the campaign and the areas: the review round, the districts, the award rules,
    and the identity of each person against the portal's records (`document_id`: the decision
    being reloaded, whose own earlier lines may be corrected)."""
    for message in records.identity_conflicts(spec.awards.rows, document_id):
        problems.add(where, "awards", message)
    if spec.review_round and _round_id(rounds, spec.review_round) is None:
        problems.add(where, "review_round", f"phong trào không có đợt «{spec.review_round}»")
    for row in spec.awards.rows:
        district = row.values.get("district")
        if district and name_key(district) not in area_keys and find_area(district) is None:
            problems.add(where, "awards", f"dòng {row.line}, cột Huyện: không có «{district}» trong danh mục địa bàn")
    rules = [r for r in rules if r.get("award_form") == spec.distinction
             and r.get("recipient") == "ho-gia-dinh" and r.get("min_contribution")]
    for rule in rules:
        for row in spec.awards.rows:
            amount = row.values.get("contribution")
            if row.values["kind"] == "ho-gia-dinh" and amount is not None and amount < rule["min_contribution"]:
                spec.awards.warnings.append(
                    f"dòng {row.line}: {row.values['name']} đóng góp {format_money(amount)}, dưới mức "
                    f"{format_money(rule['min_contribution'])} để đề nghị {DISTINCTIONS.label(spec.distinction)}")


def save_decision(document, spec: HonorSpec) -> HonorDecision:
    """Create or update what the decision awards (form, level, reason, round), not its list."""
    decision = db.session.scalar(db.select(HonorDecision).where(HonorDecision.document_id == document.id))
    if decision is None:
        decision = HonorDecision(document_id=document.id)
        db.session.add(decision)
    decision.distinction, decision.level, decision.reason = spec.distinction, spec.level, spec.reason
    decision.campaign_id = document.campaign_id
    rnd = _round_id(document.campaign.rounds if document.campaign else [], spec.review_round)
    decision.review_round_id = rnd.id if rnd else None
    decision.achievement_year = spec.achievement_year or document.issued_on.year
    decision.contribution_public = spec.contribution_public
    return decision


def save_honor(document, spec: HonorSpec) -> None:
    """Create or update the decision's honor data; awards keep their id and publication by STT."""
    decision = save_decision(document, spec)
    if decision.list_hash == spec.digest and decision.id is not None:
        return
    decision.list_hash = spec.digest
    existing = {a.seq: a for a in decision.awards}
    keep = []
    for row in spec.awards.rows:
        award = existing.get(row.values["seq"]) or Award(publication="public")
        values = dict(row.values)
        stated = values.pop("contribution")
        award.set_name(values.pop("name"))
        for key, value in values.items():
            setattr(award, key, value)
        award.contribution = stated if spec.contribution_public else None
        award.sort_key = sort_key(award.name, award.kind)
        area = find_area(award.district) if award.district else None
        award.district_area_id = area.id if area else None
        private = award.private or AwardPrivate()
        for key, value in row.private.items():
            setattr(private, key, value)
        private.contribution = stated
        award.private = private
        keep.append(award)
    decision.awards = keep
    records.attach(decision)


# -- areas -------------------------------------------------------------------------------------
def parse_areas(path: Path, meta: dict, problems: fm.Problems) -> list[dict]:
    where, result = str(path), []
    for index, item in enumerate(meta.get("areas") or []):
        key = f"areas[{index}]"
        if not isinstance(item, dict):
            problems.add(where, key, "phải là bảng code, name, level, valid_from, valid_to")
            continue
        before = len(problems.items)
        entry = {
            "code": fm.text(item, "code", where, problems), "name": fm.text(item, "name", where, problems),
            "level": fm.text(item, "level", where, problems),
            "valid_from": fm.date_value(item, "valid_from", where, problems, required=False),
            "valid_to": fm.date_value(item, "valid_to", where, problems, required=False),
            "successors": fm.string_list(item, "successors", where, problems),
        }
        if len(problems.items) == before:
            result.append(entry)
    return result


def save_areas(entries: list[dict]) -> None:
    for entry in entries:
        area = db.session.scalar(db.select(Area).where(Area.code == entry["code"])) or Area()
        for key, value in entry.items():
            setattr(area, key, value)
        area.name_key = name_key(entry["name"])
        db.session.add(area)
