"""The app works from a built wheel installed into a fresh virtual environment: the packages
the card puts at the top level (incubator, centres, events), the templates, the translations
and every migration travel with it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.server import serving

ROOT = Path(__file__).parent.parent

pytestmark = pytest.mark.slow


def _run(*args: str | Path, cwd: Path, env: dict | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `incubator` command of a fresh virtual environment holding only the wheel and its
    dependencies."""
    uv = shutil.which("uv")
    if uv is None:
        pytest.fail("uv is needed to build the wheel (the README's commands use it)")
    work = tmp_path_factory.mktemp("wheel")
    _run(uv, "build", "--wheel", "--out-dir", work / "dist", ROOT, cwd=work)
    (wheel,) = (work / "dist").glob("incubator-*.whl")
    _run(uv, "venv", "--python", sys.executable, work / "venv", cwd=work)
    python = work / "venv" / "bin" / "python"
    _run(uv, "pip", "install", "--python", python, wheel, cwd=work)
    return work / "venv" / "bin" / "incubator"


def test_the_wheel_holds_the_top_level_packages_templates_and_migrations(installed: Path):
    site = next((installed.parent.parent / "lib").glob("python*/site-packages"))
    for package in ("incubator", "centres", "events", "events/academy"):
        assert (site / package / "__init__.py").is_file(), package
    assert (site / "incubator" / "templates" / "base.html").is_file()
    assert (site / "incubator" / "locale" / "zh_Hant" / "LC_MESSAGES" / "messages.po").is_file()
    for app in ("centres", "events", "incubator/startups", "incubator/partners"):
        assert list((site / app / "piccolo_migrations").glob("*.py")), app


def test_the_installed_app_migrates_serves_pages_and_static_files(installed: Path, tmp_path):
    # Outside the checkout, so nothing can be imported from it by accident.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "PICCOLO_CONF", "VIRTUAL_ENV")
    }
    url = f"sqlite:///{tmp_path / 'park.sqlite3'}"
    env |= {"INCUBATOR_DATABASE_URL": url, "INCUBATOR_SCHEDULER": "0"}
    assert "migrations applied" in _run(installed, "migrate", cwd=tmp_path, env=env)
    with serving(url, command=[str(installed)], cwd=str(tmp_path), base_env=env) as (base, _):
        page = httpx.get(f"{base}/startups", headers={"Accept-Language": "zh-HK"})
        assert page.status_code == 200
        assert "初創企業" in page.text  # the translations travelled too
        assert httpx.get(f"{base}/events").status_code == 200
        assert httpx.get(f"{base}/static/site.css").status_code == 200
