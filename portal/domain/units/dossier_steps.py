"""Moving a dossier along its states, and the office's verdict per nominee: who may do what,
what a step needs, and every step recorded with actor and time."""
from __future__ import annotations

from portal.domain.kernel import audit
from portal.domain.kernel.actor import Actor
from portal.domain.kernel.models_base import today_vn, utcnow
from portal.domain.units.decision_drafts import withdraw_from_draft
from portal.domain.units.dossiers import (
    FILE_ROLES,
    OFFICE,
    STEPS,
    VERDICTS,
    Dossier,
    Nominee,
    Step,
    clean,
    commit,
    note_step,
)
from portal.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed


def available(dossier: Dossier, actor: Actor) -> list[Step]:
    """The steps a person may take on a dossier by hand (consulting and deciding have pages of their own)."""
    return [s for s in STEPS.available(dossier.status, actor.role) if s.name not in ("consult", "decide")]


def _ready_to_submit(dossier: Dossier) -> list[str]:
    problems = [f"chưa có {label.lower()}" for role, label in FILE_ROLES.items() if not dossier.files_of(role)]
    if not dossier.nominees:
        problems.append("chưa có danh sách đề nghị khen thưởng")
    return problems


def apply(dossier: Dossier, name: str, actor: Actor, comment: str = "") -> Dossier:
    """Move a dossier along; refused with the reason when the step does not apply."""
    step = STEPS.check(name, dossier.status, actor.role)
    comment = clean(comment)
    if name == "return" and not comment:
        raise ValidationFailed("Hãy ghi lý do trả lại để đơn vị biết cần bổ sung, sửa gì.")
    if name == "cancel" and not comment:  # a dossier is never cancelled by one stray click
        raise ValidationFailed("Hãy ghi lý do hủy hồ sơ; hồ sơ chưa bị hủy.")
    if name == "reopen" and today_vn() > dossier.review_round.ends_on:
        raise InvalidTransition(f"{dossier.review_round.label} đã kết thúc ngày "
                                f"{dossier.review_round.ends_on.strftime('%d/%m/%Y')}: hồ sơ đã hủy không khôi phục "
                                "được nữa.")
    if name == "submit":
        problems = _ready_to_submit(dossier)
        if problems:
            raise ValidationFailed("Hồ sơ chưa đủ để nộp.", problems)
        dossier.submitted_at = utcnow()
    if name == "propose":
        from portal.domain.units.consultations import consultation_problems
        problems = ([] if dossier.approved else ["chưa có người nào được đồng ý đề nghị"]) \
            + consultation_problems(dossier)
        if problems:
            raise ValidationFailed("Chưa trình được hồ sơ.", problems)
    if name in ("return", "cancel"):
        withdraw_from_draft(dossier, actor, step.label)
    note_step(dossier, name, actor, comment, step.target)
    dossier.status = step.target
    audit.record(actor, f"dossier.{name}", f"dossier:{dossier.id}",
                 f"{step.label}: «{dossier.title}» ({dossier.unit.name})" + (f": {comment}" if comment else "")
                 + (" — nộp muộn hạn" if name == "submit" and dossier.late else ""))
    commit(dossier, step.label)
    return dossier


def set_verdict(dossier: Dossier, nominee_id: int, verdict: str, note: str, actor: Actor) -> Nominee:
    """The office's view of one nominee: agreed or not, and a comment the unit sees."""
    return set_verdicts(dossier, {nominee_id: (verdict, note)}, actor)[0]


def set_verdicts(dossier: Dossier, verdicts: dict[int, tuple[str, str]], actor: Actor) -> list[Nominee]:
    """The office's views of several nominees at once (one form for the whole list): all are
    recorded or, if one is refused, none. Each nominee whose view changed gets a history line;
    the nominees changed are returned."""
    if actor.role not in OFFICE:
        raise Forbidden("Chỉ cơ quan thường trực thi đua ghi ý kiến thẩm định.")
    if dossier.status not in ("appraising", "consulting"):
        raise InvalidTransition(f"Hồ sơ đang «{dossier.state_label}»: chỉ ghi ý kiến khi đang thẩm định.")
    by_id = {n.id: n for n in dossier.nominees}
    if any(nominee_id not in by_id for nominee_id in verdicts):
        raise NotFound("Hồ sơ không có người này.")
    if any(verdict not in VERDICTS for verdict, _ in verdicts.values()):
        raise ValidationFailed("Ý kiến thẩm định không hợp lệ.")
    changed = []
    for nominee_id, (verdict, note) in verdicts.items():
        nominee, note = by_id[nominee_id], clean(note)
        if (nominee.verdict, nominee.office_note) == (verdict, note) and len(verdicts) > 1:
            continue
        nominee.verdict, nominee.office_note, nominee.noted_by = verdict, note, actor.name
        note_step(dossier, "verdict", actor, f"{nominee.seq}. {nominee.name}: {VERDICTS[verdict]}"
                  + (f" — {nominee.office_note}" if nominee.office_note else ""))
        changed.append(nominee)
    if changed:
        dossier.updated_at = utcnow()
        commit(dossier, "Ghi ý kiến thẩm định")
    return changed


def override_eligibility(dossier: Dossier, nominee_id: int, reason: str, actor: Actor) -> Nominee:
    """The office judges a nominee's eligibility otherwise than the rules' check, in writing
    (an empty reason withdraws it); audited and shown on the dossier to the unit and the office."""
    if actor.role not in OFFICE:
        raise Forbidden("Chỉ cơ quan thường trực thi đua xét khác kết quả kiểm tra điều kiện.")
    nominee = next((n for n in dossier.nominees if n.id == nominee_id), None)
    if nominee is None:
        raise ValidationFailed("Hãy chọn một người trong danh sách của hồ sơ này.")
    reason = clean(reason)
    if reason and len(reason) < 10:
        raise ValidationFailed("Hãy ghi rõ lý do (ít nhất 10 ký tự).")
    nominee.eligibility_override = reason or None
    nominee.eligibility_override_by = actor.name[:254] if reason else None
    note_step(dossier, "eligibility", actor, f"{nominee.name}: {reason or 'bỏ ý kiến xét khác về điều kiện'}")
    audit.record(actor, "dossier.eligibility", f"dossier:{dossier.id}",
                 f"Điều kiện của {nominee.name}: {reason or 'bỏ ý kiến xét khác'}")
    return nominee
