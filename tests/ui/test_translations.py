"""Text the window shows goes through Qt's translation: label tables are marked with
QT_TRANSLATE_NOOP (so Qt's extractor lists them) and translated where they are shown;
banner error sentences and the queue's state words are translated too. In English
nothing changes."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QTranslator

from client.config.history import QuickconnectHistory
from client.engine.errors import (
    CertificateError,
    CommandFailedError,
    ConnectError,
    ConnectionLostError,
    ControlTimeoutError,
    DataChannelError,
    FtpError,
    LoginError,
    TlsError,
)
from client.engine.events import DataFailure, DataPhase, Endpoint
from client.engine.ladder import COLUMNS as CHANNEL_COLUMNS
from client.engine.ladder import LadderModel
from client.engine.queue.jobs import JobState, TransferJob

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]
#: the files whose tables and sentences are marked (paths from the checkout)
MARKED_FILES = ["client/ui/error_text.py", "client/ui/queue_view.py", "client/ui/quickconnect.py",
                "client/ui/exists_dialog.py", "client/ui/console/widget.py",
                "client/ui/inspector/channel_table.py", "client/ui/inspector/dock.py",
                "client/ui/inspector/connection_menu.py",
                "client/ui/remote/listing_model.py", "client/ui/remote_actions.py",
                "client/ui/local_actions.py"]


def _data_error(method: str | None, remote: Endpoint | None) -> DataChannelError:
    return DataChannelError("no connection within 5 s", failure=DataFailure.CONNECT_TIMEOUT,
                            phase=DataPhase.CONNECTING, method=method, remote=remote)


ENGLISH_ERRORS = [
    (_data_error("PASV", Endpoint("10.0.0.5", 50000)), "Listing /pub",
     "Listing /pub failed: the data connection failed (PASV, 10.0.0.5:50000): "
     "no connection within 5 s"),
    (_data_error("EPSV", None), "", "the data connection failed (EPSV): no connection within 5 s"),
    (_data_error(None, None), "", "the data connection failed: no connection within 5 s"),
    (CertificateError("the certificate of h was not accepted: self-signed"), "",
     "the certificate of h was not accepted: self-signed"),
    (TlsError("522 data connections must be encrypted"), "",
     "TLS failed: 522 data connections must be encrypted"),
    (LoginError("530 Login incorrect."), "Connecting",
     "Connecting failed: the server refused the login: 530 Login incorrect."),
    (ConnectError("connection refused by {host}"), "",
     "could not connect: connection refused by {host}"),
    (ControlTimeoutError("no reply within 30 s"), "",
     "the server stopped answering: no reply within 30 s"),
    (ConnectionLostError("421 Timeout."), "", "the connection was lost: 421 Timeout."),
    # the engine's message already says it: not "the connection was lost: the control
    # connection was lost: …" (seen when vsftpd gave up during a slow certificate answer)
    (ConnectionLostError("the control connection was lost: [SSL] tlsv1 alert decode error"),
     "Connecting to vsftpd tls",
     "Connecting to vsftpd tls failed: the control connection was lost: [SSL] tlsv1 alert "
     "decode error"),
    (CommandFailedError("CWD failed", reply_code=550, reply_text="550 No such directory",
                        command="CWD /x"), "Opening /x",
     "Opening /x failed: the server answered 550: 550 No such directory"),
    (CommandFailedError("CWD failed", reply_code=550, reply_text="", command="CWD /x"), "",
     "the server answered 550: CWD failed"),
    (FtpError("plain engine message"), "", "plain engine message"),
    (PermissionError(13, "Permission denied", "/tmp/x"), "Download",
     "Download failed: Permission denied (/tmp/x)"),
    (ValueError(), "", "ValueError"),
    (ConnectError("bad\x1b[31m"), "Open \x07", "Open \\x07 failed: could not connect: bad\\x1b[31m"),
]


@pytest.mark.parametrize(("error", "doing", "text"), ENGLISH_ERRORS)
def test_banner_error_sentences_are_unchanged_in_english(qapp, error, doing, text) -> None:
    from client.ui.error_text import describe_error

    assert describe_error(error, doing=doing) == text


def test_tables_show_the_same_english_words(qapp, tmp_path) -> None:
    from client.ui.console.lines import ConsoleKind
    from client.ui.console.widget import ConsoleWidget
    from client.ui.exists_dialog import FileExistsDialog
    from client.ui.inspector.channel_table import DataChannelTableModel
    from client.ui.queue_view import QueueModel
    from client.ui.quickconnect import QuickConnectBar

    queue = QueueModel()
    headers = [queue.headerData(c, Qt.Orientation.Horizontal) for c in range(queue.columnCount())]
    assert headers == ["", "Local file", "Remote file", "Size", "Progress", "Rate", "ETA", "State"]
    states = ["queued", "running", "paused", "done", "failed", "cancelled", "skipped"]
    queue.update_jobs([TransferJob(job_id=i, direction="download", remote_path="/r",
                                   local_path=tmp_path / "l", state=JobState(state))
                       for i, state in enumerate(states)])
    queue.update_jobs([TransferJob(job_id=99, direction="upload", remote_path="/r",
                                   local_path=tmp_path / "l", state=JobState.FAILED,
                                   error="550 No")])
    shown = [queue.data(queue.index(r, 7)) for r in range(queue.rowCount())]
    assert shown == states + ["failed: 550 No"]

    bar = QuickConnectBar(QuickconnectHistory(tmp_path / "history.json"))
    assert [bar.tls.itemText(i) for i in range(bar.tls.count())] == [
        "TLS if available", "Require explicit TLS", "Implicit TLS (990)", "Plain FTP (insecure)",
        "SFTP (SSH)"]

    from tests.ui.test_exists_dialog import info

    dialog = FileExistsDialog(info())
    assert [button.text() for button in dialog.choices.values()] == [
        "Overwrite", "Overwrite if the source is newer", "Overwrite if the size differs",
        "Resume (append the missing end)", "Keep both (rename the new file)", "Skip"]

    channels = DataChannelTableModel(LadderModel())
    assert [channels.headerData(c, Qt.Orientation.Horizontal)
            for c in range(channels.columnCount())] == [header for _, header in CHANNEL_COLUMNS]

    console = ConsoleWidget()
    assert {kind: b.text() for kind, b in console.kind_buttons.items()} == {
        ConsoleKind.COMMAND: "Commands", ConsoleKind.REPLY: "Replies", ConsoleKind.DATA: "Data",
        ConsoleKind.NOTE: "Notes", ConsoleKind.WARNING: "Warnings", ConsoleKind.ERROR: "Errors"}
    assert console.kind_buttons[ConsoleKind.REPLY].accessibleName() == "Show Replies"
    for widget in (bar, dialog, console):
        widget.deleteLater()


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed")
    return path


def _extracted(tmp_path: Path) -> set[tuple[str, str]]:
    ts = tmp_path / "extracted.ts"
    subprocess.run([_tool("pyside6-lupdate"), *(str(ROOT / f) for f in MARKED_FILES),
                    "-ts", str(ts)], check=True, capture_output=True, timeout=120)
    root = ET.parse(ts).getroot()
    return {(context.findtext("name"), message.findtext("source"))
            for context in root.iter("context") for message in context.iter("message")}


def test_qt_extractor_finds_the_marked_tables_and_sentences(tmp_path) -> None:
    found = _extracted(tmp_path)
    expected = [
        ("QueueModel", "Local file"), ("QueueModel", "State"), ("QueueModel", "running"),
        ("QueueModel", "cancelled"), ("QueueModel", "{state}: {error}"),
        ("QuickConnectBar", "TLS if available"), ("QuickConnectBar", "Plain FTP (insecure)"),
        ("FileExistsDialog", "Overwrite if the size differs"), ("FileExistsDialog", "Skip"),
        ("ConsoleWidget", "Commands"), ("ConsoleWidget", "Errors"),
        ("DataChannelTableModel", "Mode / method"), ("DataChannelTableModel", "Phase times (s)"),
        ("ErrorText", "could not connect: {message}"), ("ErrorText", "{doing} failed: {error}"),
        ("ErrorText", "the data connection failed ({where}): {message}"),
        ("ErrorText", "the server answered {code}: {reply}"),
        ("InspectorPanel", "Export to {} failed: {}"), ("ConnectionMenu", "Connection {}"),
        ("RemoteListModel", "Permissions"), ("RemoteListModel", "Owner"),
        ("RemoteActions", "Create folder"),
    ]
    missing = [pair for pair in expected if pair not in found]
    assert not missing, missing
    # every channel-table header the engine has is listed for translators
    assert all(("DataChannelTableModel", header) in found for _, header in CHANNEL_COLUMNS)


GERMAN = {
    ("QueueModel", "running"): "läuft",
    ("QueueModel", "State"): "Status",
    ("QuickConnectBar", "TLS if available"): "TLS wenn möglich",
    ("ConsoleWidget", "Replies"): "Antworten",
    ("FileExistsDialog", "Skip"): "Überspringen",
    ("DataChannelTableModel", "Outcome"): "Ergebnis",
    ("ErrorText", "could not connect: {message}"): "Verbindung fehlgeschlagen: {message}",
    ("ErrorText", "{doing} failed: {error}"): "{doing} misslungen: {error}",
    ("RemoteListModel", "Permissions"): "Rechte",
    ("RemoteActions", "Create folder"): "Ordner anlegen",
}


def test_an_installed_translation_reaches_every_marked_place(qapp, tmp_path) -> None:
    from client.ui.console.lines import ConsoleKind
    from client.ui.console.widget import ConsoleWidget
    from client.ui.error_text import describe_error
    from client.ui.exists_dialog import FileExistsDialog
    from client.ui.inspector.channel_table import DataChannelTableModel
    from client.ui.queue_view import QueueModel
    from client.ui.quickconnect import QuickConnectBar
    from tests.ui.test_exists_dialog import info

    ts, qm = tmp_path / "de.ts", tmp_path / "de.qm"
    contexts: dict[str, list[tuple[str, str]]] = {}
    for (context, source), translation in GERMAN.items():
        contexts.setdefault(context, []).append((source, translation))
    root = ET.Element("TS", version="2.1", language="de")
    for context, messages in contexts.items():
        node = ET.SubElement(root, "context")
        ET.SubElement(node, "name").text = context
        for source, translation in messages:
            message = ET.SubElement(node, "message")
            ET.SubElement(message, "source").text = source
            ET.SubElement(message, "translation").text = translation
    ET.ElementTree(root).write(ts, encoding="utf-8", xml_declaration=True)
    subprocess.run([_tool("pyside6-lrelease"), str(ts), "-qm", str(qm)], check=True,
                   capture_output=True, timeout=120)
    translator = QTranslator()
    assert translator.load(str(qm))
    QCoreApplication.installTranslator(translator)
    try:
        queue = QueueModel()
        queue.update_jobs([TransferJob(job_id=1, direction="download", remote_path="/r",
                                       local_path=tmp_path / "l", state=JobState.RUNNING)])
        assert queue.data(queue.index(0, 7)) == "läuft"
        assert queue.headerData(7, Qt.Orientation.Horizontal) == "Status"
        bar = QuickConnectBar(QuickconnectHistory(tmp_path / "history.json"))
        assert bar.tls.itemText(0) == "TLS wenn möglich"
        console = ConsoleWidget()
        assert console.kind_buttons[ConsoleKind.REPLY].text() == "Antworten"
        dialog = FileExistsDialog(info())
        assert "Überspringen" in [b.text() for b in dialog.choices.values()]
        channels = DataChannelTableModel(LadderModel())
        outcome = [key for key, _ in CHANNEL_COLUMNS].index("outcome")
        assert channels.headerData(outcome, Qt.Orientation.Horizontal) == "Ergebnis"
        assert describe_error(ConnectError("refused"), doing="Verbinden") == \
            "Verbinden misslungen: Verbindung fehlgeschlagen: refused"
        from client.ui.remote.listing_model import COLUMNS, RemoteListModel
        from client.ui.remote_actions import RemoteActions

        remote = RemoteListModel()
        permissions = COLUMNS.index("Permissions")
        assert remote.headerData(permissions, Qt.Orientation.Horizontal,
                                 Qt.ItemDataRole.DisplayRole) == "Rechte"
        assert RemoteActions.tr(None, "Create folder") == "Ordner anlegen"  # type: ignore[arg-type]
        for widget in (bar, console, dialog):
            widget.deleteLater()
    finally:
        QCoreApplication.removeTranslator(translator)
