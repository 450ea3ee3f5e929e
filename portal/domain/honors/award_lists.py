"""Read a decision's list of awardees (.xlsx or .csv) and check every row before anything is written."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from portal.domain.kernel.bounds import is_number, parse_int
from portal.domain.kernel.vocab import RECIPIENT_KINDS, strip_controls
from portal.vietnamese.folding import fold

# Column name (folded) -> field. Matching ignores case and diacritics.
COLUMNS = {fold(header): field for header, field in {
    "stt": "seq", "doi tuong": "kind", "ho ten": "name", "ho va ten": "name", "ten tap the": "name",
    "chuc vu": "position", "don vi": "unit", "thon": "village", "xa": "commune", "huyen": "district",
    "thanh tich": "achievement", "gia tri dong gop": "contribution", "so vao so": "register_no",
    "so dinh danh": "id_number", "ngay sinh": "birth_date", "dia chi": "address", "dien thoai": "phone",
}.items()}  # headers matched as folded
LABELS = {"seq": "STT", "kind": "Đối tượng", "name": "Họ tên", "position": "Chức vụ", "unit": "Đơn vị",
          "village": "Thôn", "commune": "Xã", "district": "Huyện", "achievement": "Thành tích",
          "contribution": "Giá trị đóng góp", "register_no": "Số vào sổ", "id_number": "Số định danh",
          "birth_date": "Ngày sinh", "address": "Địa chỉ", "phone": "Điện thoại",
          "registered_title": "Danh hiệu đăng ký"}  # the last: a registration list's own column
REQUIRED = ("seq", "kind", "name")
PRIVATE = ("id_number", "birth_date", "address", "phone")
MAX_ROWS = 20000
# Bounds on what a list may make the server read (README, "Limits"): lines read, empty ones
# included; columns; characters in a cell; uncompressed XML inside an .xlsx.
MAX_LINES = MAX_ROWS + 1000
MAX_COLUMNS = 40
MAX_CELL = 2000
MAX_XLSX_PART = 64 << 20
QUOTE = 100


class ListTooLarge(Exception):
    """The list passes a bound; the message says which, in Vietnamese."""


def quote(value) -> str:
    """At most QUOTE characters of a value, for a message."""
    text = str(value)
    return text if len(text) <= QUOTE else text[:QUOTE] + "…"


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


def _check_xlsx_parts(path: Path) -> None:
    """Refuse an .xlsx whose sheets or shared strings unpack to more than MAX_XLSX_PART bytes."""
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if info.filename.startswith("xl/") and info.file_size > MAX_XLSX_PART:
                raise ListTooLarge(f"tệp «{path.name}» quá lớn khi giải nén ({info.file_size // (1 << 20)} MB "
                                   f"trong {info.filename}; tối đa {MAX_XLSX_PART >> 20} MB)")


def _bounded(rows) -> list[list]:
    table = []
    for line, row in enumerate(rows, start=1):
        if line > MAX_LINES:
            raise ListTooLarge(f"danh sách có hơn {MAX_ROWS} dòng (kể cả dòng trống, tối đa {MAX_LINES} dòng)")
        row = list(row)
        if any(cell is not None and str(cell).strip() for cell in row[MAX_COLUMNS:]):
            raise ListTooLarge(f"dòng {line}: danh sách có hơn {MAX_COLUMNS} cột")
        row = row[:MAX_COLUMNS]
        for column, cell in enumerate(row, start=1):
            if isinstance(cell, str) and len(cell) > MAX_CELL:
                raise ListTooLarge(f"dòng {line}, cột {column}: ô dài quá {MAX_CELL} ký tự («{quote(cell)}»)")
        table.append(row)
    return table


def _xlsx_rows(path: Path):
    """Values of the first sheet, row by row, as a stream. openpyxl's read-only workbook first
    scans the whole sheet when it lacks a <dimension> (seconds for a hostile million rows), so
    the sheet is read here with openpyxl's own row parser, which stops when we stop."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.worksheet._reader import WorkSheetParser

    reader = ExcelReader(str(path), read_only=True, data_only=True)
    try:
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        target = next(rel.target for _sheet, rel in reader.parser.find_sheets() if "chartsheet" not in rel.Type)
        with reader.archive.open(target) as source:
            parser = WorkSheetParser(source, reader.shared_strings, data_only=True, epoch=reader.wb.epoch,
                                     date_formats=reader.wb._date_formats,
                                     timedelta_formats=reader.wb._timedelta_formats)
            expected = 1
            for number, cells in parser.parse():
                while expected < number:  # rows the file leaves out are empty rows
                    yield []
                    expected += 1
                row: list = []
                for cell in cells:
                    column = cell["column"]
                    if column > MAX_COLUMNS + 1:
                        if cell["value"] not in (None, ""):
                            row.extend([None] * (MAX_COLUMNS + 1 - len(row)) + [cell["value"]])
                        break
                    row.extend([None] * (column - 1 - len(row)))
                    row.append(cell["value"])
                yield row
                expected = number + 1
    finally:
        reader.archive.close()


def read_table(path: Path) -> list[list]:
    """Rows of the first sheet (.xlsx) or of a UTF-8 CSV (comma or semicolon), read as a stream
    and stopped at the first bound passed (ListTooLarge)."""
    if path.suffix.lower() == ".xlsx":
        _check_xlsx_parts(path)
        return _bounded(_xlsx_rows(path))
    text = path.read_bytes().decode("utf-8-sig")
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
    return _bounded(csv.reader(io.StringIO(text), dialect))


def _money(raw: str) -> int | None:
    digits = re.sub(r"(đồng|dong|vnđ|vnd|đ)$", "", raw.lower()).strip()
    digits = re.sub(r"[.,\s]", "", digits)
    return int(digits) if is_number(digits) and len(digits) <= 18 else None


def _date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _cell(value)
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?", text)  # as many systems export
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        return None
    return None


def _header(raw: list, result: AwardList, extra: dict[str, str]) -> dict[int, str]:
    columns: dict[int, str] = {}
    for index, cell in enumerate(raw):
        name = fold(_cell(cell)).strip(" :*")
        if not name:
            continue
        target = COLUMNS.get(name) or extra.get(name)
        if target is None:
            result.error(1, None, f"cột «{quote(_cell(cell))}» không được hỗ trợ")
        elif target in columns.values():
            result.error(1, None, f"cột «{quote(_cell(cell))}» bị lặp")
        else:
            columns[index] = target
    for needed in REQUIRED + tuple(extra.values()):
        if needed not in columns.values():
            result.error(1, None, f"thiếu cột {LABELS.get(needed, needed)}")
    return columns


def _row(line: int, raw: list, columns: dict[int, str], result: AwardList,
         extra: tuple[str, ...] = ()) -> AwardRow | None:
    values: dict = {}
    raw_dates = {}
    for index, target in columns.items():
        cell = raw[index] if index < len(raw) else None
        raw_dates[target] = cell
        values[target] = _cell(cell)
    before = len(result.errors)
    if parse_int(values.get("seq", "")) is None:
        result.error(line, "seq", f"«{quote(values.get('seq', ''))}» phải là số thứ tự")
    kind = RECIPIENT_KINDS.resolve(values.get("kind", "")) if values.get("kind") else None
    if kind is None:
        result.error(line, "kind", f"«{quote(values.get('kind', ''))}» phải là Cá nhân, Tập thể hoặc Hộ gia đình")
    name = values.get("name", "")
    if not name:
        result.error(line, "name", "chưa có tên")
    elif kind and kind.code == "ho-gia-dinh" and not fold(name).startswith(("ho ong ", "ho ba ")):
        result.error(line, "name", f"«{quote(name)}»: tên hộ gia đình phải có dạng «Hộ ông ...» hoặc «Hộ bà ...»")
    contribution = None
    if values.get("contribution"):
        contribution = _money(values["contribution"])
        if contribution is None:
            result.error(line, "contribution", f"«{quote(values['contribution'])}» phải là số tiền (đồng)")
    birth = None
    if values.get("birth_date"):
        birth = _date(raw_dates.get("birth_date"))
        if birth is None:
            result.error(line, "birth_date", "phải là ngày dạng dd/mm/yyyy (hoặc yyyy-mm-dd, hoặc ô kiểu ngày)")
    id_number = values.get("id_number", "")
    if id_number and not re.fullmatch(r"\d{9}|\d{12}", id_number):
        result.error(line, "id_number", "phải gồm 9 hoặc 12 chữ số")
    if len(result.errors) > before:
        return None
    public = {k: (values.get(k) or None) for k in ("position", "unit", "village", "commune", "district",
                                                   "achievement", "register_no")}
    public.update(seq=int(values["seq"]), kind=kind.code, name=name, contribution=contribution)
    public.update({key: values.get(key) or None for key in extra})
    private = {"id_number": id_number or None, "birth_date": birth, "address": values.get("address") or None,
               "phone": values.get("phone") or None}
    return AwardRow(line, public, private)


def parse_list(path: Path, extra: dict[str, str] | None = None) -> AwardList:
    """Every row checked; problems named by row (dòng N) and column, in Vietnamese. `extra` adds
    columns a list of another kind carries (its header, folded -> field, then required), read
    as text into each row's values for the caller to check."""
    extra = extra or {}
    result = AwardList()
    try:
        table = read_table(path)
    except ListTooLarge as exc:
        result.errors.append(str(exc))
        return result
    except Exception as exc:  # noqa: BLE001 (any unreadable file is one clear message)
        result.errors.append(f"không đọc được danh sách «{path.name}»: {exc.__class__.__name__}")
        return result
    numbered = [(line, row) for line, row in enumerate(table, start=1) if any(_cell(c) for c in row)]
    if not numbered:
        result.errors.append(f"danh sách «{path.name}» trống")
        return result
    if len(numbered) > MAX_ROWS + 1:  # header and MAX_ROWS awards
        result.errors.append(f"danh sách có hơn {MAX_ROWS} dòng")
        return result
    columns = _header(numbered[0][1], result, extra)
    if result.errors:
        return result
    seen: dict[int, int] = {}
    for line, raw in numbered[1:]:
        row = _row(line, raw, columns, result, tuple(extra.values()))
        if row is None:
            continue
        seq = row.values["seq"]
        if seq in seen:
            result.error(line, "seq", f"số thứ tự {seq} trùng với dòng {seen[seq]}")
            continue
        seen[seq] = line
        result.rows.append(row)
    return result
