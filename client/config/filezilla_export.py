"""Saved sites written as FileZilla's ``sitemanager.xml``, so they can be taken to
FileZilla (or to this app on another computer, through Import FileZilla…).

No password ever goes into the file: a site that logs on with a password is written as
"ask for password" (FileZilla asks on connecting); its folders become ``<Folder>``
elements, the remote folder FileZilla's serialised path, and its bookmarks FileZilla's
site bookmarks (``<Bookmark>``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from client.config.sites import Site
from client.engine.settings import TlsMode, TransferMode

__all__ = ["sitemanager_xml", "export_sitemanager", "server_path"]

_PROTOCOL_OF_TLS = {TlsMode.AUTO.value: 0, TlsMode.IMPLICIT.value: 3,
                    TlsMode.EXPLICIT.value: 4, TlsMode.OFF.value: 6}
_SFTP, _ANONYMOUS, _ASK, _KEY_FILE = 1, 0, 2, 5
#: "/" serialised (a Unix server, an empty prefix, no segments)
ROOT_PATH = "1 0"


def server_path(path: str) -> str:
    """``/home/alice`` as FileZilla stores it: ``1 0 4 home 5 alice`` (Unix server, an
    empty prefix, then each segment with its length); "" for none or ``/``."""
    segments = [s for s in path.split("/") if s]
    if not path.startswith("/") or not segments:
        return ""
    return "1 0 " + " ".join(f"{len(s)} {s}" for s in segments)


def _add(parent: ET.Element, tag: str, text: object) -> None:
    ET.SubElement(parent, tag).text = str(text)


def _server(parent: ET.Element, site: Site) -> None:
    node = ET.SubElement(parent, "Server")
    _add(node, "Host", site.host)
    _add(node, "Port", site.port)
    _add(node, "Protocol", _SFTP if site.is_sftp else _PROTOCOL_OF_TLS.get(site.tls, 0))
    _add(node, "Type", 0)
    if site.logon == "anonymous":
        _add(node, "Logontype", _ANONYMOUS)
    elif site.is_sftp and site.key_file:
        _add(node, "Logontype", _KEY_FILE)
        _add(node, "Keyfile", site.key_file)
    else:
        _add(node, "Logontype", _ASK)  # the password stays in this computer's keyring
    if site.logon != "anonymous":
        _add(node, "User", site.user)
    _add(node, "PasvMode", "MODE_ACTIVE" if site.mode == TransferMode.ACTIVE.value
         else "MODE_PASSIVE")
    _add(node, "MaximumMultipleConnections", site.connection_limit)
    if site.charset.lower() in ("utf-8", "utf8"):
        _add(node, "EncodingType", "UTF-8")
    elif site.charset and site.charset != "auto":
        _add(node, "EncodingType", "Custom")
        _add(node, "CustomEncoding", site.charset)
    else:
        _add(node, "EncodingType", "Auto")
    if site.local_dir:
        _add(node, "LocalDir", site.local_dir)
    remote = server_path(site.remote_dir)
    if remote:
        _add(node, "RemoteDir", remote)
    if site.comments:
        _add(node, "Comments", site.comments)
    _add(node, "Name", site.name)
    for bookmark in site.bookmarks:
        element = ET.SubElement(node, "Bookmark")
        _add(element, "Name", bookmark.name)
        if bookmark.local:
            _add(element, "LocalDir", bookmark.local)
        _add(element, "RemoteDir", server_path(bookmark.remote) or ROOT_PATH)


def sitemanager_xml(sites: list[Site]) -> bytes:
    """The sites (in their folders) as a FileZilla 3 site manager file."""
    root = ET.Element("FileZilla3", version="3")
    servers = ET.SubElement(root, "Servers")
    folders: dict[str, ET.Element] = {"": servers}

    def folder(path: str) -> ET.Element:
        if path not in folders:
            parent, _, name = path.rpartition("/")
            element = ET.SubElement(folder(parent), "Folder", expanded="1")
            element.text = name
            folders[path] = element
        return folders[path]

    for site in sorted(sites, key=lambda s: (s.folder.casefold(), s.name.casefold())):
        _server(folder(site.folder), site)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def export_sitemanager(path: Path, sites: list[Site]) -> None:
    """Write ``sites`` to ``path`` (readable by the user only, like the settings)."""
    path.write_bytes(sitemanager_xml(sites))
    path.chmod(0o600)
