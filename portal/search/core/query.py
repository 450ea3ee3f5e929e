"""Turn what a person typed into a query tree (tree.py); never a syntax error, whatever the input.

A short query (up to LONG_QUERY content syllables) is precise: every folded syllable is required;
an exact (accented) form, adjacent syllables (bigrams), the signer or issuer, a whole or partial
symbol add to the score, so "phóng" ranks above "phòng", words that stand together rank above
scattered ones, and `174 kh` finds 174/KH-UBND first. A longer query is a question: no word is
required, documents are ranked by BM25 over every content word with a bonus for containing more
of them and for the pairs that stand together as typed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import combinations

from portal.search.core import abbreviations
from portal.search.core.tree import And, AndMaybe, Node, Or, Phrase, Term, all_of
from portal.vietnamese.syllables import nfc, syllables, symbol_key

MAX_QUERY_CHARS = 1000
MAX_TERMS = 400  # distinct syllables; 1,000 characters never hold more
LONG_QUERY = 8  # content syllables (about four Vietnamese words)
# Function words of questions ("là bao nhiêu", "nào", "là ai", "đã"): in a long query they do not
# make a document match on their own (they still count in the pairs that stand together).
_STOP = ("là có được không những các của và cho trong với một đến từ đã đang sẽ bị bởi mà nếu khi "
         "thì này nào gì ai sao bao nhiêu như thế hay hoặc ở về theo tại phải cần muốn tôi mình "
         "vậy ạ nhé chứ rồi gồm hãy thế_nào")
_SYMBOL_LIKE = re.compile(r"\d+\s*/\s*(?:\d{4}\s*/\s*)?[^\W\d_]\w*(?:\s*-\s*[^\W_]\w*)*")


def _stop_keys() -> tuple[set[str], set[str]]:
    pairs = [(e, f) for word in _STOP.replace("_", " ").split() for e, f, _, _ in syllables(word)]
    return {e for e, f in pairs if e != f}, {f for _, f in pairs}


STOP_EXACT, STOP_FOLDED = _stop_keys()


def is_stop(exact: str, folded: str) -> bool:
    """A function word as typed: "có" is one, "cơ" is not; "co" typed without marks is."""
    return exact in STOP_EXACT if exact != folded else folded in STOP_FOLDED


@dataclass
class ParsedQuery:
    text: str
    terms: list[tuple[str, str]] = field(default_factory=list)  # (exact, folded)
    phrases: list[list[tuple[str, str]]] = field(default_factory=list)
    symbol_keys: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.terms and not self.phrases and not self.symbol_keys

    @property
    def content(self) -> list[tuple[str, str]]:
        """The terms that make a document match a long query: all but function words."""
        kept = [t for t in self.terms if not is_stop(*t)]
        return kept or self.terms

    @property
    def long(self) -> bool:
        """A question rather than a name or a title: more than LONG_QUERY content syllables, or
        more than LONG_QUERY + 2 syllables counting its function words ("phải đủ bao nhiêu tuổi
        thì mới được kết hôn"). Such a query never needs all its words in one document."""
        return (len(self.content) > LONG_QUERY or len(self.terms) > LONG_QUERY + 2) and not self.phrases

    @property
    def numbers(self) -> list[str]:
        return [f for _, f in self.terms if f.isdigit()]

    @property
    def folded(self) -> set[str]:
        words = {f for _, f in self.terms}
        for phrase in self.phrases:
            words.update(f for _, f in phrase)
        return words


# Common Vietnamese family names (folded), and "hộ ông/bà" of the households on the honor roll.
_SURNAMES = set("nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly chu nong luong "
                "ha trieu lam mac dinh trinh doan mai cao lu hua vi be luu tong ta thai quach lac lo".split())


def looks_like_name(parsed: ParsedQuery) -> bool:
    """Two to five syllables starting with a family name (or "hộ ông …"), no number: the
    search page then shows honor-roll entries before documents."""
    folded = [f for _, f in parsed.terms]
    if not 2 <= len(folded) <= 5 or parsed.numbers or parsed.phrases:
        return False
    return folded[0] in _SURNAMES or folded[:2] in (["ho", "ong"], ["ho", "ba"])


def _pairs(text: str) -> list[tuple[str, str]]:
    return [(e, f) for e, f, _, _ in syllables(text)]


def _expand(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """An abbreviation stands for its expansion ("GPMB" -> giai phong mat bang): the index holds
    the expansion for every entry that uses the abbreviation, so nothing is lost."""
    out: list[tuple[str, str]] = []
    for exact, folded in pairs:
        expansions = abbreviations.expansions_of(folded)
        out.extend([(w, w) for w in expansions[0]] if expansions else [(exact, folded)])
    return out


def _symbol_candidates(text: str, terms: list[tuple[str, str]]) -> list[str]:
    candidates = [symbol_key(m.group()) for m in _SYMBOL_LIKE.finditer(text)]
    folded = [f for _, f in terms]
    if 1 <= len(folded) <= 6 and any(c.isdigit() for c in folded[0]):
        candidates.append("".join(folded))  # "174KHUBND", "174 kh-ubnd"
    # "174 kh ubnd", "57 2018 qd ubnd": a number followed by a few codes, glued back together.
    for start, word in enumerate(folded):
        if word.isdigit():
            for end in range(start + 2, min(len(folded), start + 6) + 1):
                candidates.append("".join(folded[start:end]))
    return list(dict.fromkeys(c for c in candidates if c and not c.isdigit()))


def parse(raw: str) -> ParsedQuery:
    """Clean and split a query: quoted phrases, syllables and symbol candidates."""
    text = " ".join(nfc(raw or "")[:MAX_QUERY_CHARS].split())
    parsed = ParsedQuery(text=text)
    for phrase in re.findall(r'"([^"]+)"', text):
        words = _pairs(phrase)
        if len(words) > 1:
            parsed.phrases.append(words[:MAX_TERMS])
        else:
            parsed.terms.extend(words)
    rest = re.sub(r'"[^"]+"', " ", text).replace('"', " ")
    parsed.terms.extend(_expand(_pairs(rest)))
    parsed.terms = list(dict.fromkeys(parsed.terms))[:MAX_TERMS]
    parsed.symbol_keys = _symbol_candidates(text, _pairs(text))
    return parsed


def _term_clause(folded: str) -> Node:
    return Term("all_f", folded)


def _phrase_clause(words: list[tuple[str, str]]) -> Node:
    return Phrase("all_f", tuple(f for _, f in words))


def _boosts(parsed: ParsedQuery) -> list[Node]:
    boosts: list[Node] = []
    for exact, folded in parsed.terms:
        if exact != folded:  # typed with diacritics: exact forms rank first
            boosts += [Term("title_x", exact, boost=4.0), Term("all_x", exact, boost=1.5)]
    for _, folded in parsed.terms:
        boosts.append(Term("title_f", folded, boost=2.0))
    for words in [parsed.terms] + parsed.phrases:
        for (_, a), (_, b) in zip(words, words[1:], strict=False):
            boosts.append(Term("bigrams", f"{a}_{b}", boost=3.0))
            boosts.append(Term("title_bigrams", f"{a}_{b}", boost=4.0))
    return boosts


def required(parsed: ParsedQuery, loose: bool = False) -> Node | None:
    """What a document must contain: every syllable and phrase (or, when `loose` or the query
    is a long question, any content word)."""
    terms = parsed.content if parsed.long else parsed.terms
    loose = loose or parsed.long
    clauses = [_term_clause(f) for f in dict.fromkeys(f for _, f in terms)]
    clauses += [_phrase_clause(p) for p in parsed.phrases]
    if not clauses:
        return None
    if loose:
        return Or(tuple(clauses))
    return clauses[0] if len(clauses) == 1 else And(tuple(clauses))


def tiers(parsed: ParsedQuery) -> list[Node]:
    """Queries for the upper ranking tiers, best first, each a plain conjunction (cheap):
    syllables standing together in the title; together and as typed; together; as typed but
    scattered.
    Documents found by none of them come after, ranked by build()."""
    pairs = [Term("bigrams", f"{a}_{b}")
             for (_, a), (_, b) in zip(parsed.terms, parsed.terms[1:], strict=False)]
    phrases = [_phrase_clause(p) for p in parsed.phrases]
    accented = any(exact != folded for exact, folded in parsed.terms)
    exact = [Term("all_x", e) for e, f in parsed.terms if e != f]
    folded = [_term_clause(f) for e, f in parsed.terms if e == f]
    out = []
    if len(pairs) > 1:  # the whole query standing in a title
        out.append(all_of([Term("title_bigrams", t.text) for t in pairs] + phrases))
    if pairs:  # the whole query standing in who signed or issued it
        out.append(who(parsed))
    if pairs:
        if accented:
            out.append(all_of(pairs + exact + phrases))
        out.append(all_of(pairs + phrases))
    if accented:
        out.append(all_of(exact + folded + phrases))
    return [t for t in out if t is not None]


def partial_symbol(parsed: ParsedQuery) -> Node | None:
    """`174`, `174/KH`, `kh 174`, `ke hoach 174`: documents whose symbol carries the numbers typed
    (and which contain the other words) before those that only mention them."""
    numbers = parsed.numbers
    if not numbers or len(parsed.terms) > LONG_QUERY + 1:
        return None
    others = [f for _, f in parsed.terms if not f.isdigit()]
    return all_of([Term("symbol_parts", n) for n in numbers] + [_term_clause(f) for f in others])


def who(parsed: ParsedQuery) -> Node | None:
    """The whole query standing in who signed or issued the document."""
    pairs = [Term("who_bigrams", f"{a}_{b}") for (_, a), (_, b) in zip(parsed.terms, parsed.terms[1:], strict=False)]
    return all_of(pairs) if pairs else None


def whole(parsed: ParsedQuery) -> list[Node]:
    """A long query standing whole, in a title or anywhere: every adjacent pair present."""
    pairs = [f"{a}_{b}" for (_, a), (_, b) in zip(parsed.terms, parsed.terms[1:], strict=False)]
    if not pairs:
        return []
    return [all_of([Term("title_bigrams", p) for p in pairs]), all_of([Term("bigrams", p) for p in pairs])]


def question(parsed: ParsedQuery) -> Node | None:
    """A long query: any content word matches; BM25 summed over the content words (so an entry
    holding more of them ranks higher), the exact forms typed, the pairs standing together and
    the words of the title. One Or of Terms, which an engine answers without scoring every match."""
    content = parsed.content
    if not content:
        return None
    clauses = [_term_clause(f) for f in dict.fromkeys(f for _, f in content)]
    clauses += [Term("all_x", e, boost=0.5) for e, f in dict.fromkeys(content) if e != f]
    clauses += [Term("title_f", f, boost=0.5) for f in dict.fromkeys(f for _, f in content)]
    pairs = dict.fromkeys(f"{a}_{b}" for (_, a), (_, b) in zip(parsed.terms, parsed.terms[1:], strict=False))
    clauses += [Term("bigrams", pair, boost=1.5) for pair in pairs]
    clauses += [Term("title_bigrams", pair, boost=1.0) for pair in pairs]
    return Or(tuple(clauses))


def relaxed(parsed: ParsedQuery, frequency: dict[str, int], most: int = 16) -> list[Node]:
    """When no entry holds every syllable: conjunctions of all but one, all but two, … of them,
    the rarest syllables kept longest; each a plain And, answered without scoring every match."""
    words = sorted(dict.fromkeys(f for _, f in parsed.terms), key=lambda f: frequency.get(f, 0))
    words = [w for w in words if frequency.get(w, 0)]
    out: list[Node] = []
    for size in range(len(words), 0, -1):
        for group in combinations(words, size):
            out.append(all_of([_term_clause(w) for w in group]))
            if len(out) >= most:
                return out
    return out


def title_ranked(parsed: ParsedQuery) -> Node | None:
    """Every syllable required; words and pairs found in the title add to the score."""
    must = required(parsed)
    if must is None or isinstance(must, Term):  # one syllable: plain BM25, which an engine
        return must                                # answers fast by skipping low blocks
    titles = [b for b in _boosts(parsed) if b.fieldname in ("title_f", "title_bigrams")]
    return AndMaybe(must, Or(tuple(titles))) if titles else must


def build(parsed: ParsedQuery, known_symbols: list[str], loose: bool = False) -> Node | None:
    """The query tree; `loose` accepts documents with any syllable (the fallback)."""
    symbol_hits = [Term("symbol_key", key, boost=1000.0) for key in known_symbols]
    must = required(parsed, loose)
    if must is None:
        return Or(tuple(symbol_hits)) if symbol_hits else None
    boosts = _boosts(parsed)
    main = AndMaybe(must, Or(tuple(boosts))) if boosts else must
    return Or(tuple(symbol_hits + [main])) if symbol_hits else main


def filters(values: dict[str, str | None]) -> Node | None:
    """An And of exact-value filters (type, year, issuer, campaign, kind)."""
    terms = [Term(name, value) for name, value in values.items() if value]
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else And(tuple(terms))
