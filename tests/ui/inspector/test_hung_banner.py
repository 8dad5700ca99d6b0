"""The hung-listing banner: its sentence comes from explain_failure, its buttons emit."""

from __future__ import annotations

import pytest
from ladder_scenarios import never_connected_back, passive_refused, syn_unanswered
from PySide6.QtCore import Qt

from client.engine.errors import DataChannelError
from client.engine.events import DataFailure, DataPhase, Endpoint
from client.engine.explain_failure import RecoveryAction, explain_error
from client.engine.ladder import LadderModel
from client.ui.inspector.hung_banner import HungListingBanner

pytestmark = pytest.mark.gui


@pytest.fixture
def banner(qtbot) -> HungListingBanner:
    widget = HungListingBanner()
    qtbot.addWidget(widget)
    widget.resize(700, 120)
    return widget


def arrow_of(events):
    model = LadderModel()
    model.feed_all(events)
    return model, model.data_arrows()[0]


def test_hidden_until_there_is_something_to_say(banner) -> None:
    assert banner.isHidden()
    _model, arrow = arrow_of(syn_unanswered()[:-1])
    assert not banner.show_for_arrow(arrow, now=0.5)  # still connecting, not hung yet
    assert banner.isHidden()


def test_error_banner_text_and_buttons(qtbot, banner) -> None:
    error = DataChannelError("x", failure=DataFailure.CONNECT_TIMEOUT,
                             phase=DataPhase.CONNECTING, method="PASV",
                             remote=Endpoint("198.51.100.7", 50123), elapsed=20.0)
    banner.show_for_error(error, command="LIST /pub", console_row=42)
    assert banner.isVisible()
    assert banner.message.text() == explain_error(error, command="LIST /pub").sentence
    assert "198.51.100.7:50123 was never answered" not in banner.message.text()
    assert "the connection to it was never answered" in banner.message.text()
    assert banner.visible_actions() == [RecoveryAction.RETRY_ACTIVE,
                                        RecoveryAction.USE_CONTROL_ADDRESS,
                                        RecoveryAction.STAT_LISTING, RecoveryAction.DIAGNOSE]
    signals = {
        RecoveryAction.RETRY_ACTIVE: banner.retry_active_requested,
        RecoveryAction.USE_CONTROL_ADDRESS: banner.use_control_address_requested,
        RecoveryAction.STAT_LISTING: banner.stat_listing_requested,
        RecoveryAction.DIAGNOSE: banner.diagnose_requested,
    }
    for action, signal in signals.items():
        with qtbot.waitSignal(signal), qtbot.waitSignal(banner.action_requested) as named:
            qtbot.mouseClick(banner.buttons[action], Qt.MouseButton.LeftButton)
        assert named.args == [action.value]
    with qtbot.waitSignal(banner.why_requested) as row:
        banner.why.linkActivated.emit("#why")
    assert row.args == [42]


def test_active_failure_offers_passive(qtbot, banner) -> None:
    _model, arrow = arrow_of(never_connected_back())
    assert banner.show_for_arrow(arrow, now=10.0)
    assert banner.visible_actions()[0] is RecoveryAction.RETRY_PASSIVE
    assert RecoveryAction.RETRY_ACTIVE not in banner.visible_actions()
    with qtbot.waitSignal(banner.retry_passive_requested):
        qtbot.mouseClick(banner.buttons[RecoveryAction.RETRY_PASSIVE], Qt.MouseButton.LeftButton)


def test_waiting_arrow_shows_an_amber_banner(banner) -> None:
    model, _arrow = arrow_of(syn_unanswered()[:-1])
    model.refresh(6.0)
    arrow = model.data_arrows()[0]
    assert banner.show_for_arrow(arrow, now=6.0)
    assert banner.message.text().startswith("The directory listing has not arrived yet")
    assert "#d08a00" in banner.styleSheet()
    assert banner.console_row == arrow.event_index


def test_failed_arrow_from_the_event_stream(banner) -> None:
    _model, arrow = arrow_of(passive_refused())
    assert banner.show_for_arrow(arrow, now=1.0)
    assert "refused" in banner.message.text()
    assert banner.visible_actions()[0] is RecoveryAction.USE_CONTROL_ADDRESS


def test_a_connect_failure_without_a_command_is_a_listing(banner) -> None:
    error = DataChannelError("x", failure=DataFailure.REFUSED, phase=DataPhase.CONNECTING,
                             method="EPSV", remote=Endpoint("127.0.0.1", 5))
    banner.show_for_error(error)
    assert banner.message.text().startswith("The directory listing did not arrive")
    assert RecoveryAction.STAT_LISTING in banner.visible_actions()
    retr = DataChannelError("x", failure=DataFailure.SILENT, phase=DataPhase.CONNECTED,
                            method="EPSV", step="RETR")
    banner.show_for_error(retr)
    assert banner.message.text().startswith("The download did not complete")
