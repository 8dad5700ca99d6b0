"""Each connection option of the CLI, checked where it matters: on the wire.

One child process per option (under the loopback guard) against the demo server's
scenarios, pyftpdlib or the scripted server; the effect is read from the ``--transcript``
JSON Lines (what was sent, which data connection was dialled from where to where) and
from stderr. Nothing here dials a non-loopback address: the nat-misconfigured scenario
advertises 192.0.2.10, which the client must never dial.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from client.demo import DemoServer
from client.engine.trust import format_fingerprint

TIMEOUT = 60
TLS_NOT_OFFERED = "the server does not offer TLS"


@dataclass
class Run:
    """One finished command: exit code, stderr and the transcript's records."""

    code: int
    stderr: str
    records: list[dict]
    fingerprint: str | None = None  # the server's certificate, when it has one

    @property
    def sent(self) -> list[str]:
        return [r["text"] for r in self.records if r["kind"] == "send"]

    def data(self, phase: str) -> list[dict]:
        return [r for r in self.records if r["kind"] == "data" and r["phase"] == phase]

    def notices(self, category: str) -> list[dict]:
        return [r for r in self.records if r["kind"] == "notice" and r.get("category") == category]

    def verbs(self) -> list[str]:
        return [text.split(" ", 1)[0].upper() for text in self.sent]


def run_cli(env: dict, args: list[str], transcript: Path, *, password: str | None = None) -> Run:
    if password is not None:
        env = {**env, "FTP_PASSWORD": password}
    result = subprocess.run([sys.executable, "-m", "client", *args, "--transcript",
                             str(transcript)], env=env, capture_output=True, text=True,
                            timeout=TIMEOUT)
    records = ([json.loads(line) for line in transcript.read_text().splitlines()]
               if transcript.exists() else [])
    return Run(result.returncode, result.stderr, records)


# ----------------------------------------------------------------------------- checks

def _no_epsv(run: Run) -> None:
    assert run.code == 0, run.stderr
    assert "PASV" in run.verbs() and "EPSV" not in run.verbs()
    assert run.data("connected")[0]["method"] == "PASV"


def _no_eprt(run: Run) -> None:
    assert run.code == 0, run.stderr
    assert "PORT" in run.verbs() and "EPRT" not in run.verbs()
    connected = run.data("connected")[0]
    assert connected["method"] == "PORT" and connected["initiator"] == "server"


def _pasv_auto(run: Run) -> None:
    assert run.code == 0, run.stderr
    connecting = run.data("connecting")[0]
    assert connecting["advertised"].startswith("192.0.2.10:")
    assert connecting["remote"].startswith("127.0.0.1:")  # the control peer, not 192.0.2.10
    [substitution] = run.notices("substitution")
    assert "192.0.2.10" in substitution["text"] and "dialling the control peer" in substitution["text"]
    assert "192.0.2.10" in run.stderr  # the warning reaches the terminal too


def _pasv_control(run: Run) -> None:
    assert run.code == 0, run.stderr
    connecting = run.data("connecting")[0]
    assert connecting["remote"].startswith("127.0.0.1:")
    assert connecting["advertised"].startswith("192.0.2.10:")
    [substitution] = run.notices("substitution")
    assert "'control' PASV policy" in substitution["text"]


def _pasv_advertised(run: Run) -> None:
    # the advertised address is the one to dial, and nothing can answer there: the
    # engine refuses to dial it (the netguard would fail the test if it had)
    assert run.code == 3, run.stderr
    assert not run.data("connecting")
    [failed] = run.data("failed")
    assert failed["advertised"].startswith("192.0.2.10:")
    assert failed["failure"] == "unroutable-refused"
    assert "'advertised' PASV policy" in failed["reason"]


def _epsv(run: Run) -> None:
    assert run.code == 0, run.stderr
    assert "EPSV" in run.verbs() and "PASV" not in run.verbs()
    assert run.data("connected")[0]["method"] == "EPSV"


def _eprt(run: Run) -> None:
    assert run.code == 0, run.stderr
    assert "EPRT" in run.verbs() and "PORT" not in run.verbs()
    assert run.data("connected")[0]["method"] == "EPRT"


def _active_address(run: Run) -> None:
    port = next(text for text in run.sent if text.startswith("PORT"))
    assert port.startswith("PORT 127,0,0,2,")  # announced, though we listen on 127.0.0.1
    # the server refused it (a foreign address): no other command is tried for that
    assert not any(text.startswith("EPRT") for text in run.sent)
    assert run.code == 3


def _active_ports(run: Run) -> None:
    assert run.code == 0, run.stderr
    sent = next(text for text in run.sent if text.startswith("PORT"))
    p1, p2 = (int(n) for n in sent.split()[1].split(",")[4:6])
    port = p1 * 256 + p2
    assert 50010 <= port <= 50012
    connected = run.data("connected")[0]
    assert connected["initiator"] == "server"
    assert 50010 <= int(connected["local"].rsplit(":", 1)[1]) <= 50012


def _insecure(run: Run) -> None:
    assert run.code == 0, run.stderr
    [tls] = [r for r in run.notices("tls") if r.get("channel", "x") is None]
    assert tls["fingerprint_sha256"] == run.fingerprint
    warnings = [line for line in run.stderr.splitlines() if "NOT verified" in line]
    assert len(warnings) == 1, run.stderr
    assert "127.0.0.1:" in warnings[0] and format_fingerprint(run.fingerprint or "") in warnings[0]


def _ca_file(run: Run) -> None:
    assert run.code == 0, run.stderr
    assert "AUTH TLS" in run.sent
    [tls] = [r for r in run.notices("tls") if r.get("channel", "x") is None]
    assert tls["fingerprint_sha256"] == run.fingerprint
    assert "NOT verified" not in run.stderr


def _data_timeout(run: Run) -> None:
    assert run.code == 3, run.stderr
    [failed] = run.data("failed")
    assert failed["failure"] == "syn-unanswered"
    assert 0.9 <= failed["elapsed"] < 5  # the default would wait 20 s
    assert "within 1 s" in failed["reason"]


def _tls_off(run: Run) -> None:
    assert run.code == 0, run.stderr
    assert "AUTH" not in run.verbs()
    assert not [r for r in run.notices("tls") if r["severity"] == "warning"]
    assert TLS_NOT_OFFERED not in run.stderr


def _tls_explicit(run: Run) -> None:
    assert run.code == 0, run.stderr
    verbs = run.verbs()
    assert verbs.index("AUTH") < verbs.index("USER")
    assert "PROT P" in run.sent
    assert run.data("tls-established")


def _tls_implicit(run: Run) -> None:
    assert run.code == 0, run.stderr
    assert "AUTH" not in run.verbs()
    first_tls = next(i for i, r in enumerate(run.records)
                     if r["kind"] == "notice" and r.get("category") == "tls")
    first_reply = next(i for i, r in enumerate(run.records) if r["kind"] == "recv")
    assert first_tls < first_reply  # TLS before the 220 banner
    assert run.records[first_reply]["code"] == 220


def _keepalive(run: Run) -> None:
    assert run.code == 0, run.stderr
    # a worker's connection sat idle while the other downloaded the big file
    assert "NOOP" in run.sent


def _list_hidden(run: Run) -> None:
    assert run.code == 0, run.stderr
    assert "LIST -a" in run.sent


def _quiet(run: Run) -> None:
    assert run.code == 0, run.stderr
    assert run.stderr == ""
    # the warning was raised (the transcript has it), only not printed
    assert any(TLS_NOT_OFFERED in r["text"] for r in run.notices("tls"))


def _fallback(run: Run) -> None:
    assert run.code == 0, run.stderr
    failed = run.data("failed")  # EPSV's port refused, then PASV's
    assert failed and all(f["initiator"] == "client" and f["failure"] == "refused"
                          for f in failed)
    assert any("retrying once in active mode" in r["text"] for r in run.notices("fallback"))
    connected = run.data("connected")[-1]
    assert connected["initiator"] == "server" and connected["method"] in ("EPRT", "PORT")


@dataclass(frozen=True)
class Case:
    #: "demo:SCENARIO", "ftps-implicit" (pyftpdlib), "throttled" (pyftpdlib) or "scripted"
    server: str
    args: tuple[str, ...]
    check: Callable[[Run], None]
    command: tuple[str, ...] = ("ls", "{url}")
    #: "ftp": use an ftp:// URL (the TLS demo's own is ftpes://)
    scheme: str | None = None
    extra: dict = field(default_factory=dict)


CASES = {
    "--no-epsv": Case("demo:healthy", ("--no-epsv",), _no_epsv),
    "--no-eprt": Case("demo:healthy", ("--mode", "active", "--no-eprt"), _no_eprt),
    "--epsv": Case("demo:healthy", ("--epsv",), _epsv),
    "--eprt": Case("demo:healthy", ("--mode", "active", "--eprt"), _eprt),
    "--pasv-address auto": Case("demo:nat-misconfigured", ("--pasv-address", "auto"),
                                _pasv_auto),
    "--pasv-address control": Case("demo:nat-misconfigured", ("--pasv-address", "control"),
                                   _pasv_control),
    "--pasv-address advertised": Case("demo:nat-misconfigured",
                                      ("--pasv-address", "advertised", "--data-timeout", "2"),
                                      _pasv_advertised),
    "--active-address": Case("demo:healthy", ("--mode", "active", "--active-address",
                                              "127.0.0.2", "--data-timeout", "2"),
                             _active_address),
    "--active-ports": Case("demo:healthy", ("--mode", "active", "--active-ports",
                                            "50010-50012"), _active_ports),
    "--insecure": Case("demo:tls", ("--insecure",), _insecure),
    "--ca-file": Case("demo:tls", ("--ca-file", "{ca_file}"), _ca_file),
    "--data-timeout": Case("demo:passive-blocked", ("--no-epsv", "--data-timeout", "1"),
                           _data_timeout),
    "--tls off": Case("demo:healthy", ("--tls", "off"), _tls_off),
    "--tls explicit": Case("demo:tls", ("--tls", "explicit", "--ca-file", "{ca_file}"),
                           _tls_explicit, scheme="ftp"),
    "--tls implicit": Case("ftps-implicit", ("--tls", "implicit", "--ca-file", "{ca_file}"),
                           _tls_implicit, scheme="ftp"),
    "--keepalive": Case("throttled", ("--keepalive", "0.5", "--parallel", "2", "-q"),
                        _keepalive, command=("mirror", "{url}/ka", "{tmp}/mirror")),
    "--list-hidden": Case("scripted", ("--list-hidden", "--tls", "off"), _list_hidden),
    "-q": Case("demo:healthy", ("-q",), _quiet),
    "--fallback": Case("demo:passive-refused", ("--fallback",), _fallback),
}


def _fixture_server(kind: str, request: pytest.FixtureRequest):  # -> (url, password, ca_file)
    if kind == "ftps-implicit":
        info = request.getfixturevalue("ftps_implicit_server")
    elif kind == "throttled":
        info = request.getfixturevalue("make_ftp_server")(
            throttle_bytes_per_second=128 * 1024, name="pyftpdlib-throttled-keepalive")
        info.write_file("ka/small.txt", b"small\n")
        info.write_file("ka/big.bin", bytes(range(256)) * 1024)  # 256 KiB: ~2 s
    else:
        info = request.getfixturevalue("scripted_server")().info  # no MLSD: LIST it is
    url = f"ftp://{info.user}@127.0.0.1:{info.port}"
    return url, info.password, info.ca_file


@pytest.mark.parametrize("option", list(CASES))
def test_option_shows_on_the_wire(option: str, request, child_env, tmp_path) -> None:
    case = CASES[option]
    transcript = tmp_path / "t.jsonl"

    def command(url: str, ca_file: str | None) -> list[str]:
        values = {"url": url.rstrip("/"), "ca_file": ca_file or "", "tmp": str(tmp_path)}
        return [part.format(**values) for part in (*case.command, *case.args)]

    if case.server.startswith("demo:"):
        with DemoServer(case.server[5:], give_up_after=2.0) as server:
            url = server.url
            if case.scheme:
                url = case.scheme + url[url.index("://"):]
            run = run_cli(child_env, command(url, server.ca_file), transcript)
            run.fingerprint = server.cert_fingerprint_sha256
            password = server.password
    else:
        url, password, ca_file = _fixture_server(case.server, request)
        run = run_cli(child_env, command(url, ca_file), transcript, password=password)
    case.check(run)
    assert password not in run.stderr + transcript.read_text()


# ------------------------------------------------------------ warnings, each said once

def test_insecure_warning_is_silenced_by_quiet_and_said_once_per_command(
        child_env, tmp_path) -> None:
    with DemoServer("tls") as server:
        quiet = run_cli(child_env, ["ls", server.url, "--insecure", "-q"], tmp_path / "q.jsonl")
        verbose = run_cli(child_env, ["ls", server.url, "--insecure", "-v"],
                          tmp_path / "v.jsonl")
        mirror = run_cli(child_env, ["mirror", server.url + "docs", str(tmp_path / "m"),
                                     "--insecure", "--parallel", "2"], tmp_path / "m.jsonl")
        fingerprint = format_fingerprint(server.cert_fingerprint_sha256 or "")
    assert quiet.code == 0 and quiet.stderr == "", quiet.stderr
    assert verbose.code == 0, verbose.stderr
    assert verbose.stderr.count("NOT verified") == 1 and fingerprint in verbose.stderr
    assert mirror.code == 0, mirror.stderr
    # several connections (walk, workers) showed the same certificate: one warning
    assert len({r["connection"] for r in mirror.records}) > 1
    assert mirror.stderr.count("NOT verified") == 1, mirror.stderr


@pytest.mark.parametrize("command", [["ls", "{url}"], ["mirror", "{url}docs", "{tmp}/m"],
                                     ["diagnose", "{url}", "--data-timeout", "1"]])
def test_verbose_prints_each_warning_once(command, child_env, tmp_path) -> None:
    """-v: a warning every connection of the command raises (mirror's workers,
    diagnose's probes) is printed once; the transcript file keeps every one."""
    with DemoServer("healthy") as server:
        args = [part.format(url=server.url, tmp=tmp_path) for part in command]
        run = run_cli(child_env, [*args, "-v"], tmp_path / "t.jsonl")
    assert run.code == 0, run.stderr
    assert run.stderr.count(TLS_NOT_OFFERED) == 1, run.stderr
    raised = [r for r in run.notices("tls") if TLS_NOT_OFFERED in r["text"]]
    if command[0] != "ls":
        assert len(raised) > 1  # one per control connection, all in the transcript
