"""E-mail notices, sent when MAIL_SERVER is set and never required: a portal without a mail
server shows the same notices on its dashboards. Sending happens after the change is committed
and a failing server is logged, never shown to the person who acted."""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from email.utils import formataddr

from flask import current_app

log = logging.getLogger(__name__)
TIMEOUT = 10  # seconds a mail server may take: a request never waits longer on it


def enabled() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def send(recipients: list[str], subject: str, body: str) -> bool:
    """One plain-text message to each recipient (Bcc); True when the server accepted it."""
    recipients = sorted({r for r in recipients if r})
    if not enabled() or not recipients:
        return False
    config = current_app.config
    message = EmailMessage()
    message["From"] = formataddr((config["SITE_NAME"], config["MAIL_SENDER"]))
    message["To"] = config["MAIL_SENDER"]
    message["Subject"] = subject
    message.set_content(body + f"\n\n--\n{config['SITE_NAME']} — {config['SECTION_NAME']}\n{config['SITE_URL']}\n")
    try:
        server_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
        with server_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=TIMEOUT) as server:
            if config["MAIL_USE_TLS"]:
                server.starttls()
            if config.get("MAIL_USERNAME"):
                server.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            server.send_message(message, to_addrs=recipients)
        return True
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("mail to %d recipient(s) not sent: %s", len(recipients), exc)
        return False
