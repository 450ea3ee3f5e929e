"""Creating and editing documents from the webmaster's form: validated like content files,
kept as revisions, guarded by optimistic locking."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm.exc import StaleDataError

from portal.domain.campaigns.models import campaign_by_slug
from portal.domain.documents.markdown import render
from portal.domain.documents.models import Document, DocumentAlias, Relation
from portal.domain.documents.revisions import DocumentRevision, add_revision, get_revision
from portal.domain.documents.workflow import record
from portal.domain.editorial.specs import DocumentSpec, parse_document
from portal.domain.honors.models import decision_for
from portal.domain.honors.saving import HONOR_KEYS, save_decision
from portal.domain.kernel import audit
from portal.domain.kernel import frontmatter as fm
from portal.domain.kernel.actor import Actor
from portal.domain.kernel.bounds import parse_int
from portal.domain.kernel.models_base import VN, as_utc
from portal.domain.kernel.vocab import SIGNING_AUTHORITIES, strip_controls
from portal.errors import PortalError, ValidationFailed
from portal.extensions import db

# Vietnam keeps one offset all year; the form's local times are read in it.
TEXT_KEYS = ("symbol", "type", "issuer", "issuer_parent", "place", "issued_on", "subject", "signing_authority",
             "signer_title", "signer", "field", "campaign", "award_form", "level", "review_round",
             "achievement_year", "reason")
LIST_KEYS = ("recipients", "distribution")
FORM_KEYS = TEXT_KEYS + LIST_KEYS + ("body", "publish_from", "publish_until", "contribution_public", "relations")
FORM_NAME = "biểu mẫu"


class EditConflict(PortalError):
    """Someone saved the document after this form was opened; both versions are kept."""

    status = 409

    def __init__(self, current: dict, mine: dict, version: int):
        super().__init__("Văn bản đã được người khác sửa sau khi bạn mở biểu mẫu.")
        self.current, self.mine, self.version = current, mine, version


def local_text(value: datetime | None) -> str:
    """An instant as the form's local `YYYY-MM-DDTHH:MM`."""
    return as_utc(value).astimezone(VN).strftime("%Y-%m-%dT%H:%M") if value else ""


def _instant(raw: str, key: str, problems: fm.Problems) -> datetime | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        problems.add(FORM_NAME, key, f"«{raw[:40]}» không phải ngày giờ hợp lệ")
        return None
    if not 2000 <= value.year <= 2100:  # a publication window of this century (and no overflow)
        problems.add(FORM_NAME, key, "ngày giờ phải trong khoảng từ năm 2000 đến năm 2100")
        return None
    return (value.replace(tzinfo=VN) if value.tzinfo is None else value).astimezone(UTC)


def snapshot(document: Document) -> dict:
    """The document's editable fields in the form's shape (what a revision keeps)."""
    data = {key: "" for key in FORM_KEYS}
    data.update(
        symbol=document.symbol, type=document.doc_type, issuer=document.issuer,
        issuer_parent=document.issuer_parent or "", place=document.place,
        issued_on=document.issued_on.isoformat(), subject=document.subject,
        signing_authority=document.authority_line, signer_title=document.signer_title or "",
        signer=document.signer or "", field=document.field or "",
        campaign=document.campaign.slug if document.campaign else "",
        recipients="\n".join(document.recipients or []), distribution="\n".join(document.distribution or []),
        body=document.body or "", publish_from=local_text(document.publish_from),
        publish_until=local_text(document.publish_until),
        relations=[[r.kind, r.target_symbol] for r in document.relations],
    )
    decision = decision_for(document) if document.id else None
    if decision is not None:
        data.update(award_form=decision.distinction, level=decision.level or "",
                    review_round=decision.review_round.code if decision.review_round else "",
                    achievement_year=str(decision.achievement_year or ""), reason=decision.reason or "",
                    contribution_public="1" if decision.contribution_public else "")
    return data


PREFILLED = ("issuer_parent", "issuer", "place")


def new_document_defaults(actor: Actor, site_defaults: dict) -> dict:
    """A blank form with the issuing body and place of the account's last saved document, or the
    site's defaults for an account that has written none: they are the same for most documents."""
    last = db.session.scalar(db.select(DocumentRevision.data).where(DocumentRevision.actor == actor.name)
                             .order_by(DocumentRevision.id.desc()).limit(1))
    source = last if isinstance(last, dict) and last.get("issuer") else site_defaults
    return normalize({key: source.get(key, "") for key in PREFILLED})


def normalize(data: dict) -> dict:
    """Form input (or a stored revision) in the snapshot's shape, every key present."""
    result = {key: "" for key in FORM_KEYS}
    for key in FORM_KEYS:
        value = data.get(key, "")
        value = strip_controls(value) if isinstance(value, str) else value
        if key == "relations":
            result[key] = [[str(k), " ".join(strip_controls(str(s)).split())] for k, s in (value or [])
                           if str(s).strip()]
        elif key in LIST_KEYS or key == "body":
            lines = str(value or "").replace("\r\n", "\n").split("\n")
            result[key] = "\n".join(line.rstrip() for line in lines).strip()
        else:
            result[key] = " ".join(str(value or "").split())
    return result


def _meta(data: dict) -> dict:
    meta = {key: data[key] for key in TEXT_KEYS if data[key]}
    for key in LIST_KEYS:
        meta[key] = [line for line in data[key].split("\n") if line.strip()]
    relations: dict[str, list[str]] = {}
    for kind, symbol in data["relations"]:
        relations.setdefault(kind, []).append(symbol)
    meta["relations"] = relations
    if not any(data[key] for key in HONOR_KEYS - {"awards", "contribution_public"}):
        for key in HONOR_KEYS:
            meta.pop(key, None)
    else:
        year = data["achievement_year"]
        meta["achievement_year"] = parse_int(year, year or None, high=9999)
        meta["contribution_public"] = data["contribution_public"] == "1"
    authority = data["signing_authority"]
    if authority and not authority.endswith(".") and SIGNING_AUTHORITIES.resolve(authority + "."):
        meta["signing_authority"] = authority + "."
    return meta


def validate(data: dict, document: Document | None) -> tuple[DocumentSpec, datetime | None, datetime | None]:
    """The parsed form, or ValidationFailed whose problems name each field."""
    problems = fm.Problems()
    spec = parse_document(Path(FORM_NAME), _meta(data), data["body"] + "\n", problems)
    start = _instant(data["publish_from"], "publish_from", problems)
    end = _instant(data["publish_until"], "publish_until", problems)
    if start and end and end <= start:
        problems.add(FORM_NAME, "publish_until", "phải sau thời điểm bắt đầu đăng")
    if data["campaign"] and campaign_by_slug(data["campaign"]) is None:
        problems.add(FORM_NAME, "campaign", f"không có phong trào «{data['campaign']}»")
    if spec is not None:
        clash = db.session.scalar(db.select(Document).where(
            Document.symbol_key == spec.values["symbol_key"], Document.year == spec.values["year"],
            Document.id != (document.id if document else -1)))
        if clash is not None:
            problems.add(FORM_NAME, "symbol", f"đã có văn bản {clash.symbol} năm {clash.year}")
    if document is not None and spec is not None and spec.honor is None:
        decision = decision_for(document)
        if decision is not None and decision.awards:
            problems.add(FORM_NAME, "award_form",
                         f"quyết định đang có {len(decision.awards)} người được khen; không thể bỏ hình thức")
    if problems or spec is None:
        raise ValidationFailed("Chưa lưu được: vui lòng sửa các mục được đánh dấu.", problems.items,
                               fields=problems.by_key)
    return spec, start, end


def _apply(document: Document, spec: DocumentSpec, start, end) -> None:
    values = {k: v for k, v in spec.values.items() if k not in ("status", "is_demo")}
    old_slug = document.slug
    for key, value in values.items():
        setattr(document, key, value)
    document.body_html = render(document.body)
    document.campaign = campaign_by_slug(spec.campaign_slug) if spec.campaign_slug else None
    document.relations = [Relation(kind=k, target_symbol=s, target_key=key) for k, s, key in spec.relations]
    document.publish_from, document.publish_until = start, end
    if old_slug and old_slug != document.slug:
        db.session.execute(db.delete(DocumentAlias).where(DocumentAlias.slug == document.slug))
        db.session.add(DocumentAlias(slug=old_slug, document_id=document.id))
    db.session.flush()
    decision = decision_for(document)
    if spec.honor is not None:
        save_decision(document, spec.honor)
    elif decision is not None:
        db.session.delete(decision)


def create_document(data: dict, actor: Actor, comment: str = "", commit: bool = True) -> Document:
    """A new draft from the form; its first revision and history entry (committed unless the
    caller has more to write in the same transaction)."""
    data = normalize(data)
    spec, start, end = validate(data, None)
    document = Document(status="draft")
    db.session.add(document)
    _apply(document, spec, start, end)
    add_revision(document, snapshot(document), actor, comment or "Tạo bản nháp")
    record(document.id, "create", actor.name, comment, None, "draft")
    audit.record(actor, "document.create", f"document:{document.id}", f"Tạo bản nháp {document.symbol}")
    if commit:
        db.session.commit()
    return document


def update_document(document: Document, data: dict, version: int, actor: Actor, comment: str = "") -> Document:
    """Save the form over the document, unless someone saved it since `version` was read."""
    data = normalize(data)
    if version != document.version:
        raise EditConflict(snapshot(document), data, document.version)
    spec, start, end = validate(data, document)
    before = snapshot(document)
    try:
        _apply(document, spec, start, end)
        after = snapshot(document)
        if after == before:
            db.session.rollback()
            return document
        add_revision(document, after, actor, comment or "Sửa văn bản")
        record(document.id, "edit", actor.name, comment, document.status, document.status)
        audit.record(actor, "document.edit", f"document:{document.id}", f"Sửa {document.symbol}")
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        current = db.session.get(Document, document.id)
        raise EditConflict(snapshot(current), data, current.version) from None
    return document


def revert(document: Document, number: int, actor: Actor) -> Document:
    """Bring back revision `number` as a new revision (nothing in between is lost)."""
    revision = get_revision(document, number)
    return update_document(document, revision.data, document.version, actor, f"Khôi phục phiên bản {number}")
