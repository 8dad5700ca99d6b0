"""Start-up: QApplication on the qasync loop, the main window, ``--demo`` and URLs.

PySide6 is imported (and ``QT_API`` set) before qasync, so qasync binds to PySide6 even
when PyQt is installed too. The asyncio engine runs inside the Qt event loop.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Callable
from typing import Any

os.environ.setdefault("QT_API", "pyside6")

from PySide6.QtCore import QEvent  # noqa: E402
from PySide6.QtGui import QFileOpenEvent, QGuiApplication, QIcon, QPalette  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from client import APP_ID, APP_NAME, __version__  # noqa: E402
from client.ui.main_thread_gc import install_main_thread_gc  # noqa: E402

__all__ = ["run_app", "close_without_questions", "create_application", "open_target", "open_demo", "InspectorApplication",
           "open_link", "OPENABLE_SCHEMES"]

log = logging.getLogger(__name__)


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication, created once, with names, icon and a palette that follows the
    system's light/dark scheme."""
    app = QApplication.instance()
    if app is None:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY") \
                and sys.platform.startswith("linux"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = InspectorApplication(argv if argv is not None else [sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setApplicationName("ftp-inspector")
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("ftp-inspector")
    QGuiApplication.setDesktopFileName(APP_ID)
    _set_icon(app)
    apply_palette(app)
    hints = QGuiApplication.styleHints()
    if hasattr(hints, "colorSchemeChanged"):
        hints.colorSchemeChanged.connect(lambda _scheme: apply_palette(app))
    return app


def _set_icon(app: QApplication) -> None:
    try:
        from importlib import resources

        base = resources.files("client.resources") / "icons"
        icon = QIcon()
        # the rendered sizes first: an SVG alone needs Qt's SVG image plugin, which a
        # minimal Qt install may lack (the title bar and task bar then show no icon)
        for size in (16, 24, 32, 48, 64, 128, 256, 512):
            png = base / f"ftp-inspector-{size}.png"
            if png.is_file():
                icon.addFile(str(png))
        svg = base / "ftp-inspector.svg"
        if svg.is_file():
            icon.addFile(str(svg))
        if not icon.isNull():
            app.setWindowIcon(icon)
    except (ModuleNotFoundError, OSError):
        pass


def system_is_dark() -> bool:
    hints = QGuiApplication.styleHints()
    if hasattr(hints, "colorScheme"):
        from PySide6.QtCore import Qt

        return hints.colorScheme() == Qt.ColorScheme.Dark
    return False


def apply_palette(app: QApplication, dark: bool | None = None) -> None:
    """Fusion with the system's scheme: a dark palette when the system is dark
    (``dark`` forces one, for tests and screenshots)."""
    app.setStyle("Fusion")
    if dark is None:
        dark = system_is_dark()
    if not dark:
        app.setPalette(app.style().standardPalette())
        return
    from PySide6.QtGui import QColor

    palette = QPalette()
    base, window, text = QColor("#1e2126"), QColor("#2a2e35"), QColor("#e6e6e6")
    palette.setColor(QPalette.ColorRole.Window, window)
    palette.setColor(QPalette.ColorRole.WindowText, text)
    palette.setColor(QPalette.ColorRole.Base, base)
    palette.setColor(QPalette.ColorRole.AlternateBase, window)
    palette.setColor(QPalette.ColorRole.Text, text)
    palette.setColor(QPalette.ColorRole.Button, window)
    palette.setColor(QPalette.ColorRole.ButtonText, text)
    palette.setColor(QPalette.ColorRole.ToolTipBase, base)
    palette.setColor(QPalette.ColorRole.ToolTipText, text)
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#2f7fd8"))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.PlaceholderText, QColor("#8a8f98"))
    palette.setColor(QPalette.ColorRole.Link, QColor("#6aa8f0"))
    app.setPalette(palette)


async def open_target(window: Any, url: str) -> None:
    """Fill the quickconnect bar from ``url`` (ftp/ftps/ftpes or ``site:NAME``) and connect."""
    if url.startswith("site:"):
        from client.ui.sites.connect import connect_saved_site

        await connect_saved_site(window, url[5:])
        return
    window.quick.fill_from_url(url)
    settings, path = window.quick.build_settings()
    await window.connect_to(settings, path)


def open_demo(window: Any, demo: Any) -> Any:
    """Connect the window to the embedded demo server (a task). Its port is new on every
    run, so neither the quickconnect history nor the saved queue records it."""
    window.quick.never_remember(demo.host, demo.port)
    window.queue_saver.never_save(demo.host, demo.port)
    return window.spawn(_connect_demo(window, demo.url), pane=window.remote_pane,
                        doing=window.tr("Connecting to the demo server"))


async def _connect_demo(window: Any, url: str) -> None:
    """Straight to the embedded server: it runs on this computer, so a default proxy
    (File → Proxy settings…) is never the way to it (the demo failed at the proxy)."""
    window.quick.fill_from_url(url)
    settings, path = window.quick.build_settings()
    await window.connect_to(settings.replace(proxy=None), path)


#: what a clicked link may open in the window (the command line takes ``site:NAME`` too)
OPENABLE_SCHEMES = frozenset({"ftp", "ftps", "ftpes", "sftp"})


class InspectorApplication(QApplication):
    """The QApplication, taking the ``ftp://`` links the system hands to the running app.

    macOS does not pass a clicked ``ftp://`` link (or a URL dropped on the Dock icon) in
    argv: it sends the application object a ``QFileOpenEvent`` (``QEvent.FileOpen``)
    with the URL — possibly before the window exists, so such URLs wait until
    :meth:`set_url_handler` is called. Only events sent to the application object pass
    through here (an application-wide event filter would see every event of every
    widget). Other schemes and plain files are left to Qt."""

    def __init__(self, argv: list[str]) -> None:
        super().__init__(argv)
        install_main_thread_gc(self)
        self._url_handler: Callable[[str], None] | None = None
        self._waiting_urls: list[str] = []

    def set_url_handler(self, handler: Callable[[str], None]) -> None:
        """Open links with ``handler(url)`` from now on, and those that came before."""
        self._url_handler = handler
        waiting, self._waiting_urls = self._waiting_urls, []
        for url in waiting:
            handler(url)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FileOpen and isinstance(event, QFileOpenEvent):
            url = event.url()
            if url.scheme().lower() in OPENABLE_SCHEMES:
                text = url.toString()
                if self._url_handler is None:
                    self._waiting_urls.append(text)
                else:
                    self._url_handler(text)
                return True
        return super().event(event)


def open_link(window: Any, url: str) -> None:
    """Bring the window forward and open ``url`` in it (a clicked link)."""
    window.raise_()
    window.activateWindow()
    window.spawn(open_target(window, url), pane=window.remote_pane,
                 doing=window.tr("Opening the link"))


def close_without_questions(app: QApplication) -> None:
    """Close every window now: a signal (a shutdown, ``kill``) has nobody at the keyboard
    to answer "quit while transfers run?" (the unfinished transfers are saved to be
    offered at the next start anyway)."""
    for widget in app.topLevelWidgets():
        guard = getattr(widget, "quit_guard", None)
        if guard is not None:
            guard.let_through()
    app.closeAllWindows()


def _close_on_signals(app: QApplication) -> None:
    """Ctrl+C or SIGTERM in the terminal closes the window cleanly (state saved, QUIT
    sent). Qt sleeps in C, so a light timer lets Python run its signal handlers."""
    import signal

    from PySide6.QtCore import QTimer

    def close(*_args: object) -> None:
        close_without_questions(app)

    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            signal.signal(sig, close)
        except (ValueError, OSError):  # not the main thread, or not supported here
            return
    ticker = QTimer(app)
    ticker.timeout.connect(lambda: None)
    ticker.start(200)


def run_app(args: Any) -> int:
    """Open the main window (``args.demo``/``args.scenario``/``args.url``); returns the
    exit code when the window closes."""
    from client.ui.main_window import MainWindow
    from client.ui.qt_loop import run_on_qt_loop

    demo = None
    if getattr(args, "demo", False):
        from client.demo import DemoServer, DemoServerError

        try:
            demo = DemoServer(getattr(args, "scenario", "healthy") or "healthy").start()
        except (ValueError, DemoServerError, OSError) as exc:
            print(f"ftp-inspector: cannot start the demo server: {exc}", file=sys.stderr)
            return 1
    app = create_application()
    window = MainWindow()
    window.show()
    closed = asyncio.Event()
    # the coroutine ends the loop after closing the sessions; Qt quitting on its own
    # would stop the loop under it ("Event loop stopped before Future completed")
    app.setQuitOnLastWindowClosed(False)
    window.closed.connect(closed.set)
    _close_on_signals(app)
    demo_menu = None
    if demo is not None:
        from client.demo import DemoServer
        from client.ui.demo_menu import DemoMenu

        demo_menu = DemoMenu(window, lambda name: DemoServer(name).start(), open_demo)
        print(f"demo server ({demo.scenario}) on {demo.anonymous_url} — user {demo.user}, "
              "password filled in by the window (never shown)", file=sys.stderr, flush=True)

    async def main() -> None:
        if isinstance(app, InspectorApplication):  # macOS: clicked ftp:// links
            app.set_url_handler(lambda url: open_link(window, url))
        if demo is not None:
            open_demo(window, demo)
        elif getattr(args, "url", None):
            window.spawn(open_target(window, args.url), pane=window.remote_pane,
                         doing=window.tr("Connecting"))
        await closed.wait()
        await window.shutdown()

    try:
        run_on_qt_loop(app, main())
    except asyncio.CancelledError:
        pass
    finally:
        if demo_menu is not None:
            demo_menu.stop_all()
        if demo is not None:
            demo.stop()
    return 0
