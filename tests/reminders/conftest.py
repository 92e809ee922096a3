"""Fixtures shared by the tests of reminders: a real SMTP server on loopback, and settings
that send through it with the app built (which registers every domain's sources)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from incubator.app import create_app
from tests.mailbox import Mailbox


@pytest.fixture
def mailbox():
    with Mailbox() as box:
        yield box


@pytest.fixture
def rsettings(settings, mailbox):
    """Settings with the loopback SMTP server, and the app built (it registers the sources)."""
    configured = replace(settings, smtp_host="127.0.0.1", smtp_port=mailbox.port)
    create_app(configured, manage_engine=False)
    return configured
