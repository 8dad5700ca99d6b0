"""``ftp-inspector --self-test`` in a child process (as the packaging smoke test runs it):
exit 0 and the success message, with the loopback guard active in the child."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.gui


def test_self_test_passes(child_env) -> None:
    child_env.pop("DISPLAY", None)
    result = subprocess.run([sys.executable, "-m", "client", "--self-test"], env=child_env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "self-test passed" in result.stdout
