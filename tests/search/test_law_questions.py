"""Questions over real law articles (three laws of the question benchmark, 248 articles in a real
Whoosh index): what the portal answered before, each seen in `bench/questions.py`."""
import shutil
from pathlib import Path

import pytest

from bench.questions import HERE, articles, entry
from portal import create_app
from portal.extensions import db
from portal.search.core.results import SearchRequest, run_on
from portal.search.whoosh.indexer import SearchIndex
from portal.search.whoosh.searcher import WhooshSearcher
from portal.vietnamese.syllables import folded_text

LAWS = ("hon-nhan-gia-dinh-2014", "ho-tich-2014", "cu-tru-2020")


@pytest.fixture(scope="module")
def ask(tmp_path_factory):
    work = tmp_path_factory.mktemp("laws")
    (work / "laws").mkdir()
    for law in LAWS:
        shutil.copy(HERE / "laws" / f"{law}.txt.gz", work / "laws")
    index = SearchIndex(work / "index")
    with index.maintenance():
        index.build((entry(i, a) for i, a in enumerate(articles(Path(work / "laws")))), 0)
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(work / "instance"), "SECRET_KEY": "t",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{work / 'app.sqlite3'}",
                      "SEARCH_INDEX_DIR": str(work / "index"), "SEARCH_CHECK_ON_START": False,
                      "SCHEMA_CHECK": False})
    with app.app_context():
        db.create_all()
        searcher = WhooshSearcher(index.searcher())

        def run(text: str) -> list[str]:
            return [hit.url.removeprefix("/van-ban/") for hit in run_on(searcher, SearchRequest(text=text)).hits]
        yield run
        searcher.searcher.close()


# Before: no result at all (every syllable required, then conjunctions of all but one or two of
# them, which no article holds), or only an article that happened to hold the question words.
@pytest.mark.parametrize("question, article", [
    ("Nam và nữ phải đủ bao nhiêu tuổi thì mới được kết hôn?", "hon-nhan-gia-dinh-2014:8"),
    ("Thành viên trong hộ muốn tách hộ riêng thì phải có điều kiện gì?", "cu-tru-2020:25"),
    ("Vợ chồng có bắt buộc phải cư trú cùng một nơi không?", "cu-tru-2020:14"),
    ("Kết hôn trái pháp luật thì bị xử lý như thế nào, có bị hủy không?", "hon-nhan-gia-dinh-2014:11"),
])
@pytest.mark.parametrize("marks", ["typed", "removed"])
def test_a_question_finds_the_article_that_answers_it(ask, question, article, marks):
    found = ask(question if marks == "typed" else folded_text(question))
    assert article in found[:3], found


def test_a_question_with_no_word_anywhere_finds_nothing(ask):
    assert ask("xyzzy quux frobnicate zork plugh thud wibble") == []
