"""Question-answering evaluation: natural-language questions over the articles of 21 Vietnamese laws.

Usage: python bench/questions.py [--laws bench/qa/laws] [--questions bench/qa/questions.tsv] [--misses N]
                                 [--backend postgresql]

Every article of the laws in `bench/qa/laws` (3,125 of them) becomes a document in a real Whoosh
index built by the portal's own indexer; each question of `bench/qa/questions.tsv` names the
article(s) that answer it. The same run ranks the same articles with
  portal  - the portal's search (`run_on`, what /api/v1/search and /tim-kiem answer)
  portal-pg - with `--backend postgresql`: the same on the PostgreSQL search backend (a scratch
            database `portal_bench` on PG_URL, default postgresql://postgres@127.0.0.1:5432)
  bm25    - plain BM25 (rank_bm25's Okapi) over lower-cased whitespace tokens, marks kept
  fts5    - SQLite FTS5's bm25 with the words OR-ed (unicode61 tokenizer, marks kept)
and prints MRR@10, recall@10 and p50/p95 latency, with the questions as written and with every
mark removed (as typed on a keyboard without a Vietnamese input method). Each question is asked of
every system in turn, so that the machine's drift falls on all of them alike; the first pass (as
written) includes each system meeting the questions' words for the first time.
"""
from __future__ import annotations

import argparse
import gzip
import os
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.apps import embedded_app, postgres_app  # noqa: E402
from portal.search.core.entries import SearchEntry  # noqa: E402
from portal.vietnamese.syllables import folded_text, nfc  # noqa: E402

HERE = Path(__file__).resolve().parent / "qa"
ARTICLE = re.compile(r"^Điều (\d+[a-z]?)\.\s*(.*)$", re.M)
# The law's own name: the lines in capitals after "LUẬT" / "BỘ LUẬT" at the top.
NAME = re.compile(r"^(BỘ LUẬT|LUẬT)\s*\n?(.*?)\n(?=Căn cứ)", re.M | re.S)
WORD = re.compile(r"\w+")
DEPTH = 10


@dataclass
class Article:
    law: str
    number: str
    title: str
    text: str

    @property
    def ref(self) -> str:
        return f"{self.law}:{self.number}"


def law_name(slug: str, text: str) -> str:
    match = NAME.search(text[:3000])
    if not match:
        return slug
    words = " ".join(match.group(2).split()).lower()
    return f"{match.group(1).capitalize()} {words}"


def articles(folder: Path) -> list[Article]:
    out = []
    for path in sorted(folder.glob("*.txt.gz")):
        slug = path.name.removesuffix(".txt.gz")
        text = nfc(gzip.decompress(path.read_bytes()).decode("utf-8"))
        name = law_name(slug, text)
        heads = list(ARTICLE.finditer(text))
        for head, following in zip(heads, heads[1:] + [None], strict=True):
            end = following.start() if following else len(text)
            body = text[head.end():end].strip()
            title = f"Điều {head.group(1)}. {head.group(2).strip()} ({name})"
            out.append(Article(slug, head.group(1), title, body))
    return out


def questions(path: Path) -> list[tuple[str, set[str]]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            refs, text = line.split("\t", 1)
            out.append((nfc(text.strip()), set(refs.split(","))))
    return out


def entry(index: int, article: Article) -> SearchEntry:
    return SearchEntry(key=f"document:{index}", kind="document", url=f"/van-ban/{article.ref}",
                       title=article.title, body=article.text, meta="Quốc hội", doc_type="LUAT",
                       type_label="Luật", issuer="Quốc hội")


def tokens(text: str) -> list[str]:
    return WORD.findall(text.lower())


# -- the three systems: each maps a question to the refs of its 10 best articles -----------------
def portal_system(work: Path, corpus: list[Article]):
    from portal.search.core.results import SearchRequest, run_on
    from portal.search.whoosh.indexer import SearchIndex
    from portal.search.whoosh.searcher import WhooshSearcher

    index = SearchIndex(work / "index")
    with index.maintenance():
        index.build((entry(i, a) for i, a in enumerate(corpus)), 0)
    app = embedded_app(work)
    context = app.app_context()
    context.push()
    from portal.extensions import db
    db.create_all()
    searcher = WhooshSearcher(index.searcher())

    def rank(text: str) -> list[str]:
        hits = run_on(searcher, SearchRequest(text=text, per_page=DEPTH)).hits
        return [hit.url.removeprefix("/van-ban/") for hit in hits]
    return rank


def postgres_system(corpus: list[Article], server: str):
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from portal.search.core.results import SearchRequest, run_on
    from portal.search.postgres import searcher as pg_search
    from portal.search.postgres import store as pg
    from portal.search.postgres.backend import POSTGRES

    app = postgres_app(server, Path(tempfile.mkdtemp(prefix="portal-qa-pg-")))
    app.app_context().push()
    from portal.extensions import db
    db.create_all()
    session = Session(db.engine)
    pg.build(session, (entry(i, a) for i, a in enumerate(corpus)))
    session.commit()
    session.execute(text("ANALYZE search_entries, search_terms"))
    session.commit()

    def rank(query: str) -> list[str]:
        searcher = pg_search.PgSearcher(session, POSTGRES.bits_for(session, "bench"))
        hits = run_on(searcher, SearchRequest(text=query, per_page=DEPTH)).hits
        session.commit()
        return [hit.url.removeprefix("/van-ban/") for hit in hits]
    return rank


def bm25_system(corpus: list[Article]):
    from rank_bm25 import BM25Okapi

    model = BM25Okapi([tokens(a.title + " " + a.text) for a in corpus])
    refs = [a.ref for a in corpus]

    def rank(text: str) -> list[str]:
        scores = model.get_scores(tokens(text))
        best = sorted(range(len(refs)), key=lambda i: -scores[i])[:DEPTH]
        return [refs[i] for i in best if scores[i] > 0]
    return rank


def fts5_system(corpus: list[Article]):
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE a USING fts5(ref UNINDEXED, body, tokenize='unicode61 remove_diacritics 0')")
    db.executemany("INSERT INTO a VALUES (?, ?)", ((a.ref, a.title + "\n" + a.text) for a in corpus))

    def rank(text: str) -> list[str]:
        words = sorted(set(tokens(text)))
        if not words:
            return []
        match = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
        rows = db.execute("SELECT ref FROM a WHERE a MATCH ? ORDER BY bm25(a) LIMIT ?", (match, DEPTH))
        return [row[0] for row in rows]
    return rank


# -- measuring ---------------------------------------------------------------------------------
def evaluate(systems: dict, asked: list[tuple[str, set[str]]], fold: bool) -> dict:
    """Every question asked of each system in turn (the machine's drift falls on all alike)."""
    kept = {name: {"reciprocal": [], "recall": [], "seconds": [], "misses": []} for name in systems}
    for text, relevant in asked:
        query = folded_text(text) if fold else text
        for name, rank in systems.items():
            started = time.perf_counter()
            found = rank(query)[:DEPTH]
            into = kept[name]
            into["seconds"].append(time.perf_counter() - started)
            first = next((place for place, ref in enumerate(found, 1) if ref in relevant), None)
            into["reciprocal"].append(1 / first if first else 0.0)
            into["recall"].append(len(relevant & set(found)) / len(relevant))
            if first is None:
                into["misses"].append((query, sorted(relevant), found[:3]))
    results = {}
    for name, into in kept.items():
        seconds = sorted(into["seconds"])
        results[name] = {"mrr": statistics.mean(into["reciprocal"]), "recall": statistics.mean(into["recall"]),
                         "p50": seconds[len(seconds) // 2] * 1000, "p95": seconds[int(len(seconds) * 0.95)] * 1000,
                         "misses": into["misses"]}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--laws", type=Path, default=HERE / "laws")
    parser.add_argument("--questions", type=Path, default=HERE / "questions.tsv")
    parser.add_argument("--misses", type=int, default=0, help="print this many questions the portal missed")
    parser.add_argument("--backend", choices=["whoosh", "postgresql"], default="whoosh",
                        help="postgresql: the PostgreSQL search backend too")
    args = parser.parse_args()
    corpus = articles(args.laws)
    asked = questions(args.questions)
    known = {a.ref for a in corpus}
    unknown = sorted({ref for _, refs in asked for ref in refs} - known)
    if unknown:
        sys.exit(f"questions name articles that are not in the corpus: {', '.join(unknown[:10])}")
    words = statistics.median(len(tokens(text)) for text, _ in asked)
    print(f"{len(corpus)} articles of {len({a.law for a in corpus})} laws; {len(asked)} questions "
          f"(median {words:.0f} words)")
    with tempfile.TemporaryDirectory(prefix="portal-qa-") as work:
        started = time.perf_counter()
        systems = {"portal": portal_system(Path(work), corpus)}
        print(f"portal index built in {time.perf_counter() - started:.1f} s")
        if args.backend == "postgresql":
            started = time.perf_counter()
            systems["portal-pg"] = postgres_system(corpus, os.environ.get("PG_URL", "postgresql://postgres@127.0.0.1:5432"))
            print(f"PostgreSQL search tables filled in {time.perf_counter() - started:.1f} s")
        systems["bm25"] = bm25_system(corpus)
        systems["fts5"] = fts5_system(corpus)
        print(f"{'system':9} {'marks':9} {'MRR@10':>7} {'R@10':>6} {'p50 ms':>8} {'p95 ms':>8}")
        results = {}
        for fold in (False, True):
            for name, result in evaluate(systems, asked, fold).items():
                results[name, fold] = result
                print(f"{name:9} {'removed' if fold else 'as typed':9} {result['mrr']:7.3f} {result['recall']:6.3f} "
                      f"{result['p50']:8.1f} {result['p95']:8.1f}")
        for name in (n for n in systems if n.startswith("portal")):
            for fold in (False, True):
                ratio = results[name, fold]["mrr"] / max(results["bm25", fold]["mrr"], 1e-9)
                slower = results[name, fold]["p95"] / max(results["fts5", fold]["p95"], 1e-9)
                print(f"{name} / bm25 MRR@10, marks {'removed' if fold else 'as typed'}: {ratio:.2f}x; "
                      f"p95 / fts5 p95: {slower:.1f}x")
        for query, relevant, found in results["portal", False]["misses"][:args.misses]:
            print(f"  missed: {query}  want {relevant}  got {found}")


if __name__ == "__main__":
    main()
