"""Totals and facet counts of a search: what a backend's count() fills (core/protocol.py)."""
from __future__ import annotations

from dataclasses import dataclass, field

from portal.search.core import query as qb
from portal.search.core.tree import And, Node, Or, Term

FACETS = ("doc_type", "year", "issuer", "campaign")


@dataclass
class Counts:
    total: int = 0
    approximate: bool = False  # counted on a sample: the page says "khoảng N"
    kinds: dict[str, int] = field(default_factory=dict)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


def matching(parsed: qb.ParsedQuery, known: list[str], loose: bool) -> Node | None:
    """What a search counts: every entry that holds the words (or, `loose`, any of them), or one
    of the symbols typed."""
    parts = []
    must = qb.required(parsed, loose)
    if must is not None:
        parts.append(must)
    if known:
        parts.append(Or(tuple(Term("symbol_key", k) for k in known)))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else Or(tuple(parts))


def restricted(query: Node | None, flt: Node | None) -> Node | None:
    return And((query, flt)) if query is not None and flt is not None else query


def tally(matches: int, values, kind: str | None, out: Counts) -> None:
    """Counts of a match set (a bitset) into `out`: per kind, and the total and facets of the
    kind asked for; `values(name)` gives each value of a facet with its bitset."""
    kinds = values("kind")
    out.kinds = {value: n for value, kind_bits in kinds.items() if (n := (matches & kind_bits).bit_count())}
    chosen = matches & kinds.get(kind, 0) if kind else matches
    for name in FACETS:
        out.facets[name] = {value: n for value, value_bits in values(name).items()
                            if (n := (chosen & value_bits).bit_count())}
    out.total = chosen.bit_count()
