"""The honor roll's name lookup, held in memory by each process and kept current by the change
sequence.

Each folded word of a listed award's name maps to the awards whose name carries it, and each
listed award to what the roll's filters, counts and order read and what its row shows. A name
search is then a few set intersections and a page needs no query: at 100,000 awards the
database's word ranges took about 7 ms a request (an INTERSECT of index ranges, then the rows);
the sets take a fraction of one.

The index is read whole once per process (at 100,000 awards: 1.1 s and 96 MB on SQLite, 0.8 s and
134 MB on PostgreSQL, of which 17 and 29 MB are the shown fields), then follows the
change sequence as the search index does: the awards a change names (`award:N`, or a decision's
document) are read again, and nothing else. A change that asks for everything (`*`) or another
database reads it whole again. Words are split as `award_words` stores them (`name_words`, the
portal's one folding), and a session holding changes of its own asks the database instead.
"""
from __future__ import annotations

import re
import threading
from bisect import bisect_left, insort
from sys import intern
from typing import NamedTuple

from sqlalchemy import or_

from portal.domain.honors.models import Award, AwardWord, HonorDecision
from portal.domain.kernel import changes
from portal.extensions import db
from portal.vietnamese.folding import fold

LISTED = ("public", "name-unit")
MAX_WORDS = 8  # words of a typed name that count
MAX_WORD = 40  # a stored word's length (award_words.word)
MAX_REPLAY = 5000  # changes replayed at once; more, and the index is read whole again


class Listed(NamedTuple):
    """What the roll's filters, facets and order need of a listed award, and what its row shows
    (shown.row_fields): a page of found names is built without asking the database."""

    id: int
    kind: str
    decision_id: int
    district_area_id: int | None
    unit: str | None
    sort_key: str
    annulled: bool
    name_folded: str
    name: str
    publication: str
    position: str | None
    village: str | None
    commune: str | None
    district: str | None


_COLUMNS = (Award.id, Award.kind, Award.decision_id, Award.district_area_id, Award.unit, Award.sort_key,
            Award.annulled, Award.name_folded, Award.name, Award.publication, Award.position, Award.village,
            Award.commune, Award.district)
_SHARED = (1, 4, 9, 10, 11, 12, 13)  # kinds, units, publications, positions, places: a few hundred values


def _listed(found) -> Listed:
    """A row of _COLUMNS; the values many awards share are kept once (a third less memory)."""
    values = list(found)
    for at in _SHARED:
        if values[at]:
            values[at] = intern(values[at])
    return Listed(*values)


_WORD = re.compile(r"\w+")


def _words(folded: str) -> set[str]:
    """name_words() of a name already folded (awards.name_folded)."""
    return {word[:MAX_WORD] for word in _WORD.findall(folded)}


def _typed(name: str) -> list[str]:
    """The words a visitor typed, folded; the last one may be only begun."""
    return _WORD.findall(fold(name))[:MAX_WORDS] or [""]


def named_ids(name: str):
    """A query of the ids of awards whose name has every word typed: an index range per word in
    award_words (exports, and sessions with changes of their own, ask the database)."""
    typed = _typed(name)
    selects = [db.select(AwardWord.award_id).where(AwardWord.word == word) for word in typed[:-1]]
    last = typed[-1][:MAX_WORD]
    selects.append(db.select(AwardWord.award_id).where(AwardWord.word >= last, AwardWord.word < last + "\uffff"))
    return selects[0] if len(selects) == 1 else db.intersect(*selects)


class NameIndex:
    """Words to award ids, and the listed awards by id, as of one change id of one database."""

    def __init__(self, database: str, applied: int):
        self.database = database
        self.applied = applied
        self.rows: dict[int, Listed] = {}
        self.words: dict[str, set[int]] = {}
        self.vocabulary: list[str] = []  # the words, sorted: a beginning is a range of it

    def add(self, row: Listed) -> None:
        self.rows[row.id] = row
        for word in _words(row.name_folded):
            ids = self.words.get(word)
            if ids is None:
                ids = self.words[word] = set()
                insort(self.vocabulary, word)
            ids.add(row.id)

    def drop(self, award_id: int) -> None:
        row = self.rows.pop(award_id, None)
        if row is None:
            return
        for word in _words(row.name_folded):
            ids = self.words.get(word)
            if ids is not None:
                ids.discard(award_id)
                if not ids:
                    del self.words[word]
                    del self.vocabulary[bisect_left(self.vocabulary, word)]

    def _beginning(self, start: str) -> list[set[int]]:
        """The id sets of every word that begins with `start` (the last word, as it is typed)."""
        first = bisect_left(self.vocabulary, start)
        last = bisect_left(self.vocabulary, start + "\uffff", first)
        return [self.words[word] for word in self.vocabulary[first:last]]

    def matching(self, name: str) -> list[Listed]:
        """The listed awards whose name has every word typed, the last one perhaps only begun."""
        typed = _typed(name)
        whole = sorted((self.words.get(word, _NONE) for word in typed[:-1]), key=len)
        begun = self._beginning(typed[-1][:MAX_WORD])
        if not whole:
            found = set().union(*begun)
        elif not whole[0] or not begun:
            return []
        elif sum(map(len, begun)) < len(whole[0]):
            # The beginning is the rarest part ("Nguyễn Văn Tù"): each of its words' sets is
            # narrowed by the whole words, every step walking the smaller set.
            found = set()
            for ids in begun:
                for other in whole:
                    ids = ids.intersection(other)
                    if not ids:
                        break
                found |= ids
        else:
            found = whole[0]
            for other in whole[1:]:
                found = found.intersection(other)
                if not found:
                    return []
            # Each begun word's share of what the whole words found: every step walks the
            # smaller set, so a short beginning ("n") matching half the names costs little.
            found = set().union(*(found.intersection(ids) for ids in begun))
        rows = self.rows
        return [rows[i] for i in found]


_NONE: frozenset[int] = frozenset()


def _read_whole(session, database: str) -> NameIndex:
    applied = changes.latest(session)  # read first: a change committed meanwhile is replayed later
    index = NameIndex(database, applied)
    rows, words = index.rows, index.words
    # Through the connection: 100,000 plain rows, without the session's per-row bookkeeping.
    for found in session.connection().execute(db.select(*_COLUMNS).where(Award.publication.in_(LISTED))):
        row = rows[found[0]] = _listed(found)
        for word in _words(row.name_folded):
            ids = words.get(word)
            if ids is None:
                ids = words[word] = set()
            ids.add(row.id)
    index.vocabulary = sorted(words)
    return index


def _replay(index: NameIndex, session) -> NameIndex | None:
    """Bring `index` up to the newest change; None when it must be read whole again."""
    found = changes.since(index.applied, session, limit=MAX_REPLAY)
    if not found:
        return index
    if len(found) == MAX_REPLAY or any(keys == changes.EVERYTHING for _, keys in found):
        return None
    award_ids: set[int] = set()
    document_ids: set[int] = set()
    for _, keys in found:
        for key in keys.split():
            kind, _, ident = key.partition(":")
            if kind == "award" and ident.isdigit():
                award_ids.add(int(ident))
            elif kind == "document" and ident.isdigit():
                document_ids.add(int(ident))
    if award_ids or document_ids:
        of_documents = db.select(HonorDecision.id).where(HonorDecision.document_id.in_(document_ids))
        rows = session.execute(db.select(*_COLUMNS).where(
            or_(Award.id.in_(award_ids), Award.decision_id.in_(of_documents)))).all()
        for award_id in award_ids | {row[0] for row in rows}:
            index.drop(award_id)  # gone, renamed, or no longer listed
        for row in rows:
            if row.publication in LISTED:
                index.add(_listed(row))
    index.applied = found[-1][0]
    return index


_state: dict[str, NameIndex | None] = {"index": None}
_lock = threading.Lock()


def current(session) -> NameIndex:
    """This process's index, brought up to the content generation."""
    # The request's session is not opened for this (a name nobody has needs no session at all).
    database = changes.engine_key(db.engine if session is db.session else session.get_bind())
    newest = int(changes.generation())
    with _lock:
        index = _state["index"]
        if index is not None and index.database == database and index.applied >= newest:
            return index
        if index is not None and index.database == database:
            index = _replay(index, session)
        if index is None or index.database != database:
            index = _read_whole(session, database)
        _state["index"] = index
        return index


def forget() -> None:
    """Drop the index (a new app may face a database whose change ids restart)."""
    with _lock:
        _state["index"] = None


def _from_database(name: str, session) -> list[Listed]:
    """The same answer from the tables, for a session whose own changes are not committed yet."""
    named = named_ids(name).subquery("named")
    query = (db.select(*_COLUMNS).select_from(db.join(named, Award, Award.id == named.c.award_id))
             .where(Award.publication.in_(LISTED)))
    return [_listed(row) for row in session.execute(query)]


def matching(name: str, session) -> list[Listed]:
    """The listed awards whose name matches `name` (as a visitor types it), in no order."""
    if changes.holds_own_changes(session):
        return _from_database(name, session)
    index = current(session)
    with _lock:
        return index.matching(name)
