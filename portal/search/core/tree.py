"""The portal's own query tree: what query.py builds and every backend translates.

Five node kinds are all the ranking tiers need: a term of a field, a phrase of folded syllables,
a conjunction, a disjunction, and "required, and optionally this for the score" (AndMaybe).
Nodes are frozen and hashable (a backend may key its caches by them); `boost` multiplies a
node's score in BM25's sum."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    fieldname: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase:
    fieldname: str
    words: tuple[str, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class And:
    subqueries: tuple[Node, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Or:
    subqueries: tuple[Node, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class AndMaybe:
    """Matches what `a` matches; `b` only adds to the score of those matches."""
    a: Node
    b: Node
    boost: float = 1.0


Node = Term | Phrase | And | Or | AndMaybe


def all_of(clauses: list[Node]) -> Node | None:
    """The conjunction of clauses (one clause: itself; none: None)."""
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else And(tuple(clauses))


def any_of(clauses: list[Node]) -> Node | None:
    """The disjunction of clauses (one clause: itself; none: None)."""
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else Or(tuple(clauses))


def plain(node: Node | None) -> bool:
    """A Term, or an And or Or of Terms."""
    if isinstance(node, Term):
        return True
    return isinstance(node, (And, Or)) and all(isinstance(sub, Term) for sub in node.subqueries)


def leaves(node: Node, boost: float = 1.0) -> Iterator[tuple[Term | Phrase, float]]:
    """(a scoring leaf, its boost): the terms and phrases of a tree, as in BM25 they add up."""
    if isinstance(node, (Term, Phrase)):
        yield node, boost * node.boost
    elif isinstance(node, AndMaybe):
        yield from leaves(node.a, boost * node.boost)
        yield from leaves(node.b, boost * node.boost)
    elif isinstance(node, (And, Or)):
        for sub in node.subqueries:
            yield from leaves(sub, boost * node.boost)
    else:
        raise TypeError(f"query part not supported: {node!r}")


def words_of(node: Node) -> Iterator[tuple[str, str]]:
    """The (field, word) keys a tree reads: its terms, and the adjacent pairs of its phrases."""
    for leaf, _ in leaves(node):
        if isinstance(leaf, Term):
            yield leaf.fieldname, leaf.text
        else:
            words = list(leaf.words)
            yield from (("bigrams", f"{a}_{b}") for a, b in zip(words, words[1:], strict=False))
