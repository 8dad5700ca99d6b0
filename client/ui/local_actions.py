"""File operations in the local pane: create folder, rename (F2), delete (Del, asks
first), file permissions (POSIX, the same dialog as the remote pane's). Disk work that
can be long (deleting a big tree) runs in a thread."""

from __future__ import annotations

import asyncio
import shutil
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from client.ui.dialogs import ChmodDialog, ask_text, await_dialog, confirm, name_stem_length

if TYPE_CHECKING:
    from client.ui.main_window import MainWindow

__all__ = ["LocalActions"]


def _check_name(name: str) -> str:
    if name in (".", "..") or "/" in name or "\\" in name or "\x00" in name:
        raise ValueError(f"{name!r} is not a valid file name")
    return name


class LocalActions:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.pane = window.local_pane

    def tr(self, text: str) -> str:
        """Translated in this class's own context: the one Qt's string extractor files
        these strings under (the window's context would never find them)."""
        return QCoreApplication.translate("LocalActions", text)

    async def mkdir(self, name: str | None = None) -> Path | None:
        if name is None:
            name = await ask_text(self.window, self.tr("Create folder"),
                                  self.tr("Name of the new folder in {}:").format(self.pane.current))
        if not name:
            return None
        path = self.pane.current / _check_name(name)
        path.mkdir()
        self.pane.select_path(path)
        return path

    async def rename(self, path: Path, new_name: str | None = None) -> Path | None:
        if new_name is None:
            new_name = await ask_text(self.window, self.tr("Rename"),
                                      self.tr("New name for {}:").format(path.name), path.name,
                                      selected=name_stem_length(path.name, path.is_dir()))
        if not new_name or new_name == path.name:
            return None
        target = path.with_name(_check_name(new_name))
        if target.exists():
            raise FileExistsError(f"{target} already exists")
        path.rename(target)
        self.pane.select_path(target)  # the keyboard goes on from the new name
        return target

    async def move(self, paths: list[Path], folder: Path, *, confirmed: bool = False) -> None:
        """Move ``paths`` into ``folder`` (dragged onto it), after asking; a name that
        is already there is left where it was and said."""
        if not paths:
            return
        if not confirmed:
            names = ", ".join(p.name for p in paths[:5])
            more = self.tr(" and {} more").format(len(paths) - 5) if len(paths) > 5 else ""
            if not await confirm(self.window, self.tr("Move"), self.tr(
                    "Move {}{} into {}?").format(names, more, folder)):
                return
        taken = [p for p in paths if (folder / p.name).exists()]

        def move_all() -> None:
            for path in paths:
                if path not in taken:
                    shutil.move(path, folder / path.name)

        await asyncio.to_thread(move_all)
        if taken:
            raise FileExistsError(f"{folder / taken[0].name} already exists")

    async def delete(self, paths: list[Path], *, confirmed: bool = False) -> None:
        if not paths:
            return
        if not confirmed:
            names = ", ".join(p.name for p in paths[:5])
            more = self.tr(" and {} more").format(len(paths) - 5) if len(paths) > 5 else ""
            text = self.tr("Delete {}{} from this computer?").format(names, more)
            if any(p.is_dir() and not p.is_symlink() for p in paths):
                text += "\n" + self.tr("Folders are deleted with everything in them.")
            if not await confirm(self.window, self.tr("Delete"), text):
                return

        def remove() -> None:
            for path in paths:
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink()

        await asyncio.to_thread(remove)

    async def chmod(self, paths: list[Path], mode: int | None = None) -> int | None:
        """Set the permission bits of ``paths`` (asked in the dialog, starting from the
        first one's); returns the mode set, None when cancelled. A symbolic link's own
        bits are not set (most systems have none): its target's are, as chmod(1) does."""
        if not paths:
            return None
        if mode is None:
            modes = [stat.S_IMODE(p.stat().st_mode) & 0o777 for p in paths]
            dialog = ChmodDialog(self.window, [p.name for p in paths], modes[0],
                                 mixed=len(set(modes)) > 1)
            accepted = await await_dialog(dialog)
            mode = dialog.mode
            dialog.deleteLater()
            if not accepted:
                return None
        chosen = mode

        def apply() -> None:
            for path in paths:
                # the bits above 0o777 (setuid, setgid, sticky) are kept as they are
                path.chmod((stat.S_IMODE(path.stat().st_mode) & ~0o777) | chosen)

        await asyncio.to_thread(apply)
        self.pane.refresh()
        return chosen
