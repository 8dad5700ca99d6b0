"""The ladder model and its ASCII rendering fed by the real engine talking to the
embedded demo server, one scenario per data-channel story (loopback only).

Each session runs in its own thread with its own event loop: these tests then work
whatever loop another test left installed (the Qt tests keep a qasync loop running).
"""

from __future__ import annotations

import asyncio
import threading

import pytest

from client.demo.server import DemoServer
from client.engine.errors import DataChannelError
from client.engine.events import DataFailure, DataPhase, EventBus
from client.engine.explain_failure import RecoveryAction, explain_arrow, explain_error
from client.engine.ladder import ControlArrow, DataArrow, DataState, LadderModel, Side
from client.engine.ladder_ascii import render_ladder
from client.engine.session import FtpSession
from client.engine.settings import ConnectionSettings, TlsMode, TransferMode

FAST = dict(data_timeout=1.0, control_timeout=3.0, connect_timeout=3.0)


@pytest.fixture
def demo(request):
    server = DemoServer(request.param, give_up_after=1.5).start()
    yield server
    server.stop()


def settings_for(server: DemoServer, **overrides) -> ConnectionSettings:
    values: dict[str, object] = dict(FAST, host=server.host, port=server.port, user=server.user,
                                     password=server.password, tls=TlsMode.OFF)
    if server.ca_file:
        values.update(tls=TlsMode.EXPLICIT, ca_file=server.ca_file)
    values.update(overrides)
    return ConnectionSettings(**values)  # type: ignore[arg-type]


async def _listing(server: DemoServer, overrides: dict) -> tuple[LadderModel, Exception | None]:
    bus = EventBus()
    model = LadderModel()
    bus.subscribe(model.feed)
    failure: Exception | None = None
    async with FtpSession(settings_for(server, **overrides), bus=bus) as session:
        try:
            await session.list("/")
        except DataChannelError as error:
            failure = error
    return model, failure


def listing(server: DemoServer, **overrides) -> tuple[LadderModel, Exception | None]:
    """List ``/`` in a fresh session on a thread of its own; the model and the error."""
    outcome: dict[str, object] = {}

    def work() -> None:
        try:
            outcome["result"] = asyncio.run(_listing(server, overrides))
        except BaseException as error:  # noqa: BLE001 - re-raised in the test's thread
            outcome["error"] = error

    thread = threading.Thread(target=work, name="ladder-session")
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the session did not finish"
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["result"]  # type: ignore[return-value]


def the_arrow(model: LadderModel) -> DataArrow:
    arrows = model.data_arrows()
    assert len(arrows) == 1, [a.status_text() for a in arrows]
    return arrows[0]


@pytest.mark.parametrize("demo", ["healthy"], indirect=True)
def test_healthy_passive_listing(demo) -> None:
    model, failure = listing(demo)
    assert failure is None
    arrow = the_arrow(model)
    assert arrow.source is Side.CLIENT and arrow.method == "PASV"
    assert arrow.state is DataState.CLOSED and arrow.bytes > 0
    assert arrow.server_end is not None and arrow.server_end.host == "127.0.0.1"
    assert arrow.client_end is not None and arrow.client_end.host == "127.0.0.1"
    assert arrow.setup_event_index is not None  # tied to the 227 reply
    setup = model.items[model.item_for_event(arrow.setup_event_index)]
    assert isinstance(setup, ControlArrow) and setup.code == 227
    port = arrow.server_end.port
    assert setup.decoded[0] == f"127.0.0.1 port {port // 256}*256+{port % 256} = {port}", \
        setup.decoded
    assert arrow.setup == f"{port // 256}*256+{port % 256} = {port}"
    lifelines = model.primary_lifelines()
    assert lifelines.server is not None and lifelines.server.port == demo.port
    assert not any("PASS " in i.label and "****" not in i.label
                   for i in model.items if isinstance(i, ControlArrow))
    text = render_ladder(model, width=100)
    assert f"-> {arrow.server_end}" in text and demo.password not in text


@pytest.mark.parametrize("demo", ["healthy"], indirect=True)
def test_healthy_pasv_shows_the_227_arithmetic(demo) -> None:
    model, failure = listing(demo, use_epsv=False)
    assert failure is None
    arrow = the_arrow(model)
    port = arrow.server_end.port
    assert arrow.method == "PASV"
    assert arrow.setup == f"{port // 256}*256+{port % 256} = {port}"


@pytest.mark.parametrize("demo", ["healthy"], indirect=True)
def test_healthy_active_listing_is_drawn_from_the_server(demo) -> None:
    model, failure = listing(demo, mode=TransferMode.ACTIVE, use_eprt=False)
    assert failure is None
    arrow = the_arrow(model)
    assert arrow.source is Side.SERVER and arrow.method == "PORT"
    assert arrow.state is DataState.CLOSED
    assert arrow.time_of(DataPhase.LISTENING) is not None
    assert arrow.client_end is not None and arrow.server_end is not None
    assert arrow.setup is not None and "*256+" in arrow.setup
    port_arrow = model.items[model.item_for_event(arrow.setup_event_index)]
    assert isinstance(port_arrow, ControlArrow) and port_arrow.label.startswith("PORT ")
    assert arrow.endpoints_label == f"{arrow.server_end} -> {arrow.client_end}"


@pytest.mark.parametrize("demo", ["passive-refused"], indirect=True)
def test_passive_refused(demo) -> None:
    model, failure = listing(demo, use_epsv=False)
    assert isinstance(failure, DataChannelError)
    arrow = the_arrow(model)
    assert arrow.failure is DataFailure.REFUSED and arrow.state is DataState.FAILED
    explanation = explain_arrow(arrow)
    assert explanation is not None and explanation.is_listing
    assert explanation.sentence.startswith("The directory listing did not arrive: the connection")
    assert RecoveryAction.RETRY_ACTIVE in explanation.actions
    assert explain_error(failure, command="LIST /").failure is DataFailure.REFUSED


@pytest.mark.parametrize("demo", ["passive-blocked"], indirect=True)
def test_passive_blocked_is_syn_unanswered(demo) -> None:
    model, failure = listing(demo, use_epsv=False)
    assert isinstance(failure, DataChannelError)
    arrow = the_arrow(model)
    assert arrow.failure is DataFailure.CONNECT_TIMEOUT
    assert arrow.failure_label == "SYN unanswered"
    assert arrow.time_of(DataPhase.CONNECTED) is None
    sentence = explain_error(failure, command="LIST /").sentence
    assert "was never answered" in sentence and "passive port range" in sentence
    assert str(arrow.server_end) in sentence


@pytest.mark.parametrize("demo", ["nat-misconfigured"], indirect=True)
def test_nat_misconfigured_keeps_both_addresses(demo) -> None:
    model, failure = listing(demo)
    assert failure is None
    arrow = the_arrow(model)  # EPSV was refused with 500: no data connection for it
    assert arrow.method == "PASV"
    assert arrow.advertised is not None and arrow.advertised.host == "192.0.2.10"
    assert arrow.server_end is not None and arrow.server_end.host == "127.0.0.1"
    assert arrow.address_note and "192.0.2.10" in arrow.address_note
    assert arrow.state is DataState.CLOSED


@pytest.mark.parametrize("demo", ["active-blocked"], indirect=True)
def test_active_blocked_never_connected_back(demo) -> None:
    model, failure = listing(demo, mode=TransferMode.ACTIVE)
    assert isinstance(failure, DataChannelError)
    arrow = the_arrow(model)
    assert arrow.source is Side.SERVER
    assert arrow.failure is DataFailure.NEVER_CONNECTED_BACK
    explanation = explain_arrow(arrow)
    assert explanation.actions[0] is RecoveryAction.RETRY_PASSIVE
    assert "never connected back" in explanation.sentence


@pytest.mark.parametrize("demo", ["stall"], indirect=True)
def test_stall_is_silent_after_150(demo) -> None:
    model, failure = listing(demo)
    assert isinstance(failure, DataChannelError)
    arrow = the_arrow(model)
    assert arrow.failure is DataFailure.SILENT
    assert arrow.time_of(DataPhase.CONNECTED) is not None
    codes = [i.code for i in model.items if isinstance(i, ControlArrow)]
    assert 125 in codes or 150 in codes  # the server accepted the listing


@pytest.mark.parametrize("demo", ["tls"], indirect=True)
def test_tls_data_connection_shows_session_reuse(demo) -> None:
    model, failure = listing(demo)
    assert failure is None
    arrow = the_arrow(model)
    assert arrow.tls and arrow.tls_detail is not None
    assert "session reused" in arrow.tls_detail
    assert arrow.time_of(DataPhase.TLS_ESTABLISHED) is not None
    text = render_ladder(model, width=100)
    assert "TLS: TLSv1" in text and "session reused" in text
    assert demo.password not in text
