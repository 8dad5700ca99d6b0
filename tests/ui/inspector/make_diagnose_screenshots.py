"""Screenshots of the Diagnose wizard (run under Xvfb from the repository root, not part
of the suite):

    DISPLAY=:97 python tests/ui/inspector/make_diagnose_screenshots.py [scenario ...]

For each demo scenario (default: passive-blocked, nat-misconfigured) a real diagnosis
runs against the demo server on loopback; the verdict page is saved as
docs/screenshots/diagnose-<scenario>.png and, when the third row takes long enough to
be caught running, the running page (rows and ladder) as
docs/screenshots/diagnose-<scenario>-running.png.
"""

from __future__ import annotations

import asyncio
import os
import sys

import qasync
from PySide6.QtWidgets import QApplication

from client.demo import DemoServer
from client.engine.diagnose.model import Probe
from client.engine.settings import ConnectionSettings, TlsMode
from client.ui.inspector.diagnose_wizard import DiagnoseWizard

OUTPUT = "docs/screenshots/diagnose-{}{}.png"


async def settle(rounds: int = 20) -> None:
    for _ in range(rounds):
        await asyncio.sleep(0.05)


async def shoot(scenario: str) -> None:
    server = DemoServer(scenario, give_up_after=2.0).start()
    try:
        settings = ConnectionSettings(host=server.host, port=server.port, user=server.user,
                                      password=server.password, tls=TlsMode.OFF,
                                      data_timeout=1.0)

        async def apply(_recommendation: object) -> str:
            return "applied"

        wizard = DiagnoseWizard(settings, "/", apply=apply)
        wizard.resize(960, 760)
        wizard.show()
        await settle(4)
        wizard.next()
        shot_running = False
        while wizard.diagnosis is None:
            await asyncio.sleep(0.1)
            # mid-run: the third row (PASV to the control address) has been trying a while
            if not shot_running and wizard.rows.running is Probe.PASV_CONTROL \
                    and wizard.rows.elapsed() > 0.6:
                wizard.grab().save(OUTPUT.format(scenario, "-running"))
                shot_running = True
        await settle()
        wizard.next()
        await settle()
        wizard.grab().save(OUTPUT.format(scenario, ""))
        print(OUTPUT.format(scenario, ""))
        wizard.close()
    finally:
        server.stop()


async def shoot_all(scenarios: list[str]) -> None:
    for scenario in scenarios:
        await shoot(scenario)


def main() -> None:
    os.environ.setdefault("FTP_INSPECTOR_CONFIG_DIR", "/tmp/ftpi-screenshot-config")
    QApplication.instance() or QApplication([])
    qasync.run(shoot_all(sys.argv[1:] or ["passive-blocked", "nat-misconfigured"]))


if __name__ == "__main__":
    main()
