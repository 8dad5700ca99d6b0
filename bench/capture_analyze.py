"""Capture analysis speed and memory against tshark, on captures generated on the fly.

Two captures are written to a temporary folder (never checked in): one large passive
download (a single data connection of ``--large-mib`` MiB in 1448-byte segments, each
acknowledged) and a session of ``--files`` small downloads (PASV, RETR, a data
connection each). Each is analysed by ``ftp-inspector analyze`` and by
``tshark -r FILE -q -z conv,tcp`` in child processes; the output is wall time, packets
per second and the children's peak RSS.

    python bench/capture_analyze.py [--large-mib 1024] [--files 10000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_CLIENT = bytes([10, 0, 0, 2])
_SERVER = bytes([10, 0, 0, 7])
_SEGMENT = 1448


class _Writer:
    """A pcap (Ethernet) written with struct only, so generating is not the bottleneck."""

    def __init__(self, path: Path) -> None:
        self.out = open(path, "wb", buffering=1 << 22)  # noqa: SIM115 - closed by close()
        self.out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        self.t = 1_700_000_000.0
        self.packets = 0

    def tcp(self, src: bytes, sport: int, dst: bytes, dport: int, seq: int, ack: int,
            flags: int, payload: bytes = b"", dt: float = 0.00001) -> None:
        self.t += dt
        tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                          0x50, flags, 65535, 0, 0)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40 + len(payload), 0, 0x4000, 64, 6, 0,
                         src, dst)
        frame = b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip + tcp + payload
        sec = int(self.t)
        self.out.write(struct.pack("<IIII", sec, int((self.t - sec) * 1e6), len(frame),
                                   len(frame)) + frame)
        self.packets += 1

    def close(self) -> None:
        self.out.close()


class _Control:
    def __init__(self, writer: _Writer) -> None:
        self.w = writer
        self.c, self.s = 1000, 900000
        writer.tcp(_CLIENT, 40000, _SERVER, 21, self.c, 0, 0x02)
        writer.tcp(_SERVER, 21, _CLIENT, 40000, self.s, self.c + 1, 0x12)
        self.c += 1
        self.s += 1
        writer.tcp(_CLIENT, 40000, _SERVER, 21, self.c, self.s, 0x10)
        self.reply(b"220 bench server\r\n")
        for command, reply in ((b"USER bench\r\n", b"331 ok\r\n"), (b"PASS x\r\n", b"230 ok\r\n"),
                               (b"TYPE I\r\n", b"200 ok\r\n")):
            self.send(command)
            self.reply(reply)

    def send(self, data: bytes) -> None:
        self.w.tcp(_CLIENT, 40000, _SERVER, 21, self.c, self.s, 0x18, data)
        self.c += len(data)

    def reply(self, data: bytes) -> None:
        self.w.tcp(_SERVER, 21, _CLIENT, 40000, self.s, self.c, 0x18, data)
        self.s += len(data)


def _download(writer: _Writer, control: _Control, port: int, client_port: int, size: int,
              name: str) -> None:
    control.send(b"PASV\r\n")
    p1, p2 = divmod(port, 256)
    control.reply(f"227 Entering Passive Mode (10,0,0,7,{p1},{p2}).\r\n".encode())
    c, s = 5000, 7000000
    writer.tcp(_CLIENT, client_port, _SERVER, port, c, 0, 0x02)
    writer.tcp(_SERVER, port, _CLIENT, client_port, s, c + 1, 0x12)
    c, s = c + 1, s + 1
    writer.tcp(_CLIENT, client_port, _SERVER, port, c, s, 0x10)
    control.send(f"RETR {name}\r\n".encode())
    control.reply(b"150 opening\r\n")
    chunk = b"\xab" * _SEGMENT
    sent = 0
    while sent < size:
        piece = chunk[:min(_SEGMENT, size - sent)]
        writer.tcp(_SERVER, port, _CLIENT, client_port, s, c, 0x10, piece)
        s += len(piece)
        sent += len(piece)
        if sent % (2 * _SEGMENT) == 0 or sent >= size:
            writer.tcp(_CLIENT, client_port, _SERVER, port, c, s, 0x10)
    writer.tcp(_SERVER, port, _CLIENT, client_port, s, c, 0x11)
    writer.tcp(_CLIENT, client_port, _SERVER, port, c, s + 1, 0x11)
    control.reply(b"226 done\r\n")


def make_large(path: Path, mib: int) -> int:
    writer = _Writer(path)
    control = _Control(writer)
    _download(writer, control, 50000, 41000, mib * 1024 * 1024, "large.bin")
    writer.close()
    return writer.packets


def make_many(path: Path, files: int) -> int:
    writer = _Writer(path)
    control = _Control(writer)
    for index in range(files):
        _download(writer, control, 50000 + index % 100, 10000 + index % 50000, 2000,
                  f"f{index}.txt")
    writer.close()
    return writer.packets


def _timed(command: list[str]) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds and peak RSS in MiB of this child alone (``wait4``: a
    shared machine's load shows in the wall time, not in the CPU time), and its exit
    code."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    _pid, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, child.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large-mib", type=int, default=1024)
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="write the captures here and keep them")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="ftpi-capture-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    tshark = shutil.which("tshark")
    try:
        cases = [("large", lambda p: make_large(p, args.large_mib)),
                 ("many", lambda p: make_many(p, args.files))]
        for name, make in cases:
            path = folder / f"{name}.pcap"
            packets = make(path)
            size = path.stat().st_size / 2**20
            print(f"{name}: {packets} packets, {size:.0f} MiB")
            # each run in a fresh child, so RUSAGE_CHILDREN's maximum is that child's
            runs = [("ftp-inspector analyze",
                     [sys.executable, "-m", "client", "analyze", "-q", str(path)])]
            if tshark:
                runs.append(("tshark -z conv,tcp", [tshark, "-r", str(path), "-q", "-z",
                                                    "conv,tcp"]))
            for label, command in runs:
                wall, cpu, peak, code = _timed(command)
                print(f"  {label:24s} wall {wall:7.2f} s  CPU {cpu:7.2f} s  "
                      f"{packets / max(cpu, 1e-6):9.0f} packets per CPU second  "
                      f"peak RSS {peak:5.0f} MiB  exit {code}")
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
