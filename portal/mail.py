"""E-mail notices, sent when MAIL_SERVER is set and never required: a portal without a mail
server shows the same notices on its dashboards.

A notice is queued in the database with the change it tells of (domain/kernel/outbox.py) and sent after
the response by a thread of the process that queued it, or by `flask mail send` (a timer on the
server), with retries. A mail server that is down or never answers delays no request: only the
sending thread waits on it, at most MAIL_TIMEOUT seconds a message."""
from __future__ import annotations

import logging
import os
import smtplib
import threading
from email.message import EmailMessage
from email.utils import formataddr

from flask import Flask, current_app, g

from portal.domain.kernel import outbox

log = logging.getLogger(__name__)


def enabled() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def send(recipients: list[str], subject: str, body: str) -> bool:
    """Queue one plain-text message to the recipients (Bcc) in the current transaction."""
    if not enabled() or outbox.queue(recipients, subject, body) is None:
        return False
    g.mail_queued = True
    return True


def _message(config, row: outbox.OutboxMessage) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((config["SITE_NAME"], config["MAIL_SENDER"]))
    message["To"] = config["MAIL_SENDER"]
    message["Subject"] = row.subject
    message.set_content(row.body + f"\n\n--\n{config['SITE_NAME']} — {config['SECTION_NAME']}\n{config['SITE_URL']}\n")
    return message


def _deliver(row: outbox.OutboxMessage) -> None:
    config = current_app.config
    server_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with server_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]) as server:
        if config["MAIL_USE_TLS"]:
            server.starttls()
        if config.get("MAIL_USERNAME"):
            server.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        server.send_message(_message(config, row), to_addrs=row.addresses)


def drain(limit: int = 100) -> tuple[int, int]:
    """Send what is due (in an app context); returns (sent, failed) counts."""
    done = failed = 0
    while done + failed < limit and (rows := outbox.claim(min(20, limit - done - failed))):
        for row in rows:
            try:
                _deliver(row)
            except (OSError, smtplib.SMTPException) as exc:
                log.warning("mail %d to %d recipient(s) not sent: %s", row.id, len(row.addresses), exc)
                outbox.failed(row, f"{exc.__class__.__name__}: {exc}")
                failed += 1
            else:
                outbox.sent(row)
                done += 1
    return done, failed


class Sender:
    """One thread per process that sends queued mail after responses (and retries every minute)."""

    def __init__(self, app: Flask):
        self.app, self.wake, self.pid = app, threading.Event(), None
        self.lock = threading.Lock()
        self.current: object | None = None  # the running thread's token; stop() or a new thread retires it

    def kick(self) -> None:
        with self.lock:
            if self.pid != os.getpid():  # first use in this (forked) worker, or after stop()
                self.pid, token = os.getpid(), object()
                self.current = token
                threading.Thread(target=self._run, args=(token,), name="mail-sender", daemon=True).start()
        self.wake.set()

    def stop(self) -> None:
        """End the thread after its current round (what is queued stays queued): for an app that
        is discarded while its process goes on, as in tests. A later kick starts a new one."""
        with self.lock:
            self.current, self.pid = None, None
        self.wake.set()

    def _run(self, token: object) -> None:
        while self.current is token:
            self.wake.wait(timeout=60)
            self.wake.clear()
            if self.current is not token:
                return
            try:
                with self.app.app_context():
                    drain()
            except Exception:  # noqa: BLE001 (the database may be away; the next round tries again)
                log.exception("mail sender round failed")


def init_app(app: Flask) -> None:
    sender = app.extensions["mail_sender"] = Sender(app)

    @app.after_request
    def _after(response):
        if g.pop("mail_queued", False):
            if app.config.get("MAIL_BACKGROUND", True):
                sender.kick()
            else:  # tests: sent at once, so the test sees it
                drain()
        return response
