"""Document numbers and symbols (số, ký hiệu) after Nghị định 30/2020/NĐ-CP.

Three shapes:
  174/KH-UBND        number / type-issuer[-unit]
  1033/VKS-VP        number / issuer-unit (công văn: no type code)
  57/2018/QĐ-UBND    number / year / type-issuer (normative documents)
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from portal.domain.kernel.vocab import DOCUMENT_TYPES
from portal.errors import ValidationFailed
from portal.vietnamese.folding import slug, transliterate

_PART = r"[A-Za-zĐđ][A-Za-zĐđ0-9]{0,11}"
_SHAPE = re.compile(
    rf"^(?P<number>\d{{1,6}})\s*/\s*(?:(?P<year>\d{{4}})\s*/\s*)?(?P<codes>{_PART}(?:\s*-\s*{_PART}){{0,4}})$"
)
# A symbol cited inside running text ("Kế hoạch số 174/KH-UBND ngày ...").
IN_TEXT = re.compile(
    r"(?<![\w/])\d{1,6}/(?:\d{4}/)?[A-ZĐ][A-Za-zĐđ0-9]{0,11}(?:-[A-ZĐ][A-Za-zĐđ0-9]{0,11}){1,4}(?![\w-])"
)

# Type abbreviations keyed exactly (HD = hướng dẫn, HĐ = hợp đồng) and folded (QD -> QĐ).
_EXACT = {t.abbr.upper(): t for t in DOCUMENT_TYPES if t.abbr}
_FOLDED: dict[str, list] = {}
for _t in DOCUMENT_TYPES:
    if _t.abbr:
        _FOLDED.setdefault(transliterate(_t.abbr).upper(), []).append(_t)


@dataclass(frozen=True)
class Symbol:
    """A parsed symbol; `text` is its canonical spelling."""

    number: int
    year: int | None
    type_code: str | None  # vocabulary code, None for a công văn
    issuer_code: str
    unit_code: str | None

    @property
    def text(self) -> str:
        head = f"{self.number}/" + (f"{self.year}/" if self.year else "")
        codes = []
        if self.type_code:
            codes.append(DOCUMENT_TYPES.get(self.type_code).abbr)
        codes.append(self.issuer_code)
        if self.unit_code:
            codes.append(self.unit_code)
        return head + "-".join(codes)

    @property
    def key(self) -> str:
        """Folded alphanumerics only: the form symbols are matched and indexed by."""
        return symbol_key(self.text)


def symbol_key(text: str) -> str:
    """`57/2018/QĐ-UBND` -> `572018qdubnd`."""
    return re.sub(r"[^0-9a-z]", "", transliterate(unicodedata.normalize("NFC", text)))


def _type_for(code: str):
    upper = code.upper()
    if upper in _EXACT:
        return _EXACT[upper]
    candidates = _FOLDED.get(transliterate(code).upper(), [])
    return candidates[0] if len(candidates) == 1 else None


def parse_symbol(raw: str) -> Symbol:
    """Parse and validate a symbol in one of its three shapes; raise ValidationFailed."""
    text = unicodedata.normalize("NFC", str(raw or "")).strip()
    if text.lower().startswith("số"):
        text = text[2:].lstrip(" :.")
    match = _SHAPE.match(text)
    if not match:
        raise ValidationFailed(
            f"Số, ký hiệu «{raw}» không đúng dạng "
            "(ví dụ: 174/KH-UBND, 1033/VKS-VP, 57/2018/QĐ-UBND)."
        )
    number = int(match["number"])
    if number < 1:
        raise ValidationFailed(f"Số văn bản trong «{raw}» phải lớn hơn 0.")
    year = int(match["year"]) if match["year"] else None
    if year is not None and not 1945 <= year <= 2100:
        raise ValidationFailed(f"Năm ban hành {year} trong «{raw}» không hợp lệ.")
    parts = [p.strip() for p in match["codes"].split("-")]
    doc_type = _type_for(parts[0]) if len(parts) > 1 else None
    if doc_type is not None:
        rest = parts[1:]
    else:
        rest = parts
        if year is not None:
            raise ValidationFailed(
                f"«{parts[0]}» trong «{raw}» không phải là chữ viết tắt tên loại văn bản."
            )
    if not rest or (doc_type is None and len(rest) > 3):
        raise ValidationFailed(f"Số, ký hiệu «{raw}» thiếu chữ viết tắt cơ quan ban hành.")
    issuer = rest[0].upper()
    unit = "-".join(p.upper() for p in rest[1:]) or None
    return Symbol(number, year, doc_type.code if doc_type else None, issuer, unit)


def slug_for(symbol_text: str, issued_year: int) -> str:
    """URL slug: folded symbol, other runs become hyphens, plus -YYYY unless the symbol has a year."""
    parsed = parse_symbol(symbol_text)
    base = slug(parsed.text)
    return base if parsed.year else f"{base}-{issued_year}"
