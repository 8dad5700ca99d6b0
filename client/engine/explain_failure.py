"""One sentence for a failed data connection, and what to try next.

The GUI's hung-listing banner and the CLI print the same words, made here from a
:class:`DataChannelError` or from the FAILED :class:`DataChannelEvent` (or ladder
arrow). The sentence says what was expected, what happened, and the likely cause::

    The directory listing did not arrive: the server offered 198.51.100.7:50123 for
    the data connection (PASV), but the connection to it was never answered - the
    passive port range is probably blocked by a firewall.

Recovery actions are names the front ends turn into buttons or hints.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from client.engine.errors import DataChannelError
from client.engine.events import (
    DataChannelEvent,
    DataFailure,
    Endpoint,
    TcpEvidence,
    TcpFinding,
)
from client.engine.ladder.items import DataArrow, format_seconds
from client.protocol.text import escape_control

__all__ = [
    "RecoveryAction",
    "FailureExplanation",
    "explain_data_failure",
    "explain_error",
    "explain_event",
    "explain_arrow",
    "explain_waiting",
    "ACTION_LABELS",
]


class RecoveryAction(enum.Enum):
    """What the user can try after a data connection failed."""

    RETRY_ACTIVE = "retry-active"
    RETRY_PASSIVE = "retry-passive"
    USE_CONTROL_ADDRESS = "use-control-address"
    STAT_LISTING = "stat-listing"
    DIAGNOSE = "diagnose"


ACTION_LABELS: dict[RecoveryAction, str] = {
    RecoveryAction.RETRY_ACTIVE: "Retry in active mode",
    RecoveryAction.RETRY_PASSIVE: "Retry in passive mode",
    RecoveryAction.USE_CONTROL_ADDRESS: "Use the control address",
    RecoveryAction.STAT_LISTING: "List over the control connection (STAT)",
    RecoveryAction.DIAGNOSE: "Run Diagnose",
}

_LISTING_VERBS = frozenset({"LIST", "NLST", "MLSD"})
_UPLOAD_VERBS = frozenset({"STOR", "STOU", "APPE"})


@dataclass(frozen=True, slots=True)
class FailureExplanation:
    """``sentence`` is the whole message; ``headline`` its first part (what did not
    happen); ``cause`` the likely reason; ``actions`` the useful next steps, best first."""

    headline: str
    detail: str
    cause: str
    failure: DataFailure
    actions: tuple[RecoveryAction, ...]
    is_listing: bool

    @property
    def sentence(self) -> str:
        text = f"{self.headline}: {self.detail}"
        if self.cause:
            text += f" \u2014 {self.cause}"
        return text + "."


def _verb(command: str | None) -> str:
    return (command or "").strip().split(" ", 1)[0].upper()


def _headline(verb: str) -> str:
    if verb in _LISTING_VERBS:
        return "The directory listing did not arrive"
    if verb == "RETR":
        return "The download did not complete"
    if verb in _UPLOAD_VERBS:
        return "The upload did not complete"
    return "The data transfer failed"


def _passive(method: str | None, initiator: str | None) -> bool:
    if initiator is not None:
        return initiator == "client"
    return method not in ("PORT", "EPRT")


def explain_data_failure(
    failure: DataFailure,
    *,
    command: str | None = None,
    method: str | None = None,
    initiator: str | None = None,
    local: Endpoint | None = None,
    remote: Endpoint | None = None,
    advertised: Endpoint | None = None,
    elapsed: float = 0.0,
    reason: str | None = None,
    reply_code: int | None = None,
    bytes_done: int = 0,
    control_host: str | None = None,
    tcp: TcpEvidence | None = None,
    refused_step: str | None = None,
) -> FailureExplanation:
    """The explanation for a failure of class ``failure`` with what is known of it.
    ``control_host`` is the address the control connection reached: dialling it
    instead is offered only when the data connection went somewhere else, and a 227
    naming another address is named as the cause. ``tcp`` adds what the TCP stack saw
    (SYNs sent, the router that sent an ICMP error). ``refused_step`` names the mode
    command the server refused (PASV, EPSV, PORT, EPRT) when the data command itself was
    never sent."""
    verb = _verb(command)
    passive = _passive(method, initiator)
    how = f" ({method})" if method else ""
    target = remote or advertised
    where = str(target) if target else "the advertised address"
    waited = format_seconds(elapsed) if elapsed else "the data timeout"
    listing = verb in _LISTING_VERBS
    stat = (RecoveryAction.STAT_LISTING,) if listing else ()
    other_mode = RecoveryAction.RETRY_ACTIVE if passive else RecoveryAction.RETRY_PASSIVE
    replaced = advertised is not None and target is not None and advertised != target
    already_control = target is not None and control_host is not None \
        and target.host == control_host
    control_first = (RecoveryAction.USE_CONTROL_ADDRESS,) if passive and method == "PASV" \
        and not replaced and not already_control else ()

    wrong_227 = _wrong_227(method, advertised, target, control_host)
    if failure is DataFailure.CONNECT_TIMEOUT:
        syns = f"; {tcp.summary}" if tcp is not None and tcp.summary else ""
        detail = (f"the server offered {where} for the data connection{how}, but the "
                  f"connection to it was never answered (no reply to our SYN in {waited}"
                  f"{syns})")
        cause = wrong_227 or ("the passive port range is probably blocked by a firewall that "
                              "drops packets, or not forwarded to the server")
        actions = (other_mode,) + control_first + stat
    elif failure is DataFailure.REFUSED:
        detail = f"the connection to {where}{how} was refused"
        if tcp is not None and tcp.finding is TcpFinding.ICMP_ERROR:
            detail += f" ({tcp.icmp_text} by {tcp.icmp_from})"
            cause = (f"the router or firewall at {tcp.icmp_from} rejects connections to "
                     "that port (an ICMP error came from it, not from the server): open or "
                     "forward the server's passive port range there")
        elif wrong_227:
            cause = wrong_227
        elif method == "EPSV":
            cause = ("the firewall or NAT router in front of the server rejects connections "
                     "to its passive port range, or does not forward it (EPSV names only a "
                     "port on the control connection's address)")
        elif passive:
            cause = ("the firewall or NAT router in front of the server rejects connections "
                     "to its passive port range, or the server does not listen on the port "
                     "it announced")
        else:
            cause = "nothing listens there, or a firewall rejects it"
        actions = control_first + (other_mode,) + stat
    elif failure is DataFailure.UNROUTABLE:
        detail = (f"the server advertised {advertised or where}{how}, an address the client "
                  "will not dial")
        cause = "the server's NAT setting (pasv_address, MasqueradeAddress) is probably wrong"
        actions = (RecoveryAction.USE_CONTROL_ADDRESS, other_mode) + stat
    elif failure is DataFailure.SILENT:
        detail = (f"the data connection to {where} opened, but no byte arrived within "
                  f"{waited} after the server accepted {verb or 'the command'}")
        cause = ("a firewall or router between you and the server is probably interfering "
                 "with the data connection, or the server is stuck")
        actions = (other_mode,) + stat
    elif failure is DataFailure.STALLED:
        got = f" after {bytes_done} bytes" if bytes_done else ""
        detail = f"the data stopped flowing{got}" + (f" ({reason})" if reason else "")
        cause = "the link or a firewall dropped the connection, or the server stalled"
        actions = (other_mode,)
    elif failure is DataFailure.RESET:
        detail = f"the data connection to {where} was reset mid-transfer"
        cause = "a firewall, a router or the server closed it abruptly"
        actions = (other_mode,)
    elif failure is DataFailure.CLOSED_EARLY:
        detail = "the data connection closed before the server confirmed the transfer (226)"
        cause = "the server or something in between cut the transfer short"
        actions = (other_mode,)
    elif failure is DataFailure.SERVER_REFUSED:
        code = f" with {reply_code}" if reply_code else ""
        setup = _refused_setup(refused_step)
        detail = f"the server answered {setup or verb or method or 'the data command'}{code}"
        if setup and passive:
            cause = ("it refuses passive mode (vsftpd pasv_enable=NO, a ProFTPD "
                     "<Limit EPSV PASV>): use active mode")
        elif setup:
            cause = "it refuses active mode (PORT and EPRT): use passive mode"
        elif reply_code == 425 and not passive:
            cause = ("it could not connect to our listener: a firewall or NAT in front of "
                     "this computer blocks it, or it refuses the announced address")
        elif reply_code == 425:
            cause = ("it did not see our data connection arrive, or refuses it (a firewall "
                     "in front of the server, or a connection from an unexpected address)")
        elif reply_code == 426:
            cause = "the data connection was closed or aborted on the server's side"
        else:
            cause = "it refused the command"
        actions = (other_mode,) + stat
    elif failure is DataFailure.NEVER_CONNECTED_BACK:
        listener = local or advertised
        detail = (f"the server was told to connect to {listener or 'our listener'}{how}, "
                  f"but it never connected back within {waited}")
        cause = ("a firewall or NAT in front of this computer blocks incoming connections; "
                 "passive mode avoids that")
        actions = (RecoveryAction.RETRY_PASSIVE,) + stat
    elif failure is DataFailure.WRONG_PEER:
        detail = "a host other than the server connected to our listener and was refused"
        cause = "someone else probes the port, or the server's data connections come from another address"
        actions = (RecoveryAction.RETRY_PASSIVE,)
    elif failure is DataFailure.TLS_FAILED:
        detail = "the TLS handshake on the data connection failed or was refused"
        cause = ("this is a TLS problem, not a firewall: the data connection opened, then "
                 "its TLS was not accepted. The server probably requires the data "
                 "connection to resume the control connection's TLS session (FileZilla "
                 "Server: 'Require TLS session resumption on data connection'; vsftpd: "
                 "require_ssl_reuse)")
        actions = ()
    elif failure is DataFailure.PROXY:
        detail = f"the proxy did not open the data connection to {where}{how}"
        cause = escape_control(reason) if reason else (
            "the proxy refused it, or could not reach the server's passive port")
        actions = stat
    else:  # LOCAL
        detail = "a local error stopped the data connection"
        cause = escape_control(reason) if reason else ""
        actions = ()
    actions = tuple(dict.fromkeys(actions + (RecoveryAction.DIAGNOSE,)))
    return FailureExplanation(headline=_headline(verb), detail=escape_control(detail),
                              cause=cause, failure=failure, actions=actions,
                              is_listing=listing)


_MODE_COMMANDS = frozenset({"PASV", "EPSV", "PORT", "EPRT"})


def _refused_setup(step: str | None) -> str | None:
    """The mode command the server refused before the data command was sent."""
    return step if step in _MODE_COMMANDS else None


def _host(endpoint: Endpoint | None) -> str | None:
    return endpoint.host if endpoint is not None else None


def _wrong_227(method: str | None, advertised: Endpoint | None, target: Endpoint | None,
               control_host: str | None) -> str:
    """The cause when the dialled address is a 227 address other than the control peer."""
    if method != "PASV" or advertised is None or not control_host:
        return ""
    if advertised.host == control_host or _host(target) != advertised.host:
        return ""
    return (f"the server's 227 reply named {advertised.host}, which is not the address of "
            f"the control connection ({control_host}): the server announces an internal "
            f"address. Set its external address (vsftpd pasv_address={control_host}, "
            f"ProFTPD MasqueradeAddress {control_host}, pure-ftpd -P {control_host}), or "
            "dial the control address (--pasv-address control)")


def explain_error(error: DataChannelError, *, command: str | None = None,
                  control_host: str | None = None) -> FailureExplanation:
    """Explain a raised :class:`DataChannelError`. The command it served is the error's
    own when it carries one (the server may have been sent MLSD, not LIST); else
    ``command`` (e.g. ``"LIST /pub"``), else its ``step``."""
    step = error.step if error.step and error.step not in ("PASV", "EPSV", "PORT", "EPRT") \
        else None
    return explain_data_failure(
        error.failure, command=error.command or command or step, method=error.method, local=error.local,
        remote=error.remote, elapsed=error.elapsed, reply_code=error.reply_code,
        advertised=error.advertised, tcp=error.tcp,
        control_host=control_host or error.control_peer,
        refused_step=error.step if error.step in _MODE_COMMANDS else None,
    )


def explain_event(event: DataChannelEvent, *, control_host: str | None = None) -> FailureExplanation:
    """Explain the FAILED phase event of a data connection."""
    if event.failure is None:
        raise ValueError("explain_event needs a FAILED DataChannelEvent (failure is None)")
    return explain_data_failure(
        event.failure, command=event.command, method=event.method, initiator=event.initiator,
        local=event.local, remote=event.remote, advertised=event.advertised,
        elapsed=event.elapsed, reason=event.reason, bytes_done=event.bytes,
        tcp=event.tcp, control_host=control_host or event.control_peer,
    )


def explain_arrow(arrow: DataArrow, *, control_host: str | None = None) -> FailureExplanation | None:
    """Explain a failed ladder arrow; None when it did not fail."""
    if arrow.failure is None:
        return None
    return explain_data_failure(
        arrow.failure, command=arrow.command, method=arrow.method, initiator=arrow.initiator,
        local=arrow.client_end, remote=arrow.server_end if arrow.initiator == "client" else None,
        advertised=arrow.advertised, elapsed=arrow.elapsed_at(0.0), reason=arrow.reason,
        bytes_done=arrow.bytes, tcp=arrow.tcp,
        control_host=control_host or arrow.control_peer,
    )


_LIKELY_FAILURE = {
    "connecting": DataFailure.CONNECT_TIMEOUT,
    "listening": DataFailure.NEVER_CONNECTED_BACK,
    "advertised": DataFailure.CONNECT_TIMEOUT,
    "connected": DataFailure.SILENT,
    "tls-handshake": DataFailure.TLS_FAILED,
    "tls-established": DataFailure.SILENT,
    "first-byte": DataFailure.STALLED,
}


def explain_waiting(arrow: DataArrow, now: float, *,
                    control_host: str | None = None) -> FailureExplanation | None:
    """For a data connection that is still open but makes no progress (a WAITING
    arrow): what it waits for, and the cause and actions of the failure it is heading
    to. None when the arrow is not waiting."""
    if arrow.waiting_for is None or not arrow.state.is_open:
        return None
    likely = _LIKELY_FAILURE.get(arrow.phase.value, DataFailure.STALLED)
    base = explain_data_failure(
        likely, command=arrow.command, method=arrow.method, initiator=arrow.initiator,
        local=arrow.client_end, remote=arrow.server_end if arrow.initiator == "client" else None,
        advertised=arrow.advertised, elapsed=arrow.elapsed_at(now), bytes_done=arrow.bytes,
        control_host=control_host or arrow.control_peer)
    verb = _verb(arrow.command)
    headline = ("The directory listing has not arrived yet" if verb in _LISTING_VERBS
                else "The data transfer is not progressing")
    # whole seconds: the banner is refreshed once a second, beside a diagram whose
    # timer shows milliseconds; a frozen fraction would never match it
    waited = max(0.0, now - arrow.last_progress_t)
    stuck = f"{int(waited)} s" if waited < 120 else format_seconds(waited)
    detail = escape_control(f"waiting {stuck} for {arrow.waiting_for}")
    return FailureExplanation(headline=headline, detail=detail, cause=f"if it stays so, {base.cause}"
                              if base.cause else "", failure=likely, actions=base.actions,
                              is_listing=base.is_listing)
