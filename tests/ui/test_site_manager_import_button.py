"""Site Manager → Import FileZilla…: clicking the button asks for the file, and the
chosen file's sites appear in the tree (the button's ``checked`` flag is no path)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QPushButton

pytestmark = pytest.mark.gui


def test_import_button_asks_for_the_file_and_imports_it(qtbot, config_dir, memory_keyring,
                                                        tmp_path: Path) -> None:
    from client.ui.sites.dialog import SiteManagerDialog

    xml = tmp_path / "sitemanager.xml"
    xml.write_text("""<?xml version="1.0"?><FileZilla3><Servers><Folder>Imported
      <Server><Host>127.0.0.1</Host><Port>2121</Port><Protocol>0</Protocol>
      <Logontype>0</Logontype><Name>Mirror</Name></Server></Folder></Servers></FileZilla3>""")
    dialog = SiteManagerDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    button = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Import FileZilla…")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    chooser = dialog.findChild(QFileDialog)
    assert chooser is not None and chooser.isVisible()
    chooser.selectFile(str(xml))  # the person picks the file and presses Open
    chooser.accept()
    assert "Imported 1 site" in dialog.message.text()
    assert dialog.tree.topLevelItem(0).text(0) == "Imported"
    dialog.close()
