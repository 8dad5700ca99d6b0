"""Two saved sites on one host, one user, different ports (the demo and a copy on
another port, as staging beside production): connecting to one asked "Password for demo
on 127.0.0.1:", the same words for both. The question names the site and its port."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt

from client.config.sites import Site, SiteStore
from client.ui.dialogs import PasswordDialog

pytestmark = pytest.mark.gui


def test_the_password_question_says_which_site(window, qtbot, demo, config_dir) -> None:
    from client.ui.sites.connect import connect_site

    store = SiteStore()
    staging = Site(name="Staging", host=demo.host, port=demo.port, user=demo.user,
                   tls="off", logon="ask")
    production = Site(name="Production", host=demo.host, port=21, user=demo.user,
                      tls="off", logon="ask")
    store.save([staging, production])
    task = asyncio.ensure_future(connect_site(window, store, staging))
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(PasswordDialog)),
                    timeout=10_000)
    dialog = next(d for d in window.findChildren(PasswordDialog) if d.isVisible())
    question = dialog.message.text()
    assert "Staging" in question and f"{demo.host}:{demo.port}" in question, question
    qtbot.keyClicks(dialog.field, demo.password)
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    qtbot.waitUntil(task.done, timeout=15_000)
    task.result()
    assert window.connection.is_connected
