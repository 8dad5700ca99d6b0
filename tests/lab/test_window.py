"""The window's Diagnose in the lab: the same verdict as the command line, on the
verdict page a person reads (the wizard runs offscreen inside the client namespace)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures.lab import Lab

pytestmark = [pytest.mark.lab, pytest.mark.gui]

HELPER = Path(__file__).with_name("window_diagnose.py")


def test_window_diagnose_finds_the_partial_range(lab: Lab) -> None:
    lab.nat(forward="50000-50004")
    server = lab.start_vsftpd()
    env = lab.env(server.password)
    env.update(QT_QPA_PLATFORM="offscreen", QT_API="pyside6", FTPI_LAB_HOST=lab.router_wan,
               FTPI_LAB_USER=server.user, FTPI_LAB_TIMEOUT="2")
    run = subprocess.run(["ip", "netns", "exec", lab.client, sys.executable, str(HELPER)],
                         capture_output=True, text=True, env=env, timeout=120,
                         cwd=HELPER.parents[2])
    assert run.returncode == 0, run.stderr
    shown = json.loads(run.stdout)
    assert shown["page"] and shown["key"] == "passive-partial", shown
    assert "part of the server's passive port range" in shown["headline"]
    assert "Firewall: allow and forward inbound TCP 500" in shown["firewall"]
    assert "vsftpd" in shown["snippets"]
