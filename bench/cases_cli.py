"""Case 6 (command line): how long the commands take from process start to exit.

``ftp-inspector --version`` and ``explain`` against the floor every Python program pays
(``python -c pass``: the interpreter and the site packages' start-up hooks), and
``ftp-inspector get`` of a 34-byte file against ``curl`` fetching the same file — both
whole processes, connect and login included. The byte code is compiled once before
(an installed package ships it; a checkout run with PYTHONDONTWRITEBYTECODE would
otherwise compile every module on every run).
"""

from __future__ import annotations

import compileall
import sys
from pathlib import Path

from bench.cases_transfer import _curl, cli_get
from bench.harness import ROOT, Side, alternate, compare, python_child, run_child
from bench.servers import BenchServer

TINY_NAME = "bench-tiny.txt"
TINY = b"a tiny file of thirty-four bytes\r\n"
EXPLAIN_LINE = "227 Entering Passive Mode (10,0,0,5,195,80)"


def compile_client() -> None:
    compileall.compile_dir(str(ROOT / "client"), quiet=1)


def case_cli(server: BenchServer, work: Path, pairs: int, script: Path | None = None) -> dict:
    """The checkout's commands; with ``script`` (an installed ``ftp-inspector``) the
    installed ones too, alternated with them."""
    compile_client()
    env = server.engine_env()
    installed_env = {k: v for k, v in env.items() if k != "PYTHONPATH"}
    floor = Side("python -c pass", lambda _i: run_child([sys.executable, "-c", "pass"])[0])
    version = Side("--version", lambda _i: run_child(
        python_child("client", "--version"), env=env)[0])
    explain = Side("explain", lambda _i: run_child(
        python_child("client", "explain", EXPLAIN_LINE), env=env)[0])
    sides = [version, explain, floor]
    if script is not None:
        python = str(script.parent / "python")
        i_floor = Side("installed python -c pass", lambda _i: run_child(
            [python, "-c", "pass"], env=installed_env)[0])
        i_version = Side("installed --version", lambda _i: run_child(
            [str(script), "--version"], env=installed_env)[0])
        i_explain = Side("installed explain", lambda _i: run_child(
            [str(script), "explain", EXPLAIN_LINE], env=installed_env)[0])
        sides += [i_version, i_explain, i_floor]
    alternate(sides, pairs * 2, name="start-up")

    source = server.root / TINY_NAME
    source.write_bytes(TINY)
    server.give(source)
    netrc = server.netrc(work)
    target = work / "tiny.txt"

    def check(label: str, _index: int) -> None:
        if target.read_bytes() != TINY:
            raise SystemExit(f"get of the tiny file by {label}: wrong content")
        target.unlink()

    get = Side("ftp-inspector get", lambda _i: cli_get(server, TINY_NAME, target))
    curl = Side("curl", lambda _i: _curl(server, netrc, "-o", str(target),
                                         f"{server.url}/{TINY_NAME}"))
    gets = [get, curl]
    if script is not None:
        i_get = Side("installed get", lambda _i: run_child(
            [str(script), "get", "-q", *server.cli_args(TINY_NAME), "-o", str(target)],
            env=installed_env)[0])
        gets.append(i_get)
    alternate(gets, pairs * 2, after=check, name=f"get tiny {server.name}")
    source.unlink()
    result = {"version": compare(version, [floor]), "explain": compare(explain, [floor]),
              "get_tiny": compare(get, [curl])}
    if script is not None:
        result["installed"] = {"venv": str(script.parent.parent),
                               "version": compare(i_version, [i_floor]),
                               "explain": compare(i_explain, [i_floor]),
                               "get_tiny": compare(i_get, [curl])}
    return result
