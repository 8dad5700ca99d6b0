"""FEAT parsing (RFC 2389) and the OPTS MLST helpers, from literal server replies."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from client.protocol.features import (
    NO_FEATURES,
    Features,
    HashChoice,
    opts_mlst_command,
    parse_opts_mlst_reply,
)
from client.protocol.replies import parse_replies


def feat(raw: bytes) -> Features:
    (reply,) = parse_replies(raw)
    return Features.parse(reply)


PROFTPD_LIKE = (
    b"211-Features:\r\n"
    b" AUTH TLS\r\n"
    b" CCC\r\n"
    b" CLNT\r\n"
    b" EPRT\r\n"
    b" EPSV\r\n"
    b" HOST\r\n"
    b" LANG en-US*;fr-FR\r\n"
    b" MDTM\r\n"
    b" MFF modify;UNIX.group;UNIX.mode;\r\n"
    b" MFMT\r\n"
    b" MLST modify*;perm*;size*;type*;unique*;UNIX.group;UNIX.mode;UNIX.owner;\r\n"
    b" PBSZ\r\n"
    b" PROT\r\n"
    b" REST STREAM\r\n"
    b" SIZE\r\n"
    b" TVFS\r\n"
    b" UTF8\r\n"
    b" HASH SHA-256*;SHA-1;MD5\r\n"
    b" XCRC\r\n"
    b" XSHA256\r\n"
    b"211 End\r\n"
)


def test_every_listed_feature_is_decoded() -> None:
    f = feat(PROFTPD_LIKE)
    assert f.utf8 and f.epsv and f.eprt and f.rest_stream
    assert f.size and f.mdtm and f.mfmt and f.tvfs and f.pbsz and f.prot
    assert f.host and f.clnt and f.hash and f.mlst and f.auth_tls
    assert f.auth_mechanisms == {"TLS"}
    assert f.mlst_facts == (
        "modify", "perm", "size", "type", "unique", "unix.group", "unix.mode", "unix.owner",
    )
    assert f.mlst_enabled == {"modify", "perm", "size", "type", "unique"}
    assert f.hash_algorithms == ("SHA-256", "SHA-1", "MD5")
    assert f.hash_selected == "SHA-256"
    assert f.x_hash_commands == {"XCRC", "XSHA256"}
    assert f.languages == ("en-US", "fr-FR")
    assert f.language_selected == "en-US"
    assert f.has("mdtm") and not f.has("MLSD-FOO")
    assert f.argument("MFF") == "modify;UNIX.group;UNIX.mode;"
    assert f.argument("SIZE") is None
    assert "REST STREAM" in f.lines


def test_feat_unsupported_gives_no_features() -> None:
    for raw in (b"500 'FEAT': command not understood\r\n", b"502 Command not implemented\r\n"):
        f = feat(raw)
        assert f == NO_FEATURES
        assert not f.mlst and not f.utf8 and f.hash_choice() is None


def test_single_line_feat_reply_is_empty() -> None:
    assert feat(b"211 No features\r\n") == NO_FEATURES
    assert feat(b"211-Extensions supported:\r\n211 End\r\n") == NO_FEATURES


@pytest.mark.parametrize(
    "inner",
    [
        b"SIZE\r\nMDTM\r\nREST STREAM\r\n",  # no indentation
        b"\tSIZE\r\n    MDTM\r\n  REST   STREAM  \r\n",  # tabs and runs of spaces
        b"211-SIZE\r\n211-MDTM\r\n211-REST STREAM\r\n",  # code repeated on every line
    ],
)
def test_odd_indentation_is_tolerated(inner: bytes) -> None:
    f = feat(b"211-Features:\r\n" + inner + b"211 End\r\n")
    assert f.size and f.mdtm and f.rest_stream
    assert f.names == {"SIZE", "MDTM", "REST"}


def test_rest_without_stream_is_not_rest_stream() -> None:
    assert not feat(b"211-F\r\n REST\r\n211 E\r\n").rest_stream
    assert not feat(b"211-F\r\n SIZE\r\n211 E\r\n").rest_stream


def test_feature_names_are_case_insensitive_and_mlst_facts_lowercased() -> None:
    f = feat(b"211-F\r\n utf8\r\n Mlst Type*;Size*;Modify;\r\n211 E\r\n")
    assert f.utf8
    assert f.mlst_facts == ("type", "size", "modify")
    assert f.mlst_enabled == {"type", "size"}


def test_auth_several_lines_and_semicolon_list() -> None:
    assert feat(b"211-F\r\n AUTH TLS\r\n AUTH SSL\r\n211 E\r\n").auth_mechanisms == {"TLS", "SSL"}
    f = feat(b"211-F\r\n AUTH TLS;TLS-C;SSL;TLS-P;\r\n211 E\r\n")
    assert f.auth_mechanisms == {"TLS", "TLS-C", "SSL", "TLS-P"}
    assert f.auth_tls
    assert not feat(b"211-F\r\n SIZE\r\n211 E\r\n").auth_tls


def test_hash_without_selection() -> None:
    f = feat(b"211-F\r\n HASH SHA-1;MD5\r\n211 E\r\n")
    assert f.hash_algorithms == ("SHA-1", "MD5")
    assert f.hash_selected is None
    assert f.hash_choice() == HashChoice("HASH", "SHA-1", needs_opts=True)


def test_hash_choice_prefers_strongest_and_hash_over_x_commands() -> None:
    f = feat(PROFTPD_LIKE)
    assert f.hash_choice() == HashChoice("HASH", "SHA-256", needs_opts=False)
    assert f.hash_choice(["MD5"]) == HashChoice("HASH", "MD5", needs_opts=True)
    assert f.hash_choice(["CRC32"]) == HashChoice("XCRC", "CRC32", needs_opts=False)
    legacy = feat(b"211-F\r\n XMD5\r\n XSHA1\r\n XSHA\r\n211 E\r\n")
    assert legacy.hash_choice() == HashChoice("XSHA1", "SHA-1", needs_opts=False)


def test_mlsd_alone_counts_as_mlst_support() -> None:
    assert feat(b"211-F\r\n MLSD\r\n211 E\r\n").mlst


def test_features_value_is_frozen_and_hashable() -> None:
    f = feat(PROFTPD_LIKE)
    with pytest.raises(AttributeError):
        f.names = frozenset()  # type: ignore[misc]
    assert hash(f) == hash(feat(PROFTPD_LIKE))


def test_opts_mlst_command_format() -> None:
    assert opts_mlst_command(["type", "Size", "modify", "type"]).to_bytes() == (
        b"OPTS MLST type;size;modify;\r\n"
    )
    assert opts_mlst_command([]).to_bytes() == b"OPTS MLST\r\n"


def test_opts_mlst_reply_and_with_mlst_enabled() -> None:
    (reply,) = parse_replies(b"200 MLST OPTS type;size;\r\n")
    enabled = parse_opts_mlst_reply(reply)
    assert enabled == {"type", "size"}
    f = feat(PROFTPD_LIKE).with_mlst_enabled(enabled | {"not-offered"})
    assert f.mlst_enabled == {"type", "size"}
    (error,) = parse_replies(b"501 Bad fact\r\n")
    assert parse_opts_mlst_reply(error) == frozenset()
    (bare,) = parse_replies(b"200 MLST OPTS\r\n")
    assert parse_opts_mlst_reply(bare) == frozenset()


@given(st.lists(st.text(max_size=40), max_size=12))
def test_any_feature_lines_parse_without_error(lines: list[str]) -> None:
    f = Features.from_lines(lines)
    assert all(name == name.upper() for name in f.names)
    assert all(fact == fact.lower() for fact in f.mlst_facts)
    assert f.mlst_enabled <= set(f.mlst_facts)
    assert f.hash_selected is None or f.hash_selected in f.hash_algorithms
    hash(f)


@pytest.mark.parametrize(
    ("raw", "enabled"),
    [
        (b"200 MLST OPTS type;size;\r\n", {"type", "size"}),  # pyftpdlib, proftpd
        (b"200 MLST OPTS \r\n", set()),  # pyftpdlib, after a bare OPTS MLST
        # pure-ftpd: two spaces, and it keeps every fact whatever was asked for
        (
            b"200  MLST OPTS type;size;sizd;modify;UNIX.mode;UNIX.uid;UNIX.gid;unique;\r\n",
            {"type", "size", "sizd", "modify", "unix.mode", "unix.uid", "unix.gid", "unique"},
        ),
        (b"501 Option not understood.\r\n", set()),  # vsftpd
    ],
)
def test_opts_mlst_replies_of_real_servers(raw: bytes, enabled: set[str]) -> None:
    (reply,) = parse_replies(raw)
    assert parse_opts_mlst_reply(reply) == enabled
