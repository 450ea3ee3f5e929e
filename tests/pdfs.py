"""PDFs the tests upload: one blank page of a given size (no text: a scan, to the portal)."""
from __future__ import annotations

import io

from pypdf import PdfWriter


def blank_pdf(width: int = 595, height: int = 842) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=width, height=height)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
