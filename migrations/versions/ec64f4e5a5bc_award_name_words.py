"""award name words

Revision ID: ec64f4e5a5bc
Revises: f00a99e2cbbf
Create Date: 2026-11-30 08:19:05.523742

"""
from alembic import op
import re
import unicodedata

import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ec64f4e5a5bc'
down_revision = 'f00a99e2cbbf'
branch_labels = None
depends_on = None


def _words(name: str) -> set[str]:
    """The folded syllables of a name (as portal.domain.honors.name_words, frozen here)."""
    text = unicodedata.normalize("NFD", (name or "").lower().replace("đ", "d").replace("Đ", "d"))
    folded = "".join(c for c in text if not unicodedata.combining(c))
    return {word[:40] for word in re.findall(r"\w+", folded)}


def upgrade():
    op.create_table('award_words',
    sa.Column('word', sa.String(length=40), nullable=False),
    sa.Column('award_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['award_id'], ['awards.id'], name=op.f('fk_award_words_award_id_awards'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('word', 'award_id', name=op.f('pk_award_words'))
    )
    with op.batch_alter_table('award_words', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_award_words_award_id'), ['award_id'], unique=False)
    connection = op.get_bind()
    words = sa.table('award_words', sa.column('word', sa.String), sa.column('award_id', sa.Integer))
    rows = []
    for award_id, name in connection.execute(sa.text("SELECT id, name FROM awards ORDER BY id")):
        rows += [{"word": w, "award_id": award_id} for w in sorted(_words(name))]
        if len(rows) >= 5000:
            connection.execute(words.insert(), rows)
            rows = []
    if rows:
        connection.execute(words.insert(), rows)


def downgrade():
    with op.batch_alter_table('award_words', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_award_words_award_id'))
    op.drop_table('award_words')
