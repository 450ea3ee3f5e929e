"""Units (đơn vị) of the procuracy and what they do with directives: the registry, and the
documents sent to them with their receipts, their reports, nomination dossiers and the public
consultation on nominees. Units are the departments and the district (later
regional) procuracies; accounts of the role `unit` belong to one."""
from portal.domain.units import decision_drafts  # noqa: F401 (follows publishing)
from portal.domain.units.consultations import Consultation, ConsultationComment, ConsultationEntry
from portal.domain.units.dossiers import Dossier, DossierFile, DossierStep, Nominee, NomineePrivate
from portal.domain.units.receipts import (
    DocumentRecipient,
    Receipt,
    documents_for_unit,
    receipt_rows,
    record_receipt,
    set_recipients,
)
from portal.domain.units.registrations import Registration  # noqa: F401 (a model)
from portal.domain.units.registry import Unit, by_code, parse_units, save_units, units_on
from portal.domain.units.reports import UnitReport

__all__ = ["DocumentRecipient", "Receipt", "Unit", "by_code", "documents_for_unit", "parse_units", "receipt_rows",
           "record_receipt", "save_units", "set_recipients", "units_on", "UnitReport", "Consultation",
           "ConsultationComment", "ConsultationEntry", "Dossier", "DossierFile", "DossierStep", "Nominee",
           "NomineePrivate"]
