"""Load content/*.md (YAML front matter) idempotently: validate everything, then write at once."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path

from portal.domain.campaigns.calendar import parse_days, save_days
from portal.domain.campaigns.models import Campaign, ReviewRound, campaign_by_slug
from portal.domain.content.specs import CampaignSpec, parse_campaign
from portal.domain.documents.markdown import render
from portal.domain.documents.models import Attachment, Document, DocumentAlias, Relation
from portal.domain.documents.workflow import record
from portal.domain.editorial.specs import DocumentSpec, parse_document
from portal.domain.files.extract import inspect_original
from portal.domain.files.storage import Storage
from portal.domain.honors.places import name_key
from portal.domain.honors.saving import check_honor, parse_areas, save_areas, save_honor
from portal.domain.kernel import frontmatter as fm
from portal.domain.kernel.models_base import VN
from portal.domain.units import by_code, parse_units, save_units, set_recipients, units_on
from portal.errors import ValidationFailed
from portal.extensions import db

LOADER = "Nạp nội dung"


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{len(self.created)} mới, {len(self.updated)} cập nhật, "
                f"{len(self.unchanged)} không đổi")


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(p for p in path.rglob("*.md") if p.name.lower() != "readme.md")
    raise ValidationFailed(f"Không tìm thấy «{path}».", [f"{path}: không tồn tại"])


def parse_all(path: Path) -> tuple[list[dict], list[CampaignSpec], list[DocumentSpec]]:
    """Read and validate every file; raise ValidationFailed listing all problems."""
    problems = fm.Problems()
    areas, campaigns, documents, units, days = [], [], [], [], []
    for file in _files(path):
        parsed = fm.read(file, problems)
        if parsed is None:
            continue
        meta, body = parsed
        if meta.get("kind") == "areas":
            areas += parse_areas(file, meta, problems)
        elif meta.get("kind") == "units":
            units += parse_units(file, meta, problems)
        elif meta.get("kind") == "days_off":
            days += parse_days(file, meta, problems)
        elif meta.get("kind") == "campaign":
            spec = parse_campaign(file, meta, body, problems)
            campaigns.append(spec) if spec else None
        else:
            spec = parse_document(file, meta, body, problems)
            documents.append(spec) if spec else None
    _cross_check(areas, campaigns, documents, problems)
    _check_sent_to(units, documents, problems)
    if problems:
        raise ValidationFailed("Nội dung không hợp lệ, chưa nạp gì.", problems.items)
    return areas, campaigns, documents, units, days


def _check_sent_to(units: list[dict], documents: list[DocumentSpec], problems) -> None:
    known = {u["code"] for u in units}
    for spec in documents:
        for code in spec.sent_to or ():
            if code != "*" and code not in known and by_code(code) is None:
                problems.add(str(spec.path), "sent_to", f"không có đơn vị mã «{code}»")


def _campaign_data(slug: str | None, batch: dict[str, CampaignSpec]) -> tuple[list, list[dict]]:
    """Review rounds and award rules of a campaign, from this load or the database."""
    if not slug:
        return [], []
    if slug in batch:
        return batch[slug].rounds, batch[slug].values["award_rules"]
    campaign = campaign_by_slug(slug)
    return (campaign.rounds, campaign.award_rules) if campaign else ([], [])


def _cross_check(areas: list[dict], campaigns: list[CampaignSpec], documents: list[DocumentSpec],
                 problems) -> None:
    batch = {c.values["slug"]: c for c in campaigns}
    area_keys = {name_key(a["name"]) for a in areas}
    for spec in documents:
        if spec.honor is not None:
            rounds, rules = _campaign_data(spec.campaign_slug, batch)
            existing = _find_document(spec)
            check_honor(spec.honor, str(spec.path), rounds, rules, area_keys, problems,
                        existing.id if existing else None)
    slugs = set(batch)
    seen: dict[tuple, Path] = {}
    for spec in documents:
        ident = (spec.values["symbol_key"], spec.values["year"])
        if ident in seen:
            problems.add(str(spec.path), "symbol",
                         f"{spec.values['symbol']} năm {ident[1]} đã có trong {seen[ident]}")
        seen[ident] = spec.path
        slug = spec.campaign_slug
        if slug and slug not in slugs and campaign_by_slug(slug) is None:
            problems.add(str(spec.path), "campaign", f"không có phong trào «{slug}»")


def load(path: str | Path, storage: Storage, actor: str = LOADER) -> LoadReport:
    """Load a file or folder; on any problem nothing is written (database or files)."""
    areas, campaigns, documents, units, days = parse_all(Path(path))
    report, stored = LoadReport(), []
    report.warnings = [w for d in documents if d.honor for w in d.honor.awards.warnings]
    try:
        save_areas(areas)
        save_units(units)
        save_days(days)
        db.session.flush()
        for spec in campaigns:
            _save_campaign(spec, report)
        db.session.flush()
        for spec in documents:
            _save_document(spec, storage, stored, report, actor)
        db.session.commit()
    except Exception:
        db.session.rollback()
        for name in stored:
            storage.delete(name)
        raise
    return report


def _save_campaign(spec: CampaignSpec, report: LoadReport) -> None:
    campaign = campaign_by_slug(spec.values["slug"])
    name = spec.values["name"]
    if campaign is not None and campaign.source_hash == spec.digest:
        report.unchanged.append(name)
        return
    if campaign is None:
        campaign = Campaign()
        db.session.add(campaign)
        report.created.append(name)
    else:
        report.updated.append(name)
    for key, value in spec.values.items():
        setattr(campaign, key, value)
    campaign.summary_html = render(spec.values["summary"])
    campaign.source_path, campaign.source_hash = str(spec.path), spec.digest
    # Rounds are kept by code (units' reports hang on them); a due date set by the office stays
    # unless the file gives one.
    existing = {r.code: r for r in campaign.rounds}
    rounds = []
    for values in spec.rounds:
        current = existing.get(values["code"]) or ReviewRound()
        for key, value in values.items():
            if key != "report_due_on" or value is not None:
                setattr(current, key, value)
        rounds.append(current)
    campaign.rounds = rounds


def _find_document(spec: DocumentSpec) -> Document | None:
    found = db.session.scalar(db.select(Document).where(
        Document.symbol_key == spec.values["symbol_key"], Document.year == spec.values["year"]))
    if found is None:
        found = db.session.scalar(db.select(Document).where(Document.source_path == str(spec.path)))
    return found


def _save_document(spec: DocumentSpec, storage: Storage, stored: list[str],
                   report: LoadReport, actor: str) -> None:
    document = _find_document(spec)
    label = spec.values["symbol"]
    if document is not None and document.source_hash == spec.digest:
        report.unchanged.append(label)
        return
    old_state = document.status if document else None
    if document is None:
        document = Document()
        db.session.add(document)
        report.created.append(label)
    else:
        report.updated.append(label)
        if document.slug != spec.values["slug"]:
            db.session.add(DocumentAlias(slug=document.slug, document_id=document.id))
    for key, value in spec.values.items():
        setattr(document, key, value)
    document.body_html = render(document.body)
    document.campaign = campaign_by_slug(spec.campaign_slug) if spec.campaign_slug else None
    document.relations = [Relation(kind=k, target_symbol=s, target_key=key) for k, s, key in spec.relations]
    if document.status == "published" and (spec.published_on or document.published_at is None):
        # A document shipped as content was posted when its front matter says, else on its issue date.
        document.published_at = vn_midnight(spec.published_on or document.issued_on)
    document.source_path, document.source_hash = str(spec.path), spec.digest
    _sync_attachments(document, spec.attachments, storage, stored)
    db.session.flush()
    if spec.honor is not None:
        save_honor(document, spec.honor)
    if spec.sent_to is not None:
        chosen = (units_on(document.issued_on) if spec.sent_to == ["*"]
                  else [by_code(code) for code in spec.sent_to])
        set_recipients(document, [u for u in chosen if u is not None], spec.ask_receipt)
    record(document.id, "load", actor, str(spec.path), old_state, document.status)


def vn_midnight(day: date) -> datetime:
    """The first instant of a day in Vietnam (UTC+7), as an aware UTC time."""
    return datetime.combine(day, time(0), tzinfo=VN).astimezone(UTC)


def _sync_attachments(document: Document, files: list[Path], storage: Storage, stored: list[str]) -> None:
    keep = []
    existing = {(a.filename, a.sha256): a for a in document.attachments}
    for file in files:
        with open(file, "rb") as handle:
            saved = storage.save(handle, file.name, inspect=inspect_original)
        match = existing.get((saved.filename, saved.sha256))
        if match is not None:
            storage.delete(saved.stored_name)
            keep.append(match)
            continue
        stored.append(saved.stored_name)
        text, status, signed = saved.inspected
        keep.append(Attachment(filename=saved.filename, stored_name=saved.stored_name,
                               sha256=saved.sha256, size=saved.size, mime_type=saved.mime_type,
                               text=text, text_status=status, signatures=signed))
    document.attachments = keep
