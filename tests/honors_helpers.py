"""Builders for honor-roll tests: a decision file and its list, written to a folder."""
from __future__ import annotations

import csv
import textwrap
from pathlib import Path

HEADER = ["STT", "Đối tượng", "Họ tên", "Chức vụ", "Đơn vị", "Thôn", "Xã", "Huyện", "Thành tích",
          "Giá trị đóng góp", "Số vào sổ", "Số định danh", "Ngày sinh", "Địa chỉ", "Điện thoại"]


def write_decision(folder: Path, rows: list[list], symbol: str = "15/QĐ-UBND", date: str = "2022-12-20",
                   form: str = "Bằng khen của Chủ tịch UBND tỉnh", extra: str = "", name: str = "qd") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    path = folder / f"{name}.md"
    path.write_text(textwrap.dedent(f"""\
        ---
        symbol: {symbol}
        type: QĐ
        issuer: Ủy ban nhân dân tỉnh Lạng Sơn
        place: Lạng Sơn
        issued_on: {date}
        subject: Về việc tặng Bằng khen trong công tác giải phóng mặt bằng
        campaign: day-nhanh-tien-do-giai-phong-mat-bang-2022-2025
        award_form: {form}
        review_round: so-ket-2022
        achievement_year: {date[:4]}
        reason: Đã có thành tích trong công tác giải phóng mặt bằng
        awards: {name}.csv
        """) + extra + "---\nQuyết định khen thưởng.\n", encoding="utf-8")
    return path


def row(seq, kind="Cá nhân", name="Nguyễn Văn An", district="Cao Lộc", contribution="", id_number="",
        birth="", address="", phone="", unit="Phòng Tài nguyên", achievement="Hoàn thành xuất sắc"):
    return [seq, kind, name, "Chuyên viên", unit, "Thôn Nà Chuông", "Xã Tân Liên", district, achievement,
            contribution, f"S-{seq}", id_number, birth, address, phone]
