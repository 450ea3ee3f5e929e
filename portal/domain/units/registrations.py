"""Emulation registration (đăng ký thi đua): at the start of each year a unit registers the title
its collective aims at and each member's target title. At the year's end a nominee for a title
they did not register for is flagged "Chưa đăng ký" (portal/domain/honors/eligibility.py).

A registration is never deleted: withdrawing it keeps the row with who withdrew it and when, so
the list the office consolidated in January can always be shown again. Registrations are the
unit's and the office's business only; nothing here is public."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import BinaryIO

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.editorial.uploads import LIST_TYPES, _extension
from portal.domain.files.storage import Storage
from portal.domain.honors.award_lists import parse_list
from portal.domain.kernel import audit
from portal.domain.kernel.actor import Actor
from portal.domain.kernel.bounds import parse_int
from portal.domain.kernel.models_base import VN, as_utc, created_column, today_vn, utcnow
from portal.domain.kernel.vocab import DISTINCTIONS, RECIPIENT_KINDS, strip_controls
from portal.domain.units.registry import Unit, units_on
from portal.errors import NotFound, ValidationFailed
from portal.extensions import db
from portal.vietnamese.folding import fold

# The titles registered, per kind of registrant, highest first (vocab.EMULATION_TITLES' order).
# Registering a higher title covers the lower ones of the same ladder: a member aiming at
# Chiến sĩ thi đua cơ sở who ends the year with Lao động tiên tiến has registered for it.
TITLES = {
    "ca-nhan": ("chien-si-thi-dua-toan-quoc", "chien-si-thi-dua-cap-tinh", "chien-si-thi-dua-nganh",
                "chien-si-thi-dua-co-so", "lao-dong-tien-tien"),
    "tap-the": ("co-thi-dua-chinh-phu", "co-thi-dua-cap-tinh", "co-thi-dua-nganh", "tap-the-lao-dong-xuat-sac",
                "tap-the-lao-dong-tien-tien"),
}
DUE_MONTH = 1  # registrations are due in January; later ones are accepted and marked late
MAX_ROWS = 2000  # a unit's members: far above any procuracy's headcount
EXTRA = {fold("Danh hiệu đăng ký"): "registered_title", fold("Danh hiệu"): "registered_title"}


class Registration(db.Model):
    __tablename__ = "emulation_registrations"
    __private_state__ = True
    __table_args__ = (Index("ix_emulation_registrations_unit_year", "unit_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(300))
    folded_name: Mapped[str] = mapped_column(String(300), index=True)
    position: Mapped[str | None] = mapped_column(String(200))
    id_number: Mapped[str | None] = mapped_column(String(20), index=True)  # never shown outside the work areas
    distinction: Mapped[str] = mapped_column(String(60))
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = created_column()
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by: Mapped[str | None] = mapped_column(String(254))

    unit: Mapped[Unit] = relationship()

    @property
    def distinction_label(self) -> str:
        return DISTINCTIONS.label(self.distinction)

    @property
    def kind_label(self) -> str:
        return RECIPIENT_KINDS.label(self.kind)

    @property
    def late(self) -> bool:
        """Registered after January of its year (or for a year already over)."""
        made = as_utc(self.created_at).astimezone(VN).date()
        return made > date(self.year, DUE_MONTH, 31)

    def covers(self, title: str) -> bool:
        """Whether this registration counts for `title`: the same one or a lower one of its ladder."""
        ladder = TITLES.get(self.kind, ())
        return title in ladder and self.distinction in ladder and ladder.index(self.distinction) <= ladder.index(title)


def open_years(today: date | None = None) -> list[int]:
    """Years a unit may register for: this year, and next year from December on (Vietnam's date)."""
    today = today or today_vn()
    return [today.year + 1, today.year] if today.month == 12 else [today.year]


def season(today: date | None = None) -> int | None:
    """The year whose registrations are being gathered (December before and January), or None."""
    today = today or today_vn()
    return today.year + 1 if today.month == 12 else today.year if today.month == DUE_MONTH else None


def of_unit(unit: Unit, year: int, withdrawn: bool = False) -> list[Registration]:
    query = db.select(Registration).where(Registration.unit_id == unit.id, Registration.year == year)
    if not withdrawn:
        query = query.where(Registration.withdrawn_at.is_(None))
    return list(db.session.scalars(query.order_by(Registration.kind.desc(), Registration.folded_name, Registration.id)))


@dataclass
class Entry:
    """One registration as typed or read from a list, checked."""

    kind: str
    name: str
    distinction: str
    position: str | None = None
    id_number: str | None = None


def _checked(entry: Entry, where: str) -> list[str]:
    problems = []
    if entry.kind not in TITLES:
        problems.append(f"{where}: đối tượng phải là Cá nhân hoặc Tập thể")
        return problems
    if not entry.name.strip():
        problems.append(f"{where}: chưa có tên")
    if entry.distinction not in TITLES[entry.kind]:
        allowed = ", ".join(DISTINCTIONS.label(c) for c in TITLES[entry.kind])
        problems.append(f"{where}: «{DISTINCTIONS.label(entry.distinction) or entry.distinction[:60]}» không phải "
                        f"danh hiệu đăng ký được cho {RECIPIENT_KINDS.label(entry.kind).lower()} ({allowed})")
    if entry.id_number and not (entry.id_number.isdigit() and len(entry.id_number) in (9, 12)):
        problems.append(f"{where}: số định danh phải gồm 9 hoặc 12 chữ số")
    return problems


def _same(entry: Entry, registration: Registration) -> bool:
    if entry.kind != registration.kind:
        return False
    if entry.id_number and registration.id_number:
        return entry.id_number == registration.id_number
    return fold(entry.name) == registration.folded_name


def closed_for(unit: Unit, year: int, role: str = "unit") -> str | None:
    """Why `unit` cannot register for `year` (through an account of `role`), or None."""
    if role == "unit" and year not in open_years():
        return f"Năm {year} không còn nhận đăng ký thi đua từ đơn vị; cần sửa, xin liên hệ Văn phòng."
    gone = unit.gone_by(date(year, 1, 1))
    return f"Không đăng ký thi đua năm {year} cho đơn vị này: {gone}." if gone else None


def _check_year(unit: Unit, year: int, actor: Actor) -> None:
    closed = closed_for(unit, year, actor.role)
    if closed:
        raise ValidationFailed(closed)


def _added(unit: Unit, year: int, entry: Entry, actor: Actor) -> Registration:
    registration = Registration(unit_id=unit.id, year=year, kind=entry.kind,
                                name=strip_controls(entry.name).strip()[:300],
                                folded_name=fold(entry.name)[:300], position=(entry.position or None),
                                id_number=entry.id_number or None, distinction=entry.distinction,
                                created_by=actor.name[:254])
    db.session.add(registration)
    return registration


def register(unit: Unit, year: int, entry: Entry, actor: Actor) -> Registration:
    """Add one registration; the same person (or collective) registered already is refused with
    the title they hold, to be withdrawn first: a change of aim is a visible step."""
    _check_year(unit, year, actor)
    problems = _checked(entry, "Đăng ký")
    if problems:
        raise ValidationFailed("Chưa ghi đăng ký thi đua.", problems)
    for existing in of_unit(unit, year):
        if _same(entry, existing):
            raise ValidationFailed(f"«{existing.name}» đã đăng ký «{existing.distinction_label}» năm {year}; "
                                   "muốn đổi, hãy rút đăng ký đó trước.")
    registration = _added(unit, year, entry, actor)
    db.session.flush()
    audit.record(actor, "registration.add", f"unit:{unit.id}",
                 f"Đăng ký thi đua {year}: {registration.name} — {registration.distinction_label}")
    return registration


def withdraw(unit: Unit, registration_id: int, actor: Actor) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.unit_id != unit.id or registration.withdrawn_at is not None:
        raise NotFound("Không có đăng ký này.")
    _check_year(unit, registration.year, actor)
    registration.withdrawn_at, registration.withdrawn_by = utcnow(), actor.name[:254]
    audit.record(actor, "registration.withdraw", f"unit:{unit.id}",
                 f"Rút đăng ký thi đua {registration.year}: {registration.name} — {registration.distinction_label}")
    return registration


def _entries_of_list(path, unit: Unit) -> tuple[list[Entry], list[str]]:
    parsed = parse_list(path, EXTRA)
    problems = list(parsed.errors)
    entries = []
    for row in parsed.rows:
        values = row.values
        term = DISTINCTIONS.resolve(values.get("registered_title") or "")
        entry = Entry(values["kind"], values["name"], term.code if term else (values.get("registered_title") or ""),
                      values.get("position"), row.private.get("id_number"))
        problems += _checked(entry, f"dòng {row.line}")
        entries.append(entry)
    if len(entries) > MAX_ROWS:
        problems.append(f"danh sách đăng ký có hơn {MAX_ROWS} dòng")
    seen: dict[tuple, int] = {}
    for number, entry in enumerate(entries, start=2):
        key = (entry.kind, entry.id_number or fold(entry.name))
        if key in seen:
            problems.append(f"«{entry.name}» có hai dòng đăng ký")
        seen[key] = number
    return entries, problems


def replace_from_list(unit: Unit, year: int, stream: BinaryIO, filename: str, actor: Actor,
                      storage: Storage) -> list[Registration]:
    """The unit's registrations of `year` replaced by an uploaded list (the award-list format with
    a «Danh hiệu đăng ký» column): every row must pass, or nothing changes. The registrations it
    replaces are withdrawn, not deleted. The file is read and not kept."""
    _check_year(unit, year, actor)
    _extension(filename, LIST_TYPES, "danh sách đăng ký thi đua")
    saved = storage.save(stream, filename, inspect=lambda path, _mime: _entries_of_list(path, unit))
    storage.delete(saved.stored_name)
    entries, problems = saved.inspected
    if problems:
        raise ValidationFailed(f"Danh sách «{saved.filename}» còn lỗi, chưa ghi đăng ký nào.", problems)
    now = utcnow()
    for old in of_unit(unit, year):
        old.withdrawn_at, old.withdrawn_by = now, actor.name[:254]
    added = [_added(unit, year, entry, actor) for entry in entries]
    db.session.flush()
    audit.record(actor, "registration.list", f"unit:{unit.id}",
                 f"Nạp danh sách đăng ký thi đua {year} «{saved.filename}»: {len(added)} dòng")
    return added


def find(unit_id: int | None, year: int, kind: str, name: str, id_number: str | None,
         title: str) -> tuple[Registration | None, list[Registration]]:
    """The standing registration of `year` that covers `title` for this registrant, and every
    standing registration of theirs that year (to say what they did register for). The ID
    number matches across units; without one, the folded name within the unit."""
    query = db.select(Registration).where(Registration.year == year, Registration.kind == kind,
                                          Registration.withdrawn_at.is_(None))
    if id_number:
        query = query.where(Registration.id_number == id_number)
    elif unit_id is not None:
        query = query.where(Registration.unit_id == unit_id, Registration.folded_name == fold(name)[:300])
    else:
        return None, []
    theirs = list(db.session.scalars(query))
    return next((r for r in theirs if r.covers(title)), None), theirs


@dataclass
class UnitSummary:
    unit: Unit
    collective: list[Registration] = field(default_factory=list)
    members: list[Registration] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for registration in self.members:
            found[registration.distinction] = found.get(registration.distinction, 0) + 1
        return {code: found[code] for code in TITLES["ca-nhan"] if code in found}

    @property
    def late(self) -> int:
        return sum(r.late for r in self.collective + self.members)


def consolidated(year: int) -> list[UnitSummary]:
    """Every unit existing in `year` with what it registered (an empty summary: not registered)."""
    summaries = {u.id: UnitSummary(u) for u in units_on(date(year, 1, 1))}
    query = db.select(Registration).where(Registration.year == year, Registration.withdrawn_at.is_(None))
    for registration in db.session.scalars(query.order_by(Registration.folded_name)):
        summary = summaries.setdefault(registration.unit_id, UnitSummary(registration.unit))
        (summary.collective if registration.kind == "tap-the" else summary.members).append(registration)
    return list(summaries.values())


def year_param(raw: str | None, default: int) -> int:
    year = parse_int(raw or "")
    return year if year is not None and 2000 <= year <= 2100 else default


def judge(unit_id: int | None, kind: str, name: str, id_number: str | None):
    """The registration rule for one registrant (eligibility.Registered): met when a standing
    registration of the year covers the title, with the registration as evidence."""
    def registered(title: str, year: int) -> tuple[bool | None, str]:
        if kind not in TITLES:
            return None, f"{RECIPIENT_KINDS.label(kind)} không đăng ký thi đua theo đơn vị."
        if unit_id is None and not id_number:
            return None, "Chưa có đơn vị hay số định danh để đối chiếu đăng ký thi đua."
        hit, theirs = find(unit_id, year, kind, name, id_number, title)
        if hit is not None:
            made = as_utc(hit.created_at).astimezone(VN).strftime("%d/%m/%Y")
            late = " (đăng ký muộn, sau tháng 01)" if hit.late else ""
            return True, f"Đã đăng ký «{hit.distinction_label}» năm {year}: {hit.unit.name}, ngày {made}{late}."
        if theirs:
            held = ", ".join(f"«{r.distinction_label}»" for r in theirs)
            return False, (f"Chưa đăng ký «{DISTINCTIONS.label(title)}»: năm {year} chỉ đăng ký {held}, "
                           "thấp hơn danh hiệu đề nghị.")
        return False, f"Chưa đăng ký: không có đăng ký thi đua năm {year} của «{name}»."
    return registered


def registered_of(dossier):
    """eligibility.for_dossier's `registered_of` for a dossier's nominees (of the dossier's unit)."""
    return lambda nominee: judge(dossier.unit_id, nominee.kind, nominee.name,
                                 nominee.private.id_number if nominee.private else None)
