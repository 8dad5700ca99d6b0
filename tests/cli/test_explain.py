"""``ftp-inspector explain``: in-process and as a real subprocess."""

from __future__ import annotations

import argparse
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from client.cli.explain import classify_line, explain_lines, register, run
from client.entry import main
from client.protocol.annotate import Direction

RAW_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

EXAMPLE = "227 Entering Passive Mode (10,0,0,5,195,80)"


def run_explain(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["explain", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_issue_example_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_explain(capsys, EXAMPLE)
    assert status == 0 and err == ""
    assert out.splitlines()[0] == "< " + EXAMPLE
    flat = " ".join(out.split())
    assert "10.0.0.5" in flat and "50000" in flat
    assert "195*256+80 = 50000" in flat
    assert "private address" in flat


def test_issue_example_as_subprocess(child_env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "client", "explain", EXAMPLE],
        env=child_env, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    flat = " ".join(done.stdout.split())
    assert "195*256+80 = 50000" in flat and "10.0.0.5" in flat and "private address" in flat


def test_stdin_log_with_prefixes_as_subprocess(child_env: dict[str, str]) -> None:
    log = "\n".join([
        "[12:00:01] ---> PASV",
        "[12:00:01] <--- 227 Entering Passive Mode (127,0,0,1,195,90).",
        "---> LIST",
        "<--- 150 Here comes the directory listing.",
        "<--- 226 Directory send OK.",
    ]) + "\n"
    done = subprocess.run(
        [sys.executable, "-m", "client", "explain", "--json", "--peer", "127.0.0.1"],
        input=log, env=child_env, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    objects = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["line"] for o in objects] == [
        "PASV", "227 Entering Passive Mode (127,0,0,1,195,90).", "LIST",
        "150 Here comes the directory listing.", "226 Directory send OK.",
    ]
    assert [o["direction"] for o in objects] == ["sent", "received", "sent", "received", "received"]
    pasv = objects[1]["annotations"][0]
    assert pasv["fields"]["port"] == 50010 and pasv["fields"]["use_host"] == "127.0.0.1"
    assert "127.0.0.1:50010" in objects[3]["annotations"][0]["text"]


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_explain(capsys, "--json", "PORT 127,0,0,1,4,1", "PASS hunter2")
    assert status == 0
    port, password = (json.loads(line) for line in out.splitlines())
    assert port["direction"] == "sent"
    fields = port["annotations"][0]["fields"]
    assert (fields["host"], fields["port"], fields["arithmetic"]) == ("127.0.0.1", 1025, "4*256+1 = 1025")
    assert password["line"] == "PASS ****"
    assert "hunter2" not in out


@pytest.mark.parametrize(
    ("raw", "text", "direction"),
    [
        ("> PASV", "PASV", Direction.SENT),
        ("< 227 Entering Passive Mode (127,0,0,1,195,90).", "227 Entering Passive Mode (127,0,0,1,195,90).", Direction.RECEIVED),
        ("---> EPSV", "EPSV", Direction.SENT),
        ("<--- 229 Entering Extended Passive Mode (|||50000|)", "229 Entering Extended Passive Mode (|||50000|)", Direction.RECEIVED),
        ("Command:\tPASV", "PASV", Direction.SENT),
        ("Response:\t227 Entering Passive Mode (127,0,0,1,195,107)", "227 Entering Passive Mode (127,0,0,1,195,107)", Direction.RECEIVED),
        ("2024-05-01 12:00:01 1234 1 Command:\tLIST", "LIST", Direction.SENT),
        ("2024-05-01T12:00:01.123Z > PORT 127,0,0,1,4,1", "PORT 127,0,0,1,4,1", Direction.SENT),
        ("12:00:01.5 < 150 ok", "150 ok", Direction.RECEIVED),
        ("port 127,0,0,1,4,1", "port 127,0,0,1,4,1", Direction.SENT),
        ("  226 Transfer complete  ", "226 Transfer complete", Direction.RECEIVED),
        ("* Connected to 127.0.0.1", "Connected to 127.0.0.1", None),
        ("**** Connecting to 127.0.0.1", "Connecting to 127.0.0.1", None),
        ("Status:\tConnecting to 127.0.0.1:21...", "Connecting to 127.0.0.1:21...", None),
        # WinSCP
        ("> 2024-05-01 12:00:01.123 PASV", "PASV", Direction.SENT),
        ("< 2024-05-01 12:00:01.123 227 Entering Passive Mode (127,0,0,1,195,90).",
         "227 Entering Passive Mode (127,0,0,1,195,90).", Direction.RECEIVED),
        (". 2024-05-01 12:00:01.123 Connecting to 127.0.0.1 ...", "Connecting to 127.0.0.1 ...", None),
        # vsftpd log_ftp_protocol=YES
        ('Wed Nov 25 11:00:00 2026 [pid 1234] [alice] FTP command: Client "127.0.0.1", "PASV"',
         "PASV", Direction.SENT),
        ('Wed Nov 25 11:00:00 2026 [pid 1234] [alice] FTP response: Client "127.0.0.1", '
         '"227 Entering Passive Mode (127,0,0,1,195,90)."',
         "227 Entering Passive Mode (127,0,0,1,195,90).", Direction.RECEIVED),
        ('Wed Nov 25 11:00:00 2026 [pid 1234] FTP response: Client "::1", "220 (vsFTPd 3.0.3)"',
         "220 (vsFTPd 3.0.3)", Direction.RECEIVED),
        ('Wed Nov 25 11:00:00 2026 [pid 1233] CONNECT: Client "127.0.0.1"',
         'Wed Nov 25 11:00:00 2026 [pid 1233] CONNECT: Client "127.0.0.1"', None),
        ('Wed Nov 25 11:00:00 2026 [pid 1234] [alice] OK LOGIN: Client "127.0.0.1"',
         'Wed Nov 25 11:00:00 2026 [pid 1234] [alice] OK LOGIN: Client "127.0.0.1"', None),
    ],
)
def test_log_prefixes(raw: str, text: str, direction: Direction | None) -> None:
    line = classify_line(raw)
    assert (line.text, line.direction, line.problem) == (text, direction, None)


@pytest.mark.parametrize("raw", ["hello world", "< Entering Passive Mode", "> 227 x", "12345 nope"])
def test_nonsense_is_a_problem(raw: str) -> None:
    assert classify_line(raw).problem


def test_multiline_reply_continuation_lines_are_accepted() -> None:
    items = list(explain_lines(["211-Features:", " EPSV", " MLST type*;size*;", "211 End"]))
    assert [i.problem for i in items] == [None] * 4
    assert [i.line.direction for i in items] == [Direction.RECEIVED] * 4


def test_multiline_227_is_explained_as_one_reply() -> None:
    items = list(explain_lines(["PASV", "227-Entering Passive Mode", "227 (10,0,0,5,195,80)", "NOOP"]))
    assert [i.problem for i in items] == [None] * 4
    assert items[1].annotations == ()
    (note,) = items[2].annotations
    assert note.fields["port"] == 50000 and note.fields["kind"] == "pasv"


def test_address_on_the_first_line_of_a_multiline_reply() -> None:
    items = list(explain_lines(["< 227-Entering Passive Mode (10,0,0,5,195,80)", "< 227 OK"]))
    assert [i.problem for i in items] == [None, None]
    assert items[1].annotations[0].fields["host"] == "10.0.0.5"


def test_unterminated_multiline_reply_is_still_explained() -> None:
    items = list(explain_lines(["150-Opening data connection", " more text"]))
    assert [i.line.text for i in items] == ["150-Opening data connection", " more text"]
    assert items[-1].annotations[0].fields["kind"] == "data-channel"


def test_bad_line_exits_1_but_others_are_explained(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_explain(capsys, "hello world", EXAMPLE, "227 Entering Passive Mode (1,2,3)")
    assert status == 1
    assert "195*256+80 = 50000" in out
    assert "line 1" in err and "not an FTP control line" in err
    assert "line 3" in err and "carries no address" in err
    assert "line 2" not in err


def test_control_characters_are_escaped_everywhere(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_explain(capsys, "220 \x1b[31mhi\x1b[0m", "\x1b]0;evil\x07")
    assert status == 1
    assert "\x1b" not in out and "\x1b" not in err and "\x07" not in err
    assert "\\x1b[31m" in out and "control characters" in out


def test_peer_option_decides_the_227_replacement(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_explain(capsys, "--json", "--peer", "203.0.113.7", EXAMPLE)
    assert status == 0
    fields = json.loads(out)["annotations"][0]["fields"]
    assert (fields["replaced"], fields["use_host"]) == (True, "203.0.113.7")
    status, out, _ = run_explain(capsys, "--json", "--peer", "203.0.113.7",
                                 "--pasv-policy", "advertised", EXAMPLE)
    fields = json.loads(out)["annotations"][0]["fields"]
    assert (fields["replaced"], fields["use_host"]) == (False, "10.0.0.5")


def test_bad_peer_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["explain", "--peer", "ftp.example.com", EXAMPLE])
    assert info.value.code == 1  # usage errors exit 1 (2 is "could not connect")
    assert "not an IPv4 or IPv6 address" in capsys.readouterr().err


def test_stdin_in_process(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("> EPSV\r\n< 500 Unknown command\r\n\r\n"))
    status, out, _ = run_explain(capsys)
    assert status == 0
    assert "fall back to PASV" in " ".join(out.split())


def test_argument_with_several_lines(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_explain(capsys, "PASV\n227 Entering Passive Mode (127,0,0,1,195,90).")
    assert status == 0
    assert out.splitlines()[0] == "> PASV"


def test_non_utf8_log_gives_valid_utf8_json(child_env: dict[str, str]) -> None:
    # A Latin-1 file name in a server's log: shown as the Latin-1 character (as the engine
    # decodes the wire), and the JSON output stays valid UTF-8.
    done = subprocess.run(
        [sys.executable, "-m", "client", "explain", "--json"],
        input=b"550 caf\xe9.txt: No such file\n< 227 Entering Passive Mode (127,0,0,1,195,90).\n",
        env=child_env, capture_output=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    objects = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    assert objects[0]["line"] == "550 café.txt: No such file"
    assert objects[1]["annotations"][0]["fields"]["port"] == 50010


def test_argument_is_split_at_line_feeds_only(capsys: pytest.CaptureFixture[str]) -> None:
    # str.splitlines() would also split at \x1c and \x85; those are shown escaped instead.
    status, out, _ = run_explain(capsys, "220 file\x1cseparator", "220 next\x85line")
    assert status == 0
    shown = [line for line in out.splitlines() if line.startswith("< ")]
    assert shown == ["< 220 file\\x1cseparator", "< 220 next\\x85line"]


def _explain_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ftp-inspector")
    register(parser.add_subparsers(dest="command"))
    return parser


_log_lines = st.lists(
    st.one_of(
        st.text(max_size=80),
        st.builds(lambda prefix, body: prefix + body,
                  st.sampled_from(["> ", "< ", "---> ", "<--- ", "Command: ", "Response: ",
                                   "[12:00:00] ", "* ", ""]),
                  st.sampled_from(["PASV", "PASS hunter2", "227 Entering Passive Mode (10,0,0,5,195,80)",
                                   "229 (|||50000|)", "150 ok", "425 no", "211-Features:", " EPSV",
                                   "211 End", "PORT 1,2,3,4,5,6", "EPRT |2|::1|5|", "\x1b[31m"])),
    ),
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(_log_lines, st.booleans())
def test_any_input_is_explained_without_crashing_or_leaking(lines: list[str], as_json: bool) -> None:
    args = _explain_parser().parse_args(["explain", *(["--json"] if as_json else [])])
    out, err = io.StringIO(), io.StringIO()
    status = run(args, stdin=io.StringIO("\n".join(lines) + "\n"), stdout=out, stderr=err)
    assert status in (0, 1)
    assert "hunter2" not in out.getvalue() + err.getvalue()
    for text in (out.getvalue(), err.getvalue()):
        assert not RAW_CONTROL.search(text.replace("\n", ""))
    if as_json:
        for line in out.getvalue().splitlines():
            assert isinstance(json.loads(line)["annotations"], list)
    assert (status == 1) == bool(err.getvalue())


# --------------------------------------------------------------------------- real client logs


def _explain_log(log: str, child_env: dict[str, str], *extra: str) -> list[dict[str, object]]:
    done = subprocess.run(
        [sys.executable, "-m", "client", "explain", "--json", *extra],
        input=log, env=child_env, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def _kinds(objects: list[dict[str, object]]) -> dict[str, list[dict[str, object]]]:
    found: dict[str, list[dict[str, object]]] = {}
    for obj in objects:
        for note in obj["annotations"]:  # type: ignore[union-attr]
            found.setdefault(note["fields"]["kind"], []).append(note["fields"])
    return found


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
@pytest.mark.parametrize("active", [False, True], ids=["passive", "active"])
def test_explains_a_real_curl_verbose_log(ftp_server: object, child_env: dict[str, str], active: bool) -> None:
    url = f"ftp://{ftp_server.user}:{ftp_server.password}@{ftp_server.host}:{ftp_server.port}/"  # type: ignore[attr-defined]
    argv = ["curl", "-s", "-v", "--max-time", "10", url]
    if active:
        argv[1:1] = ["--ftp-port", "127.0.0.1"]
    curl = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    assert curl.returncode == 0, curl.stderr
    objects = _explain_log(curl.stderr, child_env, "--peer", "127.0.0.1", "--local", "127.0.0.1")
    assert ftp_server.password not in json.dumps(objects)  # type: ignore[attr-defined]
    assert {"line": "PASS ****", "direction": "sent"}.items() <= next(
        o for o in objects if str(o["line"]).startswith("PASS")).items()
    kinds = _kinds(objects)
    address = kinds["eprt" if active else "epsv"][0]
    assert 1 <= address["port"] <= 65535  # type: ignore[operator]
    assert "address-problem" not in kinds
    assert [f["phase"] for f in kinds["data-channel"]][-2:] == ["accepted", "complete"]


@pytest.mark.skipif(shutil.which("lftp") is None, reason="lftp is not installed")
def test_explains_a_real_lftp_debug_log(ftp_server: object, child_env: dict[str, str]) -> None:
    server = ftp_server
    script = (
        "set net:max-retries 1; set net:timeout 5; set ftp:ssl-allow no; "
        "set ftp:prefer-epsv no; "
        f"open -u {server.user},{server.password} ftp://{server.host}:{server.port}; ls; bye"  # type: ignore[attr-defined]
    )
    lftp = subprocess.run(["lftp", "-d", "-c", script], capture_output=True, text=True,
                          timeout=30, env={**child_env, "HOME": child_env["FTP_INSPECTOR_CONFIG_DIR"]})
    assert lftp.returncode == 0, lftp.stderr
    objects = _explain_log(lftp.stderr, child_env, "--peer", "127.0.0.1")
    kinds = _kinds(objects)
    pasv = kinds["pasv"][0]
    assert (pasv["host"], pasv["use_host"], pasv["replaced"]) == ("127.0.0.1", "127.0.0.1", False)
    assert pasv["arithmetic"] == f"{pasv['p1']}*256+{pasv['p2']} = {pasv['port']}"
    assert server.password not in json.dumps(objects)  # type: ignore[attr-defined]


def test_reader_going_away_is_not_a_crash(child_env: dict[str, str], tmp_path: Path) -> None:
    # explain … | head -1: the pipe closes early; no traceback, clean exit.
    log = tmp_path / "log.txt"
    log.write_text((EXAMPLE + "\n") * 20000)
    with log.open("rb") as stdin:
        child = subprocess.Popen(
            [sys.executable, "-m", "client", "explain"], env=child_env,
            stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        assert child.stdout is not None
        first = child.stdout.readline()
        child.stdout.close()
        _, err = child.communicate(timeout=60)
    assert first.startswith(b"< 227")
    assert child.returncode == 0, err
    assert b"Traceback" not in err


FILEZILLA_TLS_REFUSAL = ("425 Unable to build data connection: TLS session of data "
                         "connection not resumed.")


@pytest.mark.parametrize("tls", [[], ["--tls"]])
def test_filezilla_server_tls_refusal_is_tls_not_a_firewall(
        capsys: pytest.CaptureFixture[str], tls: list[str]) -> None:
    code, out, _ = run_explain(capsys, *tls, "PASV",
                               "227 Entering Passive Mode (127,0,0,1,195,80)", "LIST",
                               FILEZILLA_TLS_REFUSAL)
    assert code == 0
    said = " ".join(out.split())
    assert "not because of a firewall" in said and "session" in said
    assert "Require TLS session resumption" in said
    assert "passive port range" not in said.split("TLS session of data")[1]


def test_epsv_session_150_does_not_blame_a_227(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_explain(capsys, "EPSV", "229 Entering Extended Passive Mode (|||50000|)",
                               "LIST", "150 Here comes the directory listing.")
    assert code == 0
    tail = " ".join(out.split("< 150")[1].split())
    assert "227" not in tail and "EPSV names only a port" in tail
