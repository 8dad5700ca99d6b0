"""Run inside the lab's client namespace by tests/lab/test_window.py: the window's
Diagnose wizard, driven as a person would (the Next button, twice), against the lab
server; prints what the verdict page shows as JSON on stdout."""

from __future__ import annotations

import asyncio
import json
import os
import sys

import qasync
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWizard

from client.engine.settings import ConnectionSettings, TlsMode
from client.ui.inspector.diagnose_wizard import DiagnoseWizard


async def main() -> None:
    settings = ConnectionSettings(host=os.environ["FTPI_LAB_HOST"],
                                  user=os.environ["FTPI_LAB_USER"],
                                  password=os.environ["FTP_PASSWORD"], tls=TlsMode.OFF,
                                  data_timeout=float(os.environ.get("FTPI_LAB_TIMEOUT", "2")))
    wizard = DiagnoseWizard(settings, "/")
    wizard.show()
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    QTest.mouseClick(next_button, Qt.MouseButton.LeftButton)  # plan -> running
    for _ in range(1200):
        if wizard.diagnosis is not None and next_button.isEnabled():
            break
        await asyncio.sleep(0.05)
    QTest.mouseClick(next_button, Qt.MouseButton.LeftButton)  # running -> verdict
    for _ in range(100):  # until the verdict page is shown (bounded)
        if wizard.currentId() == DiagnoseWizard.VERDICT_PAGE:
            break
        await asyncio.sleep(0.05)
    page = wizard.verdict_page
    json.dump({"key": wizard.diagnosis.verdict.key if wizard.diagnosis else None,
               "page": wizard.currentId() == DiagnoseWizard.VERDICT_PAGE,
               "headline": page.headline.text(), "firewall": page.firewall.text(),
               "snippets": sorted(box.snippet.key for box in page.snippet_boxes)},
              sys.stdout)
    wizard.close()


if __name__ == "__main__":
    os.environ.setdefault("FTP_INSPECTOR_CONFIG_DIR", "/tmp/ftpi-lab-window-config")
    QApplication.instance() or QApplication([])
    qasync.run(main())
