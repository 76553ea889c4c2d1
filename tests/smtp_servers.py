"""Real SMTP endpoints on 127.0.0.1 for mail tests: an aiosmtpd server that keeps what it
receives, a port that refuses connections, and a server that accepts and never answers."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    """A port on 127.0.0.1 nothing listens on now (for a server a test starts)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """aiosmtpd handler: every accepted message, parsed, with its envelope recipients."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[list[str]] = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(list(envelope.rcpt_tos))
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_inbox() -> Iterator[tuple[Inbox, int]]:
    """(inbox, port) of a running aiosmtpd server on 127.0.0.1."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def refusing_port() -> int:
    """A port on 127.0.0.1 with nothing listening: connections are refused."""
    return free_port()


@pytest.fixture
def hanging_smtp_port() -> Iterator[int]:
    """A server that accepts connections and never says a word (no SMTP greeting)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept_forever() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
                accepted.append(connection)
            except OSError:
                continue

    thread = threading.Thread(target=accept_forever, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(2)
        for connection in accepted:
            connection.close()
        listener.close()


def attachments(message: EmailMessage) -> dict[str, bytes]:
    """Attachment file name -> content."""
    return {part.get_filename(): part.get_payload(decode=True) for part in message.walk() if part.get_filename()}


def body(message: EmailMessage, subtype: str) -> str:
    """The text/``subtype`` body (``html`` or ``plain``)."""
    for part in message.walk():
        if part.get_content_type() == f"text/{subtype}" and not part.get_filename():
            return part.get_content()
    raise AssertionError(f"no text/{subtype} part")
