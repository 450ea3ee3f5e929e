"""one Vietnamese folding: stored names refolded as search folds them (i and y one letter)

Revision ID: 3f9c2a7d51b0
Revises: e8164eb14e66
Create Date: 2026-12-06 15:20:00

The honor roll folded "Lí Thị Hoà" to "li thi hoa" while search folded it to "ly thi hoa", so a
name typed one way was missed on the roll. Awards' folded names and words, and areas' keys, are
recomputed with the one folding (frozen here as it is today, like every migration's code).
"""
import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = '3f9c2a7d51b0'
down_revision = 'e8164eb14e66'
branch_labels = None
depends_on = None

_TONES = {"\u0301", "\u0300", "\u0309", "\u0303", "\u0323"}
_IY = re.compile(r"^(qu|[bdđhklmnstv])i$")
_PREFIXES = ("thanh pho ", "huyen ", "thi xa ", "xa ", "phuong ", "thi tran ")


def _key(word: str, same_letter: bool) -> str:
    base = unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFD", word) if c not in _TONES))
    if same_letter:
        base = _IY.sub(lambda m: m.group(1) + "y", base)
    return "".join(c for c in unicodedata.normalize("NFD", base.replace("đ", "d")) if not unicodedata.combining(c))


def _fold(text: str, same_letter: bool = True) -> str:
    return re.sub(r"\w+", lambda m: _key(m.group(0), same_letter), unicodedata.normalize("NFC", text or "").lower())


def _name_key(name: str, same_letter: bool) -> str:
    folded = " ".join(_fold(name, same_letter).split())
    for prefix in _PREFIXES:
        if folded.startswith(prefix):
            return folded[len(prefix):]
    return folded


def _refold(same_letter: bool) -> None:
    connection = op.get_bind()
    awards = connection.execute(sa.text("SELECT id, name FROM awards ORDER BY id")).all()
    for award_id, name in awards:
        folded = " ".join(_fold(name, same_letter).split())
        connection.execute(sa.text("UPDATE awards SET name_folded = :f WHERE id = :i AND name_folded <> :f"),
                           {"f": folded, "i": award_id})
    connection.execute(sa.text("DELETE FROM award_words"))
    rows = []
    for award_id, name in awards:
        rows += [{"w": w, "i": award_id} for w in sorted({w[:40] for w in re.findall(r"\w+", _fold(name, same_letter))})]
        if len(rows) >= 5000:
            connection.execute(sa.text("INSERT INTO award_words (word, award_id) VALUES (:w, :i)"), rows)
            rows = []
    if rows:
        connection.execute(sa.text("INSERT INTO award_words (word, award_id) VALUES (:w, :i)"), rows)
    for area_id, name in connection.execute(sa.text("SELECT id, name FROM areas")).all():
        connection.execute(sa.text("UPDATE areas SET name_key = :k WHERE id = :i"),
                           {"k": _name_key(name, same_letter), "i": area_id})


def upgrade():
    _refold(True)


def downgrade():
    _refold(False)
