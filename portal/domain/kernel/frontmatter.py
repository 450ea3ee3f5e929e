"""Read Markdown files with YAML front matter and check their values, naming file and key."""
from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import yaml

from portal.domain.kernel.vocab import strip_controls


class _Loader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text, so a bad date is reported by key, not raised."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class Problems:
    """Collects problems as 'file: key: message' lines."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.by_key: dict[str, list[str]] = {}

    def add(self, where: str, key: str | None, message: str) -> None:
        self.items.append(f"{where}: {key}: {message}" if key else f"{where}: {message}")
        self.by_key.setdefault((key or "").split(".")[0].split("[")[0], []).append(message)

    def __bool__(self) -> bool:
        return bool(self.items)


def read(path: Path, problems: Problems) -> tuple[dict, str] | None:
    """Front matter mapping and body of a file, or None after recording why not."""
    try:
        text = strip_controls(unicodedata.normalize("NFC", path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError) as exc:
        problems.add(str(path), None, f"không đọc được tệp (UTF-8): {exc}")
        return None
    if not text.startswith("---"):
        problems.add(str(path), None, "thiếu phần thông tin đầu tệp (front matter giữa hai dòng ---)")
        return None
    parts = text.split("\n---", 1)
    if len(parts) != 2:
        problems.add(str(path), None, "phần front matter chưa được đóng bằng dòng ---")
        return None
    try:
        # _Loader is a SafeLoader (no object construction), only without timestamp parsing.
        meta = yaml.load(parts[0][3:], Loader=_Loader) or {}  # noqa: S506  # nosec B506
    except yaml.YAMLError as exc:
        problems.add(str(path), None, f"YAML không hợp lệ: {exc}")
        return None
    if not isinstance(meta, dict):
        problems.add(str(path), None, "front matter phải là một bảng khóa: giá trị")
        return None
    body = parts[1].split("\n", 1)[1] if "\n" in parts[1] else ""
    return meta, body.strip() + "\n" if body.strip() else ""


def text(meta: dict, key: str, where: str, problems: Problems, required: bool = True) -> str | None:
    value = meta.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.add(where, key, "bắt buộc, chưa có giá trị")
        return None
    if not isinstance(value, (str, int, float)):
        problems.add(where, key, "phải là một chuỗi")
        return None
    return " ".join(str(value).split())


def date_value(meta: dict, key: str, where: str, problems: Problems, required: bool = True):
    value = meta.get(key)
    if value is None:
        if required:
            problems.add(where, key, "bắt buộc, dạng YYYY-MM-DD")
        return None
    try:
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            value = dt.date.fromisoformat(str(value))
    except ValueError:
        problems.add(where, key, f"«{str(value)[:40]}» không phải ngày hợp lệ dạng YYYY-MM-DD")
        return None
    if not 1900 <= value.year <= 2100:  # the dates of documents and awards, with room for typos' sake
        problems.add(where, key, f"«{value.isoformat()}»: năm phải từ 1900 đến 2100")
        return None
    return value


def string_list(meta: dict, key: str, where: str, problems: Problems) -> list[str]:
    value = meta.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
        problems.add(where, key, "phải là một danh sách các chuỗi")
        return []
    return [" ".join(str(v).split()) for v in value if str(v).strip()]
