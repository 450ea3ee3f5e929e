"""Working days in Vietnam: weekends, the public holidays (Tết and Giỗ Tổ Hùng Vương follow the
lunar calendar; the `holidays` package knows them and the announced compensatory days it has),
and the days the office adds by hand from each year's announcement (content/danh-muc/, `kind:
days_off`): extra days off, and Saturdays worked in exchange (`working: true`)."""
from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays
from sqlalchemy import Boolean, Date, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.domain.kernel import frontmatter as fm
from portal.domain.kernel.vocab import strip_controls
from portal.extensions import db

MAX_SPAN = 3660  # days a count may walk (ten years): bounded whatever is asked


class CalendarDay(db.Model):
    """A day the office set by hand: off (a compensatory day) or working (a Saturday worked)."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    working: Mapped[bool] = mapped_column(Boolean, default=False)


REMIND_FROM_MONTH = 11  # next year's swaps are usually announced in the autumn


def unentered_year(today: date) -> int | None:
    """Next year, from November on, while no day of it has been entered by hand: deadlines
    counted in working days across it would miss its announced swaps."""
    if today.month < REMIND_FROM_MONTH:
        return None
    year = today.year + 1
    entered = db.session.scalar(db.select(CalendarDay.day).where(
        CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31)).limit(1))
    return None if entered else year


@lru_cache(maxsize=64)
def _public(year: int) -> dict[date, str]:
    return dict(holidays.country_holidays("VN", years=year, language="vi"))


def _by_hand(start: date, end: date) -> dict[date, CalendarDay]:
    rows = db.session.scalars(db.select(CalendarDay).where(CalendarDay.day >= start, CalendarDay.day <= end))
    return {row.day: row for row in rows}


def day_off(day: date, hand: dict[date, CalendarDay] | None = None) -> str | None:
    """Why a day is not a working day ("Tết Nguyên Đán", "Thứ Bảy", …), or None."""
    hand = _by_hand(day, day) if hand is None else hand
    if day in hand:
        return None if hand[day].working else hand[day].label
    name = _public(day.year).get(day)
    if name:
        return name
    if day.weekday() >= 5:
        return "Chủ nhật" if day.weekday() == 6 else "Thứ Bảy"
    return None


def add_working_days(start: date, count: int) -> date:
    """The day on which `count` working days after `start` are complete (counted from the next
    day): 10 working days from a notice posted on a Tuesday before Tết skip the whole holiday."""
    if count < 0 or count > MAX_SPAN:
        raise ValueError("count out of range")
    hand = _by_hand(start, start + timedelta(days=MAX_SPAN))
    day, left = start, count
    for _ in range(MAX_SPAN):
        if left == 0:
            return day
        day += timedelta(days=1)
        if day_off(day, hand) is None:
            left -= 1
    raise ValueError("span too long")


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    if end <= start:
        return 0
    end = min(end, start + timedelta(days=MAX_SPAN))
    hand = _by_hand(start, end)
    return sum(1 for n in range(1, (end - start).days + 1) if day_off(start + timedelta(days=n), hand) is None)


def parse_days(path, meta: dict, problems: fm.Problems) -> list[dict]:
    """The `days:` list of a `kind: days_off` file: {date, label, working (optional)}."""
    where, rows, out = str(path), meta.get("days"), []
    if not isinstance(rows, list):
        problems.add(where, "days", "cần danh sách ngày {date, label, working}")
        return []
    for number, row in enumerate(rows, start=1):
        key = f"days[{number}]"
        if not isinstance(row, dict):
            problems.add(where, key, "mỗi ngày là một bảng {date, label, working}")
            continue
        value = fm.date_value(row, "date", f"{where} {key}", problems)
        label = " ".join(strip_controls(str(row.get("label", ""))).split())[:200]
        if not label:
            problems.add(where, key, "cần label (lý do nghỉ hoặc làm bù)")
        if value is None or not label:
            continue
        out.append({"day": value, "label": label, "working": row.get("working") is True})
    return out


def save_days(rows: list[dict]) -> None:
    for row in rows:
        current = db.session.get(CalendarDay, row["day"]) or CalendarDay(day=row["day"])
        current.label, current.working = row["label"], row["working"]
        db.session.add(current)
