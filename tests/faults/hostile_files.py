"""Files that are small on disk and huge inside: spreadsheets and Word files written part by part."""
from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from pathlib import Path

import docx
import openpyxl


def _rewrite(template: bytes, target: Path, part: str, chunks: Iterable[bytes]) -> Path:
    """Copy a valid package, replacing one part by streamed chunks (deflated)."""
    with zipfile.ZipFile(io.BytesIO(template)) as source, \
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for info in source.infolist():
            if info.filename == part:
                entry = zipfile.ZipInfo(part)
                entry.compress_type = zipfile.ZIP_DEFLATED
                with out.open(entry, "w", force_zip64=True) as stream:
                    for chunk in chunks:
                        stream.write(chunk)
            else:
                out.writestr(info, source.read(info.filename))
    return target


def _xlsx_template() -> bytes:
    book = openpyxl.Workbook()
    book.active["A1"] = "STT"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
SHEET_TAIL = b"</sheetData></worksheet>"
HEADER_ROW = b'<row r="1"><c r="A1" t="inlineStr"><is><t>STT</t></is></c>' \
             b'<c r="B1" t="inlineStr"><is><t>H\xe1\xbb\x8d t\xc3\xaan</t></is></c></row>'


def xlsx_one_huge_cell(target: Path, megabytes: int) -> Path:
    def chunks():
        yield SHEET_HEAD + HEADER_ROW + b'<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="inlineStr"><is><t>'
        block = b"A" * (1 << 20)
        for _ in range(megabytes):
            yield block
        yield b"</t></is></c></row>" + SHEET_TAIL
    return _rewrite(_xlsx_template(), target, "xl/worksheets/sheet1.xml", chunks())


def xlsx_rows(target: Path, count: int, empty: bool = False) -> Path:
    def chunks():
        yield SHEET_HEAD + HEADER_ROW
        batch = []
        for n in range(2, count + 2):
            batch.append(f'<row r="{n}"/>' if empty else f'<row r="{n}"><c r="A{n}"><v>{n - 1}</v></c></row>')
            if len(batch) == 10000:
                yield "".join(batch).encode()
                batch = []
        yield "".join(batch).encode() + SHEET_TAIL
    return _rewrite(_xlsx_template(), target, "xl/worksheets/sheet1.xml", chunks())


def docx_paragraphs(target: Path, count: int) -> Path:
    document = docx.Document()
    document.add_paragraph("x")
    template = io.BytesIO()
    document.save(template)
    ns = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

    def chunks():
        yield b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document ' + ns + b"><w:body>"
        batch = []
        for n in range(count):
            batch.append(f"<w:p><w:r><w:t>Đoạn văn số {n} về giải phóng mặt bằng</w:t></w:r></w:p>")
            if len(batch) == 10000:
                yield "".join(batch).encode()
                batch = []
        yield "".join(batch).encode() + b"</w:body></w:document>"
    return _rewrite(template.getvalue(), target, "word/document.xml", chunks())
