"""Run inside a private network namespace (``unshare -n``) by test_nat_in_netns.py.

It starts the nat-misconfigured demo server and a client that deliberately *trusts*
the 227 address (192.0.2.10). That dial is only made after checking that this process
sees no network interface but loopback, so nothing can leave the machine. Prints one
JSON line: what the trusting dial did, and whether the control-peer substitute worked.
"""

from __future__ import annotations

import json
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from client.demo import DemoServer  # noqa: E402
from demo.rawftp import RawFtp, read_all  # noqa: E402


def main() -> int:
    # if_nameindex asks the kernel about this process's namespace (/sys/class/net would
    # show the namespace sysfs was mounted in).
    interfaces = sorted(name for _, name in socket.if_nameindex())
    if interfaces != ["lo"]:
        print(json.dumps({"refused_to_run": f"interfaces {interfaces}: not a private namespace"}))
        return 2
    result: dict[str, object] = {}
    with DemoServer("nat-misconfigured") as server:
        ftp = RawFtp(server.host, server.port)
        ftp.login(server.user, server.password)
        host, port = ftp.pasv()
        result["advertised"] = host
        trusting = socket.socket()
        trusting.settimeout(1.0)
        try:
            trusting.connect((host, port))
            result["trusting"] = "connected"
        except OSError as exc:
            result["trusting"] = f"{type(exc).__name__}: {exc.strerror or exc}"
        trusting.close()
        host, port = ftp.pasv()
        data = socket.create_connection((server.host, port), timeout=5)
        ftp.command("NLST")
        result["substitute_listing"] = read_all(data).decode().split("\r\n")[:3]
        result["substitute_reply"] = ftp.read_reply().code
        ftp.quit()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
