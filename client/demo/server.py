"""DemoServer: the embedded FTP server that shows each failure mode on loopback.

It runs pyftpdlib's event loop in one background thread. ``start()`` returns once the
control port is listening; ``stop()`` closes every connection, joins the thread and
removes the generated files, so a test or the GUI can start and stop servers freely.
Both are quick synchronous calls, safe to make from asyncio code.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import secrets
import shutil
import stat
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.ioloop import IOLoop
from pyftpdlib.servers import FTPServer

from client.demo.catalog import scenario_details
from client.demo.sample_tree import DEFAULT_SEED, SampleTree, generate_sample_tree
from client.demo.scenarios import HandlerConfig, handler_for
from client.demo.tls_material import TlsMaterial, create_tls_material
from client.demo.traps import BlackholePort, RefusingPort, TrapError

__all__ = ["DemoServer", "DemoServerError", "DEMO_USER"]

DEMO_USER = "demo"
_POLL_INTERVAL = 0.05  # seconds: how quickly the loop notices stop()
_STOP_JOIN_TIMEOUT = 5.0
_FULL_PERMISSIONS = "elradfmwMT"
_READ_ONLY = "elr"


_TREE_PREFIX = "ftpi-demo-"
_OWNER_FILE = "owner.pid"
_ABANDONED_AFTER = 3600.0  # seconds: a tree with no owner file is left alone this long


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


def remove_abandoned_trees(folder: Path | None = None) -> list[Path]:
    """Delete demo trees whose process is gone without cleaning up (killed, or ended by
    a lost display, which exits without running Python's clean-up). A tree records its
    process in ``owner.pid``; trees of running processes are never touched. Returns what
    was removed."""
    folder = Path(tempfile.gettempdir()) if folder is None else folder
    removed: list[Path] = []
    try:
        candidates = list(folder.glob(f"{_TREE_PREFIX}*"))
    except OSError:
        return removed
    now = time.time()
    for tree in candidates:
        try:
            info = tree.lstat()
            mine = not hasattr(os, "getuid") or info.st_uid == os.getuid()
            if not stat.S_ISDIR(info.st_mode) or not mine:
                continue
            owner = tree / _OWNER_FILE
            text = owner.read_text(encoding="ascii").strip() if owner.exists() else ""
            if text.isdigit():
                if _process_alive(int(text)):
                    continue
            elif now - info.st_mtime < _ABANDONED_AFTER:
                # no owner yet, or one being written (an empty file for a moment): a tree
                # just made by another process starting its server
                continue
        except (OSError, ValueError):
            continue
        shutil.rmtree(tree, ignore_errors=True)
        removed.append(tree)
    return removed


class DemoServerError(RuntimeError):
    """The demo server could not start or was used in the wrong state."""


def _require_loopback(host: str) -> None:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise DemoServerError(
            f"the demo server listens on an IPv4 loopback address (e.g. 127.0.0.1), got {host!r}"
        ) from None
    if not (isinstance(address, ipaddress.IPv4Address) and address.is_loopback):
        raise DemoServerError(
            f"the demo server only listens on 127.0.0.0/8 so that its faults never reach "
            f"a network; {host!r} is not such an address"
        )


class DemoServer:
    """An FTP server on 127.0.0.1 serving a generated sample tree under one scenario.

    ``port=0`` picks a free port. ``seed`` fixes the sample content. ``give_up_after``
    is how long the fault scenarios wait before answering a doomed transfer with 425;
    ``throttle_bytes_per_second`` is the ``slow`` scenario's rate.
    """

    def __init__(
        self,
        scenario: str = "healthy",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = DEFAULT_SEED,
        give_up_after: float = 10.0,
        throttle_bytes_per_second: int = 256 * 1024,
        password: str | None = None,
    ) -> None:
        self.scenario = scenario_details(scenario).name
        _require_loopback(host)
        if not 0 <= port <= 65535:
            raise DemoServerError(f"port must be 0 (any free port) or 1-65535, got {port}")
        if not give_up_after > 0:
            raise DemoServerError(f"give_up_after must be a positive number of seconds, got {give_up_after}")
        if throttle_bytes_per_second < 1:
            raise DemoServerError(
                f"throttle_bytes_per_second must be at least 1, got {throttle_bytes_per_second}"
            )
        self.host = host
        self._requested_port = port
        self.seed = seed
        self.give_up_after = give_up_after
        self.throttle_bytes_per_second = throttle_bytes_per_second
        self.user = DEMO_USER
        if password is not None and not password:
            raise DemoServerError("the demo password cannot be empty")
        self.password = password if password is not None else secrets.token_urlsafe(12)
        self.port = 0
        self._workdir: Path | None = None
        self._sample: SampleTree | None = None
        self._tls: TlsMaterial | None = None
        self._traps: list[BlackholePort | RefusingPort] = []
        self._server: FTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    def __repr__(self) -> str:  # never the password
        return f"DemoServer(scenario={self.scenario!r}, host={self.host!r}, port={self.port})"

    # --- what clients need ------------------------------------------------------------

    @property
    def description(self) -> str:
        return scenario_details(self.scenario).summary

    @property
    def scheme(self) -> str:
        return "ftpes" if self.scenario == "tls" else "ftp"

    @property
    def url(self) -> str:
        """``ftp://demo:PASSWORD@127.0.0.1:PORT/`` (``ftpes://`` for tls), for the window
        to fill its fields from: never to be printed (see :attr:`url_without_password`).
        A generated password is URL-safe; one given by the caller is percent-escaped."""
        from urllib.parse import quote

        return (f"{self.scheme}://{self.user}:{quote(self.password, safe='')}@{self.host}:"
                f"{self._bound_port()}/")

    @property
    def url_without_password(self) -> str:
        """``ftp://demo@127.0.0.1:PORT/``: what may be shown (the password never is)."""
        return f"{self.scheme}://{self.user}@{self.host}:{self._bound_port()}/"

    def write_password_file(self) -> Path:
        """Write the password to ``password`` in the server's own folder (outside the
        served tree, readable by this user only, removed by :meth:`stop`), so that a
        script can pass it on without it ever being printed."""
        path = self._require_workdir() / "password"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as stream:
            stream.write(self.password + "\n")
        return path

    def _require_workdir(self) -> Path:
        if self._workdir is None:
            raise DemoServerError("the demo server has no folder until start() is called")
        return self._workdir

    @property
    def anonymous_url(self) -> str:
        return f"{self.scheme}://{self.host}:{self._bound_port()}/"

    def _bound_port(self) -> int:
        if not self.port:
            raise DemoServerError("the demo server has no port until start() is called")
        return self.port

    @property
    def root(self) -> Path:
        return self._require_started().root

    @property
    def sample(self) -> SampleTree:
        """The generated tree, with a SHA-256 per file for checking downloads."""
        return self._require_started()

    @property
    def ca_file(self) -> str | None:
        """The self-signed certificate (PEM) to trust, for the tls scenario; else None."""
        return str(self._tls.cert_file) if self._tls else None

    @property
    def cert_file(self) -> str | None:
        return self.ca_file

    @property
    def cert_fingerprint_sha256(self) -> str | None:
        """Lower-case hex SHA-256 of the certificate (the engine's pin format)."""
        return self._tls.fingerprint_sha256 if self._tls else None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _require_started(self) -> SampleTree:
        if self._sample is None:
            raise DemoServerError("the demo server is not running: call start() first")
        return self._sample

    # --- lifecycle --------------------------------------------------------------------

    def start(self) -> DemoServer:
        """Generate the tree, listen, and serve in a background thread; returns self."""
        if self._thread is not None:
            raise DemoServerError("this demo server was already started; make a new one")
        _keep_pyftpdlib_quiet_unless_configured()
        remove_abandoned_trees()
        try:
            self._workdir = Path(tempfile.mkdtemp(prefix=f"{_TREE_PREFIX}{self.scenario}-"))
            (self._workdir / _OWNER_FILE).write_text(str(os.getpid()), encoding="ascii")
            root = self._workdir / "root"
            root.mkdir()
            self._sample = generate_sample_tree(root, seed=self.seed, scenario=self.scenario)
            if self.scenario == "tls":
                secrets_dir = self._workdir / "tls"
                secrets_dir.mkdir(mode=0o700)
                self._tls = create_tls_material(secrets_dir)
            handler = handler_for(self._handler_config(root))
            self._server = FTPServer((self.host, self._requested_port), handler, ioloop=IOLoop())
            self.port = self._server.address[1]
        except TrapError as exc:
            self._release()
            raise DemoServerError(str(exc)) from exc
        except BaseException:
            self._release()
            raise
        self._thread = threading.Thread(
            target=self._serve, name=f"demo-ftp-server-{self.scenario}-{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def _handler_config(self, root: Path) -> HandlerConfig:
        authorizer = DummyAuthorizer()
        authorizer.add_user(
            self.user, self.password, str(root), perm=_FULL_PERMISSIONS,
            msg_login="Welcome to the FTP Inspector demo server.",
        )
        authorizer.add_anonymous(str(root), perm=_READ_ONLY)
        trap_port = None
        if self.scenario == "passive-blocked":
            trap = BlackholePort(self.host)
            self._traps.append(trap)
            trap_port = trap.port
        elif self.scenario == "passive-refused":
            trap = RefusingPort(self.host)
            self._traps.append(trap)
            trap_port = trap.port
        return HandlerConfig(
            scenario=self.scenario,
            authorizer=authorizer,
            give_up_after=self.give_up_after,
            throttle_bytes_per_second=self.throttle_bytes_per_second,
            trap_port=trap_port,
            cert_file=self._tls.cert_file if self._tls else None,
            key_file=self._tls.key_file if self._tls else None,
        )

    def _serve(self) -> None:
        server = self._server
        assert server is not None
        try:
            while not self._stopping.is_set():
                if not server.ioloop.socket_map:  # nothing to poll: do not spin
                    self._stopping.wait(_POLL_INTERVAL)
                    continue
                # One poll per turn (not serve_forever, which logs a start line per call).
                server.ioloop.loop(_POLL_INTERVAL, blocking=False)
        except Exception:  # pragma: no cover - a bug in a handler must not hang stop()
            logging.getLogger(__name__).exception("demo server loop failed")
        finally:
            server.close_all()

    def stop(self) -> None:
        """Close all connections, join the thread, delete the generated files. Idempotent."""
        self._stopping.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(_STOP_JOIN_TIMEOUT)
            if thread.is_alive():
                raise DemoServerError(
                    f"the demo server thread did not stop within {_STOP_JOIN_TIMEOUT} s"
                )
        self._release()

    def _release(self) -> None:
        for trap in self._traps:
            trap.close()
        self._traps.clear()
        if self._thread is None and self._server is not None:
            self._server.close_all()
        self._server = None
        self._sample = None
        self._tls = None
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _keep_pyftpdlib_quiet_unless_configured() -> None:
    """pyftpdlib installs its own stderr logging on first use when the application has
    none; inside the GUI or a test that would print every FTP command. A NullHandler
    stops that while still letting records propagate to handlers the application set."""
    pyftpdlib_logger = logging.getLogger("pyftpdlib")
    if not pyftpdlib_logger.handlers:
        pyftpdlib_logger.addHandler(logging.NullHandler())
