"""Areas (địa bàn) with validity dates: names change, and a 2022 award keeps its 2022 name."""
from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.vietnamese.folding import fold

LEVEL_LABELS = {"tinh": "Tỉnh", "huyen": "Huyện", "thanh-pho": "Thành phố", "xa": "Xã", "phuong": "Phường",
                "thi-tran": "Thị trấn"}


class Area(db.Model):
    """An administrative unit, valid from one date to another, with its successors."""

    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(20))
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]
    successors: Mapped[list] = mapped_column(JSON, default=list)
    name_key: Mapped[str] = mapped_column(String(200), index=True)

    @property
    def full_name(self) -> str:
        return f"{LEVEL_LABELS.get(self.level, '')} {self.name}".strip()


LEVEL_PREFIXES = tuple(fold(word) + " " for word in ("thành phố", "huyện", "thị xã", "xã", "phường", "thị trấn"))


def name_key(name: str) -> str:
    """Folded name without its level word: "huyện Cao Lộc" and "Cao Loc" -> "cao loc"."""
    folded = " ".join(fold(name or "").split())
    for prefix in LEVEL_PREFIXES:
        if folded.startswith(prefix):
            return folded[len(prefix):]
    return folded


def find_area(name: str, levels: tuple[str, ...] = ("huyen", "thanh-pho")) -> Area | None:
    """The area a name refers to, among the given levels."""
    query = db.select(Area).where(Area.name_key == name_key(name), Area.level.in_(levels))
    return db.session.scalars(query).first()


def areas(levels: tuple[str, ...] = ("huyen", "thanh-pho")) -> list[Area]:
    query = db.select(Area).where(Area.level.in_(levels)).order_by(Area.name_key)
    return list(db.session.scalars(query))
