"""Email over SMTP with the settings' server (aiosmtplib); with no server configured, into the
outbox that administrators read in the app (`/admin/outbox`), so that a demo or a new
installation shows what it would have sent instead of failing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from email.message import EmailMessage

import aiosmtplib

from incubator.settings import Settings


async def send_email(settings: Settings, to: str, subject: str, text: str, html: str = "") -> str:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    return await send_message(settings, message)


Outbox = Callable[[EmailMessage], Awaitable[None]]
_outbox: list[Outbox] = []


def set_outbox(keep: Outbox) -> None:
    """Where messages go while no SMTP server is configured (the reminders' outbox table)."""
    _outbox[:] = [keep]


class NoMailServer(RuntimeError):
    """No SMTP server is configured and no outbox keeps the message."""


async def send_message(settings: Settings, message: EmailMessage) -> str:
    """Hand a composed message to the settings' SMTP server, or, with none configured, to
    the outbox. Returns where it went: "smtp" or "outbox"."""
    if not settings.smtp_configured:
        if not _outbox:
            raise NoMailServer("no SMTP server is configured (INCUBATOR_SMTP_HOST)")
        await _outbox[0](message)
        return "outbox"
    await aiosmtplib.send(
        message,
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username or None,
        password=settings.smtp_password or None,
        start_tls=settings.smtp_starttls,
        timeout=settings.smtp_timeout_seconds,
    )
    return "smtp"
