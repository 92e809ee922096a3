"""Runs `incubator serve` as a real process on a loopback port for the duration of a test."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager

import httpx

from tests.mailbox import free_port


@contextmanager
def running_server(database_url: str, workers: int = 1, extra_env: dict | None = None):
    """The server's base URL while it runs."""
    with serving(database_url, workers, extra_env) as (url, _process):
        yield url


@contextmanager
def serving(
    database_url: str,
    workers: int = 1,
    extra_env: dict | None = None,
    command: list[str] | None = None,
    cwd: str | None = None,
    base_env: dict | None = None,
):
    """(base URL, the server's process) while it runs. `command` is how to call `incubator`
    (this checkout's by default); `base_env` replaces this process's environment as the one
    the server starts from."""
    port = free_port()
    # The server logs a line a request: to a file, since a pipe no one reads fills up and
    # stops the server after some thousands of requests.
    with tempfile.TemporaryFile("w+") as output:
        base = os.environ if base_env is None else base_env
        env = base | {"INCUBATOR_DATABASE_URL": database_url} | (extra_env or {})
        process = subprocess.Popen(
            [
                *(command or [sys.executable, "-m", "incubator.cli"]),
                "serve",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            env=env,
            cwd=cwd,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{url}/health/live", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    output.seek(0)
                    raise RuntimeError(f"the server did not start:\n{output.read()}")
                time.sleep(0.2)
            yield url, process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
