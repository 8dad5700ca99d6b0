"""Why a capture file cannot be analysed: one typed error with the fact a user acts on.

A capture reaches the inspector from someone else (a customer, a server's own
``tcpdump -w``), so every refusal says what was expected, what the file holds instead
and how to get a usable one; the CLI prints the message and exits 1.
"""

from __future__ import annotations

import enum

__all__ = ["CaptureProblem", "CaptureError"]


class CaptureProblem(enum.Enum):
    NOT_A_CAPTURE = "not-a-capture"
    TRUNCATED = "truncated"
    SNAPLEN_CUT = "snaplen-cut"
    UNKNOWN_LINK_TYPE = "unknown-link-type"
    NO_FTP = "no-ftp"
    UNREADABLE = "unreadable"


class CaptureError(Exception):
    """The capture cannot be analysed; ``problem`` says which way it is unusable."""

    exit_code = 1

    def __init__(self, problem: CaptureProblem, message: str) -> None:
        super().__init__(message)
        self.problem = problem

    @property
    def message(self) -> str:
        return str(self.args[0])
