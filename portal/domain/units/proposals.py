"""The tờ trình đề nghị: for a form the procuracy does not confer itself (a Huân chương, a Bằng
khen of the Thủ tướng or of the Chủ tịch UBND tỉnh…), the office proposes the approved nominees
to the authority that does, in a tờ trình drafted from the dossiers as a decision would be. When
that authority's decision comes back, the office records it (decision_drafts.draft_decision,
with the authority as issuer) and the decision names the tờ trình it answers. The portal never
writes a decision of the procuracy for a form it only proposes."""
from __future__ import annotations

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from portal.domain.documents import register
from portal.domain.documents.models import Document
from portal.domain.editorial.editing import create_document
from portal.domain.kernel import audit
from portal.domain.kernel.actor import Actor
from portal.domain.kernel.vocab import CONFERRED_BY, DISTINCTIONS, RECIPIENT_KINDS
from portal.domain.units.dossiers import Dossier, note_step
from portal.errors import ValidationFailed
from portal.extensions import db


class ProposalSource(db.Model):
    """A dossier a tờ trình proposes (a dossier may be proposed again: the newest one counts)."""

    __tablename__ = "proposal_sources"
    __private_state__ = True

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), primary_key=True)


def proposal_of(dossier: Dossier) -> Document | None:
    """The newest tờ trình proposing the dossier that is not in the trash."""
    return db.session.scalar(db.select(Document).join(ProposalSource, ProposalSource.document_id == Document.id)
                             .where(ProposalSource.dossier_id == dossier.id, Document.deleted_at.is_(None))
                             .order_by(Document.id.desc()).limit(1))


def draft_numbered(form: dict, own_issuer: str, suffix: str, actor: Actor, comment: str) -> Document:
    """A draft from `form` in the caller's transaction (not committed); a document of the
    procuracy itself left without a symbol takes the next number of the register."""
    entry = None
    if not form.get("symbol") and form.get("issuer") == own_issuer:
        entry = register.allocate(own_issuer, register.issue_year(form.get("issued_on")), suffix, actor)
        form["symbol"] = entry.symbol
    document = create_document(form, actor, comment, commit=False)
    if entry is not None:
        entry.document_id = document.id
    return document


def _cell(text: str | None) -> str:
    return " ".join(str(text or "").replace("|", "/").split())


def _body(authority: str, form: str, dossiers: list[Dossier], reason: str) -> str:
    nominees = [n for d in dossiers for n in d.approved]
    units = ", ".join(sorted({d.unit.name for d in dossiers}))
    rows = "\n".join(f"| {seq} | {_cell(n.name)} | {RECIPIENT_KINDS.label(n.kind)} | "
                     f"{_cell(', '.join(p for p in (n.position, n.unit) if p))} | {_cell(n.achievement)} |"
                     for seq, n in enumerate(nominees, start=1))
    return (f"Xét đề nghị của {units} và kết quả thẩm định của cơ quan thường trực thi đua, khen thưởng, "
            f"Viện kiểm sát nhân dân tỉnh kính đề nghị {authority} xem xét, tặng **{form}** cho "
            f"{len(nominees)} tập thể, cá nhân có tên dưới đây"
            + (f", {reason[0].lower() + reason[1:]}" if reason else "") + ".\n\n"
            "| STT | Tên | Đối tượng | Chức vụ, đơn vị | Thành tích |\n|---|---|---|---|---|\n"
            f"{rows}\n\n"
            "Hồ sơ của từng trường hợp (tờ trình của đơn vị, biên bản họp xét, báo cáo thành tích) gửi kèm.\n")


def draft_proposal(dossiers: list[Dossier], data: dict, actor: Actor, own_issuer: str,
                   suffix: str = "TTr-VKS") -> Document:
    """A draft tờ trình proposing the approved nominees of proposed dossiers of one higher form
    and round, in one transaction; numbered from the register when its symbol is left blank."""
    if not dossiers:
        raise ValidationFailed("Hãy chọn ít nhất một hồ sơ đã trình chưa có quyết định.")
    if len({(d.distinction, d.round_id) for d in dossiers}) > 1:
        raise ValidationFailed("Một tờ trình đề nghị một hình thức trong một đợt: hãy chọn các hồ sơ cùng hình "
                               "thức và cùng đợt.")
    first = dossiers[0]
    conferred = CONFERRED_BY.get(first.distinction)
    if conferred is None:
        raise ValidationFailed(f"{first.distinction_label} do Viện quyết định: hãy dự thảo quyết định, không cần "
                               "tờ trình lên cấp trên.")
    if not any(d.approved for d in dossiers):
        raise ValidationFailed("Các hồ sơ đã chọn chưa có ai được đồng ý.")
    authority, form_label = conferred[0], DISTINCTIONS.label(first.distinction)
    reason = " ".join(str(data.get("reason") or "").split())[:1000]
    campaign = first.review_round.campaign
    form = {**{k: v for k, v in data.items() if v and k in ("symbol", "issued_on", "signing_authority",
                                                            "signer_title", "signer", "place", "issuer_parent")},
            "type": "TTr", "issuer": own_issuer, "field": "Thi đua - khen thưởng", "campaign": campaign.slug,
            "subject": f"Đề nghị {authority} tặng {form_label} cho tập thể, cá nhân có thành tích trong "
                       "phong trào thi đua "
                       f"«{campaign.name}» ({first.review_round.label})",
            "body": _body(authority, form_label, dossiers, reason), "recipients": authority,
            "relations": [["implements", campaign.plan_symbol]] if campaign.plan_symbol else []}
    try:
        document = draft_numbered(form, own_issuer, suffix, actor, "Dự thảo tờ trình từ hồ sơ đề nghị khen thưởng")
        for dossier in dossiers:
            db.session.add(ProposalSource(document_id=document.id, dossier_id=dossier.id))
            note_step(dossier, "propose-up", actor, f"Dự thảo tờ trình {document.symbol} đề nghị {authority}")
        audit.record(actor, "dossier.draft-proposal", f"document:{document.id}",
                     f"Dự thảo tờ trình {document.symbol} từ {len(dossiers)} hồ sơ")
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return document

