"""The columns of one line of a list of recipients, declared once for every model that holds
such lines: the honor roll's awards, a dossier's nominees and a consultation's entries, with the
personal data each keeps apart (never rendered publicly)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.domain.kernel.vocab import RECIPIENT_KINDS


class ListedRecipient:
    """Who is on the list: the fields a published consultation shows."""

    seq: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(300))
    position: Mapped[str | None] = mapped_column(String(200))
    unit: Mapped[str | None] = mapped_column(String(300))

    @property
    def kind_label(self) -> str:
        return RECIPIENT_KINDS.label(self.kind)


class RecipientRow(ListedRecipient):
    """A full line of an award list: where the recipient lives, for what, and the amount given."""

    PUBLIC_FIELDS = ("seq", "kind", "name", "position", "unit", "village", "commune", "district",
                     "achievement", "register_no", "contribution")

    village: Mapped[str | None] = mapped_column(String(200))
    commune: Mapped[str | None] = mapped_column(String(200))
    district: Mapped[str | None] = mapped_column(String(200))
    achievement: Mapped[str | None] = mapped_column(Text)
    register_no: Mapped[str | None] = mapped_column(String(60))
    contribution: Mapped[int | None] = mapped_column(BigInteger)

    def public_values(self) -> dict:
        """The line as the award-list format reads it (public fields)."""
        return {key: getattr(self, key) for key in self.PUBLIC_FIELDS}

    @property
    def locality(self) -> str:
        return locality(self.village, self.commune, self.district)


def locality(village: str | None, commune: str | None, district: str | None) -> str:
    """Thôn, xã, huyện as named at the time of the list."""
    return ", ".join(p for p in (village, commune, district) if p)


class RecipientPrivate:
    """A recipient's personal data, kept in a table of its own beside the line."""

    PRIVATE_FIELDS = ("id_number", "birth_date", "address", "phone")

    id_number: Mapped[str | None] = mapped_column(String(20))
    birth_date: Mapped[date | None]
    address: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(30))
