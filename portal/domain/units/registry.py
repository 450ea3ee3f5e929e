"""The registry of units, loaded from content/danh-muc/ like the areas and editable by admins.

A unit has a code (stable, ASCII), its name and short name, an optional parent, the dates it
existed and the unit that succeeded it (a district procuracy that became a regional one)."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.kernel import frontmatter as fm
from portal.domain.kernel.vocab import strip_controls
from portal.errors import ValidationFailed
from portal.extensions import db
from portal.vietnamese.folding import fold

_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")


class Unit(db.Model):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    short_name: Mapped[str] = mapped_column(String(80), default="")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))

    parent: Mapped[Unit | None] = relationship(foreign_keys=[parent_id], remote_side=[id])
    successor: Mapped[Unit | None] = relationship(foreign_keys=[successor_id], remote_side=[id])

    def active_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    def gone_by(self, day: date) -> str | None:
        """Why this unit cannot act for a day after it was dissolved (naming its successor), or None."""
        if self.valid_to is None or day <= self.valid_to:
            return None
        after = f"; đơn vị kế thừa: {self.successor.name}" if self.successor else \
            "; đơn vị kế thừa chưa có trong danh mục đơn vị"
        return f"{self.name} đã giải thể từ {self.valid_to.strftime('%d/%m/%Y')}{after}"

    @property
    def label(self) -> str:
        return self.name + (" (đã giải thể)" if self.valid_to and self.valid_to < date.today() else "")


def by_code(code: str) -> Unit | None:
    return db.session.scalar(db.select(Unit).where(Unit.code == code))


def units_on(day: date | None = None) -> list[Unit]:
    """Units existing on a day (all when None), parents first, then by name."""
    units = sorted(db.session.scalars(db.select(Unit)), key=lambda u: fold(u.name))
    return [u for u in units if day is None or u.active_on(day)]


def _date(value, where: str, key: str, problems: fm.Problems) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        problems.add(where, key, f"«{value}» không phải ngày dạng yyyy-mm-dd")
        return None


def parse_units(path, meta: dict, problems: fm.Problems) -> list[dict]:
    """The `units:` list of a `kind: units` file, checked: codes unique and well formed,
    parents and successors known, dates in order."""
    where, rows = str(path), meta.get("units")
    if not isinstance(rows, list) or not rows:
        problems.add(where, "units", "cần danh sách đơn vị")
        return []
    out, codes = [], set()
    for number, row in enumerate(rows, start=1):
        key = f"units[{number}]"
        if not isinstance(row, dict):
            problems.add(where, key, "mỗi đơn vị là một bảng {code, name, …}")
            continue
        code, name = str(row.get("code", "")).strip(), " ".join(strip_controls(str(row.get("name", ""))).split())
        if not _CODE.match(code):
            problems.add(where, key, f"mã «{code}» chỉ gồm chữ thường không dấu, số và dấu gạch ngang")
            continue
        if code in codes:
            problems.add(where, key, f"mã «{code}» bị trùng")
        if not name:
            problems.add(where, key, "thiếu tên đơn vị")
        codes.add(code)
        item = {"code": code, "name": name[:300], "short_name": str(row.get("short", "") or "")[:80],
                "parent": row.get("parent") or None, "successor": row.get("successor") or None,
                "valid_from": _date(row.get("valid_from"), where, key, problems),
                "valid_to": _date(row.get("valid_to"), where, key, problems)}
        if item["valid_from"] and item["valid_to"] and item["valid_to"] < item["valid_from"]:
            problems.add(where, key, "ngày hết hiệu lực trước ngày bắt đầu")
        out.append(item)
    for item in out:
        for link in ("parent", "successor"):
            if item[link] and item[link] not in codes and by_code(item[link]) is None:
                problems.add(where, item["code"], f"không có đơn vị «{item[link]}» ({link})")
    return out


def save_units(rows: list[dict]) -> None:
    """Create or update units by code (two passes: links may point forward)."""
    found = {u.code: u for u in db.session.scalars(db.select(Unit))}
    for row in rows:
        unit = found.get(row["code"]) or Unit(code=row["code"])
        db.session.add(unit)
        unit.name, unit.short_name = row["name"], row["short_name"]
        unit.valid_from, unit.valid_to = row["valid_from"], row["valid_to"]
        found[row["code"]] = unit
    db.session.flush()
    for row in rows:
        unit = found[row["code"]]
        unit.parent = found.get(row["parent"]) if row["parent"] else None
        unit.successor = found.get(row["successor"]) if row["successor"] else None


def update_unit(unit: Unit, form: dict) -> None:
    """An admin's edit of one unit, validated like the content file."""
    problems = fm.Problems()
    rows = parse_units("form", {"units": [{**form, "code": unit.code}]}, problems)
    if problems:
        raise ValidationFailed("Thông tin đơn vị chưa hợp lệ.", [p.split(": ", 1)[-1] for p in problems.items])
    row = rows[0]
    for link in ("parent", "successor"):
        if row[link] == unit.code:
            raise ValidationFailed("Một đơn vị không thể là cấp trên hay đơn vị kế thừa của chính nó.")
    save_units([row])
