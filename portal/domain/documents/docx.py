"""An editable .docx laid out as an official document (Nghị định 30/2020, Phụ lục I)."""
from __future__ import annotations

import io
import re

import lxml.html
from docx import Document as Docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from portal.domain.documents.models import Document

FONT = "Times New Roman"
CENTER, JUSTIFY, LEFT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.LEFT


def _setup(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    style = doc.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(14)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    style.paragraph_format.space_after = Pt(6)


def _para(container, text: str = "", *, bold=False, italic=False, size=None, align=None, indent=False):
    paragraph = container.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Mm(12.7)
    if text:
        run = paragraph.add_run(text)
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
    return paragraph


def _cell(cell, lines: list[tuple[str, dict]]) -> None:
    cell.paragraphs[0].text = ""
    first = True
    for text, style in lines:
        paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        paragraph.alignment = style.get("align", CENTER)
        paragraph.paragraph_format.space_after = Pt(0)
        run = paragraph.add_run(text)
        run.bold, run.italic = style.get("bold", False), style.get("italic", False)
        run.font.size = Pt(style.get("size", 13))


def _header(doc, document: Document) -> None:
    table = doc.add_table(rows=1, cols=2)
    left = [(line, {}) for line in document.issuer_parent_lines]
    left += [(line, {"bold": True}) for line in document.issuer_lines]
    left.append((f"Số: {document.symbol}", {}))
    if document.doc_type == "cong-van":
        left.append((document.subject_line, {"size": 12}))
    _cell(table.rows[0].cells[0], left)
    _cell(table.rows[0].cells[1], [
        ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", {"bold": True, "size": 12}),
        ("Độc lập - Tự do - Hạnh phúc", {"bold": True}),
        (f"{document.place}, ngày {document.issued_on.day:02d} tháng {document.issued_on.month} "
         f"năm {document.issued_on.year}", {"italic": True, "size": 14}),
    ])


def _title(doc, document: Document) -> None:
    if document.doc_type == "cong-van":
        if document.recipients:
            _para(doc, "Kính gửi:", align=CENTER)
            for item in document.recipients:
                _para(doc, f"- {item}", indent=True)
        return
    _para(doc, document.type_label.upper(), bold=True, align=CENTER)
    _para(doc, document.subject_line, bold=True, align=CENTER)


_BLOCKS = {"p", "ul", "ol", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "pre"}


def _flow(text: str | None) -> str:
    """Source line breaks inside a paragraph are spaces in print, not breaks."""
    return re.sub(r"\s+", " ", text or "")


def _runs(paragraph, element) -> None:
    text = _flow(element.text).lstrip()
    if text:
        paragraph.add_run(text)
    for child in element:
        if child.tag in _BLOCKS:
            continue
        run = paragraph.add_run(_flow(child.text_content()))
        run.bold = child.tag in ("strong", "b")
        run.italic = child.tag in ("em", "i")
        if child.tail:
            paragraph.add_run(_flow(child.tail))


def _list(doc, element) -> None:
    """Each item is one paragraph that starts with its dash or number, as the signed original
    prints it; an item's further paragraphs and nested lists follow."""
    for number, item in enumerate(element.findall("li"), start=1):
        paragraph = _para(doc, align=JUSTIFY, indent=True)
        paragraph.add_run(f"{number}. " if element.tag == "ol" else "- ")
        blocks = [child for child in item if child.tag in _BLOCKS]
        _runs(paragraph, item)
        for position, child in enumerate(blocks):
            if child.tag in ("ul", "ol"):
                _list(doc, child)
            elif position == 0 and child.tag == "p":
                _runs(paragraph, child)
            else:
                _runs(_para(doc, align=JUSTIFY, indent=True), child)


def _body(doc, body_html: str) -> None:
    if not body_html.strip():
        return
    root = lxml.html.fragment_fromstring(body_html, create_parent="div")
    for element in root:
        if element.tag in ("h2", "h3", "h4", "h5", "h6"):
            _para(doc, element.text_content(), bold=True, align=JUSTIFY, indent=True)
        elif element.tag in ("ul", "ol"):
            _list(doc, element)
        else:
            paragraph = _para(doc, align=JUSTIFY, indent=True)
            _runs(paragraph, element)


def _signature(doc, document: Document) -> None:
    table = doc.add_table(rows=1, cols=2)
    left = [("Nơi nhận:", {"bold": True, "italic": True, "size": 12, "align": LEFT})]
    left += [(f"- {item}", {"size": 11, "align": LEFT}) for item in document.distribution]
    _cell(table.rows[0].cells[0], left)
    right = []
    if document.authority_line:
        right.append((document.authority_line.upper(), {"bold": True, "size": 14}))
    if document.signer_title:
        right.append((document.signer_title.upper(), {"bold": True, "size": 14}))
    right += [("", {}), ("", {}), ("", {})]
    if document.signer:
        right.append((document.signer, {"bold": True, "size": 14}))
    _cell(table.rows[0].cells[1], right)


def build_docx(document: Document) -> io.BytesIO:
    """The document as a Word file a unit can edit and forward."""
    doc = Docx()
    _setup(doc)
    doc.core_properties.title = f"{document.type_label} {document.symbol}"
    doc.core_properties.subject = document.subject_line
    doc.core_properties.author = document.issuer
    doc.core_properties.language = "vi-VN"
    _header(doc, document)
    _title(doc, document)
    _body(doc, document.body_html)
    _signature(doc, document)
    out = io.BytesIO()
    doc.save(out)
    out.seek(0)
    return out
