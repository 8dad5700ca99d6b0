"""The performance goals, judged from one run's results: each with its measured figure,
the medians and spread (min–max) it comes from, the target and whether it is met.

Ratios are reference / engine (above 1.0 the engine is faster) on the operation time,
except where a goal is about whole processes (start-up, the CLI's ``get``).
"""

from __future__ import annotations

from collections.abc import Iterator

MB = 1_000_000 / (1024 * 1024)  # MiB per MB


def _spread(side: dict, key: str = "") -> str:
    runs = side["runs"]
    values = [r[key] for r in runs] if key else [r["op_s"] if r["op_s"] is not None
                                                 else r["wall_s"] for r in runs]
    median = side["median_wall_s"] if key == "wall_s" else side["median_s"]
    return f"{median:.3f} s ({min(values):.3f}–{max(values):.3f})"


def _ratio_goal(name: str, result: dict, reference: str, target: float = 1.0) -> dict:
    ref = result["references"][reference]
    return {"goal": name, "engine": _spread(result["engine"]), "reference":
            f"{reference} {_spread(ref)}", "measured": f"{ref['ratio']:.2f}×",
            "target": f"≥ {target:.1f}×", "met": ref["ratio"] >= target}


def _transfer_goals(cases: dict) -> Iterator[dict]:
    for case, reference, what in (("download", "curl file", "download"),
                                  ("upload", "curl -T", "upload")):
        for server, result in cases.get(case, {}).items():
            if "engine" in result:
                mib = result["bytes"] // (1024 * 1024)
                yield _ratio_goal(f"{mib} MiB {what}, {server}", result, reference)
    ftps = cases.get("ftps", {})
    for what, reference in (("download", "curl file"), ("upload", "curl -T")):
        if what in ftps:
            mib = ftps[what]["bytes"] // (1024 * 1024)
            yield _ratio_goal(f"FTPS {mib} MiB {what}, vsftpd, session reuse", ftps[what],
                              reference)
    sftp = cases.get("sftp", {})
    for what in ("download", "upload"):
        if "engine" in sftp.get(what, {}):
            mib = sftp[what]["bytes"] // (1024 * 1024)
            yield _ratio_goal(f"SFTP {mib} MiB {what}, OpenSSH sshd", sftp[what],
                              "openssh sftp")
    for case, reference, what in (("tree-download", "lftp mirror", "download"),
                                  ("tree-upload", "lftp mirror -R", "upload")):
        for server, result in cases.get(case, {}).items():
            if "engine" in result:
                yield _ratio_goal(f"{result['files']:,} × 4 KiB {what}, 4 connections, "
                                  f"{server}", result, reference)


def _start_up_goals(cli: dict, floor_label: str, where: str) -> Iterator[dict]:
    """The three whole-process goals of one place the commands ran from (the checkout,
    or the installed wheel: ``where`` is added to the goal's name)."""
    suffix = f", {where}" if where else ""
    for key, label in (("version", "ftp-inspector --version"),
                       ("explain", "ftp-inspector explain")):
        side = cli[key]["engine"]
        floor = cli[key]["references"][floor_label]
        yield {"goal": f"{label}, whole process{suffix}", "engine": _spread(side, "wall_s"),
               "reference": f"{floor_label} {_spread(floor, 'wall_s')}",
               "measured": f"{side['median_wall_s'] * 1000:.0f} ms",
               "target": "≤ 60 ms", "met": side["median_wall_s"] <= 0.060}
    get = cli["get_tiny"]
    curl = get["references"]["curl"]
    times = get["engine"]["median_wall_s"] / curl["median_wall_s"]
    yield {"goal": f"ftp-inspector get of a 34-byte file, whole process{suffix}",
           "engine": _spread(get["engine"], "wall_s"),
           "reference": f"curl {_spread(curl, 'wall_s')}",
           "measured": f"{times:.2f}× curl's time", "target": "≤ 2.0× curl's time",
           "met": times <= 2.0}


def _cli_goals(cases: dict) -> Iterator[dict]:
    cli = cases.get("cli")
    if cli and "version" in cli:
        yield from _start_up_goals(cli, "python -c pass", "")
        if "installed" in cli:
            yield from _start_up_goals(cli["installed"], "installed python -c pass",
                                       "installed wheel")
    for server, result in cases.get("download", {}).items():
        if "cli" in result:
            peak = result["cli"]["peak_rss_mib"]
            yield {"goal": f"peak RSS of ftp-inspector get, {result['bytes'] // 2**20} MiB "
                           f"from {server}", "engine": f"{peak / MB:.0f} MB", "reference": "",
                   "measured": f"{peak / MB:.0f} MB", "target": "< 60 MB",
                   "met": peak / MB < 60}


def _listing_goals(cases: dict) -> Iterator[dict]:
    parse = cases.get("parse")
    if parse and "mlsd" in parse:
        rate = parse["mlsd"]["entries_per_second"]
        yield {"goal": f"MLSD parser alone, {parse['entries']:,} entries (best of "
                       f"{parse['repeat']})", "engine": f"{parse['mlsd']['seconds']:.3f} s",
               "reference": "", "measured": f"{rate:,.0f} entries/s",
               "target": "≥ 1,000,000 entries/s", "met": rate >= 1_000_000}
    compare = cases.get("compare")
    if compare and "seconds" in compare:
        yield {"goal": f"comparison of two {compare['entries_remote']:,}-entry folders and "
                       "the sync plan (best of 5)",
               "engine": f"{compare['seconds']:.3f} s", "reference": "",
               "measured": f"{compare['seconds'] * 1000:.0f} ms", "target": "< 0.5 s",
               "met": compare["seconds"] < 0.5}
    folder = cases.get("big-folder")
    if folder and "error" not in folder:
        yield {"goal": f"{folder['entries']:,}-entry folder shown in the window within 1 s "
                       "of the last byte", "engine": f"{folder['server']}",
               "reference": "", "measured": f"{folder['median_s']:.3f} s (median, "
                                            f"{folder['min_s']:.3f}-{folder['max_s']:.3f})",
               "target": "≤ 1 s", "met": folder["median_s"] <= 1.0}
    else:
        yield {"goal": "100,000-entry folder shown in the window within 1 s of the last byte",
               "engine": "", "reference": "", "measured": "not measured in this run",
               "target": "≤ 1 s", "met": None}


def judge_goals(results: dict) -> list[dict]:
    cases = results.get("cases", {})
    return [*_cli_goals(cases), *_transfer_goals(cases), *_listing_goals(cases)]


def print_goals(goals: list[dict]) -> None:
    print("\nGoals (ratio = reference time / engine time; medians, min–max in brackets)")
    for goal in goals:
        mark = {True: "met", False: "MISSED", None: "—"}[goal["met"]]
        print(f"  [{mark:>6}] {goal['goal']}: {goal['measured']} (target {goal['target']})")
        details = "; ".join(part for part in (goal["engine"] and f"engine {goal['engine']}",
                                              goal["reference"]) if part)
        if details:
            print(f"           {details}")
