import textwrap
import unicodedata

import pytest
from sqlalchemy import text

from portal import create_app
from portal.domain.content import loader as content
from portal.extensions import db
from portal.services import storage
from portal.web import cache
from tests.conftest import CONTENT, _database_url

DEMO = CONTENT.parent / "demo"

# Documents written for the search tests: each isolates one case of DESIGN.md section 3.
EXTRA = {
    "phong-su.md": ("101/TB-VKS", "TB", "Phóng sự về gương điển hình tiên tiến",
                    "Bài phóng sự giới thiệu cách làm hay ở cơ sở."),
    "phong-chong.md": ("102/TB-VKS", "TB", "Phòng chống tham nhũng trong cơ quan",
                       "Kế hoạch phòng ngừa, phòng chống tham nhũng, tiêu cực năm 2024."),
    "hoa-giai.md": ("103/HD-VKS", "HD", "Hướng dẫn công tác hoà giải ở cơ sở",
                    "Tổ hoà giải thôn bản phối hợp giải quyết tranh chấp đất đai."),
    "thuy-loi.md": ("104/BC-VKS", "BC", "Báo cáo kiểm sát công trình thuỷ lợi",
                    "Công trình thuỷ lợi hồ Khuôn Thần được kiểm tra định kỳ."),
    "quy-iv.md": ("105/BC-VKS", "BC", "Báo cáo kết quả công tác quý IV",
                  "Tổng hợp số liệu quý IV năm 2023 của Viện kiểm sát."),
    "luu-tru-lien.md": ("106/TB-VKS", "TB", "Thông báo về hồ sơ",
                        "Kho lưu trữ hồ sơ của đơn vị được số hóa toàn bộ."),
    "luu-tru-roi.md": ("107/TB-VKS", "TB", "Thông báo khác về hồ sơ",
                       "Lưu ý: bộ hồ sơ của đơn vị được trữ trong tủ sắt."),
    "ky-thuat.md": ("108/TB-VKS", "TB", "Thông báo tập huấn kĩ năng nghiệp vụ",
                    "Lớp tập huấn kĩ năng viết cáo trạng cho Kiểm sát viên."),
    "dat-dai.md": ("109/BC-VKS", "BC", "Báo cáo chuyên đề quản lý đất đai",
                   "Đánh giá tình trạng lấn chiếm đất công ở các xã biên giới."),
    "nfd.md": ("110/TB-VKS", "TB", unicodedata.normalize("NFD", "Thông báo lịch tiếp công dân"),
               unicodedata.normalize("NFD", "Lãnh đạo Viện tiếp công dân vào thứ Năm hằng tuần tại trụ sở.")),
    "ly-lich.md": ("111/TB-VKS", "TB", "Thông báo bổ sung lí lịch cán bộ",
                   "Đề nghị cán bộ hoàn thiện lí lịch theo mẫu mới."),
    "uy-quyen.md": ("112/TB-VKS", "TB", "Thông báo về việc uỷ quyền ký văn bản",
                    "Viện trưởng uỷ quyền cho Phó Viện trưởng ký các văn bản hành chính."),
    # only the abbreviation: found by its expansion
    "gpmb.md": ("113/TB-VKS", "TB", "Thông báo lịch họp Ban chỉ đạo",
                "Họp rà soát tiến độ GPMB dự án cao tốc Đồng Đăng - Trà Lĩnh."),
}


def write_extra(folder):
    folder.mkdir(parents=True, exist_ok=True)
    for name, (symbol, type_code, subject, body) in EXTRA.items():
        (folder / name).write_text(textwrap.dedent(f"""\
            ---
            symbol: {symbol}
            type: {type_code}
            issuer: Viện kiểm sát nhân dân tỉnh Lạng Sơn
            place: Lạng Sơn
            issued_on: 2024-03-{int(symbol[:3]) - 90:02d}
            subject: "{subject}"
            ---
            """) + body + "\n", encoding="utf-8")


@pytest.fixture(scope="module", params=["whoosh", "postgresql"])
def search_backend(request, tmp_path_factory):
    """Every search test runs on both backends; PostgreSQL's where the tests use PostgreSQL
    (CI's second pass: TEST_DATABASE_URL=postgresql://…)."""
    if request.param == "postgresql" and not _database_url(tmp_path_factory.getbasetemp()).startswith("postgresql"):
        pytest.skip("the PostgreSQL search backend is tested with TEST_DATABASE_URL=postgresql://…")
    return request.param


def drop_search_tables(app) -> None:
    """The PostgreSQL backend's tables are derived data outside the models: emptied by hand."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP TABLE IF EXISTS search_entries, search_terms, search_words, search_bitsets"))
            db.session.commit()


@pytest.fixture
def app(app, search_backend):
    """The suite's app (tests/conftest.py), on the backend of this run."""
    app.config["SEARCH_BACKEND"] = search_backend
    drop_search_tables(app)
    return app


@pytest.fixture(scope="module")
def search_app(tmp_path_factory, search_backend):
    """One app per module with the seed content and the documents above, indexed live."""
    yield from _search_app(tmp_path_factory.mktemp("search"), search_backend)


@pytest.fixture(scope="module")
def roll_app(tmp_path_factory, search_backend):
    """The same, with the demo honor roll (award lists of two decisions) as well."""
    yield from _search_app(tmp_path_factory.mktemp("search-roll"), search_backend, DEMO)


def _search_app(tmp, backend, *more):
    url = _database_url(tmp)
    app = create_app({
        "TESTING": True, "INSTANCE_PATH": str(tmp / "instance"), "SECRET_KEY": "t",
        "SQLALCHEMY_DATABASE_URI": url, "SEARCH_INDEX_DIR": str(tmp / "index"),
        "UPLOAD_DIR": str(tmp / "uploads"), "SITE_URL": "http://portal.test",
        # The database is emptied after the app exists: build the index lazily from it.
        "SEARCH_CHECK_ON_START": False, "SEARCH_BACKEND": backend,
    })
    drop_search_tables(app)
    write_extra(tmp / "extra")
    with app.app_context():
        if url.startswith("postgresql"):
            db.drop_all()
        db.create_all()
        content.load(CONTENT, storage())
        content.load(tmp / "extra", storage())
        for folder in more:
            content.load(folder, storage())
    cache.clear()
    yield app
    drop_search_tables(app)
    with app.app_context():
        if url.startswith("postgresql"):
            db.drop_all()
        db.engine.dispose()
