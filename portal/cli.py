"""`flask` command groups; each command is a few lines over a domain function."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from . import search
from .domain import content as content_loader
from .errors import ValidationFailed
from .services import storage

content_group = AppGroup("content", help="Nạp văn bản và phong trào từ tệp Markdown.")


@content_group.command("load")
@click.argument("path", type=click.Path(path_type=str))
def load_content(path: str) -> None:
    """Load a content file or folder (idempotent; all or nothing)."""
    try:
        report = content_loader.load(path, storage())
    except ValidationFailed as exc:
        click.echo(f"Lỗi: {exc.message}", err=True)
        for problem in exc.problems:
            click.echo(f"  - {problem}", err=True)
        raise SystemExit(1) from exc
    for warning in report.warnings:
        click.echo(f"Cảnh báo: {warning}", err=True)
    click.echo(f"Đã nạp {path}: {report.summary()}.")


search_group = AppGroup("search", help="Chỉ mục tìm kiếm.")


@search_group.command("rebuild")
def rebuild_search() -> None:
    """Rebuild the search index from the database (published content only)."""
    count = search.rebuild()
    click.echo(f"Đã dựng lại chỉ mục tìm kiếm: {count} mục.")


def init_app(app: Flask) -> None:
    app.cli.add_command(content_group)
    app.cli.add_command(search_group)
