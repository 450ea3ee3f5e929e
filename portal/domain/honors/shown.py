"""What anyone is shown of an award: on a row of the honor roll, and on its own page, in the
exports, the API and search. An entry published by name and unit shows nothing more."""
from __future__ import annotations

from portal.domain.kernel.rows import locality
from portal.domain.kernel.vocab import DISTINCTIONS, RECIPIENT_KINDS


def row_fields(award, decision, document) -> dict:
    """What a row of the honor roll shows of an award; `name-unit` entries show name and unit
    only. Reads columns only: the three may be model objects, one row of columns, or a name
    index entry with its kept decision."""
    full = award.publication == "public"
    return {
        "id": award.id, "kind": RECIPIENT_KINDS.label(award.kind), "name": award.name,
        "position": award.position if full else None, "unit": award.unit,
        "locality": locality(award.village, award.commune, award.district) if full else None,
        "distinction": DISTINCTIONS.label(decision.distinction), "year": decision.achievement_year,
        "decision": document.symbol, "decision_date": document.issued_on.isoformat(),
        "decision_slug": document.slug, "demo": document.is_demo,
        "annulled": award.annulled, "status": "Đã bị hủy bỏ" if award.annulled else "Còn hiệu lực",
    }


def public_fields(award, decision, document) -> dict:
    """What anyone may see of an award: its row (row_fields), with what it was for, its order
    in the decision, the register number and the issuer."""
    full = award.publication == "public"
    return {
        **row_fields(award, decision, document), "seq": award.seq,
        "achievement": award.achievement if full else None,
        "contribution": award.contribution if full and decision.contribution_public else None,
        "register_no": award.register_no if full else None, "issuer": document.issuer,
    }
