"""How a saved queue job names its site, for each protocol (an SFTP connection's
settings have no TLS mode: naming them crashed the connect that saves the queue)."""

from __future__ import annotations

from client.engine.settings import ConnectionSettings, TlsMode
from client.engine.sftp.settings import SftpSettings
from client.ui.queue_restore import site_url


def test_saved_jobs_name_their_site_without_the_password() -> None:
    assert site_url(SftpSettings(host="h.example", port=2222, user="alice",
                                 password="s3cret")) == "sftp://alice@h.example:2222"
    assert site_url(ConnectionSettings(host="h.example", user="bob", password="s3cret",
                                       tls=TlsMode.EXPLICIT)) == "ftpes://bob@h.example:21"
    assert site_url(ConnectionSettings(host="::1")) == "ftp://[::1]:21"
    assert site_url(SftpSettings(host="h.example"), "Work/box") == "site:Work/box"
