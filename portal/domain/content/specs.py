"""Parse and validate content files into specs; nothing here writes."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from portal.domain.content import frontmatter as fm
from portal.domain.documents.markdown import problems as markdown_problems
from portal.domain.documents.symbols import parse_symbol, slug_for
from portal.domain.files.storage import MIME_BY_EXT, sniff
from portal.domain.honors.saving import HONOR_KEYS, HonorSpec, parse_honor
from portal.domain.vocab import DOCUMENT_TYPES, RELATION_KINDS, REVIEW_KINDS, SIGNING_AUTHORITIES, STATES
from portal.errors import ValidationFailed

DOC_KEYS = HONOR_KEYS | {"demo", "symbol", "type", "issuer", "issuer_parent", "place", "issued_on", "subject", "signer",
            "signer_title", "signing_authority", "recipients", "distribution", "field", "campaign",
            "relations", "status", "attachments", "published_at", "sent_to", "ask_receipt"}
CAMPAIGN_KEYS = {"kind", "slug", "name", "launched_by", "plan", "starts_on", "ends_on",
                 "review_rounds", "award_rules", "report_figures"}


@dataclass
class DocumentSpec:
    path: Path
    digest: str
    values: dict
    relations: list[tuple[str, str, str]]  # (kind, symbol, key)
    attachments: list[Path]
    campaign_slug: str | None
    honor: HonorSpec | None = None
    published_on: date | None = None  # when it was first posted (front matter `published_at`)
    sent_to: list[str] | None = None  # unit codes, ["*"] for every unit existing on the issue date
    ask_receipt: bool = True


@dataclass
class CampaignSpec:
    path: Path
    digest: str
    values: dict
    rounds: list[dict]


def _symbol(meta: dict, key: str, where: str, problems: fm.Problems, required: bool):
    """The parsed symbol under `key`, or None after recording why not."""
    raw = fm.text(meta, key, where, problems, required=required)
    if not raw:
        return None
    try:
        return parse_symbol(raw)
    except ValidationFailed as exc:
        problems.add(where, key, exc.message)
        return None


def _digest(path: Path, attachments: list[Path]) -> str:
    """What a reload compares: the file and its attachments (a webmaster's form has no file)."""
    h = hashlib.sha256(path.read_bytes() if path.is_file() else b"")
    for item in attachments:
        h.update(item.name.encode())
        h.update(item.read_bytes())
    return h.hexdigest()


def _authority(value: str | None, where: str, problems: fm.Problems) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    match = re.match(r"^\s*([A-Za-z]+)\.?\s*(.*)$", value)
    term = SIGNING_AUTHORITIES.resolve(match[1] + ".") if match else None
    if term is None:
        problems.add(where, "signing_authority",
                     f"«{value}» phải bắt đầu bằng TM., KT., TL. hoặc TUQ.")
        return None, None
    return term.code, match[2].strip() or None


def _relations(meta: dict, where: str, problems: fm.Problems) -> list[tuple[str, str, str]]:
    value = meta.get("relations") or {}
    if not isinstance(value, dict):
        problems.add(where, "relations", "phải là bảng: based_on, implements, amends, replaces, related")
        return []
    result = []
    for kind in value:
        if kind not in RELATION_KINDS:
            problems.add(where, f"relations.{kind}", f"loại quan hệ không hợp lệ; dùng {', '.join(RELATION_KINDS)}")
            continue
        for raw in fm.string_list(value, kind, where, problems):
            try:
                parsed = parse_symbol(raw)
            except ValidationFailed as exc:
                problems.add(where, f"relations.{kind}", exc.message)
                continue
            result.append((kind, parsed.text, parsed.key))
    return result


def parse_document(path: Path, meta: dict, body: str, problems: fm.Problems) -> DocumentSpec | None:
    """Validate a document's front matter; record each problem by key."""
    where, before = str(path), len(problems.items)
    for key in sorted(set(meta) - DOC_KEYS):
        problems.add(where, key, f"khóa không được hỗ trợ; các khóa hợp lệ: {', '.join(sorted(DOC_KEYS))}")
    values: dict = {}
    parsed = _symbol(meta, "symbol", where, problems, required=True)
    type_name = fm.text(meta, "type", where, problems)
    doc_type = DOCUMENT_TYPES.resolve(type_name) if type_name else None
    if type_name and doc_type is None:
        problems.add(where, "type", f"«{type_name}» không phải tên loại hoặc chữ viết tắt đã biết")
    if parsed and doc_type and parsed.type_code and parsed.type_code != doc_type.code:
        problems.add(where, "type", f"«{type_name}» không khớp với ký hiệu {parsed.text}")
    issued_on = fm.date_value(meta, "issued_on", where, problems)
    status = fm.text(meta, "status", where, problems, required=False) or "published"
    if status not in STATES:
        problems.add(where, "status", f"«{status}» không hợp lệ; dùng {', '.join(t.code for t in STATES)}")
    authority, authority_title = _authority(
        fm.text(meta, "signing_authority", where, problems, required=False), where, problems)
    attachments = []
    for name in fm.string_list(meta, "attachments", where, problems):
        candidate = (path.parent / name).resolve()
        ext = candidate.suffix.lower()
        if not candidate.is_file():
            problems.add(where, "attachments", f"không tìm thấy tệp đính kèm «{name}»")
        elif ext not in MIME_BY_EXT:
            problems.add(where, "attachments", f"«{name}»: chỉ nhận PDF, DOCX, DOC, ODT, XLSX hoặc CSV")
        elif not sniff(candidate, ext):
            problems.add(where, "attachments", f"nội dung tệp «{name}» không đúng định dạng {ext[1:].upper()}")
        attachments.append(candidate)
    values.update(
        issuer=fm.text(meta, "issuer", where, problems),
        issuer_parent=fm.text(meta, "issuer_parent", where, problems, required=False),
        place=fm.text(meta, "place", where, problems),
        subject=fm.text(meta, "subject", where, problems),
        signer=fm.text(meta, "signer", where, problems, required=False),
        signer_title=fm.text(meta, "signer_title", where, problems, required=False),
        field=fm.text(meta, "field", where, problems, required=False),
        recipients=fm.string_list(meta, "recipients", where, problems),
        distribution=fm.string_list(meta, "distribution", where, problems),
        signing_authority=authority, signing_authority_title=authority_title,
        status=status, issued_on=issued_on, body=body, is_demo=bool(meta.get("demo")),
    )
    for problem in markdown_problems(body):
        problems.add(where, "body", problem)
    relations = _relations(meta, where, problems)
    campaign = fm.text(meta, "campaign", where, problems, required=False)
    if len(problems.items) > before or not (parsed and doc_type and issued_on):
        parse_honor(path, meta, problems, doc_type.code if doc_type else None)  # report its rows too
        return None
    # A list with faulty rows still yields a spec, so the later checks (districts) report
    # every faulty row in the same pass; the load stops on the recorded problems anyway.
    honor = parse_honor(path, meta, problems, doc_type.code)
    year = parsed.year or issued_on.year
    values.update(symbol=parsed.text, symbol_key=parsed.key, number=parsed.number, year=year,
                  doc_type=doc_type.code, issuer_code=parsed.issuer_code, unit_code=parsed.unit_code,
                  slug=slug_for(parsed.text, issued_on.year))
    digest = _digest(path, attachments + ([honor.list_path] if honor and honor.list_path else []))
    return DocumentSpec(path, digest, values, relations, attachments, campaign, honor,
                        fm.date_value(meta, "published_at", where, problems, required=False),
                        _sent_to(meta, where, problems), meta.get("ask_receipt", True) is not False)


def _sent_to(meta: dict, where: str, problems: fm.Problems) -> list[str] | None:
    """`sent_to: all` (every unit existing on the issue date) or a list of unit codes."""
    value = meta.get("sent_to")
    if value is None:
        return None
    if value == "all":
        return ["*"]
    codes = fm.string_list(meta, "sent_to", where, problems)
    if not codes:
        problems.add(where, "sent_to", "ghi «all» hoặc danh sách mã đơn vị")
    return codes


def _round(item: object, index: int, where: str, problems: fm.Problems) -> dict | None:
    key = f"review_rounds[{index}]"
    if not isinstance(item, dict):
        problems.add(where, key, "phải là bảng code, kind, label, when, starts_on, ends_on")
        return None
    before = len(problems.items)
    kind = fm.text(item, "kind", where + f" {key}", problems)
    if kind and REVIEW_KINDS.resolve(kind) is None:
        problems.add(where, f"{key}.kind", "phải là so-ket hoặc tong-ket")
    result = {
        "code": fm.text(item, "code", where + f" {key}", problems),
        "kind": REVIEW_KINDS.resolve(kind).code if kind and REVIEW_KINDS.resolve(kind) else None,
        "label": fm.text(item, "label", where + f" {key}", problems),
        "when_label": fm.text(item, "when", where + f" {key}", problems),
        "starts_on": fm.date_value(item, "starts_on", where + f" {key}", problems),
        "ends_on": fm.date_value(item, "ends_on", where + f" {key}", problems),
        "report_due_on": fm.date_value(item, "report_due", where + f" {key}", problems, required=False),
    }
    return result if len(problems.items) == before else None


def _figures(meta: dict, where: str, problems: fm.Problems) -> list[dict]:
    """`report_figures`: what units report at each round ({code, label, unit})."""
    figures = meta.get("report_figures") or []
    out = []
    for index, item in enumerate(figures if isinstance(figures, list) else [None]):
        code = str(item.get("code", "")) if isinstance(item, dict) else ""
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", code) or not item.get("label"):
            problems.add(where, f"report_figures[{index}]", "cần code (chữ thường không dấu) và label")
            continue
        out.append({"code": code, "label": str(item["label"]), "unit": str(item.get("unit", ""))})
    return out


def _award_rules(meta: dict, where: str, problems: fm.Problems) -> list[dict]:
    rules = meta.get("award_rules") or []
    if not isinstance(rules, list):
        problems.add(where, "award_rules", "phải là một danh sách")
        return []
    for index, rule in enumerate(rules):
        ok = isinstance(rule, dict) and isinstance(rule.get("description"), str)
        amount = rule.get("min_contribution") if isinstance(rule, dict) else None
        if not ok or (amount is not None and (not isinstance(amount, int) or amount < 0)):
            problems.add(where, f"award_rules[{index}]",
                         "cần description (chuỗi) và min_contribution (số đồng, nếu có)")
    return rules


def parse_campaign(path: Path, meta: dict, body: str, problems: fm.Problems) -> CampaignSpec | None:
    """Validate a campaign file (front matter `kind: campaign`)."""
    where, before = str(path), len(problems.items)
    for key in sorted(set(meta) - CAMPAIGN_KEYS):
        problems.add(where, key, f"khóa không được hỗ trợ; các khóa hợp lệ: {', '.join(sorted(CAMPAIGN_KEYS))}")
    slug = fm.text(meta, "slug", where, problems)
    if slug and not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug):
        problems.add(where, "slug", "chỉ gồm chữ thường không dấu, số và dấu gạch ngang")
    plan_symbol = _symbol(meta, "plan", where, problems, required=False)
    values = {
        "slug": slug, "name": fm.text(meta, "name", where, problems),
        "launched_by": fm.text(meta, "launched_by", where, problems),
        "plan_symbol": plan_symbol.text if plan_symbol else None,
        "plan_key": plan_symbol.key if plan_symbol else None,
        "starts_on": fm.date_value(meta, "starts_on", where, problems),
        "ends_on": fm.date_value(meta, "ends_on", where, problems),
        "award_rules": _award_rules(meta, where, problems), "summary": body,
        "report_figures": _figures(meta, where, problems),
    }
    raw_rounds = meta.get("review_rounds") or []
    if not isinstance(raw_rounds, list):
        problems.add(where, "review_rounds", "phải là một danh sách")
        raw_rounds = []
    rounds = [_round(item, i, where, problems) for i, item in enumerate(raw_rounds)]
    if len(problems.items) > before:
        return None
    return CampaignSpec(path, _digest(path, []), values, [r for r in rounds if r])
