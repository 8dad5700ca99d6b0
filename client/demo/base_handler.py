"""The behaviour every demo scenario shares, on top of pyftpdlib's FTPHandler.

* **Real-server order in active mode.** pyftpdlib dials the client as soon as PORT/EPRT
  arrives and answers the transfer command with 125; vsftpd, ProFTPD and pure-ftpd answer
  PORT with 200, and dial only after the transfer command's 150. The demo does the latter,
  so the inspector's picture of a healthy active transfer is the one users meet.
* **Doomed data connections.** A scenario that announces a data connection which will
  never open calls :meth:`DemoHandler._doom_data_channel`; the next transfer command gets
  150 and, ``give_up_after`` seconds later, 425 naming the reason.
* **No setup, no transfer.** A transfer command without its own PASV/EPSV/PORT/EPRT gets
  425 (pyftpdlib would answer 150 and wait forever).
"""

from __future__ import annotations

import logging
import socket
from typing import Any

from pyftpdlib.handlers import FTPHandler
from pyftpdlib.handlers.ftp.dispatchers import ActiveDTP

__all__ = ["DemoHandler", "DeferredActiveDTP", "TRANSFER_COMMANDS"]

logger = logging.getLogger(__name__)

# Commands that use a data connection (and so need PASV/EPSV/PORT/EPRT before them).
TRANSFER_COMMANDS = frozenset({"LIST", "NLST", "MLSD", "RETR", "STOR", "STOU", "APPE"})


class DeferredActiveDTP(ActiveDTP):
    """pyftpdlib's dialler, silent on success: the transfer command's 150 has already
    told the client a connection is coming (pyftpdlib's would add a stray 200)."""

    def handle_connect(self) -> None:
        self.del_channel()
        if self._idler is not None and not self._idler.cancelled:
            self._idler.cancel()
        if not self.cmd_channel.connected:
            self.close()
            return
        error = self.socket.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if error != 0:
            raise OSError(error, "connect failed")
        handler = self.cmd_channel.dtp_handler(self.socket, self.cmd_channel)
        self.cmd_channel.data_channel = handler
        self.cmd_channel._on_dtp_connection()  # noqa: SLF001 - pyftpdlib has no public hook

    def handle_write(self) -> None:
        """Nothing to write, ever. asyncore calls this right after handle_connect, and the
        inherited version would reset the socket's poll events to READ — but by then the
        socket belongs to the data handler, which has just asked for WRITE to send the
        listing or file queued behind the 150, and would then never be woken."""

    def handle_timeout(self) -> None:
        if self.cmd_channel.connected:
            self.cmd_channel.respond(
                f"425 Can't open data connection: {self._normalized_addr} did not answer."
            )
        self.close()


class DemoHandler(FTPHandler):
    """pyftpdlib's handler with the shared behaviour described in the module docstring."""

    banner = "FTP Inspector demo server ready."
    auth_failed_timeout = 1  # seconds before a 530: a short version of real servers' delay
    give_up_after = 10.0
    trap_port: int | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._doomed_reason: str | None = None
        self._give_up_timer: Any = None
        self._current_command = ""
        self._data_setup_pending = False
        self._active_target: tuple[str, int] | None = None  # dialled after the 150
        super().__init__(*args, **kwargs)

    def _refuse_transfer_without_setup(self, cmd: str) -> bool:
        """A transfer command with no PASV/EPSV/PORT/EPRT since the last transfer gets 425
        (as vsftpd answers), where pyftpdlib would say 150 and wait forever."""
        if cmd in TRANSFER_COMMANDS and not self._data_setup_pending:
            self.respond("425 Use PORT/EPRT or PASV/EPSV first.")
            return True
        return False

    def _after_command(self, cmd: str) -> None:
        if cmd not in TRANSFER_COMMANDS or self._last_response[:1] != "1":
            return
        self._data_setup_pending = False  # this transfer used the data connection setup
        if self._active_target is not None:
            ip, port = self._active_target
            self._active_target = None
            self._dtp_connector = DeferredActiveDTP(ip, port, self)

    def process_command(self, cmd: str, *args: Any, **kwargs: Any) -> None:
        self._current_command = cmd
        if self._refuse_transfer_without_setup(cmd):
            return
        super().process_command(cmd, *args, **kwargs)
        if self._closed:  # QUIT or an error tore the session down (and its queues with it)
            return
        self._after_command(cmd)
        transfer_waiting = self._out_dtp_queue is not None or self._in_dtp_queue is not None
        if self._doomed_reason and transfer_waiting and self._give_up_timer is None:
            self._give_up_timer = self.ioloop.call_later(
                self.give_up_after, self._give_up_on_data_channel, _errback=self.handle_error
            )

    def _forget_data_setup(self) -> None:
        self._shutdown_connecting_dtp()
        if self.data_channel is not None:
            self.data_channel.close()
            self.data_channel = None
        self._active_target = None

    def _doom_data_channel(self, reason: str) -> None:
        """Forget any data connection in progress; the next transfer will fail."""
        self._forget_data_setup()
        self._cancel_give_up()
        self._doomed_reason = reason
        self._data_setup_pending = True

    def _undoom(self) -> None:
        self._cancel_give_up()
        self._doomed_reason = None

    def _cancel_give_up(self) -> None:
        if self._give_up_timer is not None and not self._give_up_timer.cancelled:
            self._give_up_timer.cancel()
        self._give_up_timer = None

    def _drop_queued_transfer(self) -> None:
        if self._closed:
            return
        for queued, file_index in ((self._out_dtp_queue, 2), (self._in_dtp_queue, 0)):
            if queued is not None and queued[file_index] is not None:
                queued[file_index].close()
        self._out_dtp_queue = None
        self._in_dtp_queue = None

    def _give_up_on_data_channel(self) -> None:
        self._give_up_timer = None
        if not self.connected or self._closed:
            return
        reason = self._doomed_reason or "the data connection never opened"
        self._drop_queued_transfer()
        self._doomed_reason = None
        self.respond(f"425 Can't open data connection: {reason}.", logfun=logger.info)

    def _make_epasv(self, extmode: bool = False) -> None:
        self._undoom()
        self._active_target = None
        super()._make_epasv(extmode)
        self._data_setup_pending = self._last_response[:1] not in ("4", "5")

    def _port_refusal(self, ip: str, port: int) -> str | None:
        """The 501 a real server gives a PORT/EPRT it will not dial (RFC 2577: no bounce
        to another host, no privileged ports), or None when the target is acceptable."""
        if not self.permit_foreign_addresses and ip != self.remote_ip.removeprefix("::ffff:"):
            return f"501 Rejected data connection to foreign address {ip}:{port}."
        if not self.permit_privileged_ports and port < 1024:
            return f'501 {self._current_command} against the privileged port "{port}" refused.'
        return None

    def _make_eport(self, ip: str, port: int) -> None:
        self._undoom()
        refusal = self._port_refusal(ip, port)
        if refusal is not None:
            self._forget_data_setup()
            self._data_setup_pending = False
            self.respond(refusal)
            return
        self._forget_data_setup()
        self._active_target = (ip, port)
        self._data_setup_pending = True
        self.respond(f"200 {self._current_command} command successful. Consider using PASV.")

    def ftp_EPSV(self, line: str) -> None:
        if line.strip().lower() == "all":
            # RFC 2428 §4 says 200 (pyftpdlib answers 220, the code for a new session).
            self._epsvall = True
            self.respond("200 EPSV ALL command successful.")
            return
        super().ftp_EPSV(line)

    def ftp_ABOR(self, line: str) -> None:
        if self._doomed_reason is None:
            super().ftp_ABOR(line)
            return
        waiting = self._give_up_timer is not None
        self._undoom()
        self._drop_queued_transfer()
        if waiting:
            self.respond("426 Data connection never opened; transfer aborted.")
            self.respond("226 ABOR command successful.")
        else:
            self.respond("225 ABOR command successful; data channel closed.")

    def close(self) -> None:
        self._cancel_give_up()
        super().close()
