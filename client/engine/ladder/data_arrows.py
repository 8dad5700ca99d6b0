"""How one data connection's arrow changes with each event: opened by its first
:class:`DataChannelEvent`, advanced by the next ones (phase, ends, failure, TLS), moved
on by progress. Pure functions from (arrow, event) to the new arrow; which arrow an
event belongs to is the model's business (:mod:`client.engine.ladder.model`)."""

from __future__ import annotations

import dataclasses

from client.engine.events import DataChannelEvent, DataPhase, TransferProgress
from client.engine.ladder.items import DataArrow, DataState, Side
from client.engine.ladder.setup import SetupInfo, arithmetic_for_port
from client.protocol.text import escape_control

__all__ = ["STATE_OF_PHASE", "advanced", "opened", "progressed"]

STATE_OF_PHASE = {
    DataPhase.ADVERTISED: DataState.SETUP,
    DataPhase.LISTENING: DataState.SETUP,
    DataPhase.CONNECTING: DataState.CONNECTING,
    DataPhase.CONNECTED: DataState.ESTABLISHED,
    DataPhase.TLS_HANDSHAKE: DataState.ESTABLISHED,
    DataPhase.TLS_ESTABLISHED: DataState.ESTABLISHED,
    DataPhase.FIRST_BYTE: DataState.TRANSFERRING,
    DataPhase.CLOSED: DataState.CLOSED,
    DataPhase.FAILED: DataState.FAILED,
}


def opened(event: DataChannelEvent, index: int, event_index: int,
           pending: tuple[SetupInfo, int] | None) -> DataArrow:
    """The arrow of a data connection first seen in ``event``; ``pending`` is the decoded
    PORT/227 (and its console row) waiting for this connection, if any."""
    source = Side.SERVER if event.initiator == "server" else Side.CLIENT
    setup_text: str | None = None
    setup_index: int | None = None
    if pending is not None:
        setup_text = pending[0].port_text
        setup_index = pending[1]
    elif event.advertised is not None and event.method in ("PASV", "PORT"):
        setup_text = arithmetic_for_port(event.advertised.port)
    server_end = event.remote
    if server_end is None and source is Side.CLIENT:
        server_end = event.advertised
    state = STATE_OF_PHASE[event.phase]
    closed = not state.is_open
    return DataArrow(
        index=index, event_index=event_index, t=event.t,
        connection=event.connection, channel=event.channel, source=source,
        method=event.method, command=escape_control(event.command),
        state=state, phase=event.phase, phase_times=((event.phase, event.t),),
        client_end=event.local, server_end=server_end, advertised=event.advertised,
        address_note=escape_control(event.address_note) if event.address_note else None,
        setup=setup_text,
        setup_event_index=setup_index, bytes=event.bytes, last_progress_t=event.t,
        end_t=event.t if closed else None, failure=event.failure,
        reason=escape_control(event.reason) if event.reason else None,
        tls=event.tls, event_indices=(event_index,),
        control_peer=event.control_peer, tcp=event.tcp, rate_limit=event.rate_limit,
    )


def advanced(arrow: DataArrow, event: DataChannelEvent, event_index: int) -> DataArrow:
    """``arrow`` after a later event of its connection: a failure stays a failure, and a
    late event does not reopen a closed connection."""
    state = STATE_OF_PHASE[event.phase]
    if arrow.state is DataState.FAILED or (not arrow.state.is_open and state.is_open):
        state = arrow.state  # a failure stays a failure; a late event does not reopen
    closed = not state.is_open
    phase_times = arrow.phase_times
    if arrow.time_of(event.phase) is None:
        phase_times = phase_times + ((event.phase, event.t),)
    return dataclasses.replace(
        arrow,
        phase=event.phase,
        state=state,
        phase_times=phase_times,
        client_end=event.local or arrow.client_end,
        server_end=event.remote or arrow.server_end,
        advertised=event.advertised or arrow.advertised,
        address_note=(escape_control(event.address_note) if event.address_note
                      else arrow.address_note),
        bytes=event.bytes if event.bytes else arrow.bytes,
        last_progress_t=event.t,
        end_t=(arrow.end_t if arrow.end_t is not None and state is arrow.state
               else event.t) if closed else None,
        failure=event.failure or arrow.failure,
        reason=escape_control(event.reason) if event.reason else arrow.reason,
        tls=arrow.tls or event.tls,
        waiting_for=None,
        event_indices=arrow.event_indices + (event_index,),
        method=arrow.method or event.method,
        control_peer=arrow.control_peer or event.control_peer,
        tcp=event.tcp or arrow.tcp,
        rate_limit=event.rate_limit,
    )


def progressed(arrow: DataArrow, event: TransferProgress) -> DataArrow:
    """Bytes moved: the arrow is no longer waiting, and its progress time is now."""
    state = arrow.state
    if state is DataState.WAITING:
        state = STATE_OF_PHASE[arrow.phase]
    return dataclasses.replace(arrow, bytes=event.bytes_done, last_progress_t=event.t,
                               state=state, waiting_for=None)
