"""Child process of test_screens: the window and every dialog on one screen size.

    python screen_child.py WIDTHxHEIGHT REPORT.json

Qt's offscreen platform takes its screen from a config file, so each screen size needs
its own process. The demo server runs here (loopback); the window connects to it, then
each dialog and wizard page is opened as a person would open it, checked with fit.py,
and closed. The report maps each dialog to its problems."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[2]))

from fit import fit_problems, text_problems  # noqa: E402


def main(size: str, report: Path) -> int:
    width, height = (int(n) for n in size.split("x"))
    config = Path(tempfile.mkdtemp()) / "screen.json"
    config.write_text(json.dumps({"synchronousWindowSystemEvents": False,
                                  "windowFrameMargins": True,
                                  "screens": [{"name": size, "x": 0, "y": 0, "width": width,
                                               "height": height, "logicalDpi": 96,
                                               "logicalBaseDpi": 96, "dpr": 1}]}))
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"
    os.environ.setdefault("FTP_INSPECTOR_CONFIG_DIR", str(config.parent / "config"))

    from PySide6.QtWidgets import QApplication, QDialog, QInputDialog, QMessageBox

    from client.demo import DemoServer
    from client.engine.exists import ExistsInfo
    from client.engine.trust import CertificateInfo
    from client.ui.app import create_application, open_target
    from client.ui.certificates import CertificateDialog
    from client.ui.dialogs import ChmodDialog, ask_text, confirm
    from client.ui.exists_dialog import FileExistsDialog
    from client.ui.inspector.diagnose_install import open_diagnose
    from client.ui.main_window import MainWindow
    from client.ui.qt_loop import run_on_qt_loop

    found: dict[str, list[str]] = {}
    app = create_application()
    demo = DemoServer("healthy", give_up_after=2.0).start()
    local = config.parent / "local"
    local.mkdir()
    window = MainWindow(local_start=local)
    window.show()

    async def settle() -> None:
        # a fixed pause on purpose: any window may be checked, and no single event says
        # its layouts, show events and deferred resizes have all run
        for _ in range(5):
            await asyncio.sleep(0.02)

    async def check(name: str, top) -> None:
        await settle()
        found[name] = fit_problems(top) + text_problems(top)

    async def open_and_check(name: str, dialog: QDialog) -> None:
        dialog.open()
        await check(name, dialog)
        dialog.reject()

    def newest(kind):
        dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
        return dialogs[-1]

    async def scenario() -> None:
        await open_target(window, demo.url)
        await check("main window", window)
        window.about()
        await check("about box", window.about_box)
        window.about_box.accept()
        window.open_site_manager()
        await check("site manager", window.site_manager)
        window.site_manager.new_button.click()
        await check("site manager, new site", window.site_manager)
        window.site_manager.reject()
        wizard = open_diagnose(window)
        wizard.plan_page.timeout_box.setValue(2.0)
        await check("diagnose: plan page", wizard)
        wizard.next()
        await check("diagnose: run page, running", wizard)
        while wizard.diagnosis is None:
            await asyncio.sleep(0.1)
        await check("diagnose: run page, done", wizard)
        wizard.next()
        await check("diagnose: verdict page", wizard)
        wizard.accept()
        info = CertificateInfo(subject="CN=demo.example", issuer="CN=demo.example",
                               not_before="2026-01-01", not_after="2027-01-01",
                               fingerprint_sha256="ab" * 32,
                               verify_error="self-signed certificate", host="127.0.0.1",
                               port=demo.port)
        await open_and_check("certificate", CertificateDialog(info, window))
        exists = ExistsInfo(direction="download", local_path=local / "sample-2mb.bin",
                            remote_path="/data/sample-2mb.bin", local_size=1000,
                            local_mtime=datetime(2026, 1, 1, tzinfo=UTC),
                            remote_size=2 * 1024 * 1024, remote_mtime=None)
        await open_and_check("file exists", FileExistsDialog(exists, window))
        await open_and_check("permissions", ChmodDialog(window, ["readme.txt"], 0o644))
        asking = asyncio.ensure_future(ask_text(window, window.tr("Create folder"),
                                                window.tr("Folder name:")))
        await settle()
        await open_and_check("create folder", newest(QInputDialog))
        await asking
        confirming = asyncio.ensure_future(confirm(window, window.tr("Delete"),
                                                   window.tr("Delete readme.txt?")))
        await settle()
        await open_and_check("confirm delete", newest(QMessageBox))
        await confirming
        await window.shutdown()

    try:
        run_on_qt_loop(app, asyncio.wait_for(scenario(), 90))
    finally:
        demo.stop()
    report.write_text(json.dumps(found, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], Path(sys.argv[2])))
