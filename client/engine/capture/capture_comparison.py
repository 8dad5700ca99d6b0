"""Two captures of the same session, one on each side of a NAT: which data addresses
were rewritten in between.

The 227/229 replies and PORT/EPRT commands of both captures are lined up in the order
they were sent (per kind); where the address or port differs, something between the
two capture points (a NAT router's FTP helper, a firewall's ALG) rewrote the line. The
control connections' endpoints are compared the same way (a NAT changes those too).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from client.engine.capture.analysis import CaptureAnalysis
from client.engine.events import LineSent, ReplyReceived

__all__ = ["AddressLine", "Rewrite", "compare_captures"]

_KINDS = ("pasv", "epsv", "port", "eprt")
_LABEL = {"pasv": "227 reply", "epsv": "229 reply", "port": "PORT command",
          "eprt": "EPRT command"}


@dataclass(frozen=True)
class AddressLine:
    kind: str
    host: str | None
    port: int
    t: float


@dataclass(frozen=True)
class Rewrite:
    """One line whose address differs between the two captures."""

    kind: str
    index: int  # the n-th line of this kind (1-based)
    first: AddressLine
    second: AddressLine

    def describe(self, first_name: str, second_name: str) -> str:
        def shown(line: AddressLine) -> str:
            host = line.host or "(control address)"
            return f"{host}:{line.port}"
        return (f"{_LABEL[self.kind]} #{self.index}: {shown(self.first)} in {first_name}, "
                f"{shown(self.second)} in {second_name}: rewritten between the two capture "
                "points (a NAT router's FTP helper or a firewall ALG changed the line)")


def address_lines(analysis: CaptureAnalysis) -> list[AddressLine]:
    lines = []
    for event in analysis.events:
        if not isinstance(event, LineSent | ReplyReceived):
            continue
        for note in event.annotations:
            kind = note.fields.get("kind")
            port = note.fields.get("port")
            if kind in _KINDS and isinstance(port, int):
                host = note.fields.get("host")
                lines.append(AddressLine(str(kind), host if isinstance(host, str) else None,
                                         port, event.t))
    return lines


def compare_captures(first: CaptureAnalysis, second: CaptureAnalysis) -> list[Rewrite]:
    """Every data-address line that differs between ``first`` and ``second``."""
    rewrites: list[Rewrite] = []
    ours, theirs = address_lines(first), address_lines(second)
    for kind in _KINDS:
        a = [line for line in ours if line.kind == kind]
        b = [line for line in theirs if line.kind == kind]
        for index, (left, right) in enumerate(zip(a, b, strict=False), start=1):
            if (left.host, left.port) != (right.host, right.port):
                rewrites.append(Rewrite(kind, index, left, right))
    rewrites.sort(key=lambda r: r.first.t)
    return rewrites


def control_differences(first: CaptureAnalysis, second: CaptureAnalysis,
                        names: Sequence[str]) -> list[str]:
    """The control connections' endpoints as each capture saw them, where they differ."""
    out = []
    for left, right in zip(first.conversations, second.conversations, strict=False):
        a, b = left.stream, right.stream
        if (a.client, a.server) != (b.client, b.server):
            out.append(f"control connection {left.name}: {a.client} -> {a.server} in {names[0]}, "
                       f"{b.client} -> {b.server} in {names[1]} (address translation between "
                       "the capture points)")
    return out
