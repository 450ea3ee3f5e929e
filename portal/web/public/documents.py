"""Public pages of documents: the section home, the list, a document, its downloads."""
from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, send_file, url_for

from portal.domain.campaigns.models import all_campaigns
from portal.domain.documents import models as docs
from portal.domain.documents.docx import build_docx
from portal.domain.documents.listing import DocumentFilter, facets, latest, list_documents
from portal.domain.documents.markdown import link_symbols
from portal.domain.documents.symbols import symbol_key
from portal.domain.kernel.bounds import parse_int
from portal.domain.kernel.vocab import DOCUMENT_TYPES
from portal.web.cache import cached
from portal.web.common import send_attachment
from portal.web.public import bp


def page_number() -> int:
    """The `trang` argument; anything that is not a positive number means page 1."""
    return parse_int(request.args.get("trang"), 1, low=1, high=10**6 - 1)


def public_document(slug: str) -> docs.Document:
    """A published document by slug, or the 404 page (drafts are never public)."""
    document = docs.by_slug(slug)
    if document is None or not document.is_public:
        abort(404)
    return document


@bp.get("/")
@cached
def home():
    return render_template("home.html", campaigns=all_campaigns(), documents=latest(8))


def _filter_from_args() -> DocumentFilter:
    year = request.args.get("nam", "")
    doc_type = request.args.get("loai") or None
    return DocumentFilter(
        doc_type=doc_type if doc_type in DOCUMENT_TYPES else None,
        issuer=request.args.get("co-quan") or None,
        year=parse_int(year, None, low=1000, high=9999),
        campaign=request.args.get("phong-trao") or None,
    )


@bp.get("/van-ban")
@cached
def document_list():
    flt = _filter_from_args()
    page = list_documents(flt, page_number(), current_app.config["PER_PAGE"])
    if page.page > page.pages:
        abort(404)
    return render_template("documents/list.html", page=page, facets=facets(flt), flt=flt)


def _symbol_url(document: docs.Document):
    def url_for_symbol(symbol: str) -> str | None:
        target = docs.resolve(symbol_key(symbol), document.issued_on)
        if target is None or target.id == document.id:
            return None
        return url_for("public.document", slug=target.slug)
    return url_for_symbol


def _context(document: docs.Document) -> dict:
    return {
        "document": document,
        "body_html": link_symbols(document.body_html, _symbol_url(document)),
        "outgoing": docs.outgoing(document),
        "incoming": docs.incoming(document),
    }


@bp.get("/van-ban/<slug>")
@cached
def document(slug: str):
    found = docs.by_slug(slug)
    if found is None:
        alias = docs.alias_target(slug)
        if alias is not None and alias.is_public:
            return redirect(url_for("public.document", slug=alias.slug), 301)
    document = public_document(slug)
    return render_template("documents/detail.html", **_context(document))


@bp.get("/van-ban/<slug>/in")
@cached
def document_print(slug: str):
    return render_template("documents/print.html", **_context(public_document(slug)))


@bp.get("/van-ban/<slug>/tai-ve/<int:attachment_id>")
def attachment(slug: str, attachment_id: int):
    document = public_document(slug)
    return send_attachment(document, attachment_id)


def docx_name(document: docs.Document) -> str:
    return f"{document.type_label} {document.symbol.replace('/', '-')}.docx"


@bp.get("/van-ban/<slug>/ban-word.docx")
@cached
def document_docx(slug: str):
    document = public_document(slug)
    if not document.body.strip():
        abort(404)
    response = send_file(build_docx(document), as_attachment=True, download_name=docx_name(document),
                         mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response.direct_passthrough = False  # let the page cache keep the bytes
    return response
