"""The shared connection options as the CLI parses them into ConnectionSettings:
the active-mode address must be an IP address (a usage error, exit 1, before
connecting — never blamed on the server)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from client.cli import _subcommand_parser
from client.cli.options import TargetError, build_target
from client.ui.sites.store import Site, SiteStore

TIMEOUT = 60
ENV = {"FTP_PASSWORD": "not-used"}


def parse(*argv: str):
    return _subcommand_parser(argv[0]).parse_args(list(argv))


def target(*argv: str):
    args = parse(*argv)
    return build_target(args, args.url, env=ENV)


def test_active_address_ip_is_used() -> None:
    settings = target("ls", "ftp://alice@127.0.0.1/", "--mode", "active",
                      "--active-address", "203.0.113.7").settings
    assert settings.active_address == "203.0.113.7"


@pytest.mark.parametrize("value", ["my-nat-box.example", "1.2.3", "::g"])
def test_active_address_that_is_not_an_ip_is_a_usage_error(value: str) -> None:
    with pytest.raises(TargetError) as caught:
        target("ls", "ftp://alice@127.0.0.1/", "--active-address", value)
    message = str(caught.value)
    assert message.startswith("--active-address:")
    assert value in message and "not an IPv4 or IPv6 address" in message


def test_a_saved_site_with_a_host_name_as_active_address_is_named(tmp_path,
                                                                  monkeypatch) -> None:
    monkeypatch.setenv("FTP_INSPECTOR_CONFIG_DIR", str(tmp_path))
    SiteStore().upsert(Site(name="nat", host="127.0.0.1", logon="anonymous",
                            active_address="my-nat-box.example"))
    with pytest.raises(TargetError) as caught:
        target("ls", "site:nat")
    assert "site nat" in str(caught.value) and "my-nat-box.example" in str(caught.value)
    # the option given on the command line replaces the site's value
    assert target("ls", "site:nat", "--active-address", "::1").settings.active_address == "::1"


def test_the_command_exits_1_with_the_option_named_before_connecting(child_env) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "client", "ls", "ftp://127.0.0.1:1/", "--mode", "active",
         "--active-address", "my-nat-box.example"],
        env=child_env, capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 1, result.stderr
    assert "--active-address" in result.stderr and "my-nat-box.example" in result.stderr
    assert result.stderr.startswith("ftp-inspector ls: --active-address: ")
    assert "not valid FTP" not in result.stderr
