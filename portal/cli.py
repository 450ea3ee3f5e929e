"""`flask` command groups; each command is a few lines over a domain function."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

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
    click.echo(f"Đã nạp {path}: {report.summary()}.")


def init_app(app: Flask) -> None:
    app.cli.add_command(content_group)
