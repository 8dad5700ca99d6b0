"""The files the demo server serves, generated from a seed.

Deterministic content (same seed, same bytes) lets tests and documentation name the
SHA-256 of a sample file, and lets a user compare a download with what the server holds.
The tree deliberately contains the things that trip clients up: names with spaces and
non-ASCII characters, nesting, an empty folder, a symlink, one file of a few MB.
"""

from __future__ import annotations

import hashlib
import os
import random
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from client.demo.catalog import SCENARIO_DETAILS

__all__ = [
    "DEFAULT_SEED",
    "BINARY_SAMPLE",
    "SYMLINK_SAMPLE",
    "UPLOAD_FOLDER",
    "SampleTree",
    "generate_sample_tree",
]

DEFAULT_SEED = 2024

# Remote paths (relative to the FTP root, "/" separated) that front ends and tests use.
BINARY_SAMPLE = "data/sample-2mb.bin"
SYMLINK_SAMPLE = "latest.bin"
UPLOAD_FOLDER = "upload"

_BINARY_SIZE = 2 * 1024 * 1024
_PHOTO_SIZE = 192 * 1024

_WORDS = (
    "passive active port address listing transfer server client firewall router "
    "socket control data channel reply command timeout handshake session folder file "
    "binary ascii mode range network gateway packet window"
).split()


@dataclass(frozen=True)
class SampleTree:
    """Where the tree was written and a SHA-256 per regular file (relative path -> hex)."""

    root: Path
    seed: int
    sha256: Mapping[str, str] = field(repr=False)

    @property
    def binary_sample(self) -> str:
        """Remote path of the ~2 MB binary file (relative to the FTP root)."""
        return BINARY_SAMPLE

    def size_of(self, relative: str) -> int:
        return (self.root / relative).stat().st_size


def _sentences(rng: random.Random, count: int) -> str:
    lines = []
    for _ in range(count):
        words = [rng.choice(_WORDS) for _ in range(rng.randint(6, 14))]
        lines.append(" ".join(words).capitalize() + ".")
    return "\n".join(lines) + "\n"


def _readme(scenario: str) -> str:
    parts = [
        "FTP Inspector demo server",
        "=========================",
        "",
        "This tree is generated for each run of the demo server and removed when it",
        "stops. It is served on a loopback address (127.x.x.x) only.",
        "",
        f"Scenario of this run: {scenario}",
        "",
        "User 'demo' (password printed with the server's URL) may read and write",
        "everywhere; anonymous users may only read. upload/ is there for uploads.",
        f"{BINARY_SAMPLE} is 2 MiB of deterministic bytes; {SYMLINK_SAMPLE} points to it.",
        "",
        "Scenarios (start one with: ftp-inspector demo-server --scenario NAME):",
        "",
    ]
    for details in SCENARIO_DETAILS.values():
        parts.extend(textwrap.wrap(f"* {details.name}: {details.summary}", 78,
                                   subsequent_indent="  "))
        parts.extend(textwrap.wrap(details.observe, 78, initial_indent="  ",
                                   subsequent_indent="  "))
        parts.append("")
    return "\n".join(parts)


def _files(rng: random.Random, scenario: str) -> dict[str, bytes]:
    """Relative path -> content. The order of the rng calls fixes the content per seed."""
    rows = ["id,port,p1,p2,host"]
    for index in range(2000):
        port = rng.randint(1024, 65535)
        rows.append(f"{index},{port},{port // 256},{port % 256},10.0.{index % 256}.{rng.randint(1, 254)}")
    return {
        "README.txt": _readme(scenario).encode("utf-8"),
        BINARY_SAMPLE: rng.randbytes(_BINARY_SIZE),
        "data/ports.csv": ("\n".join(rows) + "\n").encode("ascii"),
        "docs/guide.txt": _sentences(rng, 400).encode("utf-8"),
        "docs/Ünïcödé notes.txt": (
            "Grüße aus dem Demo-Server. Ceci est un fichier nommé en UTF-8.\n"
            + _sentences(rng, 40)
        ).encode("utf-8"),
        "docs/nested/deeper/deepest/bottom.txt": b"You reached the bottom of the tree.\n",
        "photos 2024/beach day.jpg": rng.randbytes(_PHOTO_SIZE),
        "photos 2024/mountain view.png": rng.randbytes(_PHOTO_SIZE),
        "photos 2024/日本の写真.jpg": rng.randbytes(_PHOTO_SIZE // 4),
        "logs/transfer.log": _sentences(rng, 3000).encode("utf-8"),
    }


def generate_sample_tree(root: Path, *, seed: int = DEFAULT_SEED, scenario: str = "healthy") -> SampleTree:
    """Write the sample tree into ``root`` (which must exist and be empty).

    Besides the files: an empty folder ``empty folder/``, a writable ``upload/`` and the
    relative symlink ``latest.bin -> data/sample-2mb.bin``.
    """
    rng = random.Random(seed)
    digests: dict[str, str] = {}
    for relative, content in _files(rng, scenario).items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        digests[relative] = hashlib.sha256(content).hexdigest()
    (root / "empty folder").mkdir()
    (root / UPLOAD_FOLDER).mkdir()
    os.symlink(BINARY_SAMPLE, root / SYMLINK_SAMPLE)
    return SampleTree(root=root, seed=seed, sha256=MappingProxyType(digests))
