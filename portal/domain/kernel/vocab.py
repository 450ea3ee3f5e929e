"""Ordered enumerations with Vietnamese labels and ASCII codes."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from portal.vietnamese.folding import fold

# Control characters (tab and line breaks kept), and the invisible format characters that
# Vietnamese text never needs: zero-width spaces and joiners, bidi embeddings, overrides and
# isolates (U+202E turns "gpj.exe" around), word joiners, the BOM, soft hyphens.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f\u00ad\u061c\u180e\u200b-\u200f"
                       "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\ufffe\uffff]")


def strip_controls(text: str) -> str:
    """Text without control or invisible formatting characters: they cannot be seen (a name
    with a zero-width joiner looks the same but is never found, a right-to-left override
    reverses what follows), and XML (the feed, the sitemap, .docx) cannot carry the controls.
    Applied wherever text is stored, and to every filter and query typed in."""
    return _CONTROLS.sub("", text)


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

# Forms of award, highest first (Luật Thi đua, khen thưởng 2022).
AWARD_FORMS = Vocabulary("award form", [
    Term("huan-chuong-lao-dong-hang-nhat", "Huân chương Lao động hạng Nhất"),
    Term("huan-chuong-lao-dong-hang-nhi", "Huân chương Lao động hạng Nhì"),
    Term("huan-chuong-lao-dong-hang-ba", "Huân chương Lao động hạng Ba"),
    Term("bang-khen-thu-tuong", "Bằng khen của Thủ tướng Chính phủ"),
    Term("bang-khen-vien-truong-vksndtc", "Bằng khen của Viện trưởng Viện kiểm sát nhân dân tối cao"),
    Term("bang-khen-chu-tich-ubnd-tinh", "Bằng khen của Chủ tịch UBND tỉnh"),
    Term("giay-khen-vien-truong-vksnd-tinh", "Giấy khen của Viện trưởng Viện kiểm sát nhân dân tỉnh"),
    Term("giay-khen-thu-truong", "Giấy khen của Thủ trưởng cơ quan, đơn vị"),
    Term("giay-khen-chu-tich-ubnd-huyen", "Giấy khen của Chủ tịch UBND cấp huyện"),
    Term("giay-khen-chu-tich-ubnd-xa", "Giấy khen của Chủ tịch UBND cấp xã"),
])

# Emulation titles, highest first.
EMULATION_TITLES = Vocabulary("emulation title", [
    Term("co-thi-dua-chinh-phu", "Cờ thi đua của Chính phủ"),
    Term("chien-si-thi-dua-toan-quoc", "Chiến sĩ thi đua toàn quốc"),
    Term("co-thi-dua-cap-tinh", "Cờ thi đua của UBND tỉnh"),
    Term("co-thi-dua-nganh", "Cờ thi đua của Viện kiểm sát nhân dân tối cao"),
    Term("chien-si-thi-dua-cap-tinh", "Chiến sĩ thi đua cấp tỉnh"),
    Term("chien-si-thi-dua-nganh", "Chiến sĩ thi đua ngành Kiểm sát nhân dân"),
    Term("chien-si-thi-dua-co-so", "Chiến sĩ thi đua cơ sở"),
    Term("tap-the-lao-dong-xuat-sac", "Tập thể lao động xuất sắc"),
    Term("tap-the-lao-dong-tien-tien", "Tập thể lao động tiên tiến"),
    Term("lao-dong-tien-tien", "Lao động tiên tiến"),
])

# Who decides a form or title conferred above the provincial procuracy, and the level of that
# decision, as Luật Thi đua, khen thưởng 06/2022/QH15 reads (bench/qa/laws/): Điều 77 (the
# Chủ tịch nước: huân chương), Điều 78 khoản 1 (the Chính phủ: Cờ thi đua của Chính phủ) and
# khoản 2 (the Thủ tướng: Chiến sĩ thi đua toàn quốc, his Bằng khen), Điều 79 khoản 2 (the Viện
# trưởng VKSND tối cao for the sector) and khoản 4 (the Chủ tịch UBND cấp tỉnh: cờ thi đua and
# chiến sĩ thi đua cấp tỉnh; his Bằng khen too). The others are the provincial procuracy's own.
CONFERRED_BY = {
    **{code: ("Chủ tịch nước Cộng hòa xã hội chủ nghĩa Việt Nam", "nha-nuoc")
       for code in ("huan-chuong-lao-dong-hang-nhat", "huan-chuong-lao-dong-hang-nhi", "huan-chuong-lao-dong-hang-ba")},
    "co-thi-dua-chinh-phu": ("Chính phủ", "nha-nuoc"),
    **{code: ("Thủ tướng Chính phủ", "nha-nuoc") for code in ("bang-khen-thu-tuong", "chien-si-thi-dua-toan-quoc")},
    **{code: ("Viện kiểm sát nhân dân tối cao", "trung-uong")
       for code in ("bang-khen-vien-truong-vksndtc", "co-thi-dua-nganh", "chien-si-thi-dua-nganh")},
    **{code: ("Ủy ban nhân dân tỉnh Lạng Sơn", "tinh")
       for code in ("bang-khen-chu-tich-ubnd-tinh", "co-thi-dua-cap-tinh", "chien-si-thi-dua-cap-tinh")},
}

# Every form and title in one ordered list: what a decision may award.
DISTINCTIONS = Vocabulary("award form or title", AWARD_FORMS.terms + EMULATION_TITLES.terms)

AWARD_LEVELS = Vocabulary("decision level", [
    Term("nha-nuoc", "Nhà nước"),
    Term("trung-uong", "Bộ, ngành trung ương"),
    Term("tinh", "Tỉnh"),
    Term("huyen", "Huyện"),
    Term("xa", "Xã"),
    Term("co-quan", "Cơ quan, đơn vị"),
])

RECIPIENT_KINDS = Vocabulary("recipient kind", [
    Term("tap-the", "Tập thể"),
    Term("ca-nhan", "Cá nhân"),
    Term("ho-gia-dinh", "Hộ gia đình"),
])

# What the public may see of an award entry.
PUBLICATION = Vocabulary("publication", [
    Term("public", "Công khai"),
    Term("name-unit", "Chỉ công khai tên và đơn vị"),
    Term("hidden", "Ẩn"),
    Term("removed", "Đã gỡ theo yêu cầu"),
])
