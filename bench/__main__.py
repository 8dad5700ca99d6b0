"""``python -m bench`` (or ``bench/run``): the whole performance suite on loopback.

Starts its own servers on 127.0.0.1 (pyftpdlib in a child process; vsftpd from
/opt/ftpi-test-servers when installed and run as root), runs every case against the
engine and the reference tool in alternation (A B, B A, …), prints medians, ratios and
peak RSS per case with the load average, and writes everything as JSON to
bench/results/bench-YYYYmmdd-HHMMSS.json (``--save-latest`` also writes latest.json, the
summary kept in git).

    python -m bench [--big | --quick] [--case NAME ...] [--pairs N] [--servers vsftpd,pyftpdlib]
                    [--venv DIR | --no-installed]

Ratios are reference time / engine time: above 1.0 the engine is faster. The engine's
time is the operation (connect to close) measured inside its child process; the whole
process wall time (interpreter start and imports included) is in the JSON as well.
At the end every goal is listed with its figure, target and verdict (bench/goals.py).

The ``cli`` case (start-up) runs the commands from the checkout and from the checkout's
wheel installed in a virtual environment (``--venv DIR``, made or updated there; without
it a temporary one), as a user runs them; ``--no-installed`` skips the latter.

Sizes: by default 64 MiB transfers, 1,000 small files, 100,000-entry parses and 3 pairs
(a few minutes); ``--big`` uses the 1 GiB transfers and 5 pairs, ``--quick`` is a smoke
run of every case.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

from bench import cases_cli, cases_gui, cases_listing, cases_sftp, cases_transfer
from bench.goals import judge_goals, print_goals
from bench.harness import ROOT, load1, write_results
from bench.servers import (
    BenchServer,
    start_pyftpdlib_server,
    start_vsftpd_server,
    tools_missing,
    vsftpd_missing,
)

#: The CPU-bound cases run before the ones that move gigabytes through the page cache:
#: on a virtual machine that hands freed memory back to its host (free page reporting),
#: the memory the big cases' files had used costs every later allocation a host fault
#: (a run of 6 December: the parser alone 837,474 entries/s after the 1 GiB cases,
#: 1,239,745 a minute later by itself; `python -c pass` 56 ms instead of 38).
CASES = ("cli", "parse", "compare", "startup", "big-folder", "responsiveness", "listing",
         "download", "upload", "ftps", "sftp", "tree-download", "tree-upload")
#: Default: every goal measured in a few minutes (64 MiB transfers stand in for 1 GiB).
SMALL = {"size": 64 * 1024 * 1024, "pairs": 3, "files": 1000, "entries": 10_000,
         "gui_runs": 3, "flood": 100_000, "parse_entries": 100_000, "folder_entries": 100_000}
#: --big: the issue's sizes (1 GiB transfers) and 5 pairs.
BIG = {**SMALL, "size": 1024 * 1024 * 1024, "pairs": 5}
#: --quick: a smoke run of every case.
QUICK = {"size": 16 * 1024 * 1024, "pairs": 1, "files": 200, "entries": 2_000,
         "gui_runs": 1, "flood": 20_000, "parse_entries": 20_000, "folder_entries": 20_000}


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": model, "python": platform.python_version(),
            "kernel": platform.release(), "load_at_start": os.getloadavg()}


def _print_comparison(title: str, result: dict) -> None:
    engine = result["engine"]
    print(f"{title}")
    op_cpu = engine.get("median_op_cpu_s")
    print(f"  {'engine':<22} {engine['median_s']:8.3f} s   peak RSS "
          f"{engine['peak_rss_mib']:6.1f} MiB   (wall {engine['median_wall_s']:.3f} s"
          + (f", CPU {op_cpu:.2f} s of it in the operation" if op_cpu is not None else "")
          + f", whole process {engine['median_cpu_s']:.2f} s)")
    for label, ref in result["references"].items():
        print(f"  {label:<22} {ref['median_s']:8.3f} s   peak RSS {ref['peak_rss_mib']:6.1f} MiB"
              f"   ratio {ref['ratio']:5.2f}x (wall {ref['ratio_wall']:.2f}x, "
              f"CPU {ref['median_cpu_s']:.2f} s)")
    loads = [r["load1"] for r in engine["runs"]]
    print(f"  load average during runs {min(loads):.2f}–{max(loads):.2f}", flush=True)


class Servers:
    """Starts each server once, on first use, and stops them all at the end."""

    def __init__(self, work: Path, names: list[str]) -> None:
        self.work, self.names = work, names
        self._running: dict[str, BenchServer] = {}

    def get(self, name: str) -> BenchServer | None:
        if name not in self._running:
            if name in ("vsftpd", "vsftpd FTPS"):
                reason = vsftpd_missing()
                if reason:
                    print(f"# {name} skipped: {reason}", file=sys.stderr)
                    return None
                self._running[name] = start_vsftpd_server(tls=name == "vsftpd FTPS")
            else:
                self._running[name] = start_pyftpdlib_server(self.work)
        return self._running[name]

    def each(self) -> list[BenchServer]:
        return [s for s in (self.get(n) for n in self.names) if s is not None]

    def stop(self) -> None:
        for server in self._running.values():
            try:
                server.stop()
            except Exception:  # noqa: BLE001 - a stop failure must not hide the results
                traceback.print_exc()


def run_cases(args: argparse.Namespace, sizes: dict, work: Path, results: dict) -> None:
    servers = Servers(work, args.servers.split(","))
    pairs = args.pairs or sizes["pairs"]
    wanted = args.case or list(CASES)
    try:
        for case in wanted:
            started = time.perf_counter()
            print(f"# case {case} (load {load1():.2f})", file=sys.stderr, flush=True)
            try:
                _run_case(case, servers, sizes, pairs, work, results, args)
            except Exception as exc:  # noqa: BLE001 - report, go on with the next case
                traceback.print_exc()
                results["cases"][case] = {"error": f"{type(exc).__name__}: {exc}"}
            print(f"# case {case} took {time.perf_counter() - started:.0f} s", file=sys.stderr)
    finally:
        servers.stop()


def _installed_script(args: argparse.Namespace, work: Path) -> Path | None:
    """The installed wheel's ``ftp-inspector`` for the cli case (None: not measured)."""
    if args.no_installed:
        return None
    from bench.installed import install_checkout

    target = args.venv or work / "venv"
    print(f"# installing the checkout's wheel into {target}", file=sys.stderr, flush=True)
    try:
        return install_checkout(target)
    except Exception as exc:  # noqa: BLE001 - the checkout's figures still count
        print(f"# installed-wheel figures skipped: {exc}", file=sys.stderr)
        return None


def _print_cli(result: dict, server_name: str, where: str) -> None:
    _print_comparison(f"6. ftp-inspector --version (whole process, {where})",
                      result["version"])
    _print_comparison(f"6. ftp-inspector explain \"227 …\" (whole process, {where})",
                      result["explain"])
    _print_comparison(f"6. ftp-inspector get of a 34-byte file from {server_name} vs curl "
                      f"(whole processes, {where})", result["get_tiny"])


def _run_case(case: str, servers: Servers, sizes: dict, pairs: int, work: Path,
              results: dict, args: argparse.Namespace) -> None:
    out = results["cases"]
    mib = sizes["size"] // (1024 * 1024)
    if case == "cli":
        server = servers.each()[0]
        result = cases_cli.case_cli(server, work, pairs, _installed_script(args, work))
        out[case] = result
        _print_cli(result, server.name, "checkout")
        if "installed" in result:
            _print_cli(result["installed"], server.name, "installed wheel")
    elif case == "ftps":
        server = servers.get("vsftpd FTPS")
        if server is None:
            return
        out[case] = {
            "download": cases_transfer.case_download(server, work, sizes["size"], pairs),
            "upload": cases_transfer.case_upload(server, work, sizes["size"], pairs)}
        _print_comparison(f"2. FTPS download {mib} MiB from {server.name}, session reuse "
                          "(curl --ssl-reqd/engine)", out[case]["download"])
        _print_comparison(f"2. FTPS upload {mib} MiB to {server.name}", out[case]["upload"])
    elif case == "sftp":
        result = cases_sftp.case_sftp(work, sizes["size"], pairs)
        out[case] = result
        if "skipped" in result:
            print(f"# sftp skipped: {result['skipped']}", file=sys.stderr)
            return
        _print_comparison(f"7. SFTP download {mib} MiB from OpenSSH sshd (sftp -b/engine)",
                          result["download"])
        _print_comparison(f"7. SFTP upload {mib} MiB to OpenSSH sshd", result["upload"])
        if not result["curl_sftp"]:
            print("  curl sftp: not compared, this curl was built without SFTP (curl -V)")
    elif case in ("download", "upload", "tree-download", "tree-upload"):
        out[case] = {}
        for server in servers.each():
            if case == "download":
                result = cases_transfer.case_download(server, work, sizes["size"], pairs)
                title = f"1. download {mib} MiB from {server.name} (curl/engine)"
            elif case == "upload":
                result = cases_transfer.case_upload(server, work, sizes["size"], pairs)
                title = f"2. upload {mib} MiB to {server.name}"
            elif case == "tree-download":
                result = cases_transfer.case_tree_download(server, work, sizes["files"], pairs)
                title = f"3. {sizes['files']} x 4 KiB, 4 connections, from {server.name}"
            else:
                result = cases_transfer.case_tree_upload(server, work, sizes["files"], pairs)
                title = f"3. {sizes['files']} x 4 KiB, 4 connections, to {server.name}"
            out[case][server.name] = result
            _print_comparison(title, result)
    elif case == "listing":
        out[case] = {}
        for name, command in (("pyftpdlib", "MLSD"), ("vsftpd", "LIST")):
            if name not in servers.names:
                continue
            server = servers.get(name)
            if server is None:
                continue
            result = cases_listing.case_listing(server, work, sizes["entries"], pairs, command)
            out[case][f"{command} {name}"] = result
            _print_comparison(f"4. {sizes['entries']:,}-entry {command} listing fetched and "
                              f"parsed, {server.name} "
                              f"({result['engine_entries_per_s']:,.0f} entries/s end to end)",
                              result)
    elif case == "parse":
        result = cases_listing.case_parse(sizes["parse_entries"], 5)
        out[case] = result
        print(f"4. parser alone, {sizes['parse_entries']:,} entries (best of 5): "
              f"MLSD {result['mlsd']['entries_per_second']:,.0f} entries/s, "
              f"LIST {result['unix']['entries_per_second']:,.0f} entries/s"
              + (f", MLSD with every field read "
                 f"{result['mlsd_read_all']['entries_per_second']:,.0f} entries/s"
                 if "mlsd_read_all" in result else ""))
    elif case == "compare":
        from bench import compare_trees

        result = compare_trees.run(sizes["entries"], 5)
        out[case] = result
        print(f"4. directory comparison and plan, {result['entries_remote']:,} remote / "
              f"{result['entries_local']:,} local entries (best of 5): "
              f"{result['seconds'] * 1000:.0f} ms, {result['actions']:,} actions")
    elif case == "responsiveness":
        server = servers.each()[0]
        result = cases_gui.case_heartbeat(server, work, sizes["size"], sizes["gui_runs"],
                                          sizes["flood"])
        out[case] = result
        print(f"5. 10 ms heartbeat in the window: largest gap {result['download_max_gap_ms']:.1f}"
              f" ms during a {mib} MiB download from {server.name}, "
              f"{result['flood_max_gap_ms']:.1f} ms while {sizes['flood']:,} console events "
              f"arrive; peak RSS {max(r['peak_rss_mib'] for r in result['download_runs']):.0f}"
              " MiB")
    elif case == "big-folder":
        server = servers.get("pyftpdlib") or servers.each()[0]
        result = cases_gui.case_big_folder(server, sizes["folder_entries"], sizes["gui_runs"])
        out[case] = result
        print(f"6. {result['entries']:,}-entry folder from {server.name} shown in the window "
              f"{result['median_s']:.3f} s after the last byte (median, "
              f"{result['min_s']:.3f}-{result['max_s']:.3f})")
    elif case == "startup":
        result = cases_gui.case_startup(pairs)
        out[case] = result
        _print_comparison("6. process start to first window shown (offscreen)",
                          result["first_window"])
        _print_comparison("6. ftp-inspector explain, end to end", result["explain"])
    else:
        raise SystemExit(f"unknown case {case!r}; cases: {', '.join(CASES)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench",
                                     description=__doc__.split("\n\n")[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--big", action="store_true",
                      help="1 GiB transfers and 5 pairs (default: 64 MiB, 3 pairs)")
    size.add_argument("--quick", action="store_true",
                      help="a smoke run: 1 pair, 16 MiB files, 200 small files")
    parser.add_argument("--case", action="append", choices=CASES,
                        help="run only this case (repeatable)")
    parser.add_argument("--pairs", type=int, help="alternating pairs per case (default 3)")
    parser.add_argument("--servers", default="vsftpd,pyftpdlib",
                        help="servers for the transfer cases (default vsftpd,pyftpdlib)")
    installed = parser.add_mutually_exclusive_group()
    installed.add_argument("--venv", type=Path, default=None, metavar="DIR",
                           help="cli case: the virtual environment to install the checkout's "
                                "wheel into and run it from (made when missing; default: a "
                                "temporary one)")
    installed.add_argument("--no-installed", action="store_true",
                           help="cli case: run the commands from the checkout only")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--save-latest", action="store_true",
                        help="also write bench/results/latest.json")
    args = parser.parse_args(argv)
    missing = tools_missing()
    if missing:
        print(f"python -m bench: needs {', '.join(missing)} (the reference tools)",
              file=sys.stderr)
        return 2
    sizes = QUICK if args.quick else BIG if args.big else SMALL
    results: dict = {"started": time.strftime("%Y-%m-%d %H:%M:%S"), "quick": args.quick,
                     "big": args.big,
                     "sizes": sizes, "machine": machine(), "cases": {}}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ftpi-bench-", dir="/tmp") as tmp:
        work = Path(tmp)
        os.chmod(work, 0o755)
        run_cases(args, sizes, work, results)
        shutil.rmtree(work, ignore_errors=True)
    results["duration_s"] = time.perf_counter() - started
    results["goals"] = judge_goals(results)
    print_goals(results["goals"])
    path = write_results(results, args.results, latest=args.save_latest)
    print(f"# {results['duration_s']:.0f} s; results in {path}", file=sys.stderr)
    return 1 if any("error" in c for c in results["cases"].values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
