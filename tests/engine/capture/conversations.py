"""Scripted FTP sessions as packets, for the hand-built captures of the tests."""

from __future__ import annotations

from collections.abc import Callable

from fixtures.capture_builder import Packet, TcpFlow

BASE = 1_700_000_000.0
CLIENT = "192.168.1.20"
SERVER = "203.0.113.7"


def login(control: TcpFlow, t: float) -> float:
    steps = [(False, b"220 Example FTP server ready\r\n"), (True, b"USER alice\r\n"),
             (False, b"331 Password required\r\n"), (True, b"PASS s3cret-word\r\n"),
             (False, b"230 Logged in\r\n")]
    for from_client, data in steps:
        t += 0.01
        control.send(t, from_client, data)
    return t


def session(*, client: str = CLIENT, server: str = SERVER, port: int = 2121,
            passive_port: int = 50000, data: Callable[[TcpFlow | None, float], float] | None = None,
            method: str = "PASV", link_interface: int = 0, data_interface: int = 0,
            advertise: str | None = None) -> list[Packet]:
    """Login, PASV/EPSV/PORT, LIST; ``data(flow, t)`` plays the data connection and
    returns the time the control connection goes on."""
    packets: list[Packet] = []
    control = TcpFlow((client, 40000), (server, port), packets, link_interface)
    control.handshake(BASE)
    t = login(control, BASE)
    p1, p2 = divmod(passive_port, 256)
    shown = (advertise or server).replace(".", ",")
    t += 0.01
    if method == "PASV":
        control.send(t, True, b"PASV\r\n")
        control.send(t + 0.01, False,
                     f"227 Entering Passive Mode ({shown},{p1},{p2}).\r\n".encode())
        flow = TcpFlow((client, 41000), (advertise or server, passive_port), packets,
                       data_interface)
    elif method == "EPSV":
        control.send(t, True, b"EPSV\r\n")
        control.send(t + 0.01, False, f"229 Entering Extended Passive Mode (|||{passive_port}|)\r\n"
                     .encode())
        flow = TcpFlow((client, 41000), (server, passive_port), packets, data_interface)
    else:
        c = client.replace(".", ",")
        control.send(t, True, f"PORT {c},{p1},{p2}\r\n".encode())
        control.send(t + 0.01, False, b"200 PORT command successful\r\n")
        flow = TcpFlow((server, 20), (client, passive_port), packets, data_interface)
    t += 0.02
    control.send(t, True, b"LIST\r\n")
    t = (data or healthy_listing(control))(flow, t)
    return packets


def healthy_listing(control: TcpFlow) -> Callable[[TcpFlow | None, float], float]:
    def play(flow: TcpFlow | None, t: float) -> float:
        assert flow is not None
        flow.handshake(t - 0.005)
        control.send(t + 0.01, False, b"150 Here comes the listing\r\n")
        flow.send(t + 0.02, flow.client[1] != 20, b"-rw-r--r-- 1 ftp ftp 6 Jan 1 a.txt\r\n")
        flow.fin(t + 0.03, flow.client[1] != 20)
        flow.fin(t + 0.031, flow.client[1] == 20)
        control.send(t + 0.04, False, b"226 Transfer complete\r\n")
        control.send(t + 0.05, True, b"QUIT\r\n")
        control.send(t + 0.06, False, b"221 Bye\r\n")
        return t + 0.06
    return play
