"""What a reply code means for the link, given the command it answers.

The annotator (:mod:`client.protocol.annotate`) asks this module about every reply that
is not a 227/229. Knowledge here is about the data channel (150/125/226/425/426 …),
TLS (234, PBSZ/PROT, 522/533/534), login (230/530/331/332) and fallbacks (EPSV/EPRT
refused). Answers are plain ``(severity, text, fields)`` triples so this module does not
depend on the annotator's types.

Reply texts from the server are never copied into the explanation except through
:func:`client.protocol.text.escape_control`.
"""

from __future__ import annotations

from client.protocol.text import escape_control

#: ``typing`` is imported by type checkers only: loading it costs ``explain`` ~3 ms.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from client.protocol.annotate import AnnotationContext

Meaning = tuple[str, str, dict[str, object]]

DATA_COMMANDS = frozenset({"LIST", "NLST", "MLSD", "RETR", "STOR", "STOU", "APPE"})

# Codes that say something without knowing the command: the early exit for all others.
_INTERESTING = frozenset(
    {125, 150, 200, 225, 226, 230, 234, 250, 331, 332, 421, 425, 426, 450, 451, 452,
     500, 501, 502, 504, 521, 522, 530, 532, 533, 534, 535, 536, 550, 551, 552, 553}
)


def _suspects(ctx: AnnotationContext) -> str:
    """What to suspect when the data connection does not come up, per mode."""
    where = f" ({ctx.data_endpoint})" if ctx.data_endpoint else ""
    if ctx.mode == "active":
        text = (
            f"in active mode the server connects to the client{where}: suspect a "
            "firewall or NAT in front of the client dropping the server's inbound "
            "connection, or a PORT/EPRT address the server cannot reach; passive mode "
            "avoids both"
        )
    elif ctx.mode == "passive" and ctx.data_command == "EPSV":
        text = (
            f"in passive mode the client connects to the server{where}: EPSV names only "
            "a port and the client dials the control connection's address, so no NAT "
            "address setting is involved; suspect a firewall in front of the server that "
            "does not open its passive port range, or a client-side firewall blocking "
            "outgoing connections to high ports"
        )
    elif ctx.mode == "passive":
        text = (
            f"in passive mode the client connects to the server{where}: suspect a "
            "firewall in front of the server that does not open its passive port range, "
            "a wrong address in the 227 reply to PASV (NAT not configured on the server), "
            "or a "
            "client-side firewall blocking outgoing connections to high ports"
        )
    else:
        text = (
            "passive mode: a firewall at the server not opening its passive port range "
            "or a wrong 227 address; active mode: a firewall or NAT at the client "
            "dropping the server's inbound connection"
        )
    if ctx.tls:
        text += (
            "; with TLS, also the TLS handshake on the data connection (servers that "
            "require TLS session reuse, e.g. vsftpd require_ssl_reuse=YES, drop clients "
            "that do not resume the control session)"
        )
    return text


def _preliminary(code: int, ctx: AnnotationContext) -> list[Meaning]:
    verb = ctx.last_command or "the transfer command"
    if code == 125:
        text = (
            f"the data connection is already open; the server starts {verb} on it now"
        )
    elif ctx.mode == "active":
        text = (
            f"the server accepted {verb} and is now connecting to the client's "
            f"PORT/EPRT address{' ' + ctx.data_endpoint if ctx.data_endpoint else ''}"
        )
    else:
        text = (
            f"the server accepted {verb} and expects the data connection (or already "
            "has it) on the port it announced; data flows next"
        )
    text += (
        ". If nothing follows (no 226 and no data), the data connection is stuck: "
        + _suspects(ctx)
    )
    return [("info", text, {"kind": "data-channel", "phase": "accepted", "code": code})]


def _data_done(code: int, ctx: AnnotationContext) -> list[Meaning]:
    if code == 225:
        text = (
            "the data connection is open and no transfer is in progress (after ABOR: "
            "the abort succeeded)"
        )
    else:
        text = (
            "the transfer is complete and the server has closed (or kept, for 250) the "
            "data connection; the data channel did its job"
        )
    return [("info", text, {"kind": "data-channel", "phase": "complete", "code": code})]


def names_tls_problem(text: str) -> bool:
    """Whether a reply's text blames TLS rather than the network: FileZilla Server's
    ``425 Unable to build data connection: TLS session of data connection not resumed.``,
    vsftpd's ``522 SSL connection failed: session reuse required``, IIS's SSL policy
    replies. Such a refusal comes after the data connection opened: no firewall is
    involved."""
    lower = text.lower()
    if "tls" in lower or "ssl" in lower:
        return True
    return "session" in lower and ("resum" in lower or "reus" in lower)


TLS_REUSE_FIX = (
    "the data connection's TLS handshake must resume the control connection's TLS "
    "session: use a client that resumes it (this one does), or relax the server "
    "(FileZilla Server: 'Require TLS session resumption on data connection when using "
    "PROT P'; vsftpd: require_ssl_reuse=NO; ProFTPD: TLSOptions NoSessionReuseRequired)"
)


def _tls_data_refusal(code: int, said: str) -> list[Meaning]:
    human = (
        f"the server refused the data connection because of TLS, not because of a "
        f"firewall ({said}): the connection itself was made, then its TLS was not "
        f"accepted. Most often the server requires TLS session reuse: {TLS_REUSE_FIX}"
    )
    return [("error", human, {"kind": "data-error", "phase": "tls", "code": code})]


def _data_failed(code: int, text: str, ctx: AnnotationContext) -> list[Meaning]:
    said = escape_control(text.strip()) or "(no text)"
    if code in (425, 426, 450, 451, 522, 534, 550) and names_tls_problem(text):
        return _tls_data_refusal(code, said)
    if code == 425 and "bad ip" in text.lower():
        human = (
            f"the server refused the data connection because it came from another address "
            f"than the control connection ({said}; vsftpd pasv_promiscuous=NO). A NAT, "
            "proxy or load balancer between you and the server uses different source "
            "addresses for the two connections"
        )
        phase = "open"
    elif code == 425:
        suspects = _suspects(ctx)
        human = f"the data connection could not be opened ({said}). " + suspects[0].upper() + suspects[1:]
        phase = "open"
    elif code == 426:
        human = (
            f"the data connection was opened but broke during the transfer ({said}): "
            "a firewall or NAT dropping an idle or long connection, the other side "
            "resetting it, or a TLS data connection closed without a clean shutdown"
        )
        phase = "transfer"
    elif code in (450, 451, 452):
        human = (
            f"the server could not carry out the transfer on its side ({said}): file "
            "busy or locked (450), a local error such as a failed read (451), or no "
            "disk space (452). The data channel itself is not to blame"
        )
        phase = "server"
    else:
        human = (
            f"the server refused {ctx.last_command or 'the command'} ({said}); no data "
            "connection will be made for it. Check the path and your permissions "
            "(550 no such file or access denied, 553 file name not allowed, 552 quota)"
        )
        phase = "refused"
    return [("error", human, {"kind": "data-error", "phase": phase, "code": code})]


def _aborted(code: int) -> list[Meaning]:
    """Replies to ABOR (RFC 959 §4.1.3): 426 for the cut transfer, then 226 or 225."""
    if code == 426:
        text = ("the transfer was aborted as requested and its data connection closed; "
                "a 226 or 225 confirming the abort follows")
    else:
        text = "the abort is complete; the control connection is ready for the next command"
    return [("info", text, {"kind": "data-channel", "phase": "aborted", "code": code})]


_OTHER_FAMILY = {"EPSV": "PASV", "EPRT": "PORT", "PASV": "EPSV", "PORT": "EPRT"}


def _fallback(code: int, verb: str) -> list[Meaning]:
    other = _OTHER_FAMILY[verb]
    if verb in ("EPSV", "EPRT"):
        text = (f"the server does not support {verb} (RFC 2428); fall back to {other}, "
                "which only works over IPv4")
    else:
        text = (f"the server does not know {verb}: it only speaks the extended commands "
                f"of RFC 2428; fall back to {other}")
    return [("warning", text, {"kind": "fallback", "command": verb, "fallback": other,
                               "code": code})]


def _tls(code: int, text: str, ctx: AnnotationContext) -> list[Meaning]:
    verb = ctx.last_command
    said = escape_control(text.strip())
    fields: dict[str, object] = {"kind": "tls", "code": code}
    if code == 234:
        return [("info", "the server agreed to TLS; the TLS handshake on the control "
                 "connection follows (RFC 4217)", fields)]
    if code == 200 and verb == "PBSZ":
        return [("info", "PBSZ accepted (always 0 for TLS); PROT may follow", fields)]
    if code == 200 and verb == "PROT":
        return [("info", "PROT accepted: the protection level for the following data "
                 "connections is set (P = TLS-encrypted, C = clear)", fields)]
    if code == 522 and verb in ("EPRT", "EPSV"):
        return [("warning", f"the server does not support this network protocol for "
                 f"{verb} ({said}); use the family it names, or PASV/PORT",
                 {"kind": "fallback", "command": verb, "code": code})]
    if code == 522:
        if "reuse" in text.lower():
            human = (
                f"the server requires TLS session reuse on the data connection ({said}; "
                f"vsftpd's require_ssl_reuse=YES), a TLS problem, not a firewall: "
                f"{TLS_REUSE_FIX}"
            )
        else:
            human = (
                f"the server requires TLS on the data connection ({said}): send PBSZ 0 "
                "and PROT P before transfers"
            )
        return [("error", human, fields)]
    if code == 533:
        return [("error", f"command protection level denied for policy reasons ({said}): "
                 "the server wants this command protected, usually TLS on the control "
                 "connection (AUTH TLS) before it", fields)]
    if code == 534:
        return [("error", f"request denied for policy reasons ({said}): the server "
                 f"refuses {verb or 'this request'} under its TLS policy (e.g. it requires "
                 "TLS, or refuses the requested PROT level)", fields)]
    if code == 536:
        return [("error", f"the requested protection level is not supported ({said})",
                 fields)]
    if verb == "AUTH":
        return [("error", f"the server does not offer TLS ({said}): it answered AUTH with "
                 f"{code}. Use plain FTP only on a trusted network", fields)]
    return [("error", f"{verb} refused ({said})", fields)]


def _login(code: int, text: str, ctx: AnnotationContext) -> list[Meaning]:
    said = escape_control(text.strip())
    fields: dict[str, object] = {"kind": "login", "code": code}
    if code == 230:
        return [("info", "logged in", fields)]
    if code == 331:
        return [("info", "user name accepted; the server asks for the password (PASS)",
                 fields)]
    if code == 332:
        return [("info", "the server needs an account (ACCT) to log in", fields)]
    if code == 532:
        return [("error", f"an account (ACCT) is needed for this ({said})", fields)]
    if any(word in text.lower() for word in ("encrypt", "tls", "ssl", "secure")):
        return [("error", f"the server requires TLS before login ({said}): connect with "
                 "FTPS (explicit AUTH TLS, or implicit on port 990)", fields)]
    human = (
        f"login refused ({said}): wrong user name or password, anonymous login disabled, "
        "the user not allowed on this server, or the server demands TLS before login "
        "(e.g. vsftpd force_local_logins_ssl)"
    )
    if ctx.last_command not in (None, "USER", "PASS", "ACCT"):
        human = f"not logged in ({said}): {ctx.last_command} needs a successful login first"
    return [("error", human, fields)]


def _closing(code: int, text: str, ctx: AnnotationContext) -> list[Meaning]:
    said = escape_control(text.strip())
    during = (
        f" while {ctx.last_command} was running (often the control connection's idle "
        "timeout firing during a long transfer, or a firewall dropping the idle control "
        "connection)"
        if ctx.last_command in DATA_COMMANDS
        else ""
    )
    return [(
        "error",
        f"the server is closing the control connection ({said}){during}: too many "
        "connections, an idle timeout, or a shutdown. Reconnect to continue",
        {"kind": "closing", "code": code},
    )]


def explain_reply(code: int, text: str, ctx: AnnotationContext) -> list[Meaning]:
    """The meanings of reply ``code`` with message ``text`` (without code), given what
    the conversation knows. Returns ``[]`` for replies that need no explanation."""
    if code not in _INTERESTING:
        return []
    verb = ctx.last_command
    if code == 421:
        return _closing(code, text, ctx)
    if verb in ("EPSV", "EPRT") and code in (500, 501, 502, 504):
        return _fallback(code, verb)
    if verb in ("PASV", "PORT") and code in (500, 502):
        return _fallback(code, verb)
    if verb == "ABOR" and code in (225, 226, 426):
        return _aborted(code)
    if code in (234, 522, 533, 534, 536) or (verb in ("AUTH", "PBSZ", "PROT") and code >= 200):
        return _tls(code, text, ctx)
    if code in (230, 331, 332, 530, 532):
        return _login(code, text, ctx)
    if verb in ("PORT", "EPRT") and code == 200:
        target = f" {ctx.data_endpoint}" if ctx.data_endpoint else ""
        return [(
            "info",
            f"the server accepted the address{target}; it will connect to it when the "
            "next transfer command (LIST, RETR, STOR …) is sent",
            {"kind": "data-channel", "phase": "address-accepted", "code": code},
        )]
    if verb in ("PASV", "EPSV") and code >= 400:
        return [(
            "error",
            f"the server refuses passive mode ({escape_control(text.strip())}): passive "
            "connections are disabled on it (e.g. vsftpd pasv_enable=NO) or it is out of "
            "passive ports; try active mode (PORT/EPRT)",
            {"kind": "data-error", "phase": "passive-refused", "code": code},
        )]
    if verb in ("PORT", "EPRT") and code >= 500:
        return [(
            "error",
            f"the server refused the {verb} address ({escape_control(text.strip())}): "
            "servers refuse addresses other than the control connection's client address "
            "(FXP/bounce protection) or ports below 1024; try passive mode",
            {"kind": "data-error", "phase": "address-refused", "code": code},
        )]
    if code in (125, 150):
        return _preliminary(code, ctx)
    if code in (425, 426):
        return _data_failed(code, text, ctx)
    if code in (450, 451) and names_tls_problem(text):  # pasted alone, without its command
        return _tls_data_refusal(code, escape_control(text.strip()) or "(no text)")
    if verb in DATA_COMMANDS:
        if code in (225, 226, 250):
            return _data_done(code, ctx)
        if code >= 450:
            return _data_failed(code, text, ctx)
    if code == 226 or (code == 225 and verb in (None, "ABOR")):
        return _data_done(code, ctx)
    return []
