"""A unit's own people: the persons it nominated in its dossiers or registered for a title, each
with the record the honor roll keeps of them across the years (honors/records.py). A unit sees
the published awards of its own people only; any other record is, to it, not there."""
from __future__ import annotations

from portal.domain.honors.models import Award
from portal.domain.honors.records import Recipient, RecipientIdentity
from portal.domain.units.dossiers import Dossier, Nominee, NomineePrivate
from portal.domain.units.registrations import Registration
from portal.domain.units.registry import Unit
from portal.extensions import db
from portal.vietnamese.folding import fold


def _own_numbers(unit: Unit):
    nominated = (db.select(NomineePrivate.id_number).join(Nominee, Nominee.id == NomineePrivate.nominee_id)
                 .join(Dossier, Dossier.id == Nominee.dossier_id)
                 .where(Dossier.unit_id == unit.id, NomineePrivate.id_number.is_not(None)))
    registered = db.select(Registration.id_number).where(Registration.unit_id == unit.id,
                                                        Registration.id_number.is_not(None))
    return db.union(nominated, registered).subquery()


def _own_query(unit: Unit):
    numbers = _own_numbers(unit)
    return (db.select(Recipient).join(RecipientIdentity, RecipientIdentity.recipient_id == Recipient.id)
            .where(RecipientIdentity.id_number.in_(db.select(numbers.c[0])), Recipient.merged_into_id.is_(None))
            .distinct())


def records_of(unit: Unit) -> list[Recipient]:
    """The unit's people who have a record on the honor roll, in Vietnamese order of name."""
    return sorted(db.session.scalars(_own_query(unit)), key=lambda r: (fold(r.name.split()[-1] if r.name else ""),
                                                                        fold(r.name), r.id))


def record_of(unit: Unit, record_id: int) -> Recipient | None:
    return db.session.scalar(_own_query(unit).where(Recipient.id == record_id))


def published_history(record: Recipient) -> list[tuple[int, list[Award]]]:
    """The record's awards of published decisions by year, newest first (annulled ones kept,
    marked by the page): what the unit may read of its own person."""
    years: dict[int, list[Award]] = {}
    for award in record.awards:
        document = award.decision.document
        if document.status != "published":
            continue
        years.setdefault(award.decision.achievement_year or document.issued_on.year, []).append(award)
    return sorted(years.items(), reverse=True)
