"""A listing whose data connection stays silent after 150 (demo server, stall scenario):
when the client gives up and closes the data connection, the server's 426 is the
listing's own final reply. ``ls -v --ladder`` must not call it an "ignored unexpected
reply", nor send an ABOR for a transfer the server already ended."""

from __future__ import annotations

import pytest

from client.demo import DemoServer
from client.entry import main


def test_the_426_after_a_stalled_listing_is_its_answer(capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    with DemoServer("stall") as server:
        monkeypatch.setenv("FTP_PASSWORD", server.password)
        url = f"ftp://{server.user}@{server.host}:{server.port}/"
        status = main(["ls", "-v", "--ladder", "--no-log", "--tls", "off",
                       "--data-timeout", "1", url])
    out, err = capsys.readouterr()
    assert status != 0
    assert "silent-after-150" in err
    assert "426" in err  # the server's answer is shown
    assert "unexpected repl" not in err
    assert "ABOR" not in err
    assert "QUIT" in err  # the session ended normally after the failure
