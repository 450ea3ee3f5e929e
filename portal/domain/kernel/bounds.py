"""Bounds on what a visitor or an editor types: integers of ASCII digits inside a range, dates
inside the range that makes sense for their field, and text without control characters.

`'²'.isdigit()` is true and `int('²')` raises, and `date(9999, 12, 25) + 30 days` overflows: each
check here answers a clear Vietnamese message (or a default) instead of an exception."""
from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import String, Text, event, inspect
from sqlalchemy.orm import Session

from portal.domain.kernel.vocab import strip_controls
from portal.errors import ValidationFailed

MAX_ID = 2**31 - 1  # the largest id any supported database stores in an integer column (int4)


def is_number(raw: str | None) -> bool:
    """Whether `raw` is a non-negative integer written in ASCII digits only."""
    return bool(raw) and raw.isascii() and raw.isdigit()


def parse_int(raw: str | None, default: int | None = None, low: int = 0, high: int = MAX_ID) -> int | None:
    """An integer typed in a request or a file: ASCII digits inside [low, high], else `default`."""
    raw = (raw or "").strip()
    if not is_number(raw) or len(raw) > len(str(high)):
        return default
    value = int(raw)
    return value if low <= value <= high else default


def parse_ids(values: list[str]) -> list[int]:
    """The ids among a form's repeated values (anything else ignored)."""
    return [n for n in (parse_int(v) for v in values) if n is not None]


def parse_date(raw: str | None, what: str, low: date, high: date) -> date | None:
    """A `yyyy-mm-dd` date inside [low, high] (None when empty); else ValidationFailed saying why."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(f"{what} phải là một ngày hợp lệ (dd/mm/yyyy), không phải «{raw[:20]}».") from None
    return check_date(value, what, low, high)


def check_date(value: date, what: str, low: date, high: date) -> date:
    if not low <= value <= high:
        raise ValidationFailed(f"{what} phải trong khoảng từ {low:%d/%m/%Y} đến {high:%d/%m/%Y}.")
    return value


def years_from(day: date, years: int) -> date:
    """The same day `years` later (28 February for a 29 February), never past date.max."""
    try:
        return day.replace(year=min(day.year + years, date.max.year))
    except ValueError:
        return (day - timedelta(days=1)).replace(year=min(day.year + years, date.max.year))


# -- text stored ------------------------------------------------------------------------------
_LINE_BREAKS = re.compile(r"[\r\n\t]+")


def clean_text(value: str, single_line: bool) -> str:
    """Stored text without control or invisible formatting characters; a one-line field (a
    name, a title, a code) also without line breaks or tabs."""
    value = strip_controls(value)
    return _LINE_BREAKS.sub(" ", value) if single_line else value


_TEXT_COLUMNS: dict[type, list[tuple[str, bool]]] = {}


def _text_columns(mapper) -> list[tuple[str, bool]]:
    """(attribute, one line?) of a model's text columns, worked out once per model."""
    found = _TEXT_COLUMNS.get(mapper.class_)
    if found is None:
        found = [(attr.key, not isinstance(attr.columns[0].type, Text)) for attr in mapper.column_attrs
                 if isinstance(attr.columns[0].type, String)]
        _TEXT_COLUMNS[mapper.class_] = found
    return found


def _clean(obj) -> None:
    state = inspect(obj)
    for key, single_line in _text_columns(state.mapper):
        value = state.dict.get(key)
        if isinstance(value, str) and value:
            cleaned = clean_text(value, single_line)
            if cleaned != value:
                setattr(obj, key, cleaned)


def install_text_guard() -> None:
    """Every text column of every model is cleaned as it is written, whichever form, loader or
    command wrote it: one rule, one place."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)


def _before_flush(session: Session, _context, _instances) -> None:
    for obj in (*session.new, *session.dirty):
        _clean(obj)
