"""PASV steering and active-mode hijacking (CVE-2020-8284 and friends).

A server must not be able to make the client dial an address of the server's choosing
(an internal host, a third party), a stranger must not be able to feed or steal an
active-mode data connection, and one server's data address is never handed to
another server (no FXP). The network guard (tests/conftest.py) fails any test whose
code dials outside loopback, so "the advertised address was never dialled" is checked
by the guard as well as by the events.
"""

from __future__ import annotations

import asyncio

import pytest
from fixtures.scripted_faults import connect_back_from, unix_listing
from fixtures.scripted_steps import pasv, transfer

from client.engine.errors import DataChannelError
from client.engine.events import DataChannelEvent, DataFailure, DataPhase, EventBus, Notice
from client.engine.session import FtpSession
from client.engine.settings import TransferMode
from client.protocol.addresses import PasvPolicy, decide_pasv_address

LISTING = unix_listing([("-", b"file.txt", 5)])
FAST = dict(data_timeout=2.0, control_timeout=3.0, use_epsv=False)


def recorded(bus: EventBus) -> list:
    events: list = []
    bus.subscribe(events.append)
    return events


# Internal, unusable and foreign-class addresses a hostile or misconfigured server may
# name. Each is replaced by the control peer under the default (auto) policy.
STEERED = [
    "10.0.0.5",  # private (RFC 1918): someone on the user's LAN
    "192.168.1.1",  # the user's router
    "172.16.0.10",
    "100.64.0.1",  # carrier-grade NAT
    "0.0.0.0",  # unspecified
    "169.254.169.254",  # link-local: a cloud metadata service
    "224.0.0.1",  # multicast
    "198.51.100.7",  # documentation range
]


@pytest.mark.asyncio
@pytest.mark.parametrize("advertised", STEERED)
async def test_auto_policy_never_dials_an_internal_or_unusable_227(scripted_server, advertised):
    server = scripted_server({"PASV": pasv(advertise=advertised),
                              "LIST": transfer(payload=LISTING)})
    bus = EventBus()
    events = recorded(bus)
    async with FtpSession(server.settings(**FAST), bus=bus) as session:
        listing = await asyncio.wait_for(session.list("/"), 10)
    assert [entry.name for entry in listing.entries] == ["file.txt"]
    connected = [e for e in events if isinstance(e, DataChannelEvent)
                 and e.phase is DataPhase.CONNECTED]
    assert connected and all(e.remote.host == "127.0.0.1" for e in connected)
    assert all(e.advertised.host == advertised for e in connected)
    reports = [e.text for e in events if isinstance(e, Notice) and e.kind == "substitution"]
    assert len(reports) == 1 and advertised in reports[0] and "127.0.0.1" in reports[0]


@pytest.mark.asyncio
@pytest.mark.parametrize("advertised", ["8.8.8.8", "127.0.0.2", "10.0.0.5"])
async def test_control_policy_always_dials_the_control_peer(scripted_server, advertised):
    server = scripted_server({"PASV": pasv(advertise=advertised),
                              "LIST": transfer(payload=LISTING)})
    bus = EventBus()
    events = recorded(bus)
    settings = server.settings(**FAST, pasv_policy=PasvPolicy.CONTROL)
    async with FtpSession(settings, bus=bus) as session:
        listing = await asyncio.wait_for(session.list("/"), 10)
    assert [entry.name for entry in listing.entries] == ["file.txt"]
    connected = [e for e in events if isinstance(e, DataChannelEvent)
                 and e.phase is DataPhase.CONNECTED]
    assert [e.remote.host for e in connected] == ["127.0.0.1"]
    reports = [e.text for e in events if isinstance(e, Notice) and e.kind == "substitution"]
    assert reports and advertised in reports[0] and "'control' PASV policy" in reports[0]


def test_auto_policy_never_dials_a_public_third_party():
    """Under 'auto' (the default) a public address that differs from the control peer
    is named but not dialled: only 'advertised' dials a separate data host."""
    decision = decide_pasv_address("8.8.8.8", "1.1.1.1", PasvPolicy.AUTO)
    assert decision.warning and decision.replaced and decision.host == "1.1.1.1"
    assert "8.8.8.8" in decision.reason and "'advertised'" in decision.reason
    strict = decide_pasv_address("8.8.8.8", "1.1.1.1", PasvPolicy.CONTROL)
    assert strict.replaced and strict.host == "1.1.1.1"
    # An internal address behind a public control peer is the CVE-2020-8284 case.
    for internal in ("10.1.2.3", "192.168.0.1", "127.0.0.1", "169.254.169.254", "0.0.0.0"):
        decision = decide_pasv_address(internal, "1.1.1.1", PasvPolicy.AUTO)
        assert decision.replaced and decision.host == "1.1.1.1", internal


@pytest.mark.asyncio
async def test_active_connection_from_another_host_is_refused_and_reported(scripted_server):
    server = scripted_server({"LIST": connect_back_from("127.0.0.2", payload=LISTING)})
    bus = EventBus()
    events = recorded(bus)
    settings = server.settings(**FAST, mode=TransferMode.ACTIVE)
    async with FtpSession(settings, bus=bus) as session:
        with pytest.raises(DataChannelError) as caught:
            await asyncio.wait_for(session.list("/"), 10)
        assert caught.value.failure is DataFailure.WRONG_PEER
        assert "127.0.0.2" in str(caught.value) and "127.0.0.1" in str(caught.value)
        # The stranger's bytes were never taken as a listing, and the session goes on.
        assert (await session.noop()).code == 200
    assert server.wait_for(lambda s: any("127.0.0.2" in e for e in s.events), 15)
    refusals = [e.text for e in events if isinstance(e, Notice)
                and "refused a data connection from 127.0.0.2" in e.text]
    assert refusals
    failed = [e for e in events if isinstance(e, DataChannelEvent)
              and e.phase is DataPhase.FAILED]
    assert failed and failed[-1].failure is DataFailure.WRONG_PEER


def _intruder_then_server(session, argument):
    """A stranger on 127.0.0.2 dials the client's active port first, then the real
    server delivers the listing from 127.0.0.1."""
    import socket

    host, port = session.data.active_target
    try:
        with socket.create_connection((host, port), timeout=2,
                                      source_address=("127.0.0.2", 0)) as intruder:
            intruder.sendall(b"-rw-r--r-- 1 ftp ftp 5 Jan 02 03:04 planted.txt\r\n")
            session.server.event("intruder connected from 127.0.0.2")
    except OSError as error:
        session.server.event(f"intruder failed: {error}")
    transfer(payload=LISTING).run(session, argument)


@pytest.mark.asyncio
async def test_an_intruder_racing_the_server_gets_nothing_in(scripted_server):
    server = scripted_server({"LIST": _intruder_then_server})
    bus = EventBus()
    events = recorded(bus)
    settings = server.settings(**FAST, mode=TransferMode.ACTIVE)
    async with FtpSession(settings, bus=bus) as session:
        listing = await asyncio.wait_for(session.list("/"), 10)
    assert [entry.name for entry in listing.entries] == ["file.txt"]  # not planted.txt
    assert "intruder connected from 127.0.0.2" in server.events
    assert any(isinstance(e, Notice) and "127.0.0.2" in e.text for e in events)


@pytest.mark.asyncio
async def test_no_fxp_one_servers_data_address_is_never_sent_to_another(scripted_server):
    """Session A is passive (its 227 names A's data port); session B, in active mode,
    must announce only the client's own listener, never A's address or port."""
    server_a = scripted_server({"PASV": pasv(), "LIST": transfer(payload=LISTING)})
    server_b = scripted_server({"LIST": transfer(payload=LISTING)})
    bus = EventBus()
    events = recorded(bus)
    async with FtpSession(server_a.settings(**FAST), bus=bus) as session_a, \
            FtpSession(server_b.settings(**FAST, mode=TransferMode.ACTIVE, use_eprt=False),
                       bus=bus) as session_b:
        await session_a.list("/")
        await session_b.list("/")
    a_ports = {e.advertised.port for e in events if isinstance(e, DataChannelEvent)
               and e.advertised is not None and e.method == "PASV"}
    own_ports = {e.local.port for e in events if isinstance(e, DataChannelEvent)
                 and e.method == "PORT" and e.phase is DataPhase.LISTENING and e.local}
    assert a_ports and own_ports and not (a_ports & own_ports)
    port_lines = [line for line in server_b.lines() if line.startswith("PORT ")]
    assert len(port_lines) == 1
    numbers = [int(n) for n in port_lines[0].split()[1].split(",")]
    assert numbers[:4] == [127, 0, 0, 1]
    assert numbers[4] * 256 + numbers[5] in own_ports
    # And a data command is never sent to A carrying B's data address either.
    assert not any(line.startswith(("PORT", "EPRT")) for line in server_a.lines())


def _probe_other_address_then_serve(session, argument):
    """Try the client's active-mode port on another local address (127.0.0.2): a
    listener bound to every interface would answer there, one bound to the control
    connection's address does not. Then serve the listing normally."""
    import socket

    host, port = session.data.active_target
    try:
        with socket.create_connection(("127.0.0.2", port), timeout=1):
            session.server.event("active port reachable on 127.0.0.2")
    except OSError:
        session.server.event("active port not reachable on 127.0.0.2")
    transfer(payload=LISTING).run(session, argument)


@pytest.mark.asyncio
async def test_active_mode_listens_only_on_the_control_connections_address(scripted_server):
    server = scripted_server({"LIST": _probe_other_address_then_serve})
    bus = EventBus()
    events = recorded(bus)
    settings = server.settings(**FAST, mode=TransferMode.ACTIVE)
    async with FtpSession(settings, bus=bus) as session:
        await asyncio.wait_for(session.list("/"), 10)
    assert "active port not reachable on 127.0.0.2" in server.events
    listening = [e for e in events if isinstance(e, DataChannelEvent)
                 and e.phase is DataPhase.LISTENING]
    assert listening and all(e.local.host == "127.0.0.1" for e in listening)


@pytest.mark.asyncio
@pytest.mark.parametrize("advertised", ["169.254.169.254", "10.0.0.5", "0.0.0.0"])
async def test_diagnose_never_dials_a_steered_227(scripted_server, advertised):
    """The diagnosis tries PASV "as advertised" as one of its rows: for an address
    that nobody should dial it must not dial it (the network guard would fail the
    test), and the row says why."""
    from client.engine.diagnose import run_diagnosis
    from client.engine.diagnose.model import Outcome, Probe

    server = scripted_server({"PASV": pasv(advertise=advertised),
                              "LIST": transfer(payload=LISTING)})
    diagnosis = await asyncio.wait_for(run_diagnosis(server.settings(**FAST)), 60)
    row = diagnosis.attempt(Probe.PASV_ADVERTISED)
    assert row.outcome is Outcome.NOT_ATTEMPTED, row
    assert advertised in (row.detail or "")
    assert diagnosis.attempt(Probe.PASV_CONTROL).outcome is Outcome.OK
