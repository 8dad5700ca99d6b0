"""Read the data-connection setup out of a line's annotations.

The annotator (``client.protocol.annotate``) attaches structured fields to every line
that sets up a data connection: ``kind`` (pasv/epsv/port/eprt), ``host``, ``port``,
``p1``/``p2``, ``arithmetic`` (``"195*256+80 = 50000"``), and for 227 whether the
address is replaced by the control peer (``replaced``, ``use_host``). The ladder draws
those under the arrow and copies them onto the data connection they set up.

When an annotation lacks the arithmetic but the method is PASV or PORT, the port alone
is enough to show it again: p1 = port // 256, p2 = port % 256.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from client.protocol.annotate import Annotation
from client.protocol.text import escape_control

__all__ = ["SetupInfo", "setup_from_annotations", "arithmetic_for_port"]

_METHODS = {"pasv": "PASV", "epsv": "EPSV", "port": "PORT", "eprt": "EPRT"}


@dataclass(frozen=True, slots=True)
class SetupInfo:
    """What a 227/229 reply or a PORT/EPRT command said about the data connection."""

    method: str  # "PASV", "EPSV", "PORT", "EPRT"
    host: str | None  # None for 229 (the control peer's host)
    port: int
    arithmetic: str | None
    replaced: bool = False
    use_host: str | None = None

    @property
    def port_text(self) -> str:
        """How the port was written: ``195*256+80 = 50000`` for 227/PORT, else ``50000``."""
        return self.arithmetic or str(self.port)

    @property
    def summary(self) -> str:
        """``127.0.0.1 port 195*256+80 = 50000`` or ``port 50000 on the control host``."""
        if self.arithmetic:
            port_text = f"port {self.arithmetic}"
        else:
            port_text = f"port {self.port}"
        if self.host is None:
            if self.use_host:
                return f"{escape_control(self.use_host)} {port_text} (the control connection's host)"
            return f"{port_text} on the control connection's host"
        return f"{escape_control(self.host)} {port_text}"

    @property
    def decoded_lines(self) -> tuple[str, ...]:
        lines = [self.summary]
        if self.replaced and self.use_host and self.use_host != self.host:
            lines.append(
                f"advertised {escape_control(self.host or '?')} replaced by "
                f"{escape_control(self.use_host)} (the control connection's peer)"
            )
        return tuple(lines)


def arithmetic_for_port(port: int) -> str:
    """The PASV/PORT split of a port, written the way 227 encodes it."""
    return f"{port // 256}*256+{port % 256} = {port}"


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _from_fields(fields: Mapping[str, object]) -> SetupInfo | None:
    kind = str(fields.get("kind", "")).lower()
    method = _METHODS.get(kind)
    if method is None:
        return None
    port = _as_int(fields.get("port"))
    if port is None:
        return None
    host = fields.get("host")
    arithmetic = fields.get("arithmetic")
    if not isinstance(arithmetic, str) or not arithmetic:
        arithmetic = arithmetic_for_port(port) if method in ("PASV", "PORT") else None
    use_host = fields.get("use_host")
    return SetupInfo(
        method=method,
        host=str(host) if isinstance(host, str) and host else None,
        port=port,
        arithmetic=arithmetic,
        replaced=bool(fields.get("replaced", False)),
        use_host=str(use_host) if isinstance(use_host, str) and use_host else None,
    )


def setup_from_annotations(annotations: Iterable[Annotation]) -> SetupInfo | None:
    """The first annotation that describes a data-connection setup, decoded."""
    for annotation in annotations:
        fields = getattr(annotation, "fields", None)
        if not isinstance(fields, Mapping):
            continue
        info = _from_fields(fields)
        if info is not None:
            return info
    return None
