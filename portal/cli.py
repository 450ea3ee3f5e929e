"""`flask` command groups; each command is a few lines over a domain function."""
from __future__ import annotations

import functools
import os

import click
from flask import Flask
from flask.cli import AppGroup

from portal import search
from portal.domain import accounts
from portal.domain.content import loader as content_loader
from portal.domain.files import moves as file_moves
from portal.domain.kernel.actor import Actor
from portal.domain.kernel.models_base import today_vn
from portal.errors import ValidationFailed
from portal.services import storage

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
@click.option("--procs", type=click.IntRange(1, 64), default=lambda: min(os.cpu_count() or 1, 4),
              show_default="số lõi CPU, tối đa 4",
              help="số tiến trình phân tích và ghi chỉ mục song song")
def rebuild_search(procs: int) -> None:
    """Rebuild the search index from the database (published content only)."""
    count = search.rebuild(procs=procs)
    click.echo(f"Đã dựng lại chỉ mục tìm kiếm: {count} mục.")


files_group = AppGroup("files", help="Tệp bản gốc và danh sách khen thưởng.")


@files_group.command("copy")
@click.option("--to", "target", type=click.Choice(["database", "folder"]), required=True,
              help="database: vào cơ sở dữ liệu; folder: vào thư mục UPLOAD_DIR")
def copy_files(target: str) -> None:
    """Copy every original into the other store, verifying each by sha256."""
    source = "folder" if target == "database" else "database"
    try:
        report = file_moves.copy_all(storage(source), storage(target))
    except ValidationFailed as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"Đã chép {report.copied} tệp, {report.present} tệp đã có sẵn, kiểm tra sha256: {report.verified} tệp.")
    if report.missing:
        click.echo("Không tìm thấy: " + ", ".join(report.missing), err=True)
        raise SystemExit(1)


@files_group.command("sweep")
@click.option("--hours", type=float, default=file_moves.SWEEP_AFTER_HOURS, show_default=True,
              help="chỉ xóa tệp lưu trước số giờ này")
def sweep_files(hours: float) -> None:
    """Remove stored files no record refers to (left by an interrupted upload)."""
    removed = file_moves.sweep(storage(), hours)
    click.echo(f"Đã xóa {len(removed)} tệp không thuộc hồ sơ nào.")


@files_group.command("check-signatures")
def check_signatures() -> None:
    """Check the digital signatures of every PDF original again (after TRUST_ROOTS_DIR changed)."""
    from portal.domain.editorial.uploads import recheck_signatures
    checked, changed = recheck_signatures(storage())
    click.echo(f"Đã kiểm tra chữ ký số của {checked} tệp PDF; {changed} tệp có kết quả mới.")


users_group = AppGroup("users", help="Tài khoản quản trị.")
CLI_ACTOR = Actor("dòng lệnh")


@users_group.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([t.code for t in accounts.ROLES]), required=True,
              help="admin, reviewer, editor hoặc unit")
@click.option("--name", default="", help="Họ tên hiển thị")
@click.option("--unit", "unit_code", default="", help="Mã đơn vị (bắt buộc với --role unit)")
def create_user(email: str, role: str, name: str, unit_code: str) -> None:
    """Create an account; the password comes from PORTAL_PASSWORD or a prompt."""
    password = os.environ.get("PORTAL_PASSWORD") or click.prompt(
        "Mật khẩu", hide_input=True, confirmation_prompt="Nhập lại mật khẩu")
    try:
        user = accounts.create_user(email, password, role, CLI_ACTOR, name, unit_code)
    except ValidationFailed as exc:
        raise click.ClickException(exc.message) from exc
    unit = f", {user.unit.name}" if user.unit else ""
    click.echo(f"Đã tạo tài khoản {user.email} ({user.role_label}{unit}).")
    gone = user.unit.gone_by(today_vn()) if user.unit else None
    if gone:
        click.echo(f"Cảnh báo: {gone}. Tài khoản này chỉ xem và nộp được những gì của thời đơn vị còn "
                   "hoạt động.", err=True)


@users_group.command("list")
def list_users() -> None:
    """List accounts with their role and whether they are active."""
    for user in accounts.all_users():
        click.echo(f"{user.email}\t{user.role}\t{'hoạt động' if user.active else 'đã khóa'}")


@users_group.command("disable")
@click.argument("email")
def disable_user(email: str) -> None:
    """Disable an account (its sessions end at once)."""
    user = accounts.by_email(email)
    if user is None:
        raise click.ClickException(f"Không có tài khoản {email}.")
    accounts.set_active(user, False, CLI_ACTOR)
    click.echo(f"Đã khóa tài khoản {user.email}.")


honors_group = AppGroup("honors", help="Khen thưởng đã công bố: hủy bỏ, thu hồi việc hủy bỏ.")
DECISION_DATE = click.DateTime(["%Y-%m-%d", "%d/%m/%Y"])


def _award(award_id: int):
    from portal.domain.honors.models import Award
    from portal.extensions import db
    award = db.session.get(Award, award_id)
    if award is None:
        raise click.ClickException(f"Không có khen thưởng số {award_id}.")
    return award


def _decided_by(what: str):
    """The options of a step taken by a decision on one award (its number, date, public reason);
    the command gets the award and the day, and its domain call runs in one transaction."""
    def decorate(command):
        @click.argument("award_id", type=int)
        @click.option("--decision", "symbol", required=True, help=f"Số, ký hiệu quyết định {what}")
        @click.option("--reason", required=True, help="Lý do công khai")
        @click.option("--date", "decided_on", type=DECISION_DATE, help="Ngày quyết định (mặc định: hôm nay)")
        @functools.wraps(command)
        def wrapper(award_id: int, symbol: str, reason: str, decided_on, **options) -> None:
            from portal.extensions import db
            award = _award(award_id)
            try:
                message = command(award, symbol, decided_on.date() if decided_on else today_vn(), reason,
                                  **options)
            except ValidationFailed as exc:
                db.session.rollback()
                raise click.ClickException(exc.message) from exc
            db.session.commit()
            click.echo(message)
        return wrapper
    return decorate


@honors_group.command("annul")
@click.option("--whole-decision", is_flag=True, help="Hủy bỏ mọi khen thưởng của quyết định chứa AWARD_ID")
@_decided_by("hủy bỏ")
def annul_award(award, symbol: str, day, reason: str, whole_decision: bool) -> str:
    """Annul a published award (or its whole decision); it stays on the roll, marked annulled."""
    from portal.domain.honors import annulments
    if whole_decision:
        made = annulments.annul_decision(award.decision, symbol, day, reason, CLI_ACTOR)
    else:
        made = annulments.annul([award], symbol, day, reason, CLI_ACTOR)
    return f"Đã hủy bỏ {len(made)} khen thưởng theo {made[0].symbol}."


@honors_group.command("restore")
@_decided_by("thu hồi việc hủy bỏ")
def restore_award(award, symbol: str, day, reason: str) -> str:
    """Withdraw the annulment in force by a correcting decision (both stay in the history)."""
    from portal.domain.honors import annulments
    annulments.withdraw(award, symbol, day, reason, CLI_ACTOR)
    return f"Khen thưởng của {award.name} có hiệu lực trở lại theo {symbol}."


@honors_group.command("link-records")
def link_records() -> None:
    """Give every award its recipient record (once, after upgrading a database made before records)."""
    from portal.domain.honors import records
    from portal.extensions import db
    done = records.attach_all()
    db.session.commit()
    click.echo(f"Đã gắn {done} khen thưởng vào hồ sơ người được khen.")


mail_group = AppGroup("mail", help="Thư thông báo chờ gửi.")


@mail_group.command("send")
def send_mail() -> None:
    """Send the notices that are due (the portal also sends them itself after each change)."""
    from portal import mail
    if not mail.enabled():
        raise click.ClickException("Chưa đặt MAIL_SERVER: không gửi thư.")
    done, failed = mail.drain(limit=10_000)
    click.echo(f"Đã gửi {done} thư; {failed} thư chưa gửi được (sẽ thử lại).")


def init_app(app: Flask) -> None:
    app.cli.add_command(mail_group)
    app.cli.add_command(content_group)
    app.cli.add_command(search_group)
    app.cli.add_command(users_group)
    app.cli.add_command(files_group)
    app.cli.add_command(honors_group)
