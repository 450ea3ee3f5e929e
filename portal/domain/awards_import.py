"""Read a decision's list of awardees (.xlsx or .csv) and check every row before anything is written."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from .vocab import RECIPIENT_KINDS, fold, strip_controls

# Column name (folded) -> field. Matching ignores case and diacritics.
COLUMNS = {
    "stt": "seq", "doi tuong": "kind", "ho ten": "name", "ho va ten": "name", "ten tap the": "name",
    "chuc vu": "position", "don vi": "unit", "thon": "village", "xa": "commune", "huyen": "district",
    "thanh tich": "achievement", "gia tri dong gop": "contribution", "so vao so": "register_no",
    "so dinh danh": "id_number", "ngay sinh": "birth_date", "dia chi": "address", "dien thoai": "phone",
}
LABELS = {"seq": "STT", "kind": "Đối tượng", "name": "Họ tên", "position": "Chức vụ", "unit": "Đơn vị",
          "village": "Thôn", "commune": "Xã", "district": "Huyện", "achievement": "Thành tích",
          "contribution": "Giá trị đóng góp", "register_no": "Số vào sổ", "id_number": "Số định danh",
          "birth_date": "Ngày sinh", "address": "Địa chỉ", "phone": "Điện thoại"}
REQUIRED = ("seq", "kind", "name")
PRIVATE = ("id_number", "birth_date", "address", "phone")
MAX_ROWS = 20000


@dataclass
class AwardRow:
    line: int
    values: dict
    private: dict


@dataclass
class AwardList:
    rows: list[AwardRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def error(self, line: int, column: str | None, message: str) -> None:
        where = f"dòng {line}" + (f", cột {LABELS.get(column, column)}" if column else "")
        self.errors.append(f"{where}: {message}")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(strip_controls(str(value)).split())


def read_table(path: Path) -> list[list]:
    """Rows of the first sheet (.xlsx) or of a UTF-8 CSV (comma or semicolon)."""
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook
        book = load_workbook(path, read_only=True, data_only=True)
        try:
            return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
        finally:
            book.close()
    text = path.read_bytes().decode("utf-8-sig")
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect)]


def _money(raw: str) -> int | None:
    digits = re.sub(r"(đồng|dong|vnđ|vnd|đ)$", "", raw.lower()).strip()
    digits = re.sub(r"[.,\s]", "", digits)
    return int(digits) if digits.isdigit() else None


def _date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", _cell(value))
    if not match:
        return None
    try:
        return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        return None


def _header(raw: list, result: AwardList) -> dict[int, str]:
    columns: dict[int, str] = {}
    for index, cell in enumerate(raw):
        name = fold(_cell(cell)).strip(" :*")
        if not name:
            continue
        target = COLUMNS.get(name)
        if target is None:
            result.error(1, None, f"cột «{_cell(cell)}» không được hỗ trợ")
        elif target in columns.values():
            result.error(1, None, f"cột «{_cell(cell)}» bị lặp")
        else:
            columns[index] = target
    for needed in REQUIRED:
        if needed not in columns.values():
            result.error(1, None, f"thiếu cột {LABELS[needed]}")
    return columns


def _row(line: int, raw: list, columns: dict[int, str], result: AwardList) -> AwardRow | None:
    values: dict = {}
    raw_dates = {}
    for index, target in columns.items():
        cell = raw[index] if index < len(raw) else None
        raw_dates[target] = cell
        values[target] = _cell(cell)
    before = len(result.errors)
    if not values.get("seq", "").isdigit():
        result.error(line, "seq", f"«{values.get('seq', '')}» phải là số thứ tự")
    kind = RECIPIENT_KINDS.resolve(values.get("kind", "")) if values.get("kind") else None
    if kind is None:
        result.error(line, "kind", f"«{values.get('kind', '')}» phải là Cá nhân, Tập thể hoặc Hộ gia đình")
    name = values.get("name", "")
    if not name:
        result.error(line, "name", "chưa có tên")
    elif kind and kind.code == "ho-gia-dinh" and not fold(name).startswith(("ho ong ", "ho ba ")):
        result.error(line, "name", f"«{name}»: tên hộ gia đình phải có dạng «Hộ ông ...» hoặc «Hộ bà ...»")
    contribution = None
    if values.get("contribution"):
        contribution = _money(values["contribution"])
        if contribution is None:
            result.error(line, "contribution", f"«{values['contribution']}» phải là số tiền (đồng)")
    birth = None
    if values.get("birth_date"):
        birth = _date(raw_dates.get("birth_date"))
        if birth is None:
            result.error(line, "birth_date", "phải là ngày dạng dd/mm/yyyy")
    id_number = values.get("id_number", "")
    if id_number and not re.fullmatch(r"\d{9}|\d{12}", id_number):
        result.error(line, "id_number", "phải gồm 9 hoặc 12 chữ số")
    if len(result.errors) > before:
        return None
    public = {k: (values.get(k) or None) for k in ("position", "unit", "village", "commune", "district",
                                                   "achievement", "register_no")}
    public.update(seq=int(values["seq"]), kind=kind.code, name=name, contribution=contribution)
    private = {"id_number": id_number or None, "birth_date": birth, "address": values.get("address") or None,
               "phone": values.get("phone") or None}
    return AwardRow(line, public, private)


def parse_list(path: Path) -> AwardList:
    """Every row checked; problems named by row (dòng N) and column, in Vietnamese."""
    result = AwardList()
    try:
        table = read_table(path)
    except Exception as exc:  # noqa: BLE001 (any unreadable file is one clear message)
        result.errors.append(f"không đọc được danh sách «{path.name}»: {exc.__class__.__name__}")
        return result
    numbered = [(line, row) for line, row in enumerate(table, start=1) if any(_cell(c) for c in row)]
    if not numbered:
        result.errors.append(f"danh sách «{path.name}» trống")
        return result
    if len(numbered) > MAX_ROWS + 1:
        result.errors.append(f"danh sách có hơn {MAX_ROWS} dòng")
        return result
    columns = _header(numbered[0][1], result)
    if result.errors:
        return result
    seen: dict[int, int] = {}
    for line, raw in numbered[1:]:
        row = _row(line, raw, columns, result)
        if row is None:
            continue
        seq = row.values["seq"]
        if seq in seen:
            result.error(line, "seq", f"số thứ tự {seq} trùng với dòng {seen[seq]}")
            continue
        seen[seq] = line
        result.rows.append(row)
    return result
