"""Synthetic engine-event sequences with fixed timestamps, one per data-channel story.

They are written the way the engine emits events (see client/engine/events.py): the
227/229 reply before the ADVERTISED phase (passive), the LISTENING phase before the
PORT/EPRT command (active: listen first, then advertise). Used by the model tests, the
ASCII golden file and the Qt view tests.
"""

from __future__ import annotations

from client.engine.events import (
    DataChannelEvent,
    DataFailure,
    DataPhase,
    Endpoint,
    EngineEvent,
    LineSent,
    Notice,
    ReplyReceived,
    SessionState,
    SessionStateChanged,
    TlsEstablished,
    TransferProgress,
)
from client.protocol.annotate import Annotation, AnnotationContext, Annotator, Severity
from client.protocol.replies import Reply

SERVER = Endpoint("127.0.0.1", 2121)
CLIENT = Endpoint("127.0.0.1", 41230)


class Script:
    """Builds an event list for one connection. Lines are annotated by the real
    annotator (as the engine does) unless annotations are given explicitly."""

    def __init__(self, connection: str = "c1") -> None:
        self.connection = connection
        self.events: list[EngineEvent] = []
        self.annotator = Annotator(AnnotationContext(
            control_peer=SERVER.host, control_local=CLIENT.host))

    def state(self, t: float, state: SessionState, **kw: object) -> Script:
        self.events.append(SessionStateChanged(t=t, connection=self.connection, state=state, **kw))
        return self

    def send(self, t: float, text: str, *annotations: Annotation) -> Script:
        found = self.annotator.sent(text)
        self.events.append(LineSent(t=t, connection=self.connection, text=text,
                                    annotations=tuple(annotations or found)))
        return self

    def reply(self, t: float, *lines: str,
              annotations: tuple[Annotation, ...] | None = None) -> Script:
        code = int(lines[0][:3])
        reply = Reply(code, tuple(lines))
        found = self.annotator.received(reply)
        self.events.append(ReplyReceived(t=t, connection=self.connection, reply=reply,
                                         annotations=tuple(found if annotations is None
                                                           else annotations)))
        return self

    def data(self, t: float, channel: int, phase: DataPhase, *, initiator: str = "client",
             method: str | None = "PASV", command: str = "LIST", start: float = 0.0,
             **kw: object) -> Script:
        self.events.append(DataChannelEvent(
            t=t, connection=self.connection, channel=channel, phase=phase,
            initiator=initiator, method=method, command=command,
            elapsed=round(t - start, 6), **kw))
        return self

    def notice(self, t: float, text: str, severity: Severity = Severity.INFO,
               kind: str = "info") -> Script:
        self.events.append(Notice(t=t, connection=self.connection, severity=severity,
                                  text=text, kind=kind))
        return self

    def progress(self, t: float, done: int, total: int | None = None) -> Script:
        self.events.append(TransferProgress(
            t=t, connection=self.connection, transfer_id=1, direction="download",
            remote_path="/big.bin", bytes_done=done, total=total, rate=0.0))
        return self

    def login(self) -> Script:
        (self.state(0.000, SessionState.CONNECTING, server=SERVER)
             .state(0.002, SessionState.LOGGING_IN, server=SERVER, local=CLIENT)
             .reply(0.002, "220 pyftpdlib 2.0.0 ready.")
             .send(0.003, "USER alice")
             .reply(0.004, "331 Username ok, send password.")
             .send(0.004, "PASS ****")
             .reply(0.006, "230 Login successful.")
             .state(0.006, SessionState.READY, server=SERVER, local=CLIENT)
             .send(0.007, "TYPE I")
             .reply(0.008, "200 Type set to: Binary."))
        return self

    def quit(self, t: float) -> Script:
        return (self.send(t, "QUIT").reply(t + 0.001, "221 Goodbye.")
                .state(t + 0.001, SessionState.DISCONNECTED, server=SERVER, local=CLIENT))


PASV_ENDPOINT = Endpoint("127.0.0.1", 50000)
DATA_LOCAL = Endpoint("127.0.0.1", 41234)


def _pasv_setup(script: Script, command: str = "LIST") -> Script:
    return (script.send(0.010, "PASV")
            .reply(0.011, "227 Entering Passive Mode (127,0,0,1,195,80).")
            .data(0.011, 1, DataPhase.ADVERTISED, advertised=PASV_ENDPOINT, command=command,
                  start=0.011)
            .data(0.012, 1, DataPhase.CONNECTING, remote=PASV_ENDPOINT, advertised=PASV_ENDPOINT,
                  command=command, start=0.011))


def healthy_passive_list() -> list[EngineEvent]:
    s = Script().login()
    _pasv_setup(s)
    (s.data(0.013, 1, DataPhase.CONNECTED, local=DATA_LOCAL, remote=PASV_ENDPOINT, start=0.011)
      .send(0.013, "LIST")
      .reply(0.014, "150 File status okay. About to open data connection.")
      .data(0.015, 1, DataPhase.FIRST_BYTE, local=DATA_LOCAL, remote=PASV_ENDPOINT, start=0.011)
      .data(0.016, 1, DataPhase.CLOSED, local=DATA_LOCAL, remote=PASV_ENDPOINT, bytes=1234,
            start=0.011)
      .reply(0.017, "226 Transfer complete.")
      .quit(0.020))
    return s.events


ACTIVE_LISTENER = Endpoint("127.0.0.1", 40000)
SERVER_DATA = Endpoint("127.0.0.1", 2020)


def healthy_active_list() -> list[EngineEvent]:
    s = Script().login()
    (s.data(0.010, 1, DataPhase.LISTENING, initiator="server", method="PORT",
            local=ACTIVE_LISTENER, advertised=ACTIVE_LISTENER, start=0.010)
      .send(0.010, "PORT 127,0,0,1,156,64")
      .reply(0.011, "200 Active data connection established.")
      .send(0.012, "LIST")
      .data(0.013, 1, DataPhase.CONNECTED, initiator="server", method="PORT",
            local=ACTIVE_LISTENER, remote=SERVER_DATA, start=0.010)
      .reply(0.013, "150 File status okay. About to open data connection.")
      .data(0.014, 1, DataPhase.FIRST_BYTE, initiator="server", method="PORT",
            local=ACTIVE_LISTENER, remote=SERVER_DATA, start=0.010)
      .data(0.015, 1, DataPhase.CLOSED, initiator="server", method="PORT",
            local=ACTIVE_LISTENER, remote=SERVER_DATA, bytes=2048, start=0.010)
      .reply(0.016, "226 Transfer complete.")
      .quit(0.020))
    return s.events


def passive_refused() -> list[EngineEvent]:
    s = Script().login()
    _pasv_setup(s)
    s.data(0.013, 1, DataPhase.FAILED, remote=PASV_ENDPOINT, failure=DataFailure.REFUSED,
           reason="[Errno 111] Connection refused", start=0.011)
    return s.events


def syn_unanswered(hung_probe_at: float | None = None) -> list[EngineEvent]:
    """A DROP in front of the passive range: the SYN is never answered; the engine gives
    up after its 2 s data timeout. ``hung_probe_at`` inserts a notice at that time, so
    the model sees the clock move while the connection is still open."""
    s = Script().login()
    _pasv_setup(s)
    if hung_probe_at is not None:
        s.notice(hung_probe_at, "still connecting")
    s.data(2.012, 1, DataPhase.FAILED, remote=PASV_ENDPOINT,
           failure=DataFailure.CONNECT_TIMEOUT,
           reason="no answer to SYN within 2.0 s", start=0.011)
    return s.events


NAT_ADVERTISED = Endpoint("10.0.0.5", 50000)


def nat_substitution() -> list[EngineEvent]:
    s = Script().login()
    note = "227 advertised 10.0.0.5 (private), the control peer is 127.0.0.1: dialling 127.0.0.1"
    (s.send(0.010, "PASV")
      .reply(0.011, "227 Entering Passive Mode (10,0,0,5,195,80).")
      .notice(0.011, note, Severity.WARNING, "substitution")
      .data(0.011, 1, DataPhase.ADVERTISED, advertised=NAT_ADVERTISED, address_note=note,
            start=0.011)
      .data(0.012, 1, DataPhase.CONNECTING, remote=PASV_ENDPOINT, advertised=NAT_ADVERTISED,
            address_note=note, start=0.011)
      .data(0.013, 1, DataPhase.CONNECTED, local=DATA_LOCAL, remote=PASV_ENDPOINT, start=0.011)
      .send(0.013, "LIST")
      .reply(0.014, "150 Here comes the directory listing.")
      .data(0.015, 1, DataPhase.FIRST_BYTE, local=DATA_LOCAL, remote=PASV_ENDPOINT, start=0.011)
      .data(0.016, 1, DataPhase.CLOSED, local=DATA_LOCAL, remote=PASV_ENDPOINT, bytes=310,
            start=0.011)
      .reply(0.017, "226 Directory send OK."))
    return s.events


def silent_after_150() -> list[EngineEvent]:
    s = Script().login()
    _pasv_setup(s)
    (s.data(0.013, 1, DataPhase.CONNECTED, local=DATA_LOCAL, remote=PASV_ENDPOINT, start=0.011)
      .send(0.013, "LIST")
      .reply(0.014, "150 File status okay. About to open data connection.")
      .data(2.014, 1, DataPhase.FAILED, local=DATA_LOCAL, remote=PASV_ENDPOINT,
            failure=DataFailure.SILENT, reason="no byte within 2.0 s after 150",
            start=0.011))
    return s.events


def stalled_download() -> list[EngineEvent]:
    s = Script().login()
    _pasv_setup(s, command="RETR /big.bin")
    (s.data(0.013, 1, DataPhase.CONNECTED, local=DATA_LOCAL, remote=PASV_ENDPOINT,
            command="RETR /big.bin", start=0.011)
      .send(0.013, "RETR /big.bin")
      .reply(0.014, "150 Opening BINARY mode data connection for /big.bin (10485760 bytes).")
      .data(0.015, 1, DataPhase.FIRST_BYTE, local=DATA_LOCAL, remote=PASV_ENDPOINT,
            command="RETR /big.bin", start=0.011)
      .progress(0.100, 65536, 10485760)
      .progress(0.200, 131072, 10485760)
      .progress(1.500, 131072, 10485760)
      .data(2.200, 1, DataPhase.FAILED, local=DATA_LOCAL, remote=PASV_ENDPOINT,
            command="RETR /big.bin", failure=DataFailure.STALLED, bytes=131072,
            reason="no bytes for 2.0 s", start=0.011))
    return s.events


def never_connected_back() -> list[EngineEvent]:
    s = Script().login()
    (s.data(0.010, 1, DataPhase.LISTENING, initiator="server", method="PORT",
            local=ACTIVE_LISTENER, advertised=ACTIVE_LISTENER, start=0.010)
      .send(0.010, "PORT 127,0,0,1,156,64")
      .reply(0.011, "200 PORT command successful.")
      .send(0.012, "LIST")
      .reply(0.013, "150 Here comes the directory listing.")
      .data(2.013, 1, DataPhase.FAILED, initiator="server", method="PORT",
            local=ACTIVE_LISTENER, failure=DataFailure.NEVER_CONNECTED_BACK,
            reason="nobody connected to 127.0.0.1:40000 within 2.0 s", start=0.010)
      .reply(2.100, "425 Can't open data connection."))
    return s.events


def tls_epsv_download() -> list[EngineEvent]:
    """Explicit FTPS: AUTH TLS on control, then an EPSV download whose data connection
    resumes the control connection's TLS session."""
    s = Script()
    (s.state(0.000, SessionState.CONNECTING, server=SERVER)
      .state(0.001, SessionState.CONNECTING, server=SERVER, local=CLIENT, detail="connected")
      .reply(0.002, "220 FTPS ready.")
      .send(0.003, "AUTH TLS")
      .reply(0.004, "234 AUTH TLS successful."))
    s.events.append(TlsEstablished(t=0.006, connection="c1", channel=None, version="TLSv1.3",
                                   cipher="TLS_AES_256_GCM_SHA384", session_reused=False))
    (s.send(0.007, "PBSZ 0").reply(0.007, "200 PBSZ=0 successful.")
      .send(0.008, "PROT P").reply(0.008, "200 Protection set to Private")
      .send(0.009, "USER alice").reply(0.009, "331 Username ok, send password.")
      .send(0.010, "PASS ****").reply(0.011, "230 Login successful.")
      .send(0.012, "EPSV").reply(0.013, "229 Entering extended passive mode (|||50000|).")
      .data(0.013, 1, DataPhase.ADVERTISED, method="EPSV", command="RETR /a.bin",
            advertised=PASV_ENDPOINT, tls=True, start=0.013)
      .data(0.014, 1, DataPhase.CONNECTING, method="EPSV", command="RETR /a.bin",
            remote=PASV_ENDPOINT, tls=True, start=0.013)
      .data(0.015, 1, DataPhase.CONNECTED, method="EPSV", command="RETR /a.bin",
            local=DATA_LOCAL, remote=PASV_ENDPOINT, tls=True, start=0.013)
      .send(0.015, "RETR /a.bin")
      .reply(0.016, "150 Opening BINARY mode data connection.")
      .data(0.016, 1, DataPhase.TLS_HANDSHAKE, method="EPSV", command="RETR /a.bin",
            local=DATA_LOCAL, remote=PASV_ENDPOINT, tls=True, start=0.013))
    s.events.append(TlsEstablished(t=0.018, connection="c1", channel=1, version="TLSv1.3",
                                   cipher="TLS_AES_256_GCM_SHA384", session_reused=True))
    (s.data(0.018, 1, DataPhase.TLS_ESTABLISHED, method="EPSV", command="RETR /a.bin",
            local=DATA_LOCAL, remote=PASV_ENDPOINT, tls=True, start=0.013)
      .data(0.019, 1, DataPhase.FIRST_BYTE, method="EPSV", command="RETR /a.bin",
            local=DATA_LOCAL, remote=PASV_ENDPOINT, tls=True, start=0.013)
      .data(0.030, 1, DataPhase.CLOSED, method="EPSV", command="RETR /a.bin",
            local=DATA_LOCAL, remote=PASV_ENDPOINT, tls=True, bytes=2_097_152, start=0.013)
      .reply(0.031, "226 Transfer complete."))
    return s.events


ALL = {
    "healthy-passive": healthy_passive_list,
    "healthy-active": healthy_active_list,
    "passive-refused": passive_refused,
    "syn-unanswered": syn_unanswered,
    "nat-substitution": nat_substitution,
    "silent-after-150": silent_after_150,
    "stalled": stalled_download,
    "never-connected-back": never_connected_back,
    "tls-epsv-download": tls_epsv_download,
}
