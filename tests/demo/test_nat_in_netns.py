"""What happens to a client that trusts nat-misconfigured's 227 address — observed only
inside a private network namespace (loopback only), so the dial cannot leave the machine."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def _netns_available() -> bool:
    if not (shutil.which("unshare") and shutil.which("ip")):
        return False
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(not _netns_available(), reason="needs unshare -n (root or user namespaces)")
def test_trusting_the_227_address_fails_and_the_substitute_works() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FTP_INSPECTOR_NETGUARD")}
    env["PYTHONPATH"] = str(REPO)  # no netguard here: the namespace is the guard
    script = f"ip link set lo up && exec {sys.executable} {HERE / 'netns_trusting_client.py'}"
    result = subprocess.run(
        ["unshare", "-n", "sh", "-c", script],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["advertised"] == "192.0.2.10"
    assert "unreachable" in outcome["trusting"].lower()  # ENETUNREACH: no route at all
    assert "README.txt" in outcome["substitute_listing"]
    assert outcome["substitute_reply"] == 226
