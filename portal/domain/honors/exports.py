"""Honor-roll exports (CSV and XLSX) that a spreadsheet opens as data, never as formulas.

A cell that starts with `=`, `+`, `-`, `@`, TAB or CR would be read by Excel or LibreOffice as
a formula (OWASP, "CSV injection"): such text cells get a leading apostrophe, in both formats,
and XLSX cells are written as strings. Exports are produced row by row, never held whole in
memory: CSV is streamed, XLSX (compressed) is written to a buffer
that lives only while it is sent.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
EXPORT_COLUMNS = [("seq", "STT"), ("kind", "Đối tượng"), ("name", "Họ tên / Tên tập thể"), ("position", "Chức vụ"),
                  ("unit", "Đơn vị"), ("locality", "Địa bàn (tại thời điểm khen thưởng)"),
                  ("achievement", "Thành tích"), ("contribution", "Giá trị đóng góp (đồng)"),
                  ("distinction", "Hình thức khen thưởng"), ("year", "Năm"), ("decision", "Quyết định"),
                  ("decision_date", "Ngày quyết định"), ("issuer", "Cơ quan ban hành"), ("status", "Tình trạng")]
CHUNK_ROWS = 500


def neutral(value):
    """A cell value a spreadsheet shows as typed: text that would start a formula gets a `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        return "'" + value
    return value


def _cells(row: dict, columns=EXPORT_COLUMNS) -> list:
    return [neutral("" if row[key] is None else row[key]) for key, _ in columns]


def csv_chunks(rows: Iterable[dict], columns=EXPORT_COLUMNS) -> Iterator[str]:
    """The CSV (UTF-8 with a BOM, for Excel) in chunks of a few hundred rows; `columns` are
    (key, heading) pairs, the honor roll's by default."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([label for _, label in columns])
    for count, row in enumerate(rows, 1):
        writer.writerow(_cells(row, columns))
        if count % CHUNK_ROWS == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def xlsx_file(rows: Iterable[dict]):
    """The XLSX in a rewound buffer, every cell a string or a number, never a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Bảng vinh danh")
    sheet.append([label for _, label in EXPORT_COLUMNS])
    for row in rows:
        cells = []
        for value in _cells(row):
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    handle = io.BytesIO()  # compressed: a few MB at most for the largest export, freed after sending
    book.save(handle)
    handle.seek(0)
    return handle
