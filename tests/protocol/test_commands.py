"""Command encoding: CR/LF/NUL refused before any byte exists, secrets never displayed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from client.protocol.commands import REDACTED_PASSWORD, Command, check_argument
from client.protocol.errors import CommandArgumentError, ProtocolError


def test_wire_forms() -> None:
    assert Command.simple("pwd").to_bytes() == b"PWD\r\n"
    assert Command.with_path("retr", "/pub/a b.txt").to_bytes() == b"RETR /pub/a b.txt\r\n"
    assert Command.user("alice").to_bytes() == b"USER alice\r\n"
    assert Command.type_(True).to_bytes() == b"TYPE I\r\n"
    assert Command.type_(False).to_bytes() == b"TYPE A\r\n"
    assert Command.rest(1234).to_bytes() == b"REST 1234\r\n"
    assert Command.opts("UTF8 ON").to_bytes() == b"OPTS UTF8 ON\r\n"
    assert Command.site("CHMOD 644 x").to_bytes() == b"SITE CHMOD 644 x\r\n"
    assert Command.with_path("STOR", "caf\u00e9").to_bytes() == b"STOR caf\xc3\xa9\r\n"


def test_latin1_name_goes_back_byte_for_byte() -> None:
    name = b"caf\xe9".decode("latin-1")
    assert Command.with_path("RETR", name).to_bytes("latin-1") == b"RETR caf\xe9\r\n"


@pytest.mark.parametrize("bad", ["a\rb", "a\nb", "a\r\nDELE b", "nul\x00", "\n", "x\r"])
@pytest.mark.parametrize(
    "build",
    [
        lambda a: Command.with_path("RETR", a),
        lambda a: Command.user(a),
        lambda a: Command.password(a),
        lambda a: Command.opts(a),
        lambda a: Command.site(a),
        lambda a: Command("CWD", a),
    ],
)
def test_cr_lf_nul_refused_before_anything_is_produced(bad: str, build) -> None:
    with pytest.raises(CommandArgumentError) as info:
        build(bad)
    assert "nothing was sent" in str(info.value)


def test_password_error_does_not_echo_the_password() -> None:
    with pytest.raises(CommandArgumentError) as info:
        Command.password("s3cret\r\nDELE x")
    assert "s3cret" not in str(info.value)


def test_surrogates_standing_for_line_endings_are_refused_at_encoding() -> None:
    # Only U+DC80..U+DCFF stand for bytes under surrogateescape; "\udc0a" must be a
    # typed error (it used to escape as a bare UnicodeEncodeError), never an LF byte.
    command = Command.with_path("RETR", "a\udc0d\udc0aDELE b")
    with pytest.raises(CommandArgumentError) as info:
        command.to_bytes()
    assert "nothing was sent" in str(info.value)
    assert Command.with_path("RETR", "caf\udce9").to_bytes() == b"RETR caf\xe9\r\n"


def test_unencodable_argument_is_a_typed_error() -> None:
    with pytest.raises(CommandArgumentError):
        Command.with_path("RETR", "\u20ac").to_bytes("latin-1")
    with pytest.raises(CommandArgumentError):
        Command.with_path("RETR", "\ud800").to_bytes()


@pytest.mark.parametrize("verb", ["", "RE TR", "RETR\r\nDELE", "RÉTR", "X-Y", "A" * 17])
def test_bad_verbs(verb: str) -> None:
    with pytest.raises(CommandArgumentError):
        Command(verb)


def test_negative_rest() -> None:
    with pytest.raises(CommandArgumentError):
        Command.rest(-1)


def test_pass_and_acct_are_redacted_everywhere_visible() -> None:
    secret = Command.password("hunter2")
    assert secret.to_bytes() == b"PASS hunter2\r\n"
    assert secret.display == REDACTED_PASSWORD == "PASS ****"
    assert secret.is_secret
    for shown in (repr(secret), str(secret), f"{secret}", repr([secret])):
        assert "hunter2" not in shown
    account = Command("ACCT", "billing-42")
    assert "billing-42" not in account.display and "billing-42" not in repr(account)
    assert Command("pass", "x").display == REDACTED_PASSWORD
    assert not Command.user("alice").is_secret


def test_display_escapes_control_characters() -> None:
    assert Command.with_path("CWD", "evil\x1b[2J").display == "CWD evil\\x1b[2J"


def test_check_argument_returns_value() -> None:
    assert check_argument("fine") == "fine"


@given(st.text())
def test_any_text_either_encodes_without_line_breaks_or_is_refused(text: str) -> None:
    try:
        wire = Command.with_path("RETR", text).to_bytes()
    except ProtocolError:
        return
    body = wire[:-2]
    assert b"\r" not in body and b"\n" not in body and b"\x00" not in body
    assert wire.endswith(b"\r\n")
