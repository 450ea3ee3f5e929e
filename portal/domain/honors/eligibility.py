"""Who may be nominated: the rules of content/quy-tac/*.toml (chains of consecutive titles,
prerequisites of the same year, conditions on a collective's members), each with its dates of
force and its citation, judged against a person's awards on the honor roll.

A person is found by the ID number kept with each award (private, never shown publicly): their
awards of published decisions, annulled ones left out, make their history year by year."""
from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from portal.config import PROJECT_ROOT
from portal.domain.documents.models import Document, public_filter
from portal.domain.honors import matters
from portal.domain.honors.models import Award, AwardPrivate, HonorDecision
from portal.domain.kernel.vocab import DISTINCTIONS
from portal.errors import ValidationFailed
from portal.extensions import db

RULES_FILE = PROJECT_ROOT / "content" / "quy-tac" / "dieu-kien-de-nghi.toml"
KINDS = ("chain", "same_year", "members", "registered", "share_cap", "exclusion", "hold")
STATUS_LABELS = {"eligible": "Đủ điều kiện", "review": "Cần xem xét", "not_eligible": "Chưa đủ điều kiện"}


@dataclass(frozen=True)
class Rule:
    id: str
    titles: tuple[str, ...]
    kind: str
    needs: tuple[str, ...]
    count: int
    effective_from: date
    effective_to: date | None
    summary: str
    law: str
    article: int
    clause: int | None
    point: str | None
    quote: str
    share: int = 0  # share_cap: at most this percent of ...
    base: tuple[str, ...] = ()  # ... the collectives graded one of these titles
    source_kept: bool = True  # False: the text is not in the repository, the quote not checked
    discipline: str = ""  # exclusion: a discipline of this form or heavier in the year bars the title
    service_months: int = 0  # exclusion: ... so does less service than this at the year's end
    leave_months: int = 0  # exclusion: ... and this much leave in the year (30 days a month)

    @property
    def citation(self) -> str:
        parts = ([f"điểm {self.point}"] if self.point else []) + ([f"khoản {self.clause}"] if self.clause else [])
        where = " ".join(parts + ([f"Điều {self.article}"] if self.article else []))
        unchecked = "" if self.source_kept else " (văn bản chưa lưu trên cổng: chưa đối chiếu nguyên văn)"
        return f"{where[0].upper()}{where[1:]} {self.law}{unchecked}" if where else f"{self.law}{unchecked}"

    @property
    def reads_history(self) -> bool:
        """Judged on what the portal holds of the person: past awards, disciplines, matters under
        examination (so not without their ID number)."""
        return self.kind in ("chain", "same_year", "exclusion", "hold")

    def in_force(self, year: int) -> bool:
        """Whether the rule judges a title of `year` (its dates of force cover that year's end)."""
        day = date(year, 12, 31)
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


def parse_rules(text: str, where: str = "quy tắc") -> list[Rule]:
    """Every rule of a rules file, or ValidationFailed naming each problem (a file that does not
    parse names its line)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        at = f", dòng {line[1]}" if line else ""
        raise ValidationFailed(f"{where}{at}: không đọc được ({exc}); chưa dùng tệp này.") from None
    problems, rules = [], []
    for n, raw in enumerate(data.get("rule") or [], start=1):
        label = f"{where}, quy tắc thứ {n} ({raw.get('id', '?')})"
        try:
            rule = Rule(str(raw["id"]), tuple(raw["titles"]), raw["kind"], tuple(raw.get("needs", ())),
                        int(raw.get("count", 1)), raw["effective_from"], raw.get("effective_to"), raw["summary"],
                        raw["law"], int(raw.get("article", 0)), raw.get("clause"), raw.get("point"),
                        raw.get("quote", ""), int(raw.get("share", 0)), tuple(raw.get("base", ())),
                        bool(raw.get("source_kept", True)), str(raw.get("discipline", "")),
                        int(raw.get("service_months", 0)), int(raw.get("leave_months", 0)))
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"{label}: thiếu hoặc sai trường {exc}")
            continue
        unknown = [t for t in rule.titles + rule.needs + rule.base if DISTINCTIONS.get(t) is None]
        if unknown:
            problems.append(f"{label}: không có danh hiệu {', '.join(unknown)}")
        if rule.kind not in KINDS:
            problems.append(f"{label}: loại «{rule.kind}» không có ({', '.join(KINDS)})")
        if not isinstance(rule.effective_from, date) or rule.count < 1:
            problems.append(f"{label}: effective_from phải là ngày, count phải từ 1")
        if rule.source_kept and not rule.quote:
            problems.append(f"{label}: thiếu quote (nguyên văn của điều được trích)")
        if rule.kind == "share_cap" and not (0 < rule.share <= 100 and rule.base):
            problems.append(f"{label}: share_cap cần share (1-100) và base")
        if rule.kind == "exclusion" and not (rule.discipline or rule.service_months > 0 or rule.leave_months > 0):
            problems.append(f"{label}: exclusion cần discipline, service_months hoặc leave_months")
        if rule.discipline and rule.discipline not in matters.DISCIPLINES:
            problems.append(f"{label}: không có hình thức kỷ luật «{rule.discipline}»")
        if rule.source_kept and not rule.article:
            problems.append(f"{label}: thiếu article (điều được trích)")
        rules.append(rule)
    if len({r.id for r in rules}) != len(rules):
        problems.append(f"{where}: hai quy tắc trùng id")
    if problems:
        raise ValidationFailed(f"Tệp quy tắc {where} có lỗi; chưa dùng tệp này.", problems)
    return rules


_loaded: dict[Path, tuple[float, list[Rule]]] = {}


def rules(path: Path = RULES_FILE) -> list[Rule]:
    """The rules of the file, read again when it changes."""
    stamp = path.stat().st_mtime
    found = _loaded.get(path)
    if found is None or found[0] != stamp:
        found = _loaded[path] = (stamp, parse_rules(path.read_text(encoding="utf-8"), path.name))
    return found[1]


@dataclass(frozen=True)
class Held:
    """One award in a person's history."""

    year: int
    distinction: str
    label: str
    symbol: str
    issued_on: date
    issuer: str
    name: str
    award_id: int


def history(id_number: str) -> list[Held]:
    """A person's standing awards of published decisions, newest first."""
    rows = db.session.execute(
        db.select(Award.id, Award.name, HonorDecision.distinction, HonorDecision.achievement_year, Document.symbol,
                  Document.issued_on, Document.issuer)
        .join(AwardPrivate, AwardPrivate.award_id == Award.id)
        .join(HonorDecision, Award.decision_id == HonorDecision.id)
        .join(Document, HonorDecision.document_id == Document.id)
        .where(AwardPrivate.id_number == id_number.strip(), Award.annulled.is_(False), public_filter()))
    held = [Held(year or issued.year, code, DISTINCTIONS.label(code), symbol, issued, issuer, name, award_id)
            for award_id, name, code, year, symbol, issued, issuer in rows]
    return sorted(held, key=lambda h: (-h.year, DISTINCTIONS.rank(h.distinction)))


# Whether the nominee registered for a title of a year: (met, evidence); met None when the
# portal cannot tell. Registrations belong to the units' work (units/registrations.py), which
# the caller passes in: the honors domain does not reach into the units'.
Registered = Callable[[str, int], tuple[bool | None, str]]
# The count behind a share cap in the nominee's round: (met, evidence) for a rule and a year.
Shares = Callable[["Rule", int], tuple[bool | None, str]]
UNMATCHED = "Tra cứu này không gắn với một đơn vị hay số định danh: chưa đối chiếu được đăng ký thi đua."


@dataclass
class Judged:
    rule: Rule
    met: bool | None  # None: the portal cannot tell (members of a collective)
    evidence: str


@dataclass
class Check:
    title: str
    year: int
    status: str
    judged: list[Judged] = field(default_factory=list)
    note: str = ""

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def _years_of(held: list[Held], codes: tuple[str, ...]) -> dict[int, Held]:
    return {h.year: h for h in sorted(held, key=lambda h: h.year) if h.distinction in codes}


def _excluded(rule: Rule, standing: matters.Standing, year: int) -> Judged:
    bars, seen = matters.bars(standing, year, rule.discipline, rule.service_months, rule.leave_months)
    if bars:
        return Judged(rule, False, _sentence("; ".join(bars)))
    where = "" if standing.known else "cổng chưa có hồ sơ của người này; "
    return Judged(rule, True, _sentence(where + "; ".join(seen)))


def _sentence(text: str) -> str:
    return f"{text[:1].upper()}{text[1:]}."


def _held_back(rule: Rule, standing: matters.Standing) -> Judged:
    pending = matters.pending(standing)
    if pending:
        return Judged(rule, False, "; ".join(pending) + ": chưa đề nghị khen thưởng cho đến khi có kết luận.")
    return Judged(rule, True, "Cổng không ghi việc nào đang xem xét đối với người này.")


def _judge(rule: Rule, held: list[Held], year: int, title: str, registered: Registered | None,
           shares: Shares | None = None, standing: matters.Standing | None = None) -> Judged:
    if rule.kind == "exclusion":
        return _excluded(rule, standing or matters.Standing(False), year)
    if rule.kind == "hold":
        return _held_back(rule, standing or matters.Standing(False))
    names = " hoặc ".join(DISTINCTIONS.label(c) for c in rule.needs)
    if rule.kind == "members":
        return Judged(rule, None, "Cổng không lưu danh sách thành viên của tập thể: người thẩm định kiểm tra.")
    if rule.kind == "registered":
        return Judged(rule, *registered(title, year)) if registered else Judged(rule, None, UNMATCHED)
    if rule.kind == "share_cap":
        return Judged(rule, *shares(rule, year)) if shares else Judged(
            rule, None, "Tra cứu này không gắn với một đợt khen thưởng: tỷ lệ được đếm trên hồ sơ của đợt.")
    found = _years_of(held, rule.needs)
    if rule.kind == "same_year":
        hit = found.get(year)
        return Judged(rule, hit is not None, f"{names} năm {year}: Quyết định {hit.symbol}" if hit
                      else f"Chưa có {names} năm {year} trên cổng.")
    wanted = list(range(year - rule.count + 1, year + 1))
    missing = [y for y in wanted if y not in found]
    if not missing:
        return Judged(rule, True, "; ".join(f"{y}: {found[y].label}, Quyết định {found[y].symbol}" for y in wanted))
    have = ", ".join(str(y) for y in wanted if y in found) or "không năm nào"
    return Judged(rule, False, f"Cần {names} các năm {', '.join(map(str, wanted))}; có: {have}; "
                               f"chuỗi bị đứt ở năm {', '.join(map(str, missing))}.")


def check(id_number: str, title: str, year: int, rule_list: list[Rule] | None = None,
          registered: Registered | None = None, shares: Shares | None = None) -> Check:
    """Whether a person may be nominated for `title` of `year`, rule by rule, with evidence."""
    if DISTINCTIONS.get(title) is None:
        raise ValidationFailed(f"«{title[:60]}» không phải hình thức khen thưởng hay danh hiệu đã biết.")
    applying = [r for r in (rule_list if rule_list is not None else rules()) if title in r.titles and r.in_force(year)]
    if not applying:
        return Check(title, year, "review", note="Chưa có quy tắc của cổng cho danh hiệu này ở năm này: "
                                                  "người thẩm định xét theo văn bản.")
    held = history(id_number) if id_number.strip() else []
    standing = (matters.of_person(id_number) if any(r.kind in ("exclusion", "hold") for r in applying)
                else matters.Standing(False))
    judged = [_judge(rule, held, year, title, registered, shares, standing) for rule in applying]
    if any(j.met is False for j in judged):
        status = "not_eligible"
    elif any(j.met is None for j in judged):
        status = "review"
    else:
        status = "eligible"
    return Check(title, year, status, judged)


def as_json(result: Check) -> dict:
    return {"title": result.title, "year": result.year, "status": result.status, "note": result.note or None,
            "rules": [{"rule": j.rule.summary, "id": j.rule.id, "citation": j.rule.citation, "met": j.met,
                       "evidence": j.evidence} for j in result.judged]}


def for_dossier(dossier, registered_of: Callable[[object], Registered] | None = None,
                shares: Shares | None = None) -> dict[int, Check]:
    """Each nominee's check for the dossier's title in the year its round closes; a person with
    no ID number in the list cannot be matched with earlier years and is to be reviewed.
    `registered_of(nominee)` answers the registration rule for one nominee."""
    year, title, found = dossier.review_round.ends_on.year, dossier.distinction, {}
    for nominee in dossier.nominees:
        number = (nominee.private.id_number or "") if nominee.private else ""
        registered = registered_of(nominee) if registered_of else None
        if nominee.kind == "ca-nhan" and not number:
            result = check("", title, year, registered=registered, shares=shares)
            if any(j.rule.reads_history for j in result.judged):
                result = Check(title, year, "review", result.judged, "Danh sách chưa có số định danh của người "
                               "này: chưa đối chiếu được với các năm trước.")
                for judged in result.judged:
                    if judged.rule.reads_history:
                        judged.met, judged.evidence = None, "Chưa đối chiếu được (thiếu số định danh)."
                if any(j.met is False for j in result.judged):
                    result.status = "not_eligible"
            found[nominee.id] = result
        else:
            found[nominee.id] = check(number, title, year, registered=registered, shares=shares)
    return found
