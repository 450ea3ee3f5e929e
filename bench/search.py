"""Search engine benchmark: the portal's Whoosh index against SQLite FTS5 on the same corpus.

Usage: python bench/search.py [--sizes 20000,100000] [--queries 240] [--backend postgresql]
Prints indexing throughput, index size and p50/p95 query latency for both engines, and the
ratios Whoosh / FTS5; with `--backend postgresql` the PostgreSQL backend too (a scratch database
`portal_bench` on PG_URL, default postgresql://postgres@127.0.0.1:5432), ratio PostgreSQL / FTS5.
Two query workloads are measured:
  ranked  - the 10 best results only (what both engines do natively)
  page    - what /tim-kiem needs: the 10 best, the total, facet counts and snippets
"""
from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import corpus  # noqa: E402
from bench.apps import embedded_app, postgres_app  # noqa: E402
from portal.domain.documents.symbols import parse_symbol  # noqa: E402
from portal.search.core.entries import SearchEntry  # noqa: E402
from portal.vietnamese.syllables import nfc  # noqa: E402


def entries(count: int):
    for index, item in enumerate(corpus.documents(count)):
        parsed = parse_symbol(item["symbol"])
        parts = [str(parsed.number), parsed.issuer_code.lower()]
        parts += [parsed.unit_code.lower()] if parsed.unit_code else []
        yield SearchEntry(key=f"document:{index}", kind="document", url=f"/van-ban/{index}", title=nfc(item["subject"]),
                          body=nfc(item["body"]), meta=item["issuer"], symbol=parsed.text, doc_type=item["doc_type"],
                          type_label=item["type_label"], issuer=item["issuer"], issued_on=item["issued_on"],
                          symbol_parts=parts)


def query_mix(count: int, total_docs: int, seed: int = 7) -> list[str]:
    """Single words, 2-4 syllable phrases (with and without marks), and symbols."""
    from portal.vietnamese.syllables import folded_text
    rng = random.Random(seed)
    phrases = [p for topic in corpus.TOPICS for p in topic]
    out = []
    while len(out) < count:
        kind = len(out) % 6
        phrase = rng.choice(phrases)
        words = phrase.split()
        if kind == 0:
            out.append(rng.choice(words))
        elif kind == 1:
            out.append(folded_text(rng.choice(words)))
        elif kind == 2:
            out.append(phrase if len(words) > 1 else f"{phrase} {rng.choice(corpus.CONNECTIVES)}")
        elif kind == 3:
            out.append(folded_text(phrase + " " + rng.choice(phrases).split()[0]))
        elif kind == 4:
            docs = list(corpus.documents(1 + rng.randrange(min(total_docs, 2000))))
            out.append(docs[-1]["symbol"])
        else:
            docs = list(corpus.documents(1 + rng.randrange(min(total_docs, 2000))))
            out.append(folded_text(docs[-1]["symbol"]))
    return out


def fts5_query(text: str) -> str:
    """FTS5 MATCH syntax: every token quoted (implicit AND), so no input is a syntax error."""
    import re
    tokens = re.findall(r"\w+", text.lower())
    return " ".join('"' + t + '"' for t in tokens) or '""'


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def bench_fts5(work: Path, count: int, queries: list[str]) -> dict:
    db_path = work / "fts.sqlite3"
    con = sqlite3.connect(db_path)
    con.execute("CREATE TABLE meta(id INTEGER PRIMARY KEY, doc_type TEXT, year TEXT, issuer TEXT)")
    con.execute("CREATE VIRTUAL TABLE fts USING fts5(symbol, title, body, tokenize='unicode61 remove_diacritics 2')")
    started = time.perf_counter()
    with con:
        for i, e in enumerate(entries(count)):
            con.execute("INSERT INTO fts(rowid, symbol, title, body) VALUES (?,?,?,?)", (i, e.symbol, e.title, e.body))
            con.execute("INSERT INTO meta VALUES (?,?,?,?)", (i, e.doc_type, str(e.issued_on.year), e.issuer))
    elapsed = time.perf_counter() - started
    con.execute("INSERT INTO fts(fts) VALUES('optimize')")
    con.commit()
    ranked, page = [], []
    for text in queries:
        match = fts5_query(text)
        t0 = time.perf_counter()
        con.execute("SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY rank LIMIT 10", (match,)).fetchall()
        ranked.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        con.execute("SELECT rowid, snippet(fts, 2, '<mark>', '</mark>', '…', 30) FROM fts WHERE fts MATCH ? "
                    "ORDER BY rank LIMIT 10", (match,)).fetchall()
        con.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", (match,)).fetchone()
        for column in ("doc_type", "year", "issuer"):
            con.execute(f"SELECT m.{column}, count(*) FROM fts JOIN meta m ON m.id = fts.rowid "  # noqa: S608
                        "WHERE fts MATCH ? GROUP BY 1", (match,)).fetchall()
        page.append(time.perf_counter() - t0)
    con.close()
    return {"docs_per_s": count / elapsed, "size": db_path.stat().st_size, "ranked": ranked, "page": page}


def bench_whoosh(work: Path, count: int, queries: list[str]) -> dict:
    from portal.search.core.results import SearchRequest, run_on
    from portal.search.whoosh.indexer import SearchIndex
    from portal.search.whoosh.searcher import WhooshSearcher

    index = SearchIndex(work / "index")
    started = time.perf_counter()
    with index.maintenance():
        index.build(entries(count), 0)
    elapsed = time.perf_counter() - started
    app = embedded_app(work)
    ranked, page, found = [], [], 0
    with app.app_context():
        from portal.extensions import db
        db.create_all()
        searcher = WhooshSearcher(index.searcher())
        for text in queries:
            t0 = time.perf_counter()
            run_on(searcher, SearchRequest(text=text), full=False)
            ranked.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            found += bool(run_on(searcher, SearchRequest(text=text)).total)
            page.append(time.perf_counter() - t0)
    return {"docs_per_s": count / elapsed, "size": folder_size(work / "index"), "ranked": ranked,
            "page": page, "found": found}


def bench_postgres(count: int, queries: list[str], server: str) -> dict:
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from portal.search.core.results import SearchRequest, run_on
    from portal.search.postgres import searcher as pg_search
    from portal.search.postgres import store as pg
    from portal.search.postgres.backend import POSTGRES

    with tempfile.TemporaryDirectory(prefix="portal-pg-bench-") as tmp:
        app = postgres_app(server, Path(tmp))
        ranked, page, found = [], [], 0
        with app.app_context():
            from portal.extensions import db
            db.create_all()
            with Session(db.engine) as session:
                started = time.perf_counter()
                pg.build(session, entries(count))
                session.commit()
                elapsed = time.perf_counter() - started
                session.execute(text("ANALYZE search_entries, search_terms"))
                session.commit()
                size = session.execute(text(  # the keys' table, its vectors and GIN index included
                    "SELECT sum(pg_total_relation_size(t))::bigint FROM unnest(ARRAY['search_entries', 'search_terms', "
                    "'search_words']) t")).scalar()
                for query_text in queries:
                    searcher = pg_search.PgSearcher(session, POSTGRES.bits_for(session, "bench"))
                    t0 = time.perf_counter()
                    run_on(searcher, SearchRequest(text=query_text), full=False)
                    ranked.append(time.perf_counter() - t0)
                    session.commit()
                    t0 = time.perf_counter()
                    searcher = pg_search.PgSearcher(session, POSTGRES.bits_for(session, "bench"))
                    found += bool(run_on(searcher, SearchRequest(text=query_text)).total)
                    page.append(time.perf_counter() - t0)
                    session.commit()
            db.engine.dispose()
    return {"docs_per_s": count / elapsed, "size": size, "ranked": ranked, "page": page, "found": found}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="20000,100000")
    parser.add_argument("--queries", type=int, default=240)
    parser.add_argument("--backend", choices=["whoosh", "postgresql"], default="whoosh",
                        help="postgresql: measure the PostgreSQL backend beside Whoosh")
    args = parser.parse_args()
    server = os.environ.get("PG_URL", "postgresql://postgres@127.0.0.1:5432")
    print(f"machine: {os.cpu_count()} CPUs; python {sys.version.split()[0]}; sqlite {sqlite3.sqlite_version}")
    for size in (int(s) for s in args.sizes.split(",")):
        queries = query_mix(args.queries, size)
        with tempfile.TemporaryDirectory(prefix="portal-search-bench-") as tmp:
            work = Path(tmp)
            fts = bench_fts5(work, size, queries)
            who = bench_whoosh(work, size, queries)
        post = bench_postgres(size, queries, server) if args.backend == "postgresql" else None
        print(f"\n== {size} documents (~300 words), {len(queries)} queries; Whoosh found results for "
              f"{who['found']} of them" + (f", PostgreSQL for {post['found']}" if post else ""))
        print(f"{'':28} {'FTS5 (baseline)':>16} {'Whoosh (portal)':>16} {'ratio':>8}"
              + (f" {'PostgreSQL':>16} {'ratio':>8}" if post else ""))
        rows = [("indexing, documents/s", "docs_per_s", 1), ("index size, MB", "size", 1e6)]
        rows += [(f"{w} p{int(q * 100)}, ms", (w, q), None) for w in ("ranked", "page") for q in (0.5, 0.95)]

        def value(result, what, scale):
            return pct(result[what[0]], what[1]) if scale is None else result[what] / scale

        for name, what, scale in rows:
            base, ours = value(fts, what, scale), value(who, what, scale)
            line = f"{name:28} {base:16.2f} {ours:16.2f} {ours / base:8.2f}"
            if post:
                theirs = value(post, what, scale)
                line += f" {theirs:16.2f} {theirs / base:8.2f}"
            print(line)
        print(f"mean latency, ms: FTS5 ranked {statistics.mean(fts['ranked']) * 1000:.2f}, "
              f"Whoosh ranked {statistics.mean(who['ranked']) * 1000:.2f}")
    from portal.search.whoosh import fork
    assert not fork.FALLBACKS, f"a fast path fell back to Whoosh's own: {dict(fork.FALLBACKS)}"
    print("fast paths: every one taken")


if __name__ == "__main__":
    main()
