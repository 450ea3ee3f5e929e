"""The commendation decision drafted from approved nominations, so that no recipient is typed
twice: the office picks dossiers already proposed (đã trình) for one form and round, and the
portal writes a draft decision (QĐ) whose award list is their approved nominees, private fields
included (kept apart as always). The draft then goes through the documents' workflow; when it
is published, its dossiers become "đã quyết định"."""
from __future__ import annotations

import hashlib

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.exc import StaleDataError

from portal.domain.documents import workflow
from portal.domain.documents.models import Document
from portal.domain.editorial.publishing import publishing
from portal.domain.honors.award_lists import AwardList, AwardRow
from portal.domain.honors.models import decision_for  # noqa: F401 (the web layer reads the drafted list)
from portal.domain.honors.saving import HonorSpec, save_honor
from portal.domain.kernel import audit
from portal.domain.kernel.actor import Actor
from portal.domain.kernel.vocab import AWARD_LEVELS, CONFERRED_BY, DISTINCTIONS
from portal.domain.units.dossiers import STEPS, Dossier, by_status, note_step
from portal.domain.units.proposals import draft_numbered, proposal_of
from portal.errors import InvalidTransition, ValidationFailed
from portal.extensions import db

SYSTEM = Actor("Hệ thống", "system")


def waiting_for_decision() -> list[Dossier]:
    """Proposed dossiers not yet in a decision (or whose draft decision went to the trash)."""
    found = []
    for dossier in by_status("proposed"):
        document = db.session.get(Document, dossier.decision_document_id) if dossier.decision_document_id else None
        if document is None or document.deleted_at is not None:
            found.append(dossier)
    return found


def _body(dossiers: list[Dossier], count: int, reason: str) -> str:
    form = dossiers[0].distinction_label
    units = ", ".join(sorted({d.unit.name for d in dossiers}))
    return (f"**Điều 1.** Tặng {form} cho {count} tập thể, cá nhân có tên trong danh sách kèm theo Quyết định này"
            + (f", {reason[0].lower() + reason[1:]}" if reason else "") + ".\n\n"
            f"**Điều 2.** Danh sách được lập từ hồ sơ đề nghị khen thưởng của: {units}.\n\n"
            "**Điều 3.** Quyết định có hiệu lực kể từ ngày ký. Chánh Văn phòng, Thủ trưởng các đơn vị có liên quan "
            "và các tập thể, cá nhân có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này.\n")


def _authority(distinction: str, data: dict, own_issuer: str) -> dict:
    """Issuer and level of the decision: those of the authority that confers the form (a Huân
    chương is the President's decision, never the procuracy's); for a form the procuracy
    confers, what the office gave, or its own name at level «Cơ quan, đơn vị». A level or an
    issuer that contradicts the form is refused."""
    conferred = CONFERRED_BY.get(distinction)
    if conferred is None:
        return {"level": data.get("level") or "co-quan", "issuer": data.get("issuer") or own_issuer}
    issuer, level = conferred
    label = DISTINCTIONS.label(distinction)
    if data.get("level") and data["level"] != level:
        raise ValidationFailed(f"{label} do {issuer} quyết định: cấp của quyết định là «{AWARD_LEVELS.label(level)}», "
                               f"không phải «{AWARD_LEVELS.label(data['level'])}».")
    if data.get("issuer") and data["issuer"] != issuer:
        raise ValidationFailed(f"{label} do {issuer} quyết định, không phải {data['issuer']}: hãy để trống "
                               "ô «Cơ quan ban hành».")
    return {"issuer": issuer, "level": level, "issuer_parent": ""}


def draft_decision(dossier_ids: list[int], data: dict, actor: Actor, own_issuer: str = "",
                   own_suffix: str = "QĐ-VKS") -> Document:
    """A draft decision from the approved nominees of the chosen dossiers, in one transaction:
    the document, its award list and the dossiers' link to it, or nothing. A decision of the
    procuracy itself left without a symbol takes the next number of the register."""
    chosen = [d for d in waiting_for_decision() if d.id in set(dossier_ids)]
    if not chosen:
        raise ValidationFailed("Hãy chọn ít nhất một hồ sơ đã trình chưa có quyết định.")
    if len({(d.distinction, d.round_id) for d in chosen}) > 1:
        raise ValidationFailed("Một quyết định chỉ tặng một hình thức trong một đợt: hãy chọn các hồ sơ cùng "
                               "hình thức và cùng đợt.")
    first = chosen[0]
    nominees = [n for d in sorted(chosen, key=lambda d: d.id) for n in d.approved]
    campaign = first.review_round.campaign
    reason = " ".join(str(data.get("reason") or "").split())
    form = {**{k: v for k, v in data.items() if v}, **_authority(first.distinction, data, own_issuer),
            "type": "QĐ", "campaign": campaign.slug,
            "award_form": DISTINCTIONS.label(first.distinction), "review_round": first.review_round.code,
            "field": "Thi đua - khen thưởng", "reason": reason,
            "relations": [["implements", campaign.plan_symbol]] if campaign.plan_symbol else []}
    form.setdefault("subject", f"Về việc tặng {first.distinction_label} cho tập thể, cá nhân có thành tích trong "
                               f"phong trào thi đua «{campaign.name}» ({first.review_round.label})")
    proposals = {p.symbol: p for p in (proposal_of(d) for d in chosen) if p is not None}
    if CONFERRED_BY.get(first.distinction) and proposals:  # the higher decision answers the tờ trình
        form["relations"] = form["relations"] + [["based_on", symbol] for symbol in sorted(proposals)]
    form.setdefault("body", _body(chosen, len(nominees), reason))
    try:
        document = draft_numbered(form, own_issuer, own_suffix, actor, "Dự thảo từ hồ sơ đề nghị khen thưởng")
        rows = [AwardRow(seq, {**n.public_values(), "seq": seq},
                         {key: getattr(n.private, key) if n.private else None
                          for key in ("id_number", "birth_date", "address", "phone")})
                for seq, n in enumerate(nominees, start=1)]
        digest = hashlib.sha256(",".join(str(n.id) for n in nominees).encode()).hexdigest()
        decision_spec = HonorSpec(first.distinction, form.get("level") or None, first.review_round.code,
                                  None, reason, False, None, AwardList(rows), digest)
        save_honor(document, decision_spec)
        for dossier in chosen:
            dossier.decision_document_id = document.id
            db.session.add(DecisionSource(document_id=document.id, dossier_id=dossier.id))
            note_step(dossier, "draft-decision", actor, f"Dự thảo quyết định {document.symbol}")
        audit.record(actor, "dossier.draft-decision", f"document:{document.id}",
                     f"Dự thảo {document.symbol} từ {len(chosen)} hồ sơ ({len(nominees)} người)")
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise InvalidTransition("Hồ sơ vừa được người khác đưa vào một dự thảo quyết định hoặc thay đổi; chưa tạo "
                                "gì. Hãy tải lại trang.") from None
    except Exception:
        db.session.rollback()
        raise
    return document


class DecisionSource(db.Model):
    """A dossier a draft decision was made from: the decision may be published only while every
    one of them is still proposed for it (a returned dossier leaves its draft stale)."""

    __tablename__ = "decision_sources"
    __private_state__ = True

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), primary_key=True)


def withdraw_from_draft(dossier: Dossier, actor: Actor, why: str) -> Document | None:
    """A dossier returned or cancelled leaves the draft decision made from it (same transaction):
    it may enter another decision once proposed again, and the draft cannot be published."""
    document = db.session.get(Document, dossier.decision_document_id) if dossier.decision_document_id else None
    if document is None or document.status == "published":
        return None
    dossier.decision_document_id = None
    note_step(dossier, "withdraw-draft", actor, f"Rút khỏi dự thảo quyết định {document.symbol}")
    workflow.record(document.id, "withdraw", actor.name,
                    f"Hồ sơ «{dossier.title}» ({dossier.unit.name}): {why.lower()}; dự thảo không còn đăng được, "
                    "hãy lập dự thảo mới từ các hồ sơ đã trình", document.status, document.status)
    return document


def publish_problems(document: Document) -> list[str]:
    """Why a decision drafted from dossiers cannot be published now (empty: it can)."""
    sources = db.session.scalars(db.select(Dossier).join(DecisionSource, DecisionSource.dossier_id == Dossier.id)
                                 .where(DecisionSource.document_id == document.id)).all()
    return [f"Hồ sơ «{d.title}» ({d.unit.name}) đang «{d.state_label}», không còn là hồ sơ đã trình của dự thảo này"
            for d in sources if d.status != "proposed" or d.decision_document_id != document.id]


def mark_decided(document: Document) -> list[Dossier]:
    """On publishing a decision drafted from dossiers: they are decided (same transaction);
    refused while any of them was returned or cancelled since the draft was made."""
    problems = publish_problems(document)
    if problems:
        raise InvalidTransition("Không đăng được quyết định: danh sách đã dự thảo không còn khớp hồ sơ. "
                                "Hãy chuyển dự thảo này vào thùng rác và lập dự thảo mới.", problems)
    dossiers = list(db.session.scalars(db.select(Dossier).where(Dossier.decision_document_id == document.id,
                                                                Dossier.status == "proposed")))
    for dossier in dossiers:
        note_step(dossier, "decide", SYSTEM, f"Quyết định {document.symbol} được đăng", STEPS["decide"].target)
        dossier.status = STEPS["decide"].target
    return dossiers


@publishing.connect
def _on_publishing(document: Document) -> None:
    mark_decided(document)


def awards_of(dossier: Dossier) -> list:
    """The awards of the published decision made from a dossier that are the dossier's own
    approved nominees (matched by kind and name, in list order): what the unit may print."""
    document = db.session.get(Document, dossier.decision_document_id) if dossier.decision_document_id else None
    decision = decision_for(document) if document is not None and document.status == "published" else None
    if decision is None:
        return []
    own = {(n.kind, n.name) for n in dossier.approved}
    return [a for a in decision.awards if (a.kind, a.name) in own]


def unit_may_print(award, unit) -> bool:
    """Whether `award` is one of `unit`'s nominees in a decision made from its dossiers."""
    sources = db.session.scalars(db.select(Dossier).join(DecisionSource, DecisionSource.dossier_id == Dossier.id)
                                 .where(DecisionSource.document_id == award.decision.document_id,
                                        Dossier.unit_id == unit.id))
    return any(award in awards_of(dossier) for dossier in sources)
