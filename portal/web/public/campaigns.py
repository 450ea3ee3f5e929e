"""Public campaign pages with their timeline and documents."""
from __future__ import annotations

from datetime import date

from flask import abort, render_template

from ...domain import documents as docs
from ...domain.campaigns import campaign_by_slug, timeline
from ...domain.listing import campaign_documents
from ..cache import cached
from . import bp


@bp.get("/phong-trao/<slug>")
@cached
def campaign(slug: str):
    found = campaign_by_slug(slug)
    if found is None:
        abort(404)
    plan = docs.resolve(found.plan_key, found.starts_on) if found.plan_key else None
    return render_template("campaign.html", campaign=found, plan=plan,
                           milestones=timeline(found, date.today()),
                           documents=campaign_documents(found), today=date.today())
