"""Public campaign pages with their timeline and documents."""
from __future__ import annotations

from datetime import date

from flask import abort, render_template

from portal.domain.campaigns.models import campaign_by_slug, timeline
from portal.domain.documents import models as docs
from portal.domain.documents.listing import campaign_documents
from portal.domain.honors import roll as roll
from portal.domain.honors import shown
from portal.web.cache import cached
from portal.web.public import bp


@bp.get("/phong-trao/<slug>")
@cached
def campaign(slug: str):
    found = campaign_by_slug(slug)
    if found is None:
        abort(404)
    plan = docs.resolve(found.plan_key, found.starts_on) if found.plan_key else None
    honors = {}
    for rnd in found.rounds:
        page = roll.list_awards(roll.HonorFilter(campaign=found.slug, review_round=rnd.code), 1, 12)
        if page.total:
            honors[rnd.code] = (rnd, page.total, [shown.public_fields(*row) for row in page.items])
    return render_template("campaign.html", campaign=found, plan=plan,
                           milestones=timeline(found, date.today()), honors=honors,
                           documents=campaign_documents(found), today=date.today())
