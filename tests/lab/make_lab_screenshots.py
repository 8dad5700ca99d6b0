"""Screenshots of the window against the network lab (as root, under Xvfb, from the
repository root; not part of the suite):

    DISPLAY=:44 python3 tests/lab/make_lab_screenshots.py

For each shot a lab is built (tests/fixtures/lab.py), and the window runs inside the
client namespace against real vsftpd behind the lab's NAT router:

- ``lab-diagnose-partial.png``: Diagnose's verdict for a router forwarding only
  50000-50004 of the server's 50000-50010;
- ``lab-icmp-refused-window.png``: the main window after a listing whose passive port
  the router refused with an ICMP "administratively prohibited".
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "docs" / "screenshots"


def _outside(shot: str) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from fixtures.lab import Lab

    lab = Lab()
    try:
        if shot == "partial":
            lab.nat(forward="50000-50004")
        else:
            lab.nat(reject="50000-50010", reject_with="icmp type admin-prohibited")
        server = lab.start_vsftpd()
        env = lab.env(server.password)
        env["DISPLAY"] = os.environ.get("DISPLAY", ":44")
        env["QT_QPA_PLATFORM"] = "xcb"
        env["FTPI_LAB_USER"] = server.user
        env["FTPI_LAB_HOST"] = lab.router_wan
        subprocess.run(["ip", "netns", "exec", lab.client, sys.executable, __file__,
                        "--inside", shot], env=env, cwd=ROOT, check=True, timeout=120)
        if lab.guard_violations():
            raise SystemExit(f"network guard: {lab.guard_violations()}")
    finally:
        lab.close()


async def _settle(rounds: int = 20) -> None:
    for _ in range(rounds):
        await asyncio.sleep(0.05)


def _settings(**overrides: object):
    from client.engine.settings import ConnectionSettings, TlsMode

    values = dict(host=os.environ["FTPI_LAB_HOST"], user=os.environ["FTPI_LAB_USER"],
                  password=os.environ["FTP_PASSWORD"], tls=TlsMode.OFF, data_timeout=2.0)
    values.update(overrides)
    return ConnectionSettings(**values)  # type: ignore[arg-type]


async def _partial() -> None:
    from client.ui.inspector.diagnose_wizard import DiagnoseWizard

    async def apply(_recommendation: object) -> str:
        return "applied"

    wizard = DiagnoseWizard(_settings(), "/", apply=apply)
    wizard.resize(1100, 740)
    wizard.show()
    await _settle(4)
    wizard.next()
    while wizard.diagnosis is None:
        await asyncio.sleep(0.1)
    await _settle()
    wizard.next()
    await _settle()
    path = OUTPUT / "lab-diagnose-partial.png"
    wizard.grab().save(str(path))
    print(path, wizard.diagnosis.verdict.key)
    wizard.close()


async def _icmp() -> None:
    from PySide6.QtCore import Qt

    from client.ui.main_window import MainWindow

    window = MainWindow()
    window.resize(1366, 768)
    window.show()
    window.resizeDocks([window.inspector_dock], [520], Qt.Orientation.Horizontal)
    try:
        try:
            await window.connect_to(_settings(use_epsv=False))
        except Exception as error:  # noqa: BLE001 - shown the way the window shows it
            window.report_error(error, pane=window.remote_pane, doing="Connect")
        await _settle()
        path = OUTPUT / "lab-icmp-refused-window.png"
        window.grab().save(str(path))
        print(path)
    finally:
        await window.shutdown()


def _inside(shot: str) -> None:
    import qasync
    from PySide6.QtWidgets import QApplication

    os.environ.setdefault("FTP_INSPECTOR_CONFIG_DIR", "/tmp/ftpi-screenshot-config")
    QApplication.instance() or QApplication([])
    qasync.run(_partial() if shot == "partial" else _icmp())


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--inside":
        _inside(sys.argv[2])
    else:
        for name in sys.argv[1:] or ["partial", "icmp"]:
            _outside(name)
