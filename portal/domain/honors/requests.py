"""The queue of correction and removal requests on the honor roll, handled by webmasters."""
from __future__ import annotations

from portal.domain.honors.models import HonorRequest
from portal.domain.kernel import audit
from portal.domain.kernel.actor import Actor
from portal.domain.kernel.models_base import utcnow
from portal.domain.kernel.vocab import PUBLICATION, strip_controls
from portal.errors import InvalidTransition, NotFound, ValidationFailed
from portal.extensions import db


def queue(status: str = "open") -> list[HonorRequest]:
    """Requests in a status, oldest first when open, newest first when closed."""
    order = HonorRequest.id if status == "open" else HonorRequest.id.desc()
    return list(db.session.scalars(db.select(HonorRequest).where(HonorRequest.status == status).order_by(order)))


def open_count() -> int:
    return db.session.scalar(db.select(db.func.count(HonorRequest.id)).where(HonorRequest.status == "open")) or 0


def get_request(request_id: int) -> HonorRequest:
    found = db.session.get(HonorRequest, request_id)
    if found is None:
        raise NotFound("Không có yêu cầu này.")
    return found


def close_request(item: HonorRequest, publication: str, note: str, actor: Actor) -> None:
    """Set the entry's publication status and close the request with a note, in one change."""
    if item.status != "open":
        raise ValidationFailed("Yêu cầu này đã được xử lý.")
    if publication not in PUBLICATION:
        raise ValidationFailed("Trạng thái công khai không hợp lệ.")
    note = " ".join(strip_controls(note or "").split())[:2000]
    if not note:
        raise ValidationFailed("Hãy ghi kết quả xử lý (ghi chú) trước khi đóng yêu cầu.")
    # Compare-and-set on the state read: of two webmasters closing it at once, one wins.
    claimed = db.session.execute(
        db.update(HonorRequest).where(HonorRequest.id == item.id, HonorRequest.status == "open")
        .values(status="closed", note=note, closed_at=utcnow(), closed_by=actor.name)
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        db.session.rollback()
        db.session.refresh(item)
        raise InvalidTransition(f"Yêu cầu này vừa được {item.closed_by or 'người khác'} xử lý; kết quả của bạn "
                                "chưa được ghi.")
    db.session.refresh(item)
    award = item.award
    old = award.publication
    award.publication = publication
    audit.record(actor, "honor.request", f"award:{award.id}",
                 f"Xử lý yêu cầu #{item.id} ({item.kind_label}): {PUBLICATION.label(old)} → "
                 f"{PUBLICATION.label(publication)}; {note}")
    db.session.commit()
