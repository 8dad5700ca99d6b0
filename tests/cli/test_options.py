"""The shared connection options as the CLI parses them into ConnectionSettings:
the active-mode address must be an IP address (a usage error, exit 1, before
connecting — never blamed on the server); --keepalive and --list-hidden."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from client.cli import parse_command, subcommand_parser
from client.cli.options import TargetError, build_target
from client.config.sites import Site, SiteStore

TIMEOUT = 60
ENV = {"FTP_PASSWORD": "not-used"}


def parse(*argv: str):
    return parse_command(argv)


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


def test_keepalive_and_list_hidden_default_off() -> None:
    settings = target("ls", "ftp://alice@127.0.0.1/").settings
    assert settings.keepalive_interval is None and settings.list_hidden is False


def test_keepalive_and_list_hidden_options() -> None:
    settings = target("get", "ftp://alice@127.0.0.1/f", "--keepalive", "30",
                      "--list-hidden").settings
    assert settings.keepalive_interval == 30.0 and settings.list_hidden is True
    assert target("diagnose", "ftp://alice@127.0.0.1/", "--keepalive", "0.5") \
        .settings.keepalive_interval == 0.5


@pytest.mark.parametrize("value", ["-1", "soon", "nan", "100000"])
def test_a_bad_keepalive_is_refused_by_the_parser(value: str, capsys) -> None:
    with pytest.raises(SystemExit):
        parse("ls", "ftp://127.0.0.1/", "--keepalive", value)
    assert "--keepalive" in capsys.readouterr().err


def test_keepalive_0_turns_off_a_saved_sites_keepalive(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("FTP_INSPECTOR_CONFIG_DIR", str(tmp_path))
    SiteStore().upsert(Site(name="ka", host="127.0.0.1", logon="anonymous",
                            keepalive_interval=60, list_hidden=True))
    from_site = target("ls", "site:ka").settings
    assert from_site.keepalive_interval == 60.0 and from_site.list_hidden is True
    assert target("ls", "site:ka", "--keepalive", "0").settings.keepalive_interval is None


def test_list_hidden_sends_list_a(scripted_server, child_env) -> None:
    server = scripted_server()  # no MLSD: the listing goes by LIST
    result = subprocess.run(
        [sys.executable, "-m", "client", "ls", f"ftp://{server.info.user}@127.0.0.1:"
         f"{server.info.port}/", "--list-hidden", "--keepalive", "30", "-q"],
        env={**child_env, "FTP_PASSWORD": server.info.password}, capture_output=True,
        text=True, timeout=TIMEOUT)
    assert result.returncode == 0, result.stderr
    assert "LIST -a" in server.lines()


@pytest.mark.parametrize("name", ["get", "put", "mirror"])
def test_a_command_builds_its_own_parser_only(name: str) -> None:
    """``get``, ``put`` and ``mirror`` share a module; running one does not build the
    others' parsers (their options cost start-up time)."""
    parser = subcommand_parser(name)
    commands = next(action for action in parser._actions  # noqa: SLF001
                    if isinstance(action, argparse._SubParsersAction))  # noqa: SLF001
    assert list(commands.choices) == [name]


def test_options_may_stand_between_positional_arguments() -> None:
    """``put a --overwrite b URL/`` and ``rm URL -f URL``: argparse's plain parse took
    the positionals before the option only and refused the rest (exit 1)."""
    put = parse("put", "a.txt", "--overwrite", "b.txt", "ftp://h/up/")
    assert (put.command, put.local, put.url, put.if_exists) == (
        "put", ["a.txt", "b.txt"], "ftp://h/up/", "overwrite")
    rm = parse("rm", "ftp://h/a", "-f", "ftp://h/b")
    assert (rm.command, rm.urls, rm.force) == ("rm", ["ftp://h/a", "ftp://h/b"], True)
    get = parse("get", "-q", "ftp://h/f", "-o", "dest")
    assert (get.command, get.url, get.output) == ("get", "ftp://h/f", "dest")
    after_dashes = parse("rm", "-f", "--", "-odd-name")
    assert (after_dashes.urls, after_dashes.force) == (["-odd-name"], True)
