"""The advice for data connections that open but carry nothing (``data-stalls``) is to
list over the control connection: the command line can follow it. ``ls
--stat-fallback`` lists with STAT after the listing's data connection failed, and
``diagnose`` recommends that option (before, it recommended only ``--mode passive``,
which fails the same way). Demo server, stall scenario."""

from __future__ import annotations

import pytest

from client.demo import DemoServer
from client.entry import main


@pytest.fixture(scope="module")
def stalling() -> object:
    with DemoServer("stall") as server:
        yield server


def url_of(server: DemoServer) -> str:
    return f"ftp://{server.user}@{server.host}:{server.port}/"


def test_ls_stat_fallback_lists_a_folder_whose_data_connection_stalls(
        stalling, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FTP_PASSWORD", stalling.password)
    status = main(["ls", "--no-log", "--tls", "off", "--data-timeout", "1",
                   "--stat-fallback", url_of(stalling)])
    out, err = capsys.readouterr()
    assert status == 0, err
    assert "README.txt" in out and "data" in out.split()
    assert "STAT" in err  # says how it was listed


def test_diagnose_recommends_the_option_it_means(
        stalling, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FTP_PASSWORD", stalling.password)
    main(["diagnose", "--no-log", "--tls", "off", "--data-timeout", "1", "--probe-ports", "0",
          url_of(stalling)])
    out, _err = capsys.readouterr()
    assert "[data-stalls]" in out
    recommended = next(line for line in out.splitlines() if "Recommended settings" in line)
    assert "--stat-fallback" in recommended


def test_a_stalled_listing_suggests_the_options_the_window_offers_as_buttons(
        stalling, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The window's banner offers "Retry in active mode", "List over the control
    connection (STAT)" and "Run Diagnose"; ``ls`` said only "the other --mode"."""
    monkeypatch.setenv("FTP_PASSWORD", stalling.password)
    status = main(["ls", "--no-log", "--tls", "off", "--data-timeout", "1", url_of(stalling)])
    _out, err = capsys.readouterr()
    assert status == 3
    tried = next(line for line in err.splitlines() if line.strip().startswith("try:"))
    assert "--mode active" in tried and "--stat-fallback" in tried
    assert "ftp-inspector diagnose" in tried
