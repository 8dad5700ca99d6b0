"""``ftp-inspector diagnose URL``: run the data-channel matrix and print the verdict.

Rows and the rule are in :mod:`client.engine.diagnose`; this module only prints them
(a table and the verdict, or ``--json``). Exit code: 0 when every way worked
(``healthy``), 3 when a data-channel problem was found, 2 when the login failed, 5 on
a TLS or certificate failure, 1 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import shlex

from client.cli.ladder_output import print_ladder
from client.cli.options import add_common_options
from client.cli.runner import CommandContext, run_command
from client.engine.diagnose.model import Attempt, Diagnosis, Outcome, SftpOffer
from client.engine.proxy.settings import ProxySettings
from client.protocol.text import escape_control

__all__ = ["register", "format_diagnosis", "exit_code_for", "try_sftp_command"]


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "diagnose", help="run the data-channel matrix and give a verdict",
        description="List the target once per way of opening a data connection (EPSV, "
                    "PASV to the advertised address, PASV to the control address, EPRT, "
                    "PORT), then over the control connection (STAT), then with TLS when "
                    "offered; print what worked and why the rest did not.")
    parser.add_argument("url", help="ftp://[user[:password]@]host[:port]/path, ftps://, "
                                    "ftpes://, or site:NAME/path")
    parser.add_argument("--json", action="store_true", help="print the diagnosis as JSON")
    parser.add_argument("--ladder", action="store_true",
                        help="after the verdict, draw every connection as an ASCII ladder "
                             "(on stderr with --json)")
    parser.add_argument("--probe-ports", metavar="N", type=int, default=None,
                        help="after the rows, ask for N more passive ports and try a "
                             "connection to each, to find a partly forwarded passive range "
                             "(default 8; 0: off)")
    add_common_options(parser)
    parser.set_defaults(func=run)


def exit_code_for(diagnosis: Diagnosis) -> int:
    key = diagnosis.verdict.key
    if key == "healthy":
        return 0
    if key in ("cannot-connect", "ssh-port"):
        classes = {a.failure_class for a in diagnosis.attempts}
        return 5 if classes & {"tls", "certificate"} else 2
    if key == "target-unavailable":
        return 4
    return 3


_OUTCOME_TEXT = {Outcome.OK: "ok", Outcome.FAILED: "FAILED", Outcome.UNSUPPORTED: "refused",
                 Outcome.NOT_ATTEMPTED: "not tried"}


def _row(attempt: Attempt) -> list[str]:
    ends = ""
    if attempt.local or attempt.remote:
        arrow = "<-" if attempt.probe.mode == "active" else "->"
        ends = f"{attempt.local or '?'} {arrow} {attempt.remote or '?'}"
    elif attempt.advertised:
        ends = f"advertised {attempt.advertised}"
    outcome = _OUTCOME_TEXT[attempt.outcome]
    if attempt.failure_class and attempt.outcome is not Outcome.OK:
        outcome += f" ({attempt.failure_class})"
    return [attempt.probe.value, outcome, attempt.phase or "-", f"{attempt.elapsed:.2f}s", ends]


def try_sftp_command(offer: SftpOffer, user: str = "", proxy: ProxySettings | None = None) -> str:
    """The command that lists the server over SFTP: the same user, and the same proxy
    (without its password) when the connections go through one."""
    through = f"--proxy {shlex.quote(proxy.url())} " if proxy is not None else ""
    return f"ftp-inspector ls {through}{shlex.quote(offer.url(user))}"


def format_diagnosis(diagnosis: Diagnosis, *, user: str = "",
                     proxy: ProxySettings | None = None) -> str:
    """The table, each row's detail, and the verdict with fixes and recommended settings
    (the SFTP command names ``user`` and ``proxy``, those of the diagnosed connection)."""
    header = ["method", "outcome", "phase reached", "time", "endpoints"]
    rows = [_row(a) for a in diagnosis.attempts]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [f"Data-channel diagnosis of {escape_control(diagnosis.server)}"
             f"{' path ' + escape_control(diagnosis.path) if diagnosis.path else ''} "
             f"(data timeout {diagnosis.data_timeout:g} s)", ""]
    lines.append("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip())
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    lines.append("")
    for attempt in diagnosis.attempts:
        lines.append(f"  {attempt.probe.value}: {escape_control(attempt.detail)}")
    if diagnosis.passive_ports:
        lines += ["", "Passive ports offered (connected / not):"]
        for probe in diagnosis.passive_ports:
            state = "connected" if probe.connected else f"no ({probe.failure})"
            extra = f" - {escape_control(probe.detail)}" if probe.detail else ""
            lines.append(f"  {probe.address}:{probe.port}  {state}  [{probe.source}]{extra}")
    verdict = diagnosis.verdict
    lines += ["", f"Verdict: {verdict.headline} [{verdict.key}]",
              f"  {escape_control(verdict.explanation)}"]
    if verdict.fixes:
        lines.append("  Fix:")
        lines += [f"    - {escape_control(fix)}" for fix in verdict.fixes]
    if verdict.firewall:
        lines.append(f"  Firewall: {escape_control(verdict.firewall)}")
    if verdict.recommended is not None:
        rec = verdict.recommended
        lines.append(f"  Recommended settings: {rec.text} ({rec.cli_options()})")
    probe = diagnosis.ssh_probe
    if probe is not None:
        via = f" (through the {probe.via})" if probe.via else ""
        lines.append(f"  SSH on port {probe.port}{via}: {escape_control(probe.detail)}")
    if verdict.sftp is not None:
        lines.append(f"  Try SFTP: {escape_control(try_sftp_command(verdict.sftp, user, proxy))}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    return run_command(args, "diagnose", args.url, _diagnose, record_events=args.ladder)


async def _diagnose(context: CommandContext) -> int:
    from client.engine.diagnose import run_diagnosis

    def progress(attempt: Attempt) -> None:
        if not context.args.json:
            context.note(f"{attempt.probe.value}: {_OUTCOME_TEXT[attempt.outcome]}")

    from client.engine.diagnose.ports import DEFAULT_EXTRA_PORTS

    extra = context.args.probe_ports
    diagnosis = await run_diagnosis(context.settings, context.target.path, bus=context.bus,
                                    on_attempt=progress,
                                    extra_ports=DEFAULT_EXTRA_PORTS if extra is None
                                    else max(0, extra))
    if context.args.json:
        json.dump(diagnosis.to_json(), context.stdout, ensure_ascii=False, indent=1)
        context.stdout.write("\n")
    else:
        settings = context.settings
        user = "" if settings.user in ("", "anonymous") else settings.user
        context.stdout.write(format_diagnosis(diagnosis, user=user, proxy=settings.tunnel)
                             + "\n")
    if context.args.ladder:
        print_ladder(context)
    context.stdout.flush()
    return exit_code_for(diagnosis)
