"""The run book's example configuration is one nginx accepts: docs/deploy/nginx.conf, with its
proxy parameters and a throw-away certificate, passes `nginx -t` (where nginx is installed;
on CI it is)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

DEPLOY = Path(__file__).parent.parent / "docs" / "deploy"


def test_the_example_nginx_configuration_passes_nginx_s_own_check(tmp_path):
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if nginx is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("nginx is required on CI to check docs/deploy/nginx.conf")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    openssl = shutil.which("openssl")
    assert openssl, "openssl makes the throw-away certificate"
    made = subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=community.cyberport.example",
         "-keyout", str(tmp_path / "privkey.pem"), "-out", str(tmp_path / "fullchain.pem")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    site = (DEPLOY / "nginx.conf").read_text()
    site = site.replace("/etc/ssl/community/", f"{tmp_path}/")
    site = site.replace("/etc/nginx/proxy_params_incubator", str(DEPLOY / "proxy_params_incubator"))
    (tmp_path / "site.conf").write_text(site)
    temp = tmp_path / "temp"
    temp.mkdir()
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\n"
        "events {}\n"
        "http {\n"
        f"  access_log off;\n"
        + "".join(
            f"  {kind}_temp_path {temp}/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + f"  include {tmp_path}/site.conf;\n"
        "}\n"
    )
    checked = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr and "test is successful" in checked.stderr
