"""Emulation campaigns (phong trào thi đua), their review rounds and award rules."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.kernel.models_base import created_column, updated_column
from portal.domain.kernel.vocab import REVIEW_KINDS
from portal.extensions import db


class Campaign(db.Model):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    launched_by: Mapped[str] = mapped_column(String(300))
    plan_symbol: Mapped[str | None] = mapped_column(String(80))
    plan_key: Mapped[str | None] = mapped_column(String(80), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    summary: Mapped[str] = mapped_column(Text, default="")
    summary_html: Mapped[str] = mapped_column(Text, default="")
    award_rules: Mapped[list] = mapped_column(JSON, default=list)
    # What units report at each round, as data: [{"code", "label", "unit"}] (households, m², …).
    report_figures: Mapped[list] = mapped_column(JSON, default=list)
    source_path: Mapped[str | None] = mapped_column(String(500))
    source_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_column()
    updated_at: Mapped[datetime] = updated_column()

    rounds: Mapped[list[ReviewRound]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", order_by="ReviewRound.ends_on"
    )


class ReviewRound(db.Model):
    """A sơ kết (yearly review) or the tổng kết (final review) of a campaign."""

    __tablename__ = "review_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(200))
    when_label: Mapped[str] = mapped_column(String(100))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    report_due_on: Mapped[date | None]  # when units' reports are due (set in content or by the office)

    campaign: Mapped[Campaign] = relationship(back_populates="rounds")

    @property
    def kind_label(self) -> str:
        return REVIEW_KINDS.label(self.kind)


@dataclass(frozen=True)
class Milestone:
    """One point of a campaign's timeline."""

    label: str
    when_label: str
    starts_on: date
    ends_on: date
    kind: str
    past: bool


def timeline(campaign: Campaign, today: date) -> list[Milestone]:
    """Launch, each review round and the end of the period, past ones flagged."""
    points = [Milestone("Phát động phong trào", campaign.starts_on.strftime("%d/%m/%Y"),
                        campaign.starts_on, campaign.starts_on, "launch",
                        campaign.starts_on <= today)]
    for rnd in campaign.rounds:
        points.append(Milestone(rnd.label, rnd.when_label, rnd.starts_on, rnd.ends_on,
                                rnd.kind, rnd.ends_on < today))
    return sorted(points, key=lambda m: m.starts_on)


def campaign_by_slug(slug: str) -> Campaign | None:
    return db.session.scalar(db.select(Campaign).where(Campaign.slug == slug))


def all_campaigns() -> list[Campaign]:
    return list(db.session.scalars(db.select(Campaign).order_by(Campaign.starts_on.desc())))


def format_money(amount: int) -> str:
    """100000000 -> '100.000.000 đồng'."""
    return f"{amount:,}".replace(",", ".") + " đồng"
