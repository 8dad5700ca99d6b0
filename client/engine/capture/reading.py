"""Reading pcap and pcapng files (plain or gzip-compressed) one packet at a time.

Our own reader rather than a library's: it streams with a fixed buffer whatever the
file size, keeps every interface of a pcapng section (each with its link type and
timestamp resolution), and turns every malformed or cut-off byte into a
:class:`CaptureError` that says where the file broke. Formats: the classic libpcap
file (micro- and nanosecond magics, either byte order) and pcapng (Section Header,
Interface Description, Enhanced, Simple and the obsolete Packet blocks; other blocks
are skipped).
"""

from __future__ import annotations

import gzip
import io
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from client.engine.capture.errors import CaptureError, CaptureProblem

__all__ = ["Frame", "Interface", "CaptureReader", "open_capture"]

_PCAP_MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", 1e-6), b"\xa1\xb2\xc3\xd4": (">", 1e-6),
    b"\x4d\x3c\xb2\xa1": ("<", 1e-9), b"\xa1\xb2\x3c\x4d": (">", 1e-9),
}
_PCAPNG_SHB = b"\x0a\x0d\x0d\x0a"
_GZIP_MAGIC = b"\x1f\x8b"
_MAX_BLOCK = 256 * 1024 * 1024  # no packet or block is larger; bigger means garbage
_MIN_BODY = {1: 8, 2: 20, 3: 4, 6: 20}  # the fixed fields of the blocks that are read


@dataclass(frozen=True, slots=True)
class Interface:
    """One capture interface: its link type and snap length (pcap has exactly one)."""

    index: int
    link_type: int
    snaplen: int
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Frame:
    """One captured packet: epoch seconds, the interface, the bytes kept and how many
    the packet really had (``orig_len > len(data)`` means the snap length cut it)."""

    t: float
    interface: int
    data: bytes
    orig_len: int


class _Source:
    """Exact reads with the file offset, raising TRUNCATED on a short read."""

    def __init__(self, stream: BinaryIO, raw: BinaryIO, name: str) -> None:
        self.stream = stream
        self.raw = raw
        self.name = name
        self.offset = 0

    def read(self, size: int, what: str, packets: int) -> bytes:
        data = self.stream.read(size)
        if len(data) != size:
            raise CaptureError(
                CaptureProblem.TRUNCATED,
                f"{self.name}: the file ends in the middle of {what} (byte {self.offset}, "
                f"after {packets} complete packet(s)): it was cut off, e.g. copied while "
                "the capture was still being written. Stop tcpdump (Ctrl+C) before copying "
                "the file, or cut it cleanly with 'editcap -r FILE OUT 1-N'")
        self.offset += size
        return data


class CaptureReader:
    """Iterate ``frames()``; ``interfaces`` fills as pcapng sections declare them;
    ``position()`` is how far into the (compressed) file reading has got."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self.name = os.path.basename(self.path)
        self.interfaces: dict[int, Interface] = {}
        self.format = "?"
        self.compressed = False
        self.packets = 0
        try:
            self.size = os.path.getsize(self.path)
            raw = open(self.path, "rb")  # noqa: SIM115 - closed by close()
        except OSError as exc:
            raise CaptureError(CaptureProblem.UNREADABLE,
                               f"cannot read {self.path}: {exc.strerror or exc}") from exc
        self._raw = raw
        head = raw.read(4)
        raw.seek(0)
        stream: BinaryIO
        if head[:2] == _GZIP_MAGIC:
            self.compressed = True
            stream = io.BufferedReader(gzip.GzipFile(fileobj=raw), 1 << 20)  # type: ignore[arg-type]
        else:
            stream = io.BufferedReader(raw, 1 << 20)  # type: ignore[arg-type]
        self._source = _Source(stream, raw, self.name)

    def position(self) -> int:
        """Bytes of the file on disk consumed so far (for a progress bar)."""
        try:
            return self._raw.tell() if self.compressed else self._source.offset
        except (OSError, ValueError):
            return 0

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> CaptureReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def frames(self) -> Iterator[Frame]:
        try:
            magic = self._source.stream.read(4)
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise self._unreadable(exc) from exc
        self._source.offset = len(magic)
        try:
            if magic in _PCAP_MAGICS:
                self.format = "pcap"
                yield from self._pcap(magic)
            elif magic == _PCAPNG_SHB:
                self.format = "pcapng"
                yield from self._pcapng()
            else:
                raise CaptureError(
                    CaptureProblem.NOT_A_CAPTURE,
                    f"{self.name} is not a packet capture: expected a pcap or pcapng file "
                    f"(as written by tcpdump -w, Wireshark or dumpcap), but it starts with "
                    f"{magic.hex() or 'nothing (an empty file)'}. Save the capture as pcap "
                    "or pcapng (gzip-compressed is fine)")
        except (OSError, EOFError, gzip.BadGzipFile, struct.error) as exc:
            raise self._unreadable(exc) from exc

    def _unreadable(self, exc: BaseException) -> CaptureError:
        if isinstance(exc, EOFError | gzip.BadGzipFile):
            return CaptureError(CaptureProblem.TRUNCATED,
                                f"{self.name}: the compressed file is damaged or cut off "
                                f"after {self.packets} packet(s) ({exc})")
        return CaptureError(CaptureProblem.UNREADABLE, f"cannot read {self.name}: {exc}")

    # -- classic pcap ------------------------------------------------------------------

    def _pcap(self, magic: bytes) -> Iterator[Frame]:
        order, unit = _PCAP_MAGICS[magic]
        src = self._source
        header = src.read(20, "the file header", 0)
        _major, _minor, _zone, _sigfigs, snaplen, link = struct.unpack(order + "HHiIII", header)
        self.interfaces[0] = Interface(0, link & 0x0FFFFFFF, snaplen)
        record = struct.Struct(order + "IIII")
        read = src.stream.read
        while True:
            head = read(16)
            if not head:
                return
            if len(head) != 16:
                src.offset += len(head)
                src.read(16 - len(head), f"the header of packet {self.packets + 1}", self.packets)
            src.offset += 16
            sec, frac, caplen, orig = record.unpack(head)
            if caplen > _MAX_BLOCK:
                raise self._garbage(f"packet {self.packets + 1} claims {caplen} bytes")
            data = src.read(caplen, f"packet {self.packets + 1}", self.packets)
            self.packets += 1
            yield Frame(sec + frac * unit, 0, data, orig)

    def _garbage(self, what: str) -> CaptureError:
        return CaptureError(CaptureProblem.NOT_A_CAPTURE,
                            f"{self.name}: {what} at byte {self._source.offset}: the file is "
                            "damaged or not a capture")

    # -- pcapng ------------------------------------------------------------------------

    def _pcapng(self) -> Iterator[Frame]:
        src = self._source
        order = "<"
        first = True
        section_base = 0
        resolution: dict[int, tuple[float, float]] = {}
        while True:
            if first:
                block_type = 0x0A0D0D0A
                head = src.read(4, "the section header", self.packets)
                length = None
            else:
                head = src.stream.read(8)
                if not head:
                    return
                if len(head) != 8:
                    src.offset += len(head)
                    src.read(8 - len(head), "a block header", self.packets)
                src.offset += 8
                block_type = struct.unpack(order + "I", head[:4])[0]
                length = struct.unpack(order + "I", head[4:])[0]
                if block_type == 0x0A0D0D0A:
                    head = head[4:]
            if block_type == 0x0A0D0D0A:
                magic = src.read(4, "the section header", self.packets)
                if magic == b"\x4d\x3c\x2b\x1a":
                    order = "<"
                elif magic == b"\x1a\x2b\x3c\x4d":
                    order = ">"
                else:
                    raise self._garbage("a pcapng section without its byte-order magic")
                length = struct.unpack(order + "I", head)[0]
                if length < 28 or length > _MAX_BLOCK or length % 4:
                    raise self._garbage(f"a section header of {length} bytes")
                src.read(length - 12, "the section header", self.packets)
                first = False
                section_base = len(self.interfaces)
                resolution = {}
                continue
            assert length is not None
            if length < 12 or length > _MAX_BLOCK or length % 4:
                raise self._garbage(f"a pcapng block of {length} bytes")
            body = src.read(length - 8, f"block {block_type:#x}", self.packets)[:-4]
            frame = self._block(order, block_type, body, section_base, resolution)
            if frame is not None:
                self.packets += 1
                yield frame

    def _block(self, order: str, block_type: int, body: bytes, base: int,
               resolution: dict[int, tuple[float, float]]) -> Frame | None:
        if len(body) < _MIN_BODY.get(block_type, 0):
            raise self._garbage(f"a pcapng block of type {block_type} with only "
                                f"{len(body)} bytes")
        if block_type == 1:  # Interface Description
            link, _reserved, snaplen = struct.unpack(order + "HHI", body[:8])
            local = len(resolution)
            unit, offset, name = _interface_options(order, body[8:])
            resolution[local] = (unit, offset)
            self.interfaces[base + local] = Interface(base + local, link, snaplen, name)
            return None
        if block_type == 6:  # Enhanced Packet
            iface, high, low, caplen, orig = struct.unpack(order + "IIIII", body[:20])
            if caplen > len(body) - 20:
                raise self._garbage(f"packet {self.packets + 1} claims {caplen} bytes")
            unit, offset = self._resolution(resolution, iface)
            return Frame(((high << 32) | low) * unit + offset, base + iface,
                         body[20:20 + caplen], orig)
        if block_type == 3:  # Simple Packet: interface 0, no timestamp
            orig = struct.unpack(order + "I", body[:4])[0]
            snap = self.interfaces.get(base)
            keep = min(orig, len(body) - 4, snap.snaplen if snap and snap.snaplen else orig)
            return Frame(0.0, base, body[4:4 + keep], orig)
        if block_type == 2:  # obsolete Packet Block
            iface, _drops, high, low, caplen, orig = struct.unpack(order + "HHIIII", body[:20])
            unit, offset = self._resolution(resolution, iface)
            return Frame(((high << 32) | low) * unit + offset, base + iface,
                         body[20:20 + caplen], orig)
        return None  # statistics, name resolution, custom, journal blocks: not needed

    def _resolution(self, resolution: dict[int, tuple[float, float]],
                    iface: int) -> tuple[float, float]:
        found = resolution.get(iface)
        if found is None:
            raise self._garbage(f"a packet on interface {iface}, which the file never declares")
        return found


def _interface_options(order: str, options: bytes) -> tuple[float, float, str | None]:
    """if_tsresol (default microseconds), if_tsoffset and if_name of an IDB."""
    unit, offset, name = 1e-6, 0.0, None
    pos = 0
    while pos + 4 <= len(options):
        code, size = struct.unpack(order + "HH", options[pos:pos + 4])
        value = options[pos + 4:pos + 4 + size]
        if code == 0:
            break
        if code == 9 and size >= 1:
            raw = value[0]
            unit = 2.0 ** -(raw & 0x7F) if raw & 0x80 else 10.0 ** -raw
        elif code == 14 and size == 8:
            offset = float(struct.unpack(order + "q", value)[0])
        elif code == 2:
            name = value.decode("utf-8", "replace")
        pos += 4 + size + (-size % 4)
    return unit, offset, name


def open_capture(path: str | os.PathLike[str]) -> CaptureReader:
    """A reader for ``path`` (errors out at once when the file cannot be opened)."""
    return CaptureReader(path)
