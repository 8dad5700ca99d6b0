"""Loaded by child Python processes that tests start (PYTHONPATH includes this folder):
installs the loopback-only guard there too, and makes a blocked connect fatal for the
child by writing it to FTP_INSPECTOR_NETGUARD_LOG, which the parent test checks."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
try:
    import netguard  # noqa: E402

    netguard.install()
    _log = os.environ.get("FTP_INSPECTOR_NETGUARD_LOG")
    if _log:
        import atexit

        def _report() -> None:
            found = netguard.violations()
            if found:
                with open(_log, "a", encoding="utf-8") as handle:
                    for line in found:
                        handle.write(line + "\n")

        atexit.register(_report)
except Exception as exc:  # pragma: no cover - the guard must never break a child silently
    sys.stderr.write(f"netguard: could not install: {exc}\n")
    raise
