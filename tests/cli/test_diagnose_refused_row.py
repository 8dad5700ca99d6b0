"""``ftp-inspector diagnose`` against a server that refuses EPSV with 500 (demo server,
nat-misconfigured scenario): the refusal is the EPSV row's answer. The output must not
warn about an "ignored unexpected reply 500" (the row used to stop at the refusal and
leave it unread, so the row's QUIT found it)."""

from __future__ import annotations

import pytest

from client.demo import DemoServer
from client.entry import main


def test_a_refused_epsv_is_the_rows_answer_not_a_stray_reply(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    with DemoServer("nat-misconfigured") as server:
        monkeypatch.setenv("FTP_PASSWORD", server.password)
        url = f"ftp://{server.user}@{server.host}:{server.port}/"
        main(["diagnose", "--no-log", "--tls", "off", "--data-timeout", "2",
              "--probe-ports", "0", url])
    out, err = capsys.readouterr()
    assert "[nat-not-configured]" in out
    assert "EPSV: refused" in err
    assert "unexpected repl" not in err + out
