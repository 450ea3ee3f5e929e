"""Ordered enumerations with Vietnamese labels and ASCII codes."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass


def fold(text: str) -> str:
    """NFC, lower case, every diacritic removed and đ mapped to d."""
    text = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(c for c in text if not unicodedata.combining(c))


@dataclass(frozen=True)
class Term:
    """One entry of an enumeration: stable ASCII code, Vietnamese label, optional abbreviation."""

    code: str
    label: str
    abbr: str | None = None


class Vocabulary:
    """An ordered list of terms, looked up by code, label or abbreviation."""

    def __init__(self, name: str, terms: list[Term]):
        self.name = name
        self.terms = terms
        self._by_code = {t.code: t for t in terms}
        self._lookup: dict[str, Term] = {}
        for term in terms:
            for key in (term.code, term.label, term.abbr):
                if key:
                    self._lookup.setdefault(key.casefold(), term)
            self._lookup.setdefault(fold(term.label), term)

    def __iter__(self):
        return iter(self.terms)

    def __contains__(self, code: str) -> bool:
        return code in self._by_code

    def get(self, code: str | None) -> Term | None:
        """Term for an exact code, or None."""
        return self._by_code.get(code or "")

    def resolve(self, value: str) -> Term | None:
        """Term named by its code, its Vietnamese label or its abbreviation (any case)."""
        key = unicodedata.normalize("NFC", str(value).strip())
        return self._lookup.get(key.casefold()) or self._lookup.get(fold(key))

    def rank(self, code: str) -> int:
        """Position in the order (0 = first); unknown codes sort last."""
        for index, term in enumerate(self.terms):
            if term.code == code:
                return index
        return len(self.terms)

    def label(self, code: str | None) -> str:
        term = self.get(code)
        return term.label if term else (code or "")


# Appendix III of Nghị định 30/2020/NĐ-CP: document types and their abbreviations.
DOCUMENT_TYPES = Vocabulary("document type", [
    Term("nghi-quyet", "Nghị quyết", "NQ"),
    Term("quyet-dinh", "Quyết định", "QĐ"),
    Term("chi-thi", "Chỉ thị", "CT"),
    Term("quy-che", "Quy chế", "QC"),
    Term("quy-dinh", "Quy định", "QyĐ"),
    Term("thong-cao", "Thông cáo", "TC"),
    Term("thong-bao", "Thông báo", "TB"),
    Term("huong-dan", "Hướng dẫn", "HD"),
    Term("chuong-trinh", "Chương trình", "CTr"),
    Term("ke-hoach", "Kế hoạch", "KH"),
    Term("phuong-an", "Phương án", "PA"),
    Term("de-an", "Đề án", "ĐA"),
    Term("du-an", "Dự án", "DA"),
    Term("bao-cao", "Báo cáo", "BC"),
    Term("bien-ban", "Biên bản", "BB"),
    Term("to-trinh", "Tờ trình", "TTr"),
    Term("hop-dong", "Hợp đồng", "HĐ"),
    Term("cong-van", "Công văn", None),
    Term("cong-dien", "Công điện", "CĐ"),
    Term("ban-ghi-nho", "Bản ghi nhớ", "GN"),
    Term("ban-thoa-thuan", "Bản thỏa thuận", "TTh"),
    Term("giay-uy-quyen", "Giấy ủy quyền", "GUQ"),
    Term("giay-moi", "Giấy mời", "GM"),
    Term("giay-gioi-thieu", "Giấy giới thiệu", "GGT"),
    Term("giay-nghi-phep", "Giấy nghỉ phép", "NP"),
    Term("phieu-gui", "Phiếu gửi", "PG"),
    Term("phieu-chuyen", "Phiếu chuyển", "PC"),
    Term("phieu-bao", "Phiếu báo", "PB"),
])

# Signing authority lines (thể thức ký) of Nghị định 30/2020.
SIGNING_AUTHORITIES = Vocabulary("signing authority", [
    Term("tm", "TM.", "thay mặt"),
    Term("kt", "KT.", "ký thay"),
    Term("tl", "TL.", "thừa lệnh"),
    Term("tuq", "TUQ.", "thừa ủy quyền"),
])

# Relation kinds: label seen from the source, label seen from the target.
RELATION_KINDS: dict[str, tuple[str, str]] = {
    "based_on": ("Căn cứ", "Là căn cứ của"),
    "implements": ("Triển khai", "Được triển khai bởi"),
    "amends": ("Sửa đổi, bổ sung", "Được sửa đổi, bổ sung bởi"),
    "replaces": ("Thay thế", "Được thay thế bởi"),
    "related": ("Liên quan", "Liên quan"),
}

# Workflow states; only "published" is ever public.
STATES = Vocabulary("state", [
    Term("draft", "Bản nháp"),
    Term("pending", "Chờ duyệt"),
    Term("published", "Đã đăng"),
    Term("retracted", "Đã gỡ"),
])

REVIEW_KINDS = Vocabulary("review kind", [
    Term("so-ket", "Sơ kết"),
    Term("tong-ket", "Tổng kết"),
])
