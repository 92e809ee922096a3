"""Every page each kind of user can open is valid HTML by the Nu HTML Checker (the W3C's
validator, vnu.jar, run locally with Java; `npm ci --prefix tests/nu` installs the version
tests/nu/package.json pins): zero errors. English pages are checked on SQLite and Chinese ones
on PostgreSQL (the markup does not depend on the engine). The API's reference page (/schema,
Litestar's ReDoc) is the framework's, not ours, and is left out."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.test_reads_as_people_do import pages_of

JAR = Path(__file__).parent / "nu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def _checker() -> list[str]:
    java, jar = shutil.which("java"), Path(os.environ.get("INCUBATOR_VNU_JAR", JAR))
    if java is None or not jar.is_file():
        missing = "Java" if java is None else f"the Nu HTML Checker at {jar}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{missing} is required on CI")
        pytest.skip(
            f"{missing} is missing (apt-get install default-jre-headless; npm ci --prefix tests/nu)"
        )
    return [java, "-Xss2m", "-jar", str(jar)]


async def test_every_page_is_valid_html(app, park, engine_name, tmp_path):
    checker = _checker()
    language = "en" if engine_name == "sqlite" else "zh-Hant"
    names: dict[str, str] = {}
    async for kind, _, url, html in pages_of(app, park, languages=(language,)):
        if url.startswith("/schema"):
            continue
        name = f"{len(names):04d}.html"
        (tmp_path / name).write_text(html, encoding="utf-8")
        names[name] = f"{kind} {url}"
    assert len(names) > 100
    run = subprocess.run(
        [*checker, "--errors-only", "--format", "json", "--exit-zero-always", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(run.stderr or run.stdout)["messages"]
    found = sorted(
        {
            f"{names.get(Path(m.get('url', '')).name, m.get('url'))}: {m['message']} "
            f"[{m.get('extract', '').strip()[:80]}]"
            for m in messages
            if m["type"] == "error"
        }
    )
    assert found == [], "\n".join(found)
