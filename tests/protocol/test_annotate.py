"""The annotator: what each control line means for the link."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from client.protocol.addresses import PasvPolicy
from client.protocol.annotate import (
    Annotation,
    AnnotationContext,
    Annotator,
    Direction,
    Severity,
    annotate,
    render_line,
)
from client.protocol.replies import Reply, parse_replies

RAW_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def received(line: str, **context: object) -> list[Annotation]:
    return annotate(line, Direction.RECEIVED, AnnotationContext(**context))  # type: ignore[arg-type]


def sent(line: str, **context: object) -> list[Annotation]:
    return annotate(line, Direction.SENT, AnnotationContext(**context))  # type: ignore[arg-type]


def only(notes: list[Annotation], kind: str) -> Annotation:
    matching = [n for n in notes if n.fields.get("kind") == kind]
    assert len(matching) == 1, notes
    return matching[0]


# --------------------------------------------------------------------------- render_line


@pytest.mark.parametrize(
    "line",
    ["PASS hunter2", "PASS a", "pass correct horse battery staple", "PASS", "  PASS x\r\n",
     "ACCT secret-account", "PASS \x1b[31mred", "PASS\thunter2", "PASS\x00hunter2",
     "Pass:hunter2"],
)
def test_secrets_are_redacted_to_a_fixed_form(line: str) -> None:
    shown = render_line(line)
    assert shown in ("PASS ****", "ACCT ****")
    assert "hunter2" not in shown and "secret" not in shown


def test_other_lines_pass_through_unchanged() -> None:
    assert render_line("USER alice") == "USER alice"
    assert render_line("PASSIVE is not a verb we redact") == "PASSIVE is not a verb we redact"
    assert render_line("227 Entering Passive Mode (127,0,0,1,195,90).\r\n") == (
        "227 Entering Passive Mode (127,0,0,1,195,90)."
    )


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("220 \x1b[31mWelcome\x1b[0m", "220 \\x1b[31mWelcome\\x1b[0m"),
        ("220 nul\x00byte", "220 nul\\x00byte"),
        ("220 c1\x9bcontrol", "220 c1\\x9bcontrol"),
        ("220 bidi \u202eevil", "220 bidi \\u202eevil"),
        ("220 bell\x07", "220 bell\\x07"),
        ("550 a\rb", "550 a\\rb"),
    ],
)
def test_control_characters_are_shown_escaped(line: str, shown: str) -> None:
    assert render_line(line) == shown
    note = only(received(line), "control-characters")
    assert note.severity is Severity.WARNING


def test_pass_annotation_never_shows_the_secret_and_warns_on_clear_text() -> None:
    notes = sent("PASS hunter2", control_peer="192.168.1.5")
    note = only(notes, "credentials")
    assert note.severity is Severity.WARNING and "clear text" in note.text
    assert all("hunter2" not in n.text and "hunter2" not in str(n.fields) for n in notes)
    assert only(sent("PASS hunter2", control_peer="192.168.1.5", tls=True), "credentials").severity is Severity.INFO
    assert only(sent("PASS hunter2", control_peer="127.0.0.1"), "credentials").severity is Severity.INFO


# --------------------------------------------------------------------------- 227


def test_227_example_from_the_issue() -> None:
    note = only(received("227 Entering Passive Mode (10,0,0,5,195,80)"), "pasv")
    assert note.fields["host"] == "10.0.0.5"
    assert note.fields["port"] == 50000
    assert (note.fields["p1"], note.fields["p2"]) == (195, 80)
    assert note.fields["arithmetic"] == "195*256+80 = 50000"
    assert note.fields["address_class"] == "private"
    assert note.fields["initiator"] == "client"
    assert note.fields["replaced"] is False
    assert "195*256+80 = 50000" in note.text and "private address" in note.text


def test_227_behind_nat_is_replaced_with_the_control_peer() -> None:
    note = only(
        received("227 Entering Passive Mode (10,0,0,5,195,80)", control_peer="203.0.113.7"),
        "pasv",
    )
    assert note.severity is Severity.WARNING
    assert note.fields["replaced"] is True
    assert note.fields["use_host"] == "203.0.113.7"
    assert "client will connect to 203.0.113.7:50000" in note.text
    assert "NAT is not configured on the server" in note.text
    assert "MasqueradeAddress" in note.text


def test_227_over_an_ipv6_control_connection_names_a_bracketed_endpoint() -> None:
    note = only(received("227 Entering Passive Mode (10,0,0,5,195,80)", control_peer="2001:db8::7",
                         pasv_policy=PasvPolicy.CONTROL), "pasv")
    assert note.fields["use_host"] == "2001:db8::7"
    assert "client will connect to [2001:db8::7]:50000" in note.text


def test_227_policy_advertised_keeps_the_address_but_warns() -> None:
    note = only(
        received("227 Entering Passive Mode (10,0,0,5,195,80)", control_peer="203.0.113.7",
                 pasv_policy=PasvPolicy.ADVERTISED),
        "pasv",
    )
    assert (note.fields["use_host"], note.fields["replaced"]) == ("10.0.0.5", False)
    assert note.severity is Severity.WARNING


@pytest.mark.parametrize(
    ("line", "host", "port", "severity"),
    [
        ("227 Entering Passive Mode (127,0,0,1,195,90).", "127.0.0.1", 50010, Severity.INFO),
        ("227 Entering Passive Mode (127,0,0,1,195,107)", "127.0.0.1", 50027, Severity.INFO),
        # proftpd MasqueradeAddress / pyftpdlib masquerade: another loopback address, which
        # the default policy names and does not dial
        ("227 Entering Passive Mode (127,0,0,2,195,112).", "127.0.0.2", 50032, Severity.WARNING),
        ("227 Entering passive mode (127,0,0,2,195,128).", "127.0.0.2", 50048, Severity.WARNING),
    ],
)
def test_227_from_real_servers(line: str, host: str, port: int, severity: Severity) -> None:
    note = only(received(line, control_peer="127.0.0.1"), "pasv")
    assert (note.fields["host"], note.fields["port"], note.fields["use_host"]) == (host, port, "127.0.0.1")
    assert note.severity is severity


def test_undecodable_227_is_an_error_annotation() -> None:
    note = only(received("227 Entering Passive Mode (10,0,0,300,195,80)"), "address-error")
    assert note.severity is Severity.ERROR
    assert "'300'" in note.text and "0..255" in note.text


# --------------------------------------------------------------------------- 229


@pytest.mark.parametrize(
    ("line", "port"),
    [
        ("229 Entering Extended Passive Mode (|||50000|)", 50000),
        ("229 Extended Passive mode OK (|||50024|)", 50024),
        ("229 Entering extended passive mode (|||50045|).", 50045),
    ],
)
def test_229_from_real_servers(line: str, port: int) -> None:
    note = only(received(line, control_peer="127.0.0.1"), "epsv")
    assert note.fields["port"] == port
    assert note.fields["host"] is None
    assert note.fields["use_host"] == "127.0.0.1"
    assert note.fields["initiator"] == "client"
    assert f"127.0.0.1 port {port}" in note.text


def test_229_without_context_names_the_control_connection() -> None:
    note = only(received("229 Entering Extended Passive Mode (|||50000|)"), "epsv")
    assert "the address of the control connection" in note.text


# --------------------------------------------------------------------------- PORT / EPRT


def test_port_sent_shows_who_connects_to_whom() -> None:
    note = only(sent("PORT 127,0,0,1,4,1"), "port")
    assert note.severity is Severity.INFO
    assert note.fields == {
        "kind": "port", "host": "127.0.0.1", "port": 1025, "initiator": "server",
        "p1": 4, "p2": 1, "arithmetic": "4*256+1 = 1025", "address_class": "loopback",
    }
    assert "server will connect" in note.text and "4*256+1 = 1025" in note.text


def test_port_with_private_address_to_a_remote_server_warns() -> None:
    notes = sent("PORT 192,168,1,10,195,80", control_peer="8.8.8.8", control_local="192.168.1.10")
    warnings = [n for n in notes if n.severity is Severity.WARNING]
    assert [n.fields["problem"] for n in warnings] == ["not-reachable-from-server"]
    assert "passive mode" in warnings[0].text


def test_port_with_address_other_than_control_local_warns() -> None:
    notes = sent("PORT 127,0,0,5,4,1", control_peer="127.0.0.1", control_local="127.0.0.1")
    problems = [n.fields.get("problem") for n in notes if n.severity is Severity.WARNING]
    assert problems == ["differs-from-control-local"]


def test_port_on_the_same_network_does_not_warn() -> None:
    notes = sent("PORT 192,168,1,10,195,80", control_peer="192.168.1.1", control_local="192.168.1.10")
    assert [n.severity for n in notes] == [Severity.INFO]


def test_port_with_unspecified_address_is_an_error() -> None:
    notes = sent("PORT 0,0,0,0,4,1")
    assert any(n.severity is Severity.ERROR and n.fields.get("problem") == "unreachable" for n in notes)


def test_eprt_ipv6() -> None:
    note = only(sent("EPRT |2|::1|50000|", control_local="::1"), "eprt")
    assert (note.fields["host"], note.fields["port"], note.fields["address_class"]) == ("::1", 50000, "loopback")
    assert "arithmetic" not in note.fields
    assert "[::1]:50000" in note.text


def test_mapped_control_local_matches_eprt_ipv4() -> None:
    notes = sent("EPRT |1|127.0.0.1|50000|", control_local="::ffff:127.0.0.1", control_peer="::ffff:127.0.0.1")
    assert [n.severity for n in notes] == [Severity.INFO]


def test_port_warnings_are_separate_from_the_address_annotation() -> None:
    notes = sent("PORT 10,0,0,5,4,1", control_peer="8.8.8.8", control_local="10.0.0.6")
    assert only(notes, "port").fields["host"] == "10.0.0.5"
    problems = [n.fields for n in notes if n.fields["kind"] == "address-problem"]
    assert [(p["for"], p["problem"]) for p in problems] == [
        ("port", "not-reachable-from-server"), ("port", "differs-from-control-local")]


def test_host_name_in_the_context_is_not_judged() -> None:
    # A front end may only know the name it connected to; addresses are still decoded.
    note = only(received("227 Entering Passive Mode (10,0,0,5,195,80)", control_peer="ftp.example.com"), "pasv")
    assert (note.fields["use_host"], note.fields["replaced"]) == ("10.0.0.5", False)
    assert only(sent("PORT 10,0,0,5,4,1", control_peer="ftp.example.com"), "port")
    assert only(sent("PASS x", control_peer="ftp.example.com"), "credentials").severity is Severity.INFO


def test_bad_port_argument_is_an_error_annotation() -> None:
    note = only(sent("PORT 127,0,0,1,4"), "address-error")
    assert note.fields["for"] == "port" and note.severity is Severity.ERROR


# --------------------------------------------------------------------------- data channel


def conversation(*steps: tuple[str, str], **context: object) -> list[list[Annotation]]:
    annotator = Annotator(AnnotationContext(**context))  # type: ignore[arg-type]
    return [annotator.sent(line) if way == ">" else annotator.received(line) for way, line in steps]


def test_150_in_passive_mode_names_the_endpoint_and_suspects() -> None:
    *_, notes = conversation(
        (">", "PASV"), ("<", "227 Entering Passive Mode (127,0,0,1,195,90)."),
        (">", "MLSD"), ("<", "150 Accepted data connection"),
        control_peer="127.0.0.1",
    )
    note = only(notes, "data-channel")
    assert note.fields["phase"] == "accepted"
    assert "accepted MLSD" in note.text
    assert "127.0.0.1:50010" in note.text
    assert "passive port range" in note.text


def test_150_in_active_mode_says_the_server_connects() -> None:
    *_, notes = conversation(
        (">", "PORT 127,0,0,1,4,1"), ("<", "200 PORT command successful."),
        (">", "RETR file"), ("<", "150 Opening BINARY mode data connection"),
    )
    text = only(notes, "data-channel").text
    assert "connecting to the client's PORT/EPRT address 127.0.0.1:1025" in text
    assert "firewall or NAT in front of the client" in text


def test_200_after_port_names_the_address() -> None:
    _, notes = conversation((">", "PORT 127,0,0,1,4,1"), ("<", "200 PORT command successful."))
    assert "127.0.0.1:1025" in only(notes, "data-channel").text


def test_150_with_tls_mentions_session_reuse() -> None:
    *_, notes = conversation(
        (">", "AUTH TLS"), ("<", "234 AUTH TLS successful"),
        (">", "PASV"), ("<", "227 Entering Passive Mode (127,0,0,1,195,90)."),
        (">", "LIST"), ("<", "150 Here comes the directory listing."),
    )
    assert "session reuse" in only(notes, "data-channel").text


def test_125_226_225() -> None:
    _, n125, n226 = conversation((">", "STOR f"), ("<", "125 Data connection already open"),
                                 ("<", "226 Transfer complete."))
    assert "already open" in only(n125, "data-channel").text
    assert only(n226, "data-channel").fields["phase"] == "complete"
    _, n225 = conversation((">", "ABOR"), ("<", "225 ABOR command successful."))
    assert only(n225, "data-channel").fields["phase"] == "aborted"
    assert "abort succeeded" in only(received("225 No transfer to ABOR."), "data-channel").text


def test_426_after_abor_is_the_expected_answer() -> None:
    _, n426, n226 = conversation((">", "ABOR"), ("<", "426 Connection closed; transfer aborted."),
                                 ("<", "226 ABOR successful."))
    assert only(n426, "data-channel").severity is Severity.INFO
    assert "aborted as requested" in only(n426, "data-channel").text
    assert only(n226, "data-channel").fields["phase"] == "aborted"


@pytest.mark.parametrize("verb", ["PASV", "EPSV"])
def test_passive_mode_refused_by_vsftpd_pasv_enable_no(verb: str) -> None:
    note = only(received("550 Permission denied.", last_command=verb), "data-error")
    assert note.fields["phase"] == "passive-refused" and "active mode" in note.text


def test_425_bad_ip_from_vsftpd() -> None:
    note = only(received("425 Security: Bad IP connecting.", last_command="LIST"), "data-error")
    assert "pasv_promiscuous" in note.text and "another address" in note.text


def test_epsv_all() -> None:
    assert only(sent("EPSV ALL"), "epsv-all").severity is Severity.INFO
    assert sent("EPSV") == []


def test_425_causes_depend_on_the_mode() -> None:
    *_, passive = conversation((">", "EPSV"), ("<", "229 Entering Extended Passive Mode (|||50000|)"),
                               (">", "LIST"), ("<", "425 Failed to establish connection."),
                               control_peer="127.0.0.1")
    *_, active = conversation((">", "PORT 127,0,0,1,4,1"), ("<", "200 ok"), (">", "LIST"),
                              ("<", "425 Can't open data connection."))
    p, a = only(passive, "data-error"), only(active, "data-error")
    assert p.severity is a.severity is Severity.ERROR
    assert "client connects to the server (127.0.0.1:50000)" in p.text
    assert "server connects to the client (127.0.0.1:1025)" in a.text


def test_426_broken_data_connection() -> None:
    note = only(received("426 Connection closed; transfer aborted.", last_command="RETR"), "data-error")
    assert note.fields["phase"] == "transfer" and "broke during the transfer" in note.text


def test_5xx_after_a_data_command_means_no_data_connection() -> None:
    note = only(received("550 Failed to open file.", last_command="RETR"), "data-error")
    assert note.fields["phase"] == "refused" and "no data connection" in note.text


def test_server_text_inside_explanations_is_escaped() -> None:
    notes = received("425 \x1b[2Jgone", last_command="LIST")
    for note in notes:
        assert not RAW_CONTROL.search(note.text)
    assert "\\x1b[2J" in only(notes, "data-error").text


def test_421_during_transfer_mentions_idle_timeout() -> None:
    note = only(received("421 Timeout.", last_command="RETR"), "closing")
    assert note.severity is Severity.ERROR and "idle timeout" in note.text


# --------------------------------------------------------------------------- TLS, login, fallback


def test_522_session_reuse_from_vsftpd() -> None:
    line = ("522 SSL connection failed; session reuse required: see require_ssl_reuse option "
            "in vsftpd.conf man page")
    note = only(received(line, last_command="LIST"), "tls")
    assert note.severity is Severity.ERROR and "require_ssl_reuse=YES" in note.text


def test_522_data_protection_required() -> None:
    note = only(received("522 Data connections must be encrypted.", last_command="LIST"), "tls")
    assert "PROT P" in note.text


def test_522_to_eprt_is_a_protocol_fallback() -> None:
    note = only(received("522 Network protocol not supported, use (1)", last_command="EPRT"), "fallback")
    assert note.severity is Severity.WARNING


@pytest.mark.parametrize(("code", "words"), [(533, "AUTH TLS"), (534, "policy")])
def test_533_534(code: int, words: str) -> None:
    note = only(received(f"{code} Denied", last_command="PROT"), "tls")
    assert note.severity is Severity.ERROR and words in note.text


def test_auth_pbsz_prot_replies_and_tls_tracking() -> None:
    annotator = Annotator()
    annotator.sent("AUTH TLS")
    assert "handshake" in only(annotator.received("234 Proceed with negotiation."), "tls").text
    assert annotator.context.tls is True
    annotator.sent("PBSZ 0")
    assert "PBSZ" in only(annotator.received("200 PBSZ=0"), "tls").text
    annotator.sent("PROT P")
    assert "protection level" in only(annotator.received("200 Protection level set to P"), "tls").text


@pytest.mark.parametrize("line", ["500 AUTH not understood", "502 Command not implemented",
                                  "530 Please login with USER and PASS."])
def test_auth_refused_means_no_tls(line: str) -> None:
    note = only(received(line, last_command="AUTH"), "tls")
    assert "does not offer TLS" in note.text


@pytest.mark.parametrize(
    ("line", "last", "severity", "words"),
    [
        ("230 Login successful.", "PASS", Severity.INFO, "logged in"),
        ("331 Please specify the password.", "USER", Severity.INFO, "password"),
        ("332 Need account for login.", "PASS", Severity.INFO, "ACCT"),
        ("530 Login incorrect.", "PASS", Severity.ERROR, "wrong user name or password"),
        ("530 Please login with USER and PASS.", "LIST", Severity.ERROR, "needs a successful login"),
        ("530 Non-anonymous sessions must use encryption.", "USER", Severity.ERROR,
         "requires TLS before login"),
    ],
)
def test_login_replies(line: str, last: str, severity: Severity, words: str) -> None:
    note = only(received(line, last_command=last), "login")
    assert note.severity is severity and words in note.text


@pytest.mark.parametrize(("verb", "code", "fallback"),
                         [("EPSV", 500, "PASV"), ("EPSV", 502, "PASV"), ("EPRT", 500, "PORT"),
                          ("EPRT", 502, "PORT")])
def test_extended_commands_refused_fall_back(verb: str, code: int, fallback: str) -> None:
    note = only(received(f"{code} Unknown command.", last_command=verb), "fallback")
    assert note.fields["fallback"] == fallback and note.severity is Severity.WARNING


# --------------------------------------------------------------------------- cheapness, robustness


@pytest.mark.parametrize(
    ("line", "direction", "last"),
    [("200 Switching to Binary mode.", Direction.RECEIVED, "TYPE"),
     ("257 \"/\" is the current directory", Direction.RECEIVED, "PWD"),
     ("211-Features:", Direction.RECEIVED, "FEAT"),
     (" MLST type*;size*;modify*;", Direction.RECEIVED, "FEAT"),
     ("TYPE I", Direction.SENT, None),
     ("CWD /pub", Direction.SENT, None)],
)
def test_ordinary_lines_need_no_annotation(line: str, direction: Direction, last: str | None) -> None:
    assert annotate(line, direction, AnnotationContext(last_command=last)) == []


def test_annotator_accepts_reply_objects_including_multiline_227() -> None:
    (reply,) = parse_replies(b"227-Entering Passive Mode\r\n227 (127,0,0,1,195,90)\r\n")
    assert isinstance(reply, Reply)
    annotator = Annotator(AnnotationContext(control_peer="127.0.0.1"))
    annotator.sent("PASV")
    note = only(annotator.received(reply), "pasv")
    assert note.fields["port"] == 50010
    assert annotator.context.data_endpoint == "127.0.0.1:50010"
    assert annotator.context.mode == "passive"


def test_annotator_tracks_last_command_and_mode() -> None:
    annotator = Annotator()
    annotator.sent("EPRT |1|127.0.0.1|50000|")
    assert (annotator.context.last_command, annotator.context.mode) == ("EPRT", "active")
    assert annotator.context.data_endpoint == "127.0.0.1:50000"


def test_severity_rank_orders_max() -> None:
    assert max([Severity.INFO, Severity.ERROR, Severity.WARNING], key=lambda s: s.rank) is Severity.ERROR


hosts = st.one_of(st.none(), st.ip_addresses().map(str), st.just("ftp.example.com"), st.text(max_size=8))
contexts = st.builds(
    AnnotationContext,
    control_peer=hosts,
    control_local=hosts,
    mode=st.sampled_from([None, "passive", "active"]),
    last_command=st.sampled_from([None, "PASV", "EPSV", "PORT", "EPRT", "LIST", "RETR", "AUTH",
                                  "PROT", "PASS", "ABOR"]),
    pasv_policy=st.sampled_from(PasvPolicy),
    tls=st.booleans(),
)
lines = st.one_of(
    st.text(max_size=100),
    st.builds(lambda code, rest: f"{code} {rest}", st.sampled_from(
        [125, 150, 200, 225, 226, 227, 229, 230, 234, 331, 421, 425, 426, 500, 522, 530, 534, 550]),
        st.text(max_size=60)),
    st.builds(lambda verb, rest: f"{verb} {rest}", st.sampled_from(["PORT", "EPRT", "PASS", "ACCT"]),
              st.text(max_size=60)),
)


@settings(max_examples=400)
@given(lines, st.sampled_from(Direction), contexts)
def test_annotate_never_raises_and_never_leaks_control_characters(
    line: str, direction: Direction, context: AnnotationContext
) -> None:
    notes = annotate(line, direction, context)
    carrying_address = [n for n in notes if n.fields["kind"] in ("pasv", "epsv", "port", "eprt")]
    assert len(carrying_address) <= 1
    for note in notes:
        assert isinstance(note.severity, Severity)
        assert "kind" in note.fields
        assert not RAW_CONTROL.search(note.text)
        for value in note.fields.values():
            assert value is None or isinstance(value, str | int | bool)
    assert not RAW_CONTROL.search(render_line(line))
    if re.match(r"\s*(pass|acct)(?![a-z])", line, re.IGNORECASE):
        assert render_line(line) in ("PASS ****", "ACCT ****")


# --------------------------------------------------------------------------- real servers


def _listing_through_annotator(server: object, command: str, policy: PasvPolicy) -> tuple[list[Annotation], bytes]:
    """Talk to a real server with a plain client, let the annotator read every line, and
    dial exactly the endpoint the annotator says the client will use."""
    import socket

    from fixtures.ftp_probe import login

    client = login(server)  # type: ignore[arg-type]
    try:
        annotator = Annotator(AnnotationContext(
            control_peer=client.sock.getpeername()[0],
            control_local=client.sock.getsockname()[0],
            pasv_policy=policy,
        ))
        annotator.sent(command)
        client.putcmd(command)
        address_notes = annotator.received(client.getresp())
        kind = "pasv" if command == "PASV" else "epsv"
        note = only(address_notes, kind)
        with socket.create_connection((note.fields["use_host"], note.fields["port"]), timeout=5) as data:
            annotator.sent("LIST")
            client.putcmd("LIST")
            preliminary = annotator.received(client.getline())
            chunks = []
            while chunk := data.recv(65536):
                chunks.append(chunk)
        complete = annotator.received(client.getline())
        return address_notes + preliminary + complete, b"".join(chunks)
    finally:
        client.close()


@pytest.mark.parametrize("command", ["PASV", "EPSV"])
def test_annotator_endpoint_is_where_a_real_server_listens(real_server: object, command: str) -> None:
    notes, listing = _listing_through_annotator(real_server, command, PasvPolicy.AUTO)
    assert listing  # the data really came over the endpoint the annotation named
    assert [n.fields["kind"] for n in notes] == [command.lower(), "data-channel", "data-channel"]
    assert [n.fields.get("phase") for n in notes[1:]] == ["accepted", "complete"]
    assert all(n.severity is Severity.INFO for n in notes)


@pytest.mark.parametrize("fixture", ["ftp_masquerade_server",
                                     pytest.param("proftpd_masquerade_server", marks=pytest.mark.realserver)])
def test_masquerading_real_server_is_flagged_and_control_policy_reaches_it(
    fixture: str, request: pytest.FixtureRequest,
) -> None:
    # Trusting 127.0.0.2 fails (nothing listens there) and the annotation warns about it;
    # the default and 'control' policies dial the address that works.
    import socket

    from fixtures.ftp_probe import login

    server = request.getfixturevalue(fixture)
    client = login(server)
    try:
        note = only(received(client.sendcmd("PASV"), control_peer=client.sock.getpeername()[0]), "pasv")
    finally:
        client.close()
    assert (note.fields["host"], note.fields["use_host"], note.severity) == ("127.0.0.2", "127.0.0.1", Severity.WARNING)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.2", note.fields["port"]), timeout=2).close()
    notes, listing = _listing_through_annotator(server, "PASV", PasvPolicy.CONTROL)
    pasv = only(notes, "pasv")
    assert (pasv.fields["use_host"], pasv.fields["replaced"]) == ("127.0.0.1", True)
    assert listing


@settings(max_examples=200)
@given(st.binary(max_size=300), contexts)
def test_annotator_takes_any_reply_the_framer_produces(data: bytes, context: AnnotationContext) -> None:
    from client.protocol.errors import ProtocolError

    try:
        replies = parse_replies(b"227 (127,0,0,1,4,1)\r\n" + data + b"\r\n")
    except ProtocolError:
        return
    annotator = Annotator(context)
    for reply in replies:
        for note in annotator.received(reply):
            assert not RAW_CONTROL.search(note.text)


@pytest.mark.parametrize(
    "char", [chr(c) for c in [*range(0x00, 0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F),
                              *range(0x2066, 0x206A)] if chr(c) not in "\r\n"],
    ids=lambda c: f"U+{ord(c):04X}")
def test_every_control_and_direction_character_is_shown_escaped(char: str) -> None:
    shown = render_line(f"550 a{char}b")
    assert char not in shown and shown.startswith("550 a\\")
