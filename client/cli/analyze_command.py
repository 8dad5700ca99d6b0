"""``ftp-inspector analyze FILE``: read a packet capture and show it as a session.

The capture goes through :mod:`client.engine.capture`, which produces the engine's own
events, so this prints exactly what a live ``-v`` run prints (the transcript), then the
data-channel table, the TCP evidence of each data connection and the verdict of the
``diagnose`` rule with what the capture cannot show. ``--ladder`` draws the ASCII
ladder, ``--json`` prints one JSON document. Exit code: 0 when nothing failed, 3 when a
data-channel problem was found, 1 for a file that cannot be analysed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from typing import IO

from client.cli.output import format_verbose
from client.engine.capture import CaptureAnalysis, CaptureError, analyze_capture
from client.engine.capture.capture_comparison import compare_captures, control_differences
from client.engine.ladder import COLUMNS, LadderModel, channel_rows
from client.engine.ladder_ascii import render_events
from client.protocol.text import escape_control

__all__ = ["register", "format_analysis", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "analyze", help="read a pcap/pcapng capture and explain its FTP data connections",
        description="Read a packet capture (pcap or pcapng, also gzip-compressed; Ethernet, "
                    "Linux cooked, raw IP or loopback; IPv4 and IPv6), find every FTP "
                    "control connection on any port, follow every data connection it "
                    "announced, and give the verdict of the diagnose rule.")
    parser.add_argument("file", help="the capture file (e.g. from tcpdump -w or Wireshark)")
    parser.add_argument("other", nargs="?",
                        help="a second capture of the same session from the other side of a "
                             "NAT: the data addresses rewritten in between are shown")
    parser.add_argument("--json", action="store_true", help="print the analysis as JSON")
    parser.add_argument("--ladder", action="store_true",
                        help="also draw the ASCII ladder (on stderr with --json)")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no transcript: only the table, the evidence and the verdict")
    parser.set_defaults(func=run)


def _table(analysis: CaptureAnalysis) -> list[str]:
    model = LadderModel()
    model.feed_all(list(analysis.events))
    rows = channel_rows(model)
    if not rows:
        return ["Data connections: none"]
    keys = ["channel", "command", "mode", "advertised", "used", "initiator", "bytes", "outcome"]
    headers = dict(COLUMNS)
    cells = [[headers[k] for k in keys]]
    cells += [[escape_control(str(row.cell(k))) for k in keys] for row in rows]
    widths = [min(40, max(len(r[i]) for r in cells)) for i in range(len(keys))]
    out = ["Data connections:"]
    for index, row in enumerate(cells):
        out.append("  " + "  ".join(c[:w].ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            out.append("  " + "  ".join("-" * w for w in widths))
    return out


def format_analysis(analysis: CaptureAnalysis, *, transcript: bool = True) -> str:
    """The whole report as text (transcript, table, evidence, verdict, limits)."""
    lines = [f"Capture {escape_control(analysis.summary())}", ""]
    if transcript:
        tag = len(analysis.conversations) > 1
        for event in analysis.events:
            lines += [text for _style, text in format_verbose(event, tag=tag)]
        lines.append("")
    lines += _table(analysis)
    for report in analysis.channels:
        guess = " (paired by guess)" if report.guessed else ""
        lines.append(f"  data #{report.channel} [{report.connection}] "
                     f"{escape_control(report.command)}{guess}:")
        lines += [f"    - {escape_control(fact)}" for fact in report.evidence]
    verdict = analysis.judgement.verdict
    lines += ["", f"Verdict: {verdict.headline} [{verdict.key}]",
              f"  {escape_control(verdict.explanation)}"]
    if verdict.fixes:
        lines.append("  Fix:")
        lines += [f"    - {escape_control(fix)}" for fix in verdict.fixes]
    if verdict.firewall:
        lines.append(f"  Firewall: {escape_control(verdict.firewall)}")
    lines.append("  What this capture cannot show:")
    lines += [f"    - {escape_control(limit)}" for limit in analysis.judgement.limits]
    return "\n".join(lines) + "\n"


def _json(analysis: CaptureAnalysis) -> dict[str, object]:
    return {
        "file": analysis.path, "format": analysis.format, "packets": analysis.packets,
        "interfaces": {str(k): v for k, v in analysis.interfaces.items()},
        "duration": round(analysis.duration, 6),
        "control_connections": [
            {"name": c.name, "client": str(c.stream.client), "server": str(c.stream.server),
             "from_start": c.stream.from_start, "encrypted_from": c.opaque_since}
            for c in analysis.conversations],
        "data_connections": [
            {"channel": r.channel, "connection": r.connection, "method": r.method,
             "command": r.command, "passive": r.passive, "advertised": r.advertised,
             "local": r.local, "remote": r.remote, "seen": r.seen, "guessed": r.guessed,
             "failure": r.failure.value if r.failure else None, "reply_code": r.reply_code,
             "evidence": list(r.evidence)}
            for r in analysis.channels],
        **analysis.judgement.to_json(),
    }


def exit_code_for(analysis: CaptureAnalysis) -> int:
    return 0 if analysis.judgement.verdict.key == "healthy" else 3


def _between(analysis: CaptureAnalysis, other: CaptureAnalysis) -> list[str]:
    names = (os.path.basename(analysis.path), os.path.basename(other.path))
    found = [r.describe(*names) for r in compare_captures(analysis, other)]
    found += control_differences(analysis, other, names)
    return found or [f"every 227/229/PORT/EPRT line reads the same in {names[0]} and "
                     f"{names[1]}: nothing between the capture points rewrote them"]


def run(args: argparse.Namespace, stdout: IO[str] | None = None,
        stderr: IO[str] | None = None) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        analysis = analyze_capture(args.file)
        other = analyze_capture(args.other) if args.other else None
    except CaptureError as error:
        print(f"ftp-inspector analyze: {escape_control(error.message)}", file=err)
        return error.exit_code
    between = _between(analysis, other) if other is not None else None
    if args.json:
        document = _json(analysis)
        if between is not None:
            document["between_captures"] = between
        json.dump(document, out, ensure_ascii=False, indent=1)
        out.write("\n")
    else:
        out.write(format_analysis(analysis, transcript=not args.quiet))
        if between is not None:
            out.write("\nBetween the two captures:\n")
            out.write("".join(f"  - {escape_control(line)}\n" for line in between))
    if args.ladder:
        stream = err if args.json else out
        width = max(60, min(120, shutil.get_terminal_size((100, 24)).columns))
        if not args.json:
            stream.write("\n")
        stream.write(render_events(analysis.events, width=width))
    out.flush()
    return exit_code_for(analysis)
