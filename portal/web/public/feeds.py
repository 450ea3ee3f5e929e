"""RSS feed, XML sitemap and the HTML site map: published content only."""
from __future__ import annotations

from flask import current_app, render_template

from portal.domain.campaigns.models import all_campaigns
from portal.domain.documents.listing import latest
from portal.domain.documents.models import Document, public_filter
from portal.domain.honors.models import HonorDecision
from portal.domain.kernel.models_base import as_utc
from portal.domain.units.consultations import all_consultations
from portal.extensions import db
from portal.web.cache import cached
from portal.web.common import absolute
from portal.web.public import bp


@bp.get("/rss.xml")
@cached
def feed():
    documents = latest(50)
    # The newest item's date, as each item gives it (documents from before publication dates
    # were recorded have none: their creation counts).
    built = max((as_utc(d.published_at or d.created_at) for d in documents), default=None)
    xml = render_template("feed.xml", documents=documents, built=built, absolute=absolute)
    return current_app.response_class(xml, mimetype="application/rss+xml")


def _public_documents():
    query = (db.select(Document.slug, Document.updated_at)
             .where(public_filter()).order_by(Document.issued_on.desc()))
    return db.session.execute(query).all()


def _public_decisions():
    query = (db.select(Document.slug).join(HonorDecision, HonorDecision.document_id == Document.id)
             .where(public_filter()).order_by(Document.issued_on.desc()))
    return list(db.session.scalars(query))


@bp.get("/sitemap.xml")
@cached
def sitemap():
    xml = render_template("sitemap.xml", documents=_public_documents(), decisions=_public_decisions(),
                          campaigns=all_campaigns(), consultations=all_consultations(), absolute=absolute)
    return current_app.response_class(xml, mimetype="application/xml")


@bp.get("/so-do-trang")
@cached
def site_map():
    return render_template("site_map.html", campaigns=all_campaigns())
