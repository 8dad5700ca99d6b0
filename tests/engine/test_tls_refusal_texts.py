"""A data connection refused because of TLS is classed and explained as TLS, whatever
words the server uses (FileZilla Server's 425, vsftpd's 522, IIS's SSL policy)."""

from __future__ import annotations

import pytest

from client.engine.errors import DataChannelError
from client.engine.events import DataFailure
from client.engine.explain_failure import explain_error
from client.engine.session import FtpSession
from client.engine.settings import TlsMode

FILEZILLA = b"425 Unable to build data connection: TLS session of data connection not resumed.\r\n"


@pytest.mark.asyncio
@pytest.mark.parametrize("refusal", [
    FILEZILLA,
    b"522 SSL connection failed: session reuse required\r\n",
    b"550 SSL policy requires SSL for data channel.\r\n",
])
async def test_tls_refusal_is_a_tls_failure_not_a_firewall(scripted_server, bus, refusal) -> None:
    server = scripted_server({"MLSD": refusal, "LIST": refusal}, tls="explicit")
    settings = server.settings(tls=TlsMode.EXPLICIT, data_timeout=2)
    async with FtpSession(settings, bus=bus) as session:
        with pytest.raises(DataChannelError) as caught:
            await session.list("/")
    assert caught.value.failure is DataFailure.TLS_FAILED
    explanation = explain_error(caught.value)
    assert "not a firewall" in explanation.sentence
    assert "FileZilla Server" in explanation.sentence
