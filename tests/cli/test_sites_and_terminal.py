"""site:NAME URLs through the site store, and the progress bar on a terminal."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from client.config.sites import Site, SiteStore

TIMEOUT = 60


def test_site_url_uses_the_saved_site(ftp_server, child_env) -> None:
    store = SiteStore(Path(child_env["FTP_INSPECTOR_CONFIG_DIR"]) / "sites.json")
    store.upsert(Site(name="pyftp", folder="Work", host=ftp_server.host, port=ftp_server.port,
                      user=ftp_server.user, tls="off", logon="ask"))
    env = {**child_env, "FTP_PASSWORD": ftp_server.password}
    result = subprocess.run([sys.executable, "-m", "client", "ls", "site:Work/pyftp/docs",
                             "--json", "-q"], env=env, capture_output=True, text=True,
                            timeout=TIMEOUT)
    assert result.returncode == 0, result.stderr
    assert {e["name"] for e in json.loads(result.stdout)} == {"notes.md", "nested"}
    unknown = subprocess.run([sys.executable, "-m", "client", "ls", "site:Nope/x"], env=env,
                             capture_output=True, text=True, timeout=TIMEOUT)
    assert unknown.returncode == 1 and "no saved site" in unknown.stderr
    # asks for a password, and there is no terminal to ask on
    no_password = subprocess.run([sys.executable, "-m", "client", "ls", "site:Work/pyftp"],
                                 env=child_env, capture_output=True, text=True,
                                 timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    assert no_password.returncode == 1 and "password" in no_password.stderr


def test_progress_bar_on_a_terminal(ftp_server, child_env, tmp_path) -> None:
    master, slave = pty.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "client", "get", ftp_server.url + "/random-1MiB.bin",
             "-o", str(tmp_path)], env={**child_env, "FTP_PASSWORD": ftp_server.password},
            stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL, timeout=TIMEOUT)
        os.close(slave)
        slave = -1
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
    finally:
        if slave >= 0:
            os.close(slave)
        os.close(master)
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert result.returncode == 0, shown
    assert "100.0%" in shown and "/s" in shown and "ETA" in shown
    assert "\r" in shown
    assert ftp_server.password not in shown
