"""Parse and validate campaign files into specs; nothing here writes."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from portal.domain.editorial.specs import content_digest, symbol_value
from portal.domain.kernel import frontmatter as fm
from portal.domain.kernel.vocab import REVIEW_KINDS

CAMPAIGN_KEYS = {"kind", "slug", "name", "launched_by", "plan", "starts_on", "ends_on",
                 "review_rounds", "award_rules", "report_figures"}


@dataclass
class CampaignSpec:
    path: Path
    digest: str
    values: dict
    rounds: list[dict]


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
    plan_symbol = symbol_value(meta, "plan", where, problems, required=False)
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
    return CampaignSpec(path, content_digest(path, []), values, [r for r in rounds if r])
