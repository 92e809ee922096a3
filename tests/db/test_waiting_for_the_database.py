"""`incubator scheduler` and `incubator serve` started while the database is unreachable
wait for it, saying so, instead of exiting with a traceback: the database sits behind a
real TCP relay on loopback that opens only a few seconds after the process starts."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.conftest import ON_CI, postgres_available, recreate_pg_database
from tests.mailbox import free_port


class LateRelay:
    """Forwards a loopback port to PostgreSQL, but listens only once `open()` is called."""

    def __init__(self, target_port: int) -> None:
        self.port = free_port()
        self.target_port = target_port
        self.server: asyncio.Server | None = None
        self.pipes: set[asyncio.Task] = set()

    async def _pipe(self, reader, writer) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _serve(self, reader, writer) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(
            "127.0.0.1", self.target_port
        )
        for pipe in (self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer)):
            task = asyncio.ensure_future(pipe)
            self.pipes.add(task)
            task.add_done_callback(self.pipes.discard)

    async def open(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def close(self) -> None:
        if self.server:
            self.server.close()


def _through(url: str, port: int) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)
    netloc = (host[0] + "@" if len(host) == 2 else "") + f"127.0.0.1:{port}"
    return urlunsplit(parts._replace(netloc=netloc))


async def _output_until(process: subprocess.Popen, text: str, seconds: float) -> str:
    """Read the process's output (a file) until `text` shows or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        out = process.output.read_text()  # type: ignore[attr-defined]
        if text in out:
            return out
        if process.poll() is not None:
            return out
        await asyncio.sleep(0.2)
    return process.output.read_text()  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", [["scheduler"], ["serve", "--port", "0"]])
async def test_a_process_started_before_the_database_waits_for_it(command, tmp_path):
    # PostgreSQL only: a SQLite database is a file, there whenever the process is.
    problem = await postgres_available()
    if problem:
        if ON_CI:
            pytest.fail(f"PostgreSQL is required on CI but unreachable: {problem}")
        pytest.skip(f"PostgreSQL unreachable: {problem}")
    database = await recreate_pg_database(f"incubator_wait_{command[0]}")
    relay = LateRelay(urlsplit(database).port or 5432)
    url = _through(database, relay.port)
    output = tmp_path / "output.txt"
    with output.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "incubator.cli", *command],
            env=os.environ | {"INCUBATOR_DATABASE_URL": url, "PYTHONUNBUFFERED": "1"},
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    process.output = output  # type: ignore[attr-defined]
    try:
        waiting = await _output_until(process, "Waiting for the database", 30)
        assert "Waiting for the database" in waiting and process.poll() is None, waiting
        await asyncio.sleep(3)  # it keeps waiting, and says so once every few seconds
        assert process.poll() is None
        said = output.read_text().count("Waiting for the database")
        assert 1 <= said <= 3, output.read_text()
        await relay.open()
        ready = "Scheduler running" if command[0] == "scheduler" else "Serving on"
        out = await _output_until(process, ready, 60)
        assert ready in out and process.poll() is None, out
        assert "Traceback" not in out and "password" not in out
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        await relay.close()
