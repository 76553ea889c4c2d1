"""Sending mail through Flask-Mail with a bounded SMTP conversation.

Flask-Mail 0.10 opens ``smtplib.SMTP(host, port)`` with no timeout, so a server that accepts
the connection and never answers would block its caller for ever. ``send_with_timeout`` opens
the connection with ``MAIL_TIMEOUT_S`` on every socket operation instead, and otherwise keeps
Flask-Mail's behaviour (TLS, login, ``MAIL_SUPPRESS_SEND``, the ``email_dispatched`` signal).
"""

from __future__ import annotations

import smtplib
from email.mime.multipart import MIMEMultipart

from flask import Flask
from flask_mail import Connection, Mail, Message

from settings import Settings


class _TimedConnection(Connection):
    def __init__(self, mail_state, timeout_s: float) -> None:
        super().__init__(mail_state)
        self.timeout_s = timeout_s

    def configure_host(self) -> smtplib.SMTP:
        mail = self.mail
        smtp_class = smtplib.SMTP_SSL if mail.use_ssl else smtplib.SMTP
        host = smtp_class(mail.server, mail.port, timeout=self.timeout_s)
        host.set_debuglevel(int(mail.debug))
        if mail.use_tls:
            host.starttls()
        if mail.username and mail.password:
            host.login(mail.username, mail.password)
        return host


class MessageWithInlineImages(Message):
    """A Flask-Mail message whose ``disposition="inline"`` attachments (images the HTML shows by
    ``cid:``) travel beside the HTML in a ``multipart/related`` part, as mail clients expect:
    mixed[alternative[plain, related[html, images]], attachments]."""

    def _message(self):
        message = super()._message()
        parts = message.get_payload() if message.is_multipart() else []
        inline = [p for p in parts if str(p.get("Content-Disposition", "")).startswith("inline")]
        alternative = next((p for p in parts if p.get_content_type() == "multipart/alternative"), None)
        html = next((p for p in alternative.get_payload() if p.get_content_type() == "text/html"), None) \
            if alternative is not None else None
        if not inline or html is None:
            return message
        related = MIMEMultipart("related")
        related.attach(html)
        for image in inline:
            related.attach(image)
        alternative.set_payload([related if p is html else p for p in alternative.get_payload()])
        message.set_payload([p for p in parts if not any(p is image for image in inline)])
        return message


def send_with_timeout(mail: Mail, message: Message, timeout_s: float) -> None:
    """Send one message (inside an app context); raises ``smtplib.SMTPException`` or ``OSError``
    (``TimeoutError`` when the server stops answering for ``timeout_s`` seconds)."""
    with _TimedConnection(mail.state, timeout_s) as connection:
        message.send(connection)


def mail_config(settings: Settings) -> dict:
    """Flask-Mail configuration keys from the settings."""
    password = settings.mail_password.get_secret_value() if settings.mail_password else None
    return {
        "MAIL_SERVER": settings.mail_server,
        "MAIL_PORT": settings.mail_port,
        "MAIL_USE_TLS": settings.mail_use_tls,
        "MAIL_USE_SSL": settings.mail_use_ssl,
        "MAIL_USERNAME": settings.mail_username,
        "MAIL_PASSWORD": password,
        "MAIL_DEFAULT_SENDER": settings.mail_default_sender,
        "MAIL_TIMEOUT": settings.mail_timeout_s,
    }


def standalone_mail_app(settings: Settings) -> tuple[Flask, Mail]:
    """A bare Flask app with Flask-Mail configured, for processes without the web app (the scheduler)."""
    app = Flask("powerdesk-mail")
    app.config.update(mail_config(settings))
    return app, Mail(app)
