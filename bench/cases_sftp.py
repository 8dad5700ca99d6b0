"""Case "sftp": a single-file SFTP download and upload against Debian's OpenSSH sshd
(started as the tests start it, tests/fixtures/sshd.py), the engine against OpenSSH's
``sftp`` in batch mode and ``curl sftp://`` (when this curl was built with SFTP; the
result says so when it was not). Everyone logs on with the same key and checks the same
host key; nothing is on a command line but paths.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from bench.cases_transfer import make_file
from bench.harness import ROOT, Run, Side, alternate, compare, python_child, run_child, settle

BIG_NAME = "bench-sftp.bin"


def curl_has_sftp() -> bool:
    try:
        out = subprocess.run(["curl", "-V"], capture_output=True, text=True).stdout
    except OSError:
        return False
    protocols = next((line for line in out.splitlines() if line.startswith("Protocols:")), "")
    return "sftp" in protocols.split()


class _Sshd:
    """The sshd fixture, a known_hosts file trusting it and the environment of the
    engine's child."""

    def __init__(self, work: Path) -> None:
        import sys

        sys.path.insert(0, str(ROOT / "tests"))
        from fixtures.sshd import start_sshd

        self.server = start_sshd(Path(tempfile.mkdtemp(prefix="sshd-", dir=work)))
        self.known_hosts = work / "sftp_known_hosts"
        self.known_hosts.write_text(f"[{self.server.host}]:{self.server.port} "
                                    f"{self.server.host_key_pub}\n")

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(PYTHONPATH=str(ROOT), BENCH_SFTP_HOST=self.server.host,
                   BENCH_SFTP_PORT=str(self.server.port), BENCH_SFTP_USER=self.server.user,
                   BENCH_SFTP_KEY=str(self.server.key_file),
                   BENCH_SFTP_KNOWN_HOSTS=str(self.known_hosts))
        return env

    def openssh(self, work: Path, command: str) -> Run:
        batch = work / "sftp-batch.txt"
        batch.write_text(command + "\n")
        return run_child(["sftp", "-q", "-b", str(batch), "-i", str(self.server.key_file),
                          "-o", f"UserKnownHostsFile={self.known_hosts}",
                          "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes",
                          "-P", str(self.server.port),
                          f"{self.server.user}@{self.server.host}"])[0]

    def curl(self, *args: str) -> Run:
        pin = self.server.host_fingerprint.split(":", 1)[1]
        return run_child(["curl", "-s", "-S", "--key", str(self.server.key_file),
                          "--pubkey", f"{self.server.key_file}.pub", "--hostpubsha256", pin,
                          "-u", f"{self.server.user}:", *args])[0]

    def url(self, path: str) -> str:
        return f"sftp://{self.server.host}:{self.server.port}/files/{path}"


def case_sftp(work: Path, size: int, pairs: int) -> dict:
    """The comparison, or ``{"skipped": reason}`` where sshd cannot run (not root, no
    openssh-server, no ``sftp`` client)."""
    import shutil

    if shutil.which("sftp") is None:
        return {"skipped": "OpenSSH's sftp client is not installed (openssh-client)"}
    try:
        sshd = _Sshd(work)
    except RuntimeError as exc:  # fixtures.system_account.AccountUnavailable
        return {"skipped": str(exc)}
    try:
        return {"download": _download(sshd, work, size, pairs),
                "upload": _upload(sshd, work, size, pairs),
                "curl_sftp": curl_has_sftp(),
                "server": sshd.server.log_text().splitlines()[0:1]}
    finally:
        sshd.server.stop()


def _download(sshd: _Sshd, work: Path, size: int, pairs: int) -> dict:
    source = sshd.server.root / BIG_NAME
    make_file(source, size)
    sshd.server.own(source)
    target = work / "sftp-download.bin"

    def check(label: str, _index: int) -> None:
        if target.stat().st_size != size:
            raise SystemExit(f"sftp download {label}: {target.stat().st_size} bytes, "
                             f"expected {size}")
        target.unlink()

    sides = [Side("engine", lambda _i: run_child(python_child(
                 "bench.sftp_child", "download", BIG_NAME, str(target)), env=sshd.env())[0]),
             Side("openssh sftp", lambda _i: sshd.openssh(work, f"get {BIG_NAME} {target}"))]
    if curl_has_sftp():
        sides.append(Side("curl sftp", lambda _i: sshd.curl(sshd.url(BIG_NAME), "-o",
                                                           str(target))))
    alternate(sides, pairs, before=settle, after=check, name="sftp download")
    source.unlink()
    result = compare(sides[0], sides[1:])
    result["bytes"] = size
    return result


def _upload(sshd: _Sshd, work: Path, size: int, pairs: int) -> dict:
    source = work / "sftp-upload-source.bin"
    make_file(source, size)

    def landed(label: str, index: int) -> Path:
        return sshd.server.root / f"{label.split()[0]}{index}.bin"

    def check(label: str, index: int) -> None:
        path = landed(label, index)
        if path.stat().st_size != size:
            raise SystemExit(f"sftp upload {label}: {path.stat().st_size} bytes, "
                             f"expected {size}")
        path.unlink()

    sides = [Side("engine", lambda i: run_child(python_child(
                 "bench.sftp_child", "upload", str(source), f"engine{i}.bin"),
                 env=sshd.env())[0]),
             Side("openssh sftp", lambda i: sshd.openssh(work, f"put {source} openssh{i}.bin"))]
    if curl_has_sftp():
        sides.append(Side("curl sftp", lambda i: sshd.curl("-T", str(source),
                                                           sshd.url(f"curl{i}.bin"))))
    alternate(sides, pairs, before=settle, after=check, name="sftp upload")
    source.unlink()
    result = compare(sides[0], sides[1:])
    result["bytes"] = size
    return result
