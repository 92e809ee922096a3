"""Email over SMTP with the settings' server (aiosmtplib)."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib

from incubator.settings import Settings


async def send_email(settings: Settings, to: str, subject: str, text: str, html: str = "") -> None:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    await send_message(settings, message)


async def send_message(settings: Settings, message: EmailMessage) -> None:
    """Hand a composed message to the settings' SMTP server."""
    await aiosmtplib.send(
        message,
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username or None,
        password=settings.smtp_password or None,
        start_tls=settings.smtp_starttls,
        timeout=settings.smtp_timeout_seconds,
    )
