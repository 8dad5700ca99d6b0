"""The command line over the same attacks: `mirror` of a hostile tree writes nothing
outside its folder and reports each refused name escaped; `get` over a broken link
leaves an existing file intact and keeps the .part; `--resume` then completes it."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from fixtures.scripted_faults import hostile_unix_listing, reset_after, unix_listing
from fixtures.scripted_steps import in_turn, transfer

from .hostile import raw_controls

PAYLOAD = os.urandom(300_000)


def run_cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "client", *args], capture_output=True,
                          text=True, errors="surrogateescape", env=env, timeout=90)


def test_mirror_of_a_hostile_tree(scripted_server, child_env, tmp_path):
    sub = unix_listing([("-", b"inner.txt", 5)])

    def listing(session, argument):
        payload = sub if argument.rstrip("/").endswith("subdir") else hostile_unix_listing()
        transfer(payload=payload).run(session, argument)

    def retrieve(session, argument):
        transfer(payload=b"content of " + argument.encode("utf-8", "surrogateescape")
                 ).run(session, argument)

    server = scripted_server({"LIST": listing, "RETR": retrieve})
    arena = tmp_path / "arena"  # the only folder the mirror may touch: arena/box/mirror
    destination = arena / "box" / "mirror"
    (arena / "box").mkdir(parents=True)
    (arena / "neighbour.txt").write_text("left alone")
    result = run_cli(["mirror", "--timeout", "5", "--parallel", "3",
                      f"ftp://alice@127.0.0.1:{server.port}//hostile", str(destination)],
                     {**child_env, "FTP_PASSWORD": server.password})
    assert result.returncode in (0, 1, 4), result.stderr[-2000:]
    outside = sorted(str(p.relative_to(arena)) for p in arena.rglob("*")
                     if p != destination and destination not in p.parents)
    assert outside == ["box", "neighbour.txt"]
    assert (destination / "good.txt").read_bytes() == b"content of /hostile/good.txt"
    assert (destination / "subdir" / "inner.txt").exists()
    for path in destination.rglob("*"):
        assert not path.is_symlink()
    assert raw_controls(result.stdout) == [] and raw_controls(result.stderr) == []
    combined = result.stdout + result.stderr
    assert "../escape.txt" in combined or "escape.txt" in combined  # reported
    assert "\\x1b" in combined


def test_get_over_a_broken_link_keeps_the_old_file_then_resumes(scripted_server, child_env,
                                                               tmp_path):
    server = scripted_server({
        "RETR": in_turn(reset_after(PAYLOAD, 100_000,
                                    final=b"426 Connection closed; transfer aborted.\r\n"),
                        transfer(payload=PAYLOAD)),
        "SIZE": f"213 {len(PAYLOAD)}\r\n".encode(),
    })
    target = tmp_path / "file.bin"
    target.write_bytes(b"old version\n")
    env = {**child_env, "FTP_PASSWORD": server.password}
    url = f"ftp://alice@127.0.0.1:{server.port}//file.bin"
    refused = run_cli(["get", "--timeout", "3", "-o", str(target), url], env)
    assert refused.returncode == 6 and target.read_bytes() == b"old version\n"
    first = run_cli(["get", "--overwrite", "--timeout", "3", "--data-timeout", "2", "-o",
                     str(target), url], env)
    assert first.returncode == 3, first.stderr[-2000:]
    assert target.read_bytes() == b"old version\n"
    part = Path(str(target) + ".part")
    assert part.exists() and PAYLOAD.startswith(part.read_bytes())
    assert len(first.stderr.strip()) > 20  # explained

    second = run_cli(["get", "--resume", "--timeout", "3", "-o", str(target), url], env)
    assert second.returncode == 0, second.stderr[-2000:]
    assert hashlib.sha256(target.read_bytes()).hexdigest() == \
        hashlib.sha256(PAYLOAD).hexdigest()
    assert any(line.startswith("REST ") and line != "REST 0" for line in server.lines())
    assert not part.exists()
