"""A whole GUI session in its own process (own QApplication and qasync loop, so it
cannot disturb the suite's shared loop): the site manager saves a site with its password
into an in-memory keyring, the window connects to it, lists, downloads, uploads, sends a
raw command, exports the console and saves its state. Logging goes to stderr at DEBUG.

Run by tests/security/test_secrets.py with: host port user output_folder; the password
arrives in FTPI_TEST_SECRET. Prints one JSON line of results (never the password).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from pathlib import Path


def main() -> int:
    host, port, user, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], Path(sys.argv[4])
    secret = os.environ.pop("FTPI_TEST_SECRET")
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr,
                        format="%(levelname)s %(name)s %(message)s")
    import keyring
    from PySide6.QtWidgets import QApplication

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from fixtures.waiting import until
    from ui.memkeyring import MemoryKeyring

    from client.config.sites import KEYRING_SERVICE
    from client.ui.main_window import MainWindow
    from client.ui.qt_loop import InspectorEventLoop
    from client.ui.sites.connect import connect_site
    from client.ui.sites.dialog import SiteManagerDialog

    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    app = QApplication([])
    loop = InspectorEventLoop(app)
    asyncio.set_event_loop(loop)
    local = out / "local"
    local.mkdir()
    (local / "up.bin").write_bytes(b"u" * 50_000)
    result: dict[str, object] = {}

    async def session() -> None:
        window = MainWindow(local_start=local)
        window.show()
        try:
            dialog = SiteManagerDialog(window)
            site = dialog.new_site()
            dialog.form.name.setText("Secret site")
            dialog.form.host.setText(host)
            dialog.form.port.setValue(port)
            dialog.form.set_combo(dialog.form.logon, "normal")
            dialog.form.user.setText(user)
            dialog.form.password.setText(secret)
            result["saved"] = dialog.save_current()
            result["in_keyring"] = backend.secrets.get((KEYRING_SERVICE, site.site_id)) == secret
            await connect_site(window, dialog.store, dialog.store.find("Secret site"))
            await window.connection.download("remote.bin", local / "remote.bin")
            await window.connection.upload(local / "up.bin", "up.bin")
            await window.connection.quote("NOOP")

            def noop_in_console() -> bool:
                window.bridge.flush()
                return "NOOP" in window.console.export_text("text")

            await until(noop_in_console)  # the last command's lines are in the console
            for fmt in ("text", "md", "jsonl"):
                (out / f"console.{fmt}").write_text(window.console.export_text(fmt))
            result["downloaded"] = (local / "remote.bin").stat().st_size
            window.save_state()
            dialog.close()
        finally:
            await window.shutdown()
            window.close()

    with loop:  # closing it stops its worker threads, as the app does on quit
        loop.run_until_complete(asyncio.wait_for(session(), 60))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
