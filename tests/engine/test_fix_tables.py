"""The fix tables render without Qt: one line a program for the command line, one block
a program for the window, with the address family and the range filled in."""

from __future__ import annotations

from client.engine.diagnose.fixes import (
    ACTIVE_MODE_FIXES,
    ACTIVE_RANGE,
    TLS_REUSE_FIXES,
    fix_block,
    fix_line,
)


def test_tls_reuse_lines_name_each_program_and_say_when_to_apply_them() -> None:
    lines = {fix.key: fix_line(fix, 0, 0, "ftp.example.org") for fix in TLS_REUSE_FIXES}
    assert lines["vsftpd"].startswith("vsftpd (/etc/vsftpd.conf, then restart vsftpd): "
                                      "require_ssl_reuse=NO; only if a client")
    assert "TLSOptions NoSessionReuseRequired" in lines["proftpd"]
    assert "Require TLS session resumption" in lines["filezilla-server"]
    assert "{" not in "".join(lines.values())


def test_active_mode_block_pastes_rules_for_the_servers_family() -> None:
    firewall, client = ACTIVE_MODE_FIXES
    low, high = ACTIVE_RANGE
    v4 = fix_block(firewall, low, high, "203.0.113.7")
    assert f"nft add rule inet filter input ip saddr 203.0.113.7 tcp dport {low}-{high} accept" in v4
    assert f"iptables -A INPUT -p tcp -s 203.0.113.7 --dport {low}:{high} -j ACCEPT" in v4
    v6 = fix_block(firewall, low, high, "[2001:db8::1]")
    assert "ip6 saddr 2001:db8::1" in v6 and "ip6tables -A INPUT" in v6
    assert v6.splitlines()[0] == f"# {firewall.where}"
    line = fix_line(client, low, high, "203.0.113.7")
    assert line == (f"FTP Inspector (active mode) ({client.where}): --mode active, "
                    f"--active-ports {low}-{high}, --active-address YOUR_PUBLIC_IP")
