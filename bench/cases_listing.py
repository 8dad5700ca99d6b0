"""Case 4: a 10,000-entry folder listed (MLSD on pyftpdlib, LIST on vsftpd) and parsed
by the engine, against curl fetching it without parsing (the lower bound) and lftp's
``cls``; and the parser alone on generated listings (bench.listing_parse)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from bench.harness import Side, alternate, compare, python_child, run_child
from bench.servers import BenchServer

FOLDER = "bench-list"


def make_folder(server: BenchServer, entries: int) -> Path:
    folder = server.root / FOLDER
    folder.mkdir(exist_ok=True)
    for index in range(entries):
        (folder / f"entry-{index:06d} report.txt").touch()
    server.give(folder)
    return folder


def case_listing(server: BenchServer, work: Path, entries: int, pairs: int,
                 command: str) -> dict:
    """``command`` is what the engine will send to this server: MLSD (pyftpdlib) or
    LIST (vsftpd offers no MLSD); curl is told to send the same."""
    folder = make_folder(server, entries)
    netrc = server.netrc(work)
    env = server.engine_env()
    url = f"{server.url}/{FOLDER}/"
    curl_args = ["curl", "-s", "-S", "--netrc-file", str(netrc), "-o", "/dev/null"]
    if command == "MLSD":
        curl_args += ["-X", "MLSD"]
    script = server.lftp_script(work, f"cls -l {FOLDER} > /dev/null", "cls")
    counted: list[int] = []

    def engine_run(_index: int):
        run, out = run_child(python_child("bench.engine_child", "list", f"/{FOLDER}"), env=env)
        report = json.loads(out.strip().splitlines()[-1])
        if report["entries"] < entries or report["unparsed"]:
            raise SystemExit(f"listing: {report} for {entries} entries")
        counted.append(report["entries"])
        return run

    engine = Side("engine", engine_run)
    curl = Side("curl (no parse)", lambda _i: run_child([*curl_args, url])[0])
    lftp = Side("lftp cls", lambda _i: run_child(["lftp", "-f", str(script)])[0])
    alternate([engine, curl, lftp], pairs, name=f"listing {command} {server.name}")
    shutil.rmtree(folder)
    result = compare(engine, [curl, lftp])
    result["entries"] = entries
    result["command"] = command
    result["engine_entries_per_s"] = entries / result["engine"]["median_s"]
    return result


def case_parse(entries: int, repeat: int) -> dict:
    """The parser alone, best of ``repeat`` (bench.listing_parse does the measuring)."""
    from bench import listing_parse

    return {"entries": entries, "repeat": repeat, **listing_parse.run(entries, repeat)}
