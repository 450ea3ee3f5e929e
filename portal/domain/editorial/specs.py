"""Parse and validate a document (from a content file or the webmaster's form) into a spec;
nothing here writes."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from portal.domain.documents.markdown import problems as markdown_problems
from portal.domain.documents.symbols import parse_symbol, slug_for
from portal.domain.files.storage import MIME_BY_EXT, sniff
from portal.domain.honors.saving import HONOR_KEYS, HonorSpec, parse_honor
from portal.domain.kernel import frontmatter as fm
from portal.domain.kernel.vocab import DOCUMENT_TYPES, RELATION_KINDS, SIGNING_AUTHORITIES, STATES
from portal.errors import ValidationFailed

DOC_KEYS = HONOR_KEYS | {"demo", "symbol", "type", "issuer", "issuer_parent", "place", "issued_on", "subject", "signer",
            "signer_title", "signing_authority", "recipients", "distribution", "field", "campaign",
            "relations", "status", "attachments", "published_at", "sent_to", "ask_receipt"}


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


def symbol_value(meta: dict, key: str, where: str, problems: fm.Problems, required: bool):
    """The parsed symbol under `key`, or None after recording why not."""
    raw = fm.text(meta, key, where, problems, required=required)
    if not raw:
        return None
    try:
        return parse_symbol(raw)
    except ValidationFailed as exc:
        problems.add(where, key, exc.message)
        return None


def content_digest(path: Path, attachments: list[Path]) -> str:
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
    parsed = symbol_value(meta, "symbol", where, problems, required=True)
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
    digest = content_digest(path, attachments + ([honor.list_path] if honor and honor.list_path else []))
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
