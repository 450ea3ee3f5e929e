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
FILLER = ("các cơ quan đơn vị địa bàn tỉnh huyện xã thôn bảo đảm kịp thời đúng quy định pháp luật "
          "nội dung chất lượng trách nhiệm phối hợp chỉ đạo kiểm tra giám sát đánh giá kết quả").split()
TYPES = [("KH", "ke-hoach", "Kế hoạch"), ("QĐ", "quyet-dinh", "Quyết định"), ("TB", "thong-bao", "Thông báo"),
         ("HD", "huong-dan", "Hướng dẫn"), ("BC", "bao-cao", "Báo cáo"), (None, "cong-van", "Công văn")]
ISSUERS = [("UBND", "Ủy ban nhân dân tỉnh Lạng Sơn"), ("VKS", "Viện kiểm sát nhân dân tỉnh Lạng Sơn"),
           ("SNV", "Sở Nội vụ tỉnh Lạng Sơn"), ("STNMT", "Sở Tài nguyên và Môi trường tỉnh Lạng Sơn")]


def text(rng: random.Random, words: int) -> str:
    out: list[str] = []
    while len(out) < words:
        if rng.random() < 0.35:
            out.extend(rng.choice(SYLLABLE_PHRASES).split())
        else:
            out.append(rng.choice(FILLER))
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
        body_words = text(rng, words).split()
        paragraphs = [" ".join(body_words[i:i + 60]).capitalize() + "." for i in range(0, len(body_words), 60)]
        yield {
            "symbol": symbol, "doc_type": code, "type_label": label, "issuer": issuer,
            "issued_on": issued, "subject": f"{label} về {text(rng, 10)}",
            "body": "\n\n".join(paragraphs),
        }
