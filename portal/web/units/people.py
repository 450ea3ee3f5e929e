"""A unit's own people and each one's awards across the years (published decisions only)."""
from __future__ import annotations

from flask import abort, render_template

from portal.domain.units import people
from portal.web.units import bp, unit_account, unit_required


@bp.get("/nguoi-duoc-khen")
@unit_required
def people_list():
    unit = unit_account()
    rows = [(record, people.published_history(record)) for record in people.records_of(unit)]
    return render_template("units/people.html", unit=unit, rows=[(r, years) for r, years in rows if years])


@bp.get("/nguoi-duoc-khen/<int:record_id>")
@unit_required
def person_view(record_id: int):
    record = people.record_of(unit_account(), record_id)
    if record is None:
        abort(404)  # not one of the unit's people: as if it did not exist
    return render_template("units/person.html", record=record, years=people.published_history(record))
