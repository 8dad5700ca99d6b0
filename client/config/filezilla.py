"""Import of FileZilla's ``sitemanager.xml``.

FileZilla keeps passwords base64-encoded in that file (``<Pass encoding="base64">``).
Import decodes them only to hand them to the keyring; they are never written to our own
files. Passwords protected by a FileZilla master password (``encoding="crypt"``) cannot
be read: those sites are imported with logon type "ask for password", and a warning
says so. SFTP sites (protocol 1) are imported as SFTP sites: FileZilla's key-file logon
keeps the key file's path (the key stays where it is; nothing of it is copied), and the
SSH agent stays allowed. A site already saved
with the same folder, name, host, port and user is skipped too, so importing the same
file twice adds nothing (and ``site:NAME`` keeps naming one site).

No Qt here, so the import can be tested and scripted on its own.
"""

from __future__ import annotations

import base64
import binascii
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from client.config.bookmarks import MAX_BOOKMARKS, Bookmark, with_bookmark
from client.config.sites import Site, SiteStore, keyring_available
from client.engine.schemes import Protocol
from client.engine.settings import TlsMode, TransferMode
from client.protocol.charsets import AUTO, CharsetError, normalize_charset

__all__ = ["ImportedSite", "ImportReport", "parse_sitemanager", "import_sitemanager",
           "parse_server_path"]

# FileZilla <Protocol>: 0 FTP (TLS if available), 1 SFTP, 3 FTPS implicit,
# 4 FTPES explicit, 6 plain FTP only.
_SFTP = 1
_PROTOCOLS = {0: TlsMode.AUTO, 3: TlsMode.IMPLICIT, 4: TlsMode.EXPLICIT, 6: TlsMode.OFF}
# FileZilla <Logontype>: 0 anonymous, 1 normal, 2 ask, 3 interactive, 4 account,
# 5 key file (SFTP: <Keyfile> names the private key; no password is stored).
_KEY_LOGON = 5
_LOGONS = {0: "anonymous", 1: "normal", 2: "ask", 3: "ask", 4: "normal", _KEY_LOGON: "normal"}
_MAX_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class ImportedSite:
    site: Site
    password: str | None = field(default=None, repr=False)


@dataclass
class ImportReport:
    imported: list[Site] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: sites of the file already saved (same folder, name, host, port and user)
    skipped: list[Site] = field(default_factory=list)


def _identity(site: Site) -> tuple[str, str, str, int, str]:
    """What makes an imported site "the same" as a saved one."""
    return (site.folder, site.name, site.host.casefold(), site.port, site.user)


def parse_server_path(value: str) -> str:
    """Decode FileZilla's serialised remote path (``"1 0 4 home 5 alice"`` -> ``/home/alice``).

    The format is the server type, then length-prefixed strings: the prefix (empty for
    Unix), then each segment. A plain ``/path`` is accepted as is.
    """
    value = value.strip()
    if not value or value.startswith("/"):
        return value
    parts: list[str] = []
    _, _, rest = value.partition(" ")
    pos = 0
    while pos < len(rest):
        space = rest.find(" ", pos)
        if space < 0:
            if rest[pos:] == "0":  # an empty last string: "1 0" is the root, "/"
                parts.append("")
            break
        length_text = rest[pos:space]
        if not length_text.isdigit():
            return ""
        length = int(length_text)
        start = space + 1
        parts.append(rest[start:start + length])
        # an empty string has no separator of its own: "0 4 home" is "", "home"
        pos = start + length + 1 if length else start
    if not parts:
        return ""
    prefix, segments = parts[0], parts[1:]
    return prefix + "/" + "/".join(segments) if segments or not prefix else prefix


def _text(element: ET.Element, tag: str, default: str = "") -> str:
    child = element.find(tag)
    return (child.text or "").strip() if child is not None and child.text else default


def _int(element: ET.Element, tag: str, default: int) -> int:
    try:
        return int(_text(element, tag, str(default)))
    except ValueError:
        return default


def parse_sitemanager(data: bytes) -> tuple[list[ImportedSite], list[str]]:
    """Parse the XML; returns the sites (with decoded passwords) and warnings."""
    if len(data) > _MAX_BYTES:
        raise ValueError(f"sitemanager.xml is {len(data)} bytes; refusing more than {_MAX_BYTES}")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ValueError("sitemanager.xml contains a DTD or entities; FileZilla never writes those")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ValueError(f"not a FileZilla sitemanager.xml: {exc}") from exc
    servers = root.find("Servers")
    if servers is None:
        raise ValueError("not a FileZilla sitemanager.xml: no <Servers> element")
    sites: list[ImportedSite] = []
    warnings: list[str] = []
    _walk(servers, "", sites, warnings)
    return sites, warnings


def _walk(node: ET.Element, folder: str, out: list[ImportedSite], warnings: list[str]) -> None:
    for child in node:
        if child.tag == "Folder":
            name = (child.text or "").strip().replace("/", "_") or "Folder"
            _walk(child, f"{folder}/{name}" if folder else name, out, warnings)
        elif child.tag == "Server":
            imported = _server(child, folder, warnings)
            if imported is not None:
                out.append(imported)


def _server(node: ET.Element, folder: str, warnings: list[str]) -> ImportedSite | None:
    name = _text(node, "Name") or _text(node, "Host") or "unnamed"
    protocol = _int(node, "Protocol", 0)
    if protocol not in _PROTOCOLS and protocol != _SFTP:
        warnings.append(f"{name}: skipped (FileZilla protocol {protocol} is not FTP, FTPS "
                        "or SFTP)")
        return None
    sftp = protocol == _SFTP
    logon_type = _int(node, "Logontype", 1)
    logon = _LOGONS.get(logon_type, "normal")
    key_file = _text(node, "Keyfile") if sftp and logon_type == _KEY_LOGON else ""
    if sftp and logon_type == _KEY_LOGON and not key_file:
        warnings.append(f"{name}: the key-file logon names no key file; set to ask for "
                        "the password")
        logon = "ask"
    if logon_type == _KEY_LOGON and not sftp:
        logon = "ask"  # a key file means nothing to FTP
    password: str | None = None
    pass_node = node.find("Pass")
    if logon == "normal" and logon_type != _KEY_LOGON and pass_node is not None \
            and pass_node.text:
        encoding = pass_node.get("encoding", "")
        if encoding == "base64":
            try:
                password = base64.b64decode(pass_node.text.strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                warnings.append(f"{name}: the stored password could not be decoded; "
                                "set to ask for the password")
                logon = "ask"
        elif encoding == "crypt":
            warnings.append(f"{name}: the password is protected by FileZilla's master "
                            "password and cannot be imported; set to ask for the password")
            logon = "ask"
        else:
            password = pass_node.text
    pasv = _text(node, "PasvMode", "MODE_DEFAULT")
    mode = TransferMode.ACTIVE if pasv == "MODE_ACTIVE" else TransferMode.PASSIVE
    charset = AUTO
    if _text(node, "EncodingType") == "UTF-8":
        charset = "utf-8"
    elif _text(node, "EncodingType") == "Custom":
        try:
            charset = normalize_charset(_text(node, "CustomEncoding", AUTO))
        except CharsetError:
            warnings.append(f"{name}: charset {_text(node, 'CustomEncoding', '')!r} is "
                            "unknown; using auto")
    default_port = 22 if sftp else 990 if protocol == 3 else 21
    port = _int(node, "Port", default_port)
    if not 0 < port < 65536:
        warnings.append(f"{name}: port {port} is invalid; using {default_port}")
        port = default_port
    site = Site(
        name=name,
        folder=folder,
        host=_text(node, "Host"),
        port=port,
        protocol=Protocol.SFTP.value if sftp else Protocol.FTP.value,
        tls=_PROTOCOLS.get(protocol, TlsMode.AUTO).value,
        logon=logon,
        user=_text(node, "User"),
        mode=mode.value,
        local_dir=_text(node, "LocalDir"),
        remote_dir=parse_server_path(_text(node, "RemoteDir")),
        connection_limit=max(0, _int(node, "MaximumMultipleConnections", 0)) or 2,
        charset=charset,
        comments=_text(node, "Comments"),
        key_file=key_file,
        bookmarks=_bookmarks(node, name, warnings),
    )
    return ImportedSite(site=site, password=password)


def _bookmarks(node: ET.Element, site_name: str, warnings: list[str]) -> tuple[Bookmark, ...]:
    """The site's ``<Bookmark>`` elements (name, local folder, serialised remote folder).
    Ours always name a remote folder: FileZilla's local-only ones are left out, said in
    a warning; its per-bookmark synchronised browsing and comparison flags are not kept."""
    kept: tuple[Bookmark, ...] = ()
    for element in node.findall("Bookmark"):
        name = _text(element, "Name").strip()
        if not name:
            continue
        remote = parse_server_path(_text(element, "RemoteDir"))
        if not remote.startswith("/"):
            warnings.append(f"{site_name}: bookmark {name!r} names no remote folder of a "
                            "Unix-style server; left out")
            continue
        kept = with_bookmark(kept, Bookmark(name, remote, _text(element, "LocalDir").strip()))
    return kept[-MAX_BOOKMARKS:]


def import_sitemanager(path: Path, store: SiteStore) -> ImportReport:
    """Add every FTP, FTPS and SFTP site of ``path`` to ``store``; passwords go to the keyring.

    Without a usable keyring, sites with a password become "ask for password" (the
    password is dropped, never written to disk) and the report says so. A site that is
    already saved (same folder path, name, host, port and user: see ``_identity``) is
    not added again, and its saved password is left alone; ``report.skipped`` lists it.
    """
    parsed, warnings = parse_sitemanager(path.read_bytes())
    report = ImportReport(warnings=list(warnings))
    have_keyring = keyring_available()
    sites = store.load()
    known = {_identity(s) for s in sites}
    for item in parsed:
        site = item.site
        if _identity(site) in known:
            report.skipped.append(site)
            continue
        known.add(_identity(site))
        if item.password is not None:
            if have_keyring:
                store.set_password(site.site_id, item.password)
            else:
                site = site.replace(logon="ask")
                report.warnings.append(f"{site.name}: no secure keyring is available; "
                                       "set to ask for the password")
        sites.append(site)
        report.imported.append(site)
    store.save(sites)
    return report
