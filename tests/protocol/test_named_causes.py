"""Replies that name their real cause: a TLS refusal is not a firewall, an EPSV session
has no 227 to blame, and a PASV/PORT the server does not know leads to EPSV/EPRT."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from client.protocol.annotate import Annotator, Severity
from client.protocol.errors import ReplyFramingError, WrongServiceError
from client.protocol.replies import ReplyParser
from client.protocol.reply_meanings import names_tls_problem

TLS_REFUSALS = [
    # FileZilla Server 1.x, with "Require TLS session resumption" on
    "425 Unable to build data connection: TLS session of data connection not resumed.",
    # vsftpd require_ssl_reuse=YES
    "522 SSL connection failed: session reuse required",
    # IIS FTP with an SSL policy that requires data-channel protection
    "534 Policy requires SSL.",
    "550 SSL policy requires SSL for data channel.",
    # other servers' wording of the same
    "425 Cannot open data connection: session resumption required",
    "450 TLS session reuse required for data connections",
]


def conversation(*lines: str) -> list:
    """Annotations of the last line after the others (">" sent, else received)."""
    annotator = Annotator()
    notes: list = []
    for line in lines:
        if line.startswith("> "):
            notes = annotator.sent(line[2:])
        else:
            notes = annotator.received(line)
    return notes


@pytest.mark.parametrize("line", TLS_REFUSALS)
@pytest.mark.parametrize("tls", [False, True])
def test_tls_refusal_is_named_as_tls_not_a_firewall(line: str, tls: bool) -> None:
    lines = (["234 AUTH TLS successful"] if tls else []) + [
        "> PASV", "227 Entering Passive Mode (127,0,0,1,195,80)", "> LIST", line]
    notes = conversation(*lines)
    [note] = [n for n in notes if n.fields.get("kind") in ("data-error", "tls")]
    assert note.fields.get("phase", "tls") == "tls" and note.severity is Severity.ERROR
    assert "TLS" in note.text and "passive port range" not in note.text
    if note.fields["kind"] == "data-error" or "reuse" in line:
        assert "not a firewall" in note.text or "not because of a firewall" in note.text
        assert "FileZilla Server" in note.text and "require_ssl_reuse" in note.text


@pytest.mark.parametrize("line", [
    "425 Can't open data connection.",
    "425 Failed to establish connection.",
    "425 Unable to build data connection: Connection refused",
])
def test_a_plain_425_still_points_at_the_network(line: str) -> None:
    assert not names_tls_problem(line[4:])
    notes = conversation("> PASV", "227 Entering Passive Mode (127,0,0,1,195,80)",
                         "> LIST", line)
    [note] = [n for n in notes if n.fields.get("kind") == "data-error"]
    assert note.fields["phase"] == "open" and "passive port range" in note.text


def test_150_in_an_epsv_session_does_not_blame_a_227() -> None:
    notes = conversation("> EPSV", "229 Entering Extended Passive Mode (|||50000|)",
                         "> LIST", "150 Here comes the directory listing.")
    [note] = [n for n in notes if n.fields.get("phase") == "accepted"]
    assert "227" not in note.text and "NAT not configured" not in note.text
    assert "EPSV names only a port" in note.text


def test_150_in_a_pasv_session_names_the_227_address() -> None:
    notes = conversation("> PASV", "227 Entering Passive Mode (10,0,0,5,195,80)",
                         "> LIST", "150 Here comes the directory listing.")
    [note] = [n for n in notes if n.fields.get("phase") == "accepted"]
    assert "227" in note.text


@pytest.mark.parametrize(("verb", "other"), [("PASV", "EPSV"), ("PORT", "EPRT")])
def test_unknown_classic_command_suggests_the_extended_one(verb: str, other: str) -> None:
    notes = conversation(f"> {verb}" + (" 127,0,0,1,195,80" if verb == "PORT" else ""),
                         "502 Command not implemented.")
    [note] = [n for n in notes if n.fields.get("kind") == "fallback"]
    assert note.fields["fallback"] == other and other in note.text


def test_ssh_banner_is_a_wrong_service_error() -> None:
    parser = ReplyParser()
    parser.feed(b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n")
    with pytest.raises(WrongServiceError) as caught:
        parser.next_reply()
    assert caught.value.service == "SSH"
    assert "SFTP" in str(caught.value) and "OpenSSH_9.2p1" in str(caught.value)


@given(st.binary(max_size=60).filter(lambda b: b"\n" not in b))
def test_other_garbage_banners_stay_framing_errors(junk: bytes) -> None:
    parser = ReplyParser()
    parser.feed(b"X" + junk + b"\r\n")
    with pytest.raises(ReplyFramingError) as caught:
        parser.next_reply()
    assert not isinstance(caught.value, WrongServiceError)
