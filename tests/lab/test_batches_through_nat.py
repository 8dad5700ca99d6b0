"""Small files in batches (client/engine/queue/batch.py) on a real network: vsftpd behind
the lab's NAT router, its 227 naming its internal address. The batch thread must dial
what the normal path dials (the control connection's address, said in a notice), and
the observers must see every data connection."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from fixtures.lab import ROUTER_WAN, SERVER_LAN, Lab

pytestmark = pytest.mark.lab

ENGINE_SCRIPT = str(Path(__file__).with_name("engine_batch.py"))
FILES = {f"docs/b{i:02d}.bin": hashlib.sha256(str(i).encode()).digest() * (40 * i + 1)
         for i in range(24)}


def test_a_folder_of_small_files_goes_through_nat_in_batches(lab: Lab) -> None:
    lab.nat(forward="50000-50010")
    server = lab.start_vsftpd(pasv_address=None, files=FILES)
    target = lab.workdir / "dl"
    run = lab.run_python([ENGINE_SCRIPT, lab.router_wan, "21", server.user, "/docs",
                          str(target)], password=server.password, timeout=120)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert set(report["states"]) == {"done"}, report
    for relative, data in FILES.items():
        assert (target / Path(relative).name).read_bytes() == data
    assert report["batches"] and sum(report["batches"]) >= len(FILES) - 4, report["batches"]
    retrieved = [c for c in report["channels"] if c["command"].startswith("RETR")]
    connected = [c for c in retrieved if c["phase"] == "connected"]
    closed = [c for c in retrieved if c["phase"] == "closed"]
    # (the lab's sample tree adds docs/notes.md and docs/nested/deep.txt)
    assert len(connected) == len(closed) == len(report["states"]) == len(FILES) + 2
    assert all(c["advertised"].startswith(SERVER_LAN) for c in connected), connected[:3]
    assert all(c["remote"].startswith(ROUTER_WAN) for c in connected), connected[:3]
    assert not [c for c in report["channels"] if c["phase"] == "failed"]
    assert any(SERVER_LAN in text for text in report["notices"]), report["notices"]
