"""What the index holds: one SearchEntry per public item, built from domain objects."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date

from portal.domain.documents.models import Document
from portal.vietnamese.syllables import folded_text, nfc, symbol_key


@dataclass
class SearchEntry:
    """A searchable item; `key` is unique across kinds ("document:12", later "award:7")."""

    key: str
    kind: str
    url: str
    title: str
    body: str
    meta: str = ""
    symbol: str = ""
    doc_type: str = ""
    type_label: str = ""
    issuer: str = ""
    campaign: str = ""
    issued_on: date | None = None
    symbol_parts: list[str] = field(default_factory=list)
    who: str = ""  # who signed and issued it: a name here outranks a name in a list
    parent: str = ""  # the entry whose change also changes this one ("document:12" for its awards)

    @property
    def symbol_key(self) -> str:
        return symbol_key(self.symbol) if self.symbol else ""


def html_to_text(fragment: str) -> str:
    """Plain text of sanitized HTML, one line per block."""
    text = re.sub(r"</(p|li|h\d|tr|blockquote)>", "\n", fragment)
    text = re.sub(r"<[^>]+>", " ", text)
    return "\n".join(" ".join(line.split()) for line in html.unescape(text).splitlines() if line.strip())


def _parts(document: Document) -> list[str]:
    """Every piece of the symbol, alone and joined: 174/KH-UBND -> 174, kh, ubnd, khubnd; so a
    partial symbol ("174/KH", "kh 174", "KH-174") finds the document whose symbol carries it."""
    pieces = [str(document.number), document.issuer_code.lower()]
    if document.unit_code:
        pieces.append(document.unit_code.lower())
    pieces.append(symbol_key(document.symbol.split("/")[-1]))
    pieces += re.split(r"[^0-9a-z]+", folded_text(document.symbol))
    return list(dict.fromkeys(symbol_key(p) for p in pieces if symbol_key(p)))


def entry_for_document(document: Document) -> SearchEntry:
    """The entry of a published document: its text, its attachments' text and its facets."""
    attachments = "\n".join(a.text for a in document.attachments if a.text)
    meta = " · ".join(filter(None, [
        document.type_label, document.issuer, document.signer or "", document.signer_title or "",
        document.field or "", document.campaign.name if document.campaign else "",
    ]))
    return SearchEntry(
        key=f"document:{document.id}", kind="document", url=f"/van-ban/{document.slug}",
        title=nfc(document.subject), body=nfc(html_to_text(document.body_html) + "\n" + attachments).strip(),
        meta=nfc(meta), symbol=document.symbol, doc_type=document.doc_type, type_label=document.type_label,
        issuer=document.issuer, campaign=document.campaign.slug if document.campaign else "",
        issued_on=document.issued_on, symbol_parts=_parts(document),
        who=nfc("\n".join(filter(None, [document.signer or "", document.issuer, document.issuer_parent or ""]))),
    )


def entries_for_awards(document: Document, session=None, decisions: dict | None = None) -> list[SearchEntry]:
    """Listed awards of a public decision, public fields only (never the private ones).
    `decisions`: every decision by document id, read beforehand (a rebuild: one query, not one
    per document)."""
    from portal.domain.honors.models import decision_for
    from portal.domain.honors.roll import HonorFilter, list_awards
    from portal.domain.honors.shown import public_fields

    decision = decisions.get(document.id) if decisions is not None else decision_for(document, session)
    if decision is None or not document.is_public:
        return []
    page = list_awards(HonorFilter(decision_id=decision.id), 1, 1_000_000, session)
    return [entry_for_award(public_fields(*row), document) for row in page.items]


def entry_for_award(row: dict, document: Document) -> SearchEntry:
    body = " · ".join(str(v) for v in (row["achievement"], row["position"], row["unit"], row["locality"]) if v)
    return SearchEntry(
        key=f"award:{row['id']}", kind="award", url=f"/vinh-danh/khen-thuong/{row['id']}",
        title=nfc(f"{row['name']}: {row['distinction']} ({row['year']})"), body=nfc(body),
        meta=nfc(f"{row['kind']} · {row['decision']} · {document.issuer}"), symbol=document.symbol,
        doc_type="vinh-danh", type_label="Bảng vinh danh", issuer=document.issuer,
        campaign=document.campaign.slug if document.campaign else "", issued_on=document.issued_on,
        parent=f"document:{document.id}",
    )
