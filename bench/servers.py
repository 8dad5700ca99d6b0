"""The loopback servers of the suite and the credentials files the reference tools read.

pyftpdlib runs in a child process (so it never shares a core's GIL with a timed engine
run in the parent), vsftpd from /opt/ftpi-test-servers when installed and we are root
(tests/fixtures/debian.py starts it exactly as the tests do). Passwords are random, go to
children through ``FTP_PASSWORD``, to curl through a netrc file and to lftp through a
script file (mode 0600): never on a command line, never printed.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.harness import ROOT

sys.path.insert(0, str(ROOT / "tests"))

from bench.download_vs_curl import USER, start_pyftpdlib  # noqa: E402


@dataclass
class BenchServer:
    name: str
    host: str
    port: int
    user: str
    password: str
    root: Path
    stop: Callable[[], None]
    owner: tuple[int, int] | None = None  # files the server must write to get this owner
    ca_file: str | None = None  # set for an FTPS server (explicit TLS, session reuse)

    @property
    def url(self) -> str:
        return f"ftp://{self.host}:{self.port}"

    def engine_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(BENCH_FTP_HOST=self.host, BENCH_FTP_PORT=str(self.port),
                   BENCH_FTP_USER=self.user, FTP_PASSWORD=self.password,
                   PYTHONPATH=str(ROOT))
        if self.ca_file:
            env.update(BENCH_FTP_TLS="explicit", BENCH_FTP_CA=self.ca_file)
        return env

    def cli_args(self, path: str) -> list[str]:
        """``ftp-inspector`` URL (and options) for ``path`` on this server; the password
        goes through ``FTP_PASSWORD`` in :meth:`engine_env`."""
        scheme = "ftpes" if self.ca_file else "ftp"
        url = f"{scheme}://{self.user}@{self.host}:{self.port}/{path.lstrip('/')}"
        return [url, "--ca-file", self.ca_file] if self.ca_file else [url]

    def curl_tls_args(self) -> list[str]:
        """curl's options for the same protection: TLS required, this CA."""
        return ["--ssl-reqd", "--cacert", self.ca_file] if self.ca_file else []

    def give(self, path: Path) -> None:
        """Make ``path`` (recursively) readable and writable for the server's user."""
        for item in [path, *path.rglob("*")] if path.is_dir() else [path]:
            if self.owner:
                os.chown(item, *self.owner)
            os.chmod(item, 0o755 if item.is_dir() else 0o644)

    def netrc(self, work: Path) -> Path:
        path = work / f"netrc-{self.name}"
        path.write_text(f"machine {self.host} login {self.user} password {self.password}\n")
        path.chmod(0o600)
        return path

    def lftp_script(self, work: Path, commands: str, tag: str) -> Path:
        path = work / f"lftp-{self.name}-{tag}"
        path.write_text(f"set cmd:fail-exit yes\nset net:max-retries 1\n"
                        f"open -u {self.user},{self.password} -p {self.port} {self.host}\n"
                        f"{commands}\nbye\n")
        path.chmod(0o600)
        return path


def start_pyftpdlib_server(work: Path) -> BenchServer:
    root = work / "pyftpdlib-root"
    root.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(16)
    server = start_pyftpdlib(root, password)
    return BenchServer("pyftpdlib", server.host, server.port, USER, password, root,
                       server.stop)


def vsftpd_missing() -> str | None:
    try:
        from fixtures.debian import missing_reason
    except Exception as exc:  # noqa: BLE001 - any import problem means "not here"
        return f"fixtures unavailable: {exc}"
    return missing_reason("vsftpd")


def start_vsftpd_server(*, tls: bool = False) -> BenchServer:
    """vsftpd; with ``tls`` explicit FTPS required for login and data, with session
    reuse (``require_ssl_reuse=YES``), as the tests' ``vsftpd_ftps_server``."""
    from fixtures.debian import start_vsftpd

    running = start_vsftpd(tls=tls)
    info = running.info
    return BenchServer("vsftpd FTPS" if tls else "vsftpd", info.host, info.port, info.user,
                       info.password, info.root, running.stop, owner=info.owner,
                       ca_file=str(info.ca_file) if tls else None)


def tools_missing() -> list[str]:
    return [tool for tool in ("curl", "lftp") if shutil.which(tool) is None]
