"""The annotator: ``(line, direction, context) -> annotations``.

One annotator feeds the GUI console, the CLI's ``-v`` output, the transcript export and
``ftp-inspector explain``.

CONTRACT (implemented in this module; other modules rely on these names):

- ``Direction`` (Enum: SENT, RECEIVED); ``Severity`` (Enum: INFO, WARNING, ERROR,
  ordered so that ``max()`` works via ``Severity.rank``).
- ``Annotation`` (frozen dataclass): ``severity``, ``text`` (human text, for the person
  debugging the link), ``fields`` (Mapping[str, object]: structured data, e.g.
  ``{"kind": "pasv", "host": "10.0.0.5", "port": 50000, "p1": 195, "p2": 80,
  "arithmetic": "195*256+80 = 50000", "address_class": "private", "replaced": True,
  "use_host": "203.0.113.7", "initiator": "client"}``).
- ``AnnotationContext`` (dataclass): ``control_peer`` (str | None), ``control_local``
  (str | None), ``mode`` ("passive" | "active" | None), ``last_command`` (str | None, the
  verb of the command the next reply answers), ``pasv_policy`` (PasvPolicy),
  ``tls`` (bool).
- ``annotate(line, direction, context) -> list[Annotation]`` (pure);
- ``Annotator`` (stateful helper for a conversation): ``sent(line) -> list[Annotation]``
  (updates ``last_command``), ``received(reply_or_line) -> list[Annotation]``.
- ``render_line(line) -> str``: the line with control characters escaped, PASS redacted.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from client.protocol.addresses import PasvPolicy


class Direction(enum.Enum):
    SENT = "sent"
    RECEIVED = "received"


class Severity(enum.Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


@dataclass(frozen=True, slots=True)
class Annotation:
    """What one line means, for the person debugging the link, plus structured fields."""

    severity: Severity
    text: str
    fields: Mapping[str, object] = field(default_factory=dict)


@dataclass
class AnnotationContext:
    """What the conversation knows when a line is annotated."""

    control_peer: str | None = None
    control_local: str | None = None
    mode: str | None = None
    last_command: str | None = None
    pasv_policy: PasvPolicy = PasvPolicy.AUTO
    tls: bool = False
