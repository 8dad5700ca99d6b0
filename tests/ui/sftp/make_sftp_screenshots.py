"""Screenshots for the SFTP pages of the guide (run under Xvfb with openbox, from the
repository root, not part of the suite; needs root for the sshd fixture):

    Xvfb :32 -screen 0 1366x768x24 -nolisten tcp & DISPLAY=:32 openbox &
    DISPLAY=:32 PYTHONPATH=.:tests python3 tests/ui/sftp/make_sftp_screenshots.py

Real sessions on loopback: the demo FTP server (passive mode, a listing and a download)
and Debian's OpenSSH sshd (the same over SFTP). Writes, under docs/images/:
ftp-passive-diagram.png and sftp-diagram.png (the inspector's diagram of each session,
for the side-by-side comparison), sftp-window.png (the whole window after the SFTP
session) and sftp-host-key.png (the dialog for an unknown host key).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import qasync
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QWidget

OUT = Path("docs/images")


def shoot_region(widget: QWidget, name: str) -> None:
    """The screen (as X shows it, window frame and all) cut to ``widget``."""
    top_left = widget.mapToGlobal(QPoint(0, 0))
    geometry = f"{widget.width()}x{widget.height()}+{top_left.x()}+{top_left.y()}"
    path = OUT / name
    subprocess.run(["import", "-window", "root", "-crop", geometry, "+repage", str(path)],
                   check=True)
    print(path, path.stat().st_size)


def shoot_screen(name: str) -> None:
    path = OUT / name
    subprocess.run(["import", "-window", "root", str(path)], check=True)
    if path.stat().st_size > 190_000:  # the guide keeps each image under 200 KB
        subprocess.run(["convert", str(path), "-colors", "256", f"PNG8:{path}"], check=True)
    print(path, path.stat().st_size)


def new_window(local: Path, work: Path) -> object:
    from client.config.known_hosts import KnownHostsStore
    from client.ui.main_window import MainWindow

    window = MainWindow(local_start=local)
    window.sessions.host_keys = KnownHostsStore(work / "known_hosts", ())
    window.showMaximized()
    return window


async def settle(seconds: float = 1.0) -> None:
    for _ in range(int(seconds / 0.05)):
        await asyncio.sleep(0.05)


async def run() -> None:
    from fixtures.sshd import start_sshd

    from client.demo import DemoServer
    from client.engine.settings import ConnectionSettings, TlsMode, TransferMode

    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="ftpi-shots-"))
    local = work / "local"
    local.mkdir()
    ftp = DemoServer("healthy").start()
    sshd = start_sshd(work / "sshd")
    (sshd.root / "docs").mkdir()
    (sshd.root / "report.pdf").write_bytes(os.urandom(3 << 20))
    (sshd.root / "notes.txt").write_text("SFTP carries everything in one connection\n")
    sshd.own()
    window = new_window(local, work)
    await settle(1.5)
    window.resizeDocks([window.inspector_dock], [600], Qt.Orientation.Horizontal)
    try:
        settings = ConnectionSettings(host=ftp.host, port=ftp.port, user=ftp.user,
                                      password=ftp.password, tls=TlsMode.OFF,
                                      mode=TransferMode.PASSIVE)
        await window.connect_to(settings)
        entry = next(e for e in window.remote_pane.model.entries() if e.kind.value == "file")
        await window.download_entries([entry])
        await settle(3.0)
        shoot_region(window.inspector_dock, "ftp-passive-diagram.png")
        await window.shutdown()
        window.close()
        window = new_window(local, work)  # a window of its own: nothing of FTP in view
        await settle(1.5)
        window.resizeDocks([window.inspector_dock], [600], Qt.Orientation.Horizontal)

        # as a person does: the address in the quickconnect bar, the password, Enter
        window.quick.host.setText(f"sftp://{sshd.user}@{sshd.host}:{sshd.port}")
        window.quick.password.setText(sshd.password)
        window.quick.submit()
        asker = window.sessions.asker
        while asker.last_dialog is None or not asker.last_dialog.isVisible():
            await asyncio.sleep(0.05)
        await settle(0.8)
        shoot_region(asker.last_dialog.window(), "sftp-host-key.png")
        asker.last_dialog.once_button.click()
        while window.remote_pane.current_path != "/files" or window.connection.busy:
            await asyncio.sleep(0.05)
        report = next(e for e in window.remote_pane.model.entries() if e.name == "report.pdf")
        await window.download_entries([report])
        await settle(3.0)
        shoot_region(window.inspector_dock, "sftp-diagram.png")
        shoot_screen("sftp-window.png")
    finally:
        await window.shutdown()
        window.close()
        ftp.stop()
        sshd.stop()
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    os.environ.setdefault("FTP_INSPECTOR_CONFIG_DIR", tempfile.mkdtemp(prefix="ftpi-cfg-"))
    QApplication.instance() or QApplication([])
    qasync.run(run())


if __name__ == "__main__":
    main()
