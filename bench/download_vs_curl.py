"""Engine vs curl on loopback: 1 GiB download and upload, single stream.

Starts its own servers on 127.0.0.1 (pyftpdlib in a child process, and vsftpd when it is
installed under /opt/ftpi-test-servers and we are root), creates the test file, then
runs the engine and curl alternately (A B, B A, ..., ``--pairs`` pairs, dirty pages
flushed before every run so no run pays for the previous one's writeback) and prints the
median wall time of each, the throughput, and the ratio curl_time / engine_time
(>= 1.0 means the engine is at least as fast as curl). Both sides are timed end to end
(connect, login, transfer, close); curl reads the credentials from a netrc file so the
password never appears on a command line or in the output.

    python bench/download_vs_curl.py [--size-mib 1024] [--pairs 5] [--servers pyftpdlib,vsftpd]
                                     [--json results.json] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from client.engine.events import EventBus  # noqa: E402
from client.engine.session import FtpSession  # noqa: E402
from client.engine.settings import ConnectionSettings, TlsMode  # noqa: E402

USER = "alice"
FILE_NAME = "bench-file.bin"

_PYFTPD_CHILD = r"""
import logging
import sys
logging.basicConfig(level=logging.WARNING)
logging.getLogger("pyftpdlib").setLevel(logging.WARNING)
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from fixtures.pyftpd import start_pyftpd
server = start_pyftpd(Path(sys.argv[2]), sys.argv[3], sys.stdin.readline().strip())
print(server.info.port, flush=True)
sys.stdin.read()
server.stop()
"""


class Server:
    def __init__(self, name: str, host: str, port: int, root: Path, stop) -> None:
        self.name, self.host, self.port, self.root, self.stop = name, host, port, root, stop


def start_pyftpdlib(root: Path, password: str) -> Server:
    child = subprocess.Popen(
        [sys.executable, "-c", _PYFTPD_CHILD, str(ROOT / "tests"), str(root), USER],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write(password + "\n")
    child.stdin.flush()
    port = int(child.stdout.readline())

    def stop() -> None:
        try:
            child.stdin.close()  # type: ignore[union-attr]
        except OSError:
            pass
        try:
            child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            child.kill()

    return Server("pyftpdlib", "127.0.0.1", port, root, stop)


def start_vsftpd_server() -> tuple[Server, str] | None:
    try:
        from fixtures.debian import missing_reason, start_vsftpd
    except Exception as exc:  # noqa: BLE001
        print(f"# vsftpd skipped: {exc}", file=sys.stderr)
        return None
    reason = missing_reason("vsftpd")
    if reason:
        print(f"# vsftpd skipped: {reason}", file=sys.stderr)
        return None
    running = start_vsftpd()
    info = running.info
    return Server("vsftpd", info.host, info.port, info.root, running.stop), info.password


def make_file(path: Path, size: int) -> None:
    block = os.urandom(1024 * 1024)
    with open(path, "wb") as handle:
        for _ in range(size // len(block)):
            handle.write(block)
        handle.write(block[: size % len(block)])
    os.chmod(path, 0o644)


def settings_for(server: Server, password: str) -> ConnectionSettings:
    return ConnectionSettings(host=server.host, port=server.port, user=USER, password=password,
                              tls=TlsMode.OFF, connect_timeout=10, control_timeout=60,
                              data_timeout=60)


def engine_download(settings: ConnectionSettings, target: Path) -> float:
    async def run() -> None:
        async with FtpSession(settings, bus=EventBus()) as session:
            await session.download(FILE_NAME, target, preserve_time=False)

    started = time.perf_counter()
    asyncio.run(run())
    return time.perf_counter() - started


def engine_upload(settings: ConnectionSettings, source: Path, remote: str) -> float:
    async def run() -> None:
        async with FtpSession(settings, bus=EventBus()) as session:
            await session.upload(source, remote, preserve_time=False)

    started = time.perf_counter()
    asyncio.run(run())
    return time.perf_counter() - started


def curl(args: list[str], netrc: Path) -> float:
    """Time one curl run; one retry if the server turned the connection away (vsftpd
    occasionally answers a new login with ``500 OOPS`` under load), reported on stderr."""
    for attempt in (1, 2):
        started = time.perf_counter()
        done = subprocess.run(["curl", "-s", "-S", "--netrc-file", str(netrc), *args])
        if done.returncode == 0:
            return time.perf_counter() - started
        print(f"# curl failed (exit {done.returncode}), attempt {attempt}", file=sys.stderr)
        time.sleep(0.5)
    raise SystemExit("curl failed twice")


def settle() -> None:
    """Flush dirty pages before each timed run (not timed): otherwise whoever runs right
    after a 1 GiB write pays for the kernel's writeback of the previous run."""
    os.sync()
    time.sleep(0.2)


def median(values: list[float]) -> float:
    return statistics.median(values)


def run_server(server: Server, password: str, size: int, pairs: int, work: Path,
               results: dict) -> None:
    source = server.root / FILE_NAME
    make_file(source, size)
    local_source = work / "upload-source.bin"
    if not local_source.exists():
        shutil.copyfile(source, local_source)
    netrc = work / "netrc"
    netrc.write_text(f"machine {server.host} login {USER} password {password}\n")
    os.chmod(netrc, 0o600)
    settings = settings_for(server, password)
    url = f"ftp://{server.host}:{server.port}"
    target = work / "download.bin"
    timings: dict[str, list[float]] = {"engine-download": [], "curl-download": [],
                                       "engine-upload": [], "curl-upload": []}
    for index in range(pairs):
        downloads = [
            ("engine-download", lambda: engine_download(settings, target)),
            ("curl-download", lambda: curl(["-o", str(target), f"{url}/{FILE_NAME}"], netrc)),
        ]
        uploads = [
            ("engine-upload", lambda i=index: engine_upload(settings, local_source, f"upload/e{i}.bin")),
            ("curl-upload", lambda i=index: curl(["-T", str(local_source), f"{url}/upload/c{i}.bin"],
                                         netrc)),
        ]
        if index % 2:  # A B, then B A: neither side always runs right after the other
            downloads.reverse()
            uploads.reverse()
        for label, action in downloads:
            target.unlink(missing_ok=True)
            settle()
            timings[label].append(action())
            if target.stat().st_size != size:
                raise SystemExit(f"{label}: wrong size {target.stat().st_size}")
        target.unlink(missing_ok=True)
        for label, action in uploads:
            settle()
            timings[label].append(action())
        for name in (f"e{index}.bin", f"c{index}.bin"):
            uploaded = server.root / "upload" / name
            if uploaded.stat().st_size != size:
                raise SystemExit(f"upload {name}: wrong size {uploaded.stat().st_size}")
            uploaded.unlink()
        print(f"# {server.name} pair {index + 1}/{pairs}: "
              + ", ".join(f"{k} {v[-1]:.2f}s" for k, v in timings.items()), file=sys.stderr)
    mib = size / (1024 * 1024)
    summary = {}
    print(f"\n{server.name}: {mib:.0f} MiB, {pairs} alternating pairs (medians)")
    for kind in ("download", "upload"):
        engine = median(timings[f"engine-{kind}"])
        reference = median(timings[f"curl-{kind}"])
        ratio = reference / engine
        summary[kind] = {"engine_s": engine, "curl_s": reference, "ratio": ratio,
                         "engine_mib_s": mib / engine, "curl_mib_s": mib / reference,
                         "runs": {"engine": timings[f"engine-{kind}"],
                                  "curl": timings[f"curl-{kind}"]}}
        print(f"  {kind:8s} engine {engine:6.2f} s ({mib / engine:7.0f} MiB/s)   "
              f"curl {reference:6.2f} s ({mib / reference:7.0f} MiB/s)   "
              f"ratio curl/engine {ratio:.2f}x")
    results[server.name] = summary
    source.unlink(missing_ok=True)


def profile(server: Server, password: str, work: Path) -> None:
    import cProfile
    import pstats

    settings = settings_for(server, password)
    target = work / "profile.bin"
    profiler = cProfile.Profile()
    profiler.enable()
    engine_download(settings, target)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(12)
    target.unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--servers", default="pyftpdlib,vsftpd")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--profile", action="store_true",
                        help="also profile one engine download (cProfile, top functions)")
    args = parser.parse_args()
    if shutil.which("curl") is None:
        raise SystemExit("curl is not installed")
    size = args.size_mib * 1024 * 1024
    wanted = set(args.servers.split(","))
    results: dict = {"size_bytes": size, "pairs": args.pairs, "machine": " ".join(os.uname()),
                     "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="ftpi-bench-") as tmp:
        work = Path(tmp)
        if "pyftpdlib" in wanted:
            root = work / "pyftpdlib-root"
            (root / "upload").mkdir(parents=True)
            password = secrets.token_urlsafe(16)
            server = start_pyftpdlib(root, password)
            try:
                run_server(server, password, size, args.pairs, work, results)
                if args.profile:
                    make_file(server.root / FILE_NAME, size)
                    profile(server, password, work)
            finally:
                server.stop()
        if "vsftpd" in wanted:
            started = start_vsftpd_server()
            if started is not None:
                server, password = started
                try:
                    run_server(server, password, size, args.pairs, work, results)
                finally:
                    server.stop()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
