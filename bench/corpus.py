"""Deterministic synthetic Vietnamese administrative documents for benchmarks."""
from __future__ import annotations

import random
from datetime import date, timedelta

SYLLABLE_PHRASES = [
    "giải phóng mặt bằng", "dự án trọng điểm", "thi đua khen thưởng", "ủy ban nhân dân",
    "viện kiểm sát nhân dân", "kế hoạch triển khai", "tổ chức thực hiện", "bồi thường hỗ trợ",
    "tái định cư", "thu hồi đất", "quyền sử dụng đất", "an ninh chính trị", "trật tự an toàn xã hội",
    "cải cách hành chính", "chuyển đổi số", "phòng chống tham nhũng", "kiểm sát viên",
    "công tác tuyên truyền", "hội nghị sơ kết", "tổng kết phong trào", "bằng khen", "giấy khen",
    "huân chương lao động", "chiến sĩ thi đua", "lao động tiên tiến", "tập thể lao động xuất sắc",
    "quý IV năm", "hằng năm", "báo cáo kết quả", "đơn thư khiếu nại", "thủy lợi", "hòa giải",
    "quy hoạch sử dụng đất", "đất nông nghiệp", "hạ tầng giao thông", "cửa khẩu", "biên giới",
    "phát triển kinh tế", "xã hội", "nâng cao nhận thức", "người đứng đầu", "cấp ủy đảng",
    "chính quyền các cấp", "mặt trận tổ quốc", "đoàn thể", "nhân dân", "đồng thuận", "hiệu quả",
]
TYPES = [("KH", "ke-hoach", "Kế hoạch"), ("QĐ", "quyet-dinh", "Quyết định"), ("TB", "thong-bao", "Thông báo"),
         ("HD", "huong-dan", "Hướng dẫn"), ("BC", "bao-cao", "Báo cáo"), (None, "cong-van", "Công văn")]
ISSUERS = [("UBND", "Ủy ban nhân dân tỉnh Lạng Sơn"), ("VKS", "Viện kiểm sát nhân dân tỉnh Lạng Sơn"),
           ("SNV", "Sở Nội vụ tỉnh Lạng Sơn"), ("STNMT", "Sở Tài nguyên và Môi trường tỉnh Lạng Sơn")]


# Topics of a procuracy's and a province's paperwork; a document keeps to one or two of them,
# so a query term matches a realistic share of the corpus rather than every document.
TOPICS = [
    SYLLABLE_PHRASES,
    ["kiểm sát điều tra", "vụ án hình sự", "bị can", "cáo trạng", "truy tố", "phiên tòa", "xét xử sơ thẩm",
     "kháng nghị phúc thẩm", "tạm giữ tạm giam", "tin báo tội phạm", "khởi tố vụ án", "hồ sơ vụ án",
     "chứng cứ", "oan sai", "bỏ lọt tội phạm", "thi hành án hình sự", "trại giam", "đặc xá"],
    ["vụ việc dân sự", "hôn nhân gia đình", "kinh doanh thương mại", "lao động", "tranh chấp hợp đồng",
     "thừa kế", "án hành chính", "hòa giải thành", "đình chỉ giải quyết", "thi hành án dân sự",
     "cưỡng chế", "kê biên tài sản", "phá sản", "quyết định công nhận"],
    ["ngân sách nhà nước", "dự toán chi", "quyết toán", "kiểm toán", "tài sản công", "mua sắm",
     "đấu thầu", "kho bạc", "thực hành tiết kiệm", "chống lãng phí", "chế độ chính sách", "tiền lương",
     "phụ cấp", "kinh phí"],
    ["tổ chức cán bộ", "bổ nhiệm", "luân chuyển", "điều động", "đánh giá xếp loại", "đào tạo bồi dưỡng",
     "tuyển dụng", "nghỉ hưu", "kỷ luật", "biên chế", "vị trí việc làm", "quy hoạch cán bộ", "bồi dưỡng nghiệp vụ"],
    ["chuyển đổi số", "công nghệ thông tin", "phần mềm quản lý", "chữ ký số", "văn bản điện tử",
     "cơ sở dữ liệu", "an toàn thông tin", "mạng nội bộ", "hội nghị trực tuyến", "dịch vụ công trực tuyến"],
    ["phòng chống dịch", "y tế cơ sở", "tiêm chủng", "bảo hiểm xã hội", "bảo hiểm y tế", "giáo dục đào tạo",
     "năm học mới", "học sinh", "trường học", "nông thôn mới", "xóa đói giảm nghèo", "hộ nghèo", "an sinh xã hội"],
    ["quốc phòng an ninh", "biên giới", "cửa khẩu", "buôn lậu", "gian lận thương mại", "hàng giả",
     "ma túy", "phòng cháy chữa cháy", "an toàn giao thông", "tai nạn giao thông", "thiên tai", "mưa lũ"],
]
CONNECTIVES = ("và các của trong theo về với cho tại được đã để những này đó như trên đến từ năm "
               "thực hiện tổ chức đơn vị cơ quan địa phương kết quả nội dung quy định bảo đảm kịp thời").split()


def text(rng: random.Random, words: int, topics: tuple[int, ...] = (0,)) -> str:
    """Administrative Vietnamese on the given topics: topic phrases joined by common words."""
    out: list[str] = []
    while len(out) < words:
        if rng.random() < 0.45:
            out.extend(rng.choice(TOPICS[rng.choice(topics)]).split())
        else:
            out.append(rng.choice(CONNECTIVES))
    return " ".join(out[:words])


def documents(count: int, seed: int = 42, words: int = 300):
    """Yield dicts of document fields; the same count and seed give the same corpus."""
    rng = random.Random(seed)
    start = date(2015, 1, 1)
    for index in range(count):
        abbr, code, label = TYPES[index % len(TYPES)]
        issuer_code, issuer = ISSUERS[rng.randrange(len(ISSUERS))]
        issued = start + timedelta(days=rng.randrange(4000))
        number = index + 1000
        symbol = f"{number}/{abbr}-{issuer_code}" if abbr else f"{number}/{issuer_code}-VP"
        topics = (rng.randrange(len(TOPICS)), rng.randrange(len(TOPICS)))
        body_words = text(rng, words, topics).split()
        paragraphs = [" ".join(body_words[i:i + 60]).capitalize() + "." for i in range(0, len(body_words), 60)]
        yield {
            "symbol": symbol, "doc_type": code, "type_label": label, "issuer": issuer,
            "issued_on": issued, "subject": f"{label} về {text(rng, 10, topics[:1])}",
            "body": "\n\n".join(paragraphs),
        }


def cold_queries(count: int) -> list[str]:
    """`count` distinct queries as people type them: a phrase, with or without marks, with a
    second word or phrase, or a number; shuffled so no request repeats within a run."""
    from portal.vietnamese.syllables import folded_text
    rng = random.Random(23)
    phrases = [p for topic in TOPICS for p in topic]
    out: dict[str, None] = {}
    while len(out) < count:
        first, second = rng.choice(phrases), rng.choice(phrases + CONNECTIVES)
        text = {0: f"{first} {second}", 1: folded_text(f"{first} {second}"),
                2: f"{first} {rng.randrange(1, 2000)}", 3: f"{second} {first}"}[rng.randrange(4)]
        out[text] = None
    return list(out)


def cold_names(count: int) -> list[str]:
    """`count` distinct person names made of common parts (Nguyễn, Văn, Thị, …), half unmarked:
    some 56,000 can be made, so a run of 26,000 requests never sends one twice."""
    from portal.vietnamese.syllables import folded_text
    rng = random.Random(29)
    families = ("Nguyễn Trần Lê Phạm Hoàng Vi Lương Hà Nông Chu Lý Đinh Đỗ Bế Hứa Lăng Triệu Mã Vũ Võ Đặng Bùi Ngô "
                "Dương Đoàn Hồ Tô Mạc Lò Đàm").split()
    middles = "Văn Thị Đức Minh Thu Hồng Quang Ngọc Kim Xuân Hữu Công Thanh Mạnh Bảo Tuấn Gia Hải Phương Diệu".split()
    givens = ("An Anh Ánh Ân Bình Chiến Cường Dũng Đào Đức Giang Hà Hải Hoa Hùng Lan Linh Long Mai Nam Bảo Châu Dung "
              "Hằng Hiền Hưng Khánh Lâm Lộc Lương Minh Ngân Nga Nhung Phong Quân Sơn Tâm Thắng Thảo Trang Tú Tùng "
              "Vân Yến").split()
    possible = 2 * len(middles) * len(givens) * (len(families) + 1)  # marked or not, with a family name or not
    if count > possible * 3 // 4:
        raise ValueError(f"at most {possible * 3 // 4} distinct names")
    out: dict[str, None] = {}
    while len(out) < count:
        name = " ".join([rng.choice(families), rng.choice(middles), rng.choice(givens)][rng.randrange(2):])
        if rng.random() < 0.5:
            name = folded_text(name)
        out[name] = None
    return list(out)
