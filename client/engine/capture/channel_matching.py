"""Which TCP connection served which announced data connection.

Passive: a connection to the announced port whose client is the control connection's
client, or whose server is the announced host (a capture on the server's side of a NAT
sees the real address, not the announced one). Active: a connection to the announced
port from the server, or to the control client on that port. The earliest unclaimed
connection that starts after the announcement wins. After AUTH TLS no announcement can
be read, so every later connection between the two hosts is paired as a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from client.engine.capture.event_replay import Conversation, DataSetup
from client.engine.capture.tcp_evidence import ConnectionFacts

__all__ = ["ChannelMatch", "match_channels"]

_EARLY = 0.001  # a SYN captured a hair before the reply that announced it (clock jitter)


@dataclass(frozen=True)
class ChannelMatch:
    """An announced data connection (``setup``; None for a guessed one) and the TCP
    connection found for it (``facts``; None when the capture never shows it)."""

    conversation: Conversation
    setup: DataSetup | None
    facts: ConnectionFacts | None
    passive: bool
    guessed: bool = False


def _passive_fits(setup: DataSetup, facts: ConnectionFacts) -> bool:
    answerer, opener = facts.answerer, facts.opener
    if answerer.port == setup.advertised.port and (
            opener.host == setup.client_host or answerer.host == setup.advertised.host):
        return True
    return not facts.syn_seen and opener.port == setup.advertised.port and (
        answerer.host == setup.client_host)


def _active_fits(setup: DataSetup, facts: ConnectionFacts) -> bool:
    answerer, opener = facts.answerer, facts.opener
    if answerer.port == setup.advertised.port and answerer.host in (
            setup.advertised.host, setup.client_host):
        return True
    return not facts.syn_seen and opener.port == setup.advertised.port and (
        opener.host in (setup.advertised.host, setup.client_host))


def _origin_t(facts: ConnectionFacts, origin: float) -> float:
    return facts.first_t - origin


class _PortIndex:
    """Connections by the port each side uses, in capture order: finding a data
    connection is a dictionary hit, so 10,000 transfers match in linear time."""

    def __init__(self, connections: Sequence[ConnectionFacts]) -> None:
        self.by_answerer: dict[int, list[ConnectionFacts]] = {}
        self.by_opener: dict[int, list[ConnectionFacts]] = {}
        for facts in connections:
            self.by_answerer.setdefault(facts.answerer.port, []).append(facts)
            if not facts.syn_seen:
                self.by_opener.setdefault(facts.opener.port, []).append(facts)

    def candidates(self, port: int) -> list[ConnectionFacts]:
        found = self.by_answerer.get(port, []) + self.by_opener.get(port, [])
        if len(found) > 1:
            found.sort(key=lambda f: f.first_t)
        return found


def match_channels(conversations: Sequence[Conversation], connections: Sequence[ConnectionFacts],
                   control_facts: set[int], origin: float) -> list[ChannelMatch]:
    """Pair every setup with its connection, in time order, each connection once."""
    claimed: set[int] = set(control_facts)
    index = _PortIndex(connections)
    setups = []
    for i, conversation in enumerate(conversations):
        own = conversation.setups
        for position, setup in enumerate(own):
            until = own[position + 1].t if position + 1 < len(own) else conversation.last_t
            setups.append((setup.t, i, conversation, setup, until))
    setups.sort(key=lambda entry: (entry[0], entry[1]))
    matches: list[ChannelMatch] = []
    for _t, _i, conversation, setup, until in setups:
        found = _find(setup, index.candidates(setup.advertised.port), claimed, origin, until)
        if found is None and (setup.refused is not None or
                              (setup.command is None and not setup.replies)):
            continue  # announced, never used, never dialled (a probe, an aborted step)
        if found is not None:
            claimed.add(id(found))
        matches.append(ChannelMatch(conversation, setup, found, setup.passive))
    for conversation in conversations:
        if conversation.opaque_since is not None:
            matches += _guesses(conversation, connections, claimed, origin)
    matches.sort(key=lambda m: (m.setup.t if m.setup else _origin_t(m.facts, origin)))  # type: ignore[arg-type]
    return matches


def _find(setup: DataSetup, connections: Sequence[ConnectionFacts], claimed: set[int],
          origin: float, until: float) -> ConnectionFacts | None:
    """The first unclaimed fitting connection that starts between the announcement and
    ``until`` (the next announcement, or the conversation's last line)."""
    fits = _passive_fits if setup.passive else _active_fits
    for facts in connections:
        start = facts.first_t - origin
        if id(facts) in claimed or start < setup.t - _EARLY or start > until + _EARLY:
            continue
        if fits(setup, facts):
            return facts
    return None


def _guesses(conversation: Conversation, connections: Sequence[ConnectionFacts],
             claimed: set[int], origin: float) -> list[ChannelMatch]:
    client = conversation.stream.client.host
    server = conversation.stream.server.host
    since = conversation.opaque_since or 0.0
    until = conversation.stream.last_t - origin  # while the control connection lived
    found = []
    for facts in connections:
        start = facts.first_t - origin
        if id(facts) in claimed or start < since or start > until:
            continue
        hosts = {facts.opener.host, facts.answerer.host}
        if hosts != {client, server} and not (client == server and hosts == {client}):
            continue
        claimed.add(id(facts))
        if client != server:
            passive = facts.opener.host == client
        else:  # one host: active data connections come from port 20 or control port - 1
            server_port = conversation.stream.server.port
            passive = facts.opener.port not in (20, server_port - 1)
        found.append(ChannelMatch(conversation, None, facts, passive, guessed=True))
    return found

