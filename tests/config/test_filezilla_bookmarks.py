"""Site bookmarks travel with FileZilla's sitemanager.xml both ways: FileZilla's
``<Bookmark>`` elements of a ``<Server>`` become the site's bookmarks on import, and an
export writes ours the way FileZilla reads them."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from client.config.bookmarks import Bookmark
from client.config.filezilla import parse_server_path, parse_sitemanager
from client.config.filezilla_export import sitemanager_xml
from client.config.sites import Site

SITEMANAGER = b"""<?xml version="1.0" encoding="UTF-8"?>
<FileZilla3 version="3.66.4" platform="*nix">
  <Servers>
    <Server>
      <Host>ftp.example.test</Host><Port>21</Port><Protocol>0</Protocol><Type>0</Type>
      <User>alice</User><Logontype>2</Logontype>
      <RemoteDir>1 0 3 www</RemoteDir>
      <SyncBrowsing>0</SyncBrowsing><DirectoryComparison>0</DirectoryComparison>
      <Name>Web</Name>
      <Bookmark>
        <Name>logs</Name>
        <LocalDir>/home/alice/scratch</LocalDir>
        <RemoteDir>1 0 3 var 3 log</RemoteDir>
        <SyncBrowsing>1</SyncBrowsing>
      </Bookmark>
      <Bookmark>
        <Name>root</Name>
        <RemoteDir>1 0</RemoteDir>
      </Bookmark>
      <Bookmark>
        <Name>only local</Name>
        <LocalDir>/home/alice/build</LocalDir>
      </Bookmark>
      <Bookmark><Name></Name><RemoteDir>1 0 1 x</RemoteDir></Bookmark>
      <Bookmark>
        <Name>logs</Name>
        <RemoteDir>1 0 4 logs</RemoteDir>
      </Bookmark>
    </Server>
  </Servers>
</FileZilla3>
"""


def test_filezilla_bookmarks_are_imported_with_the_site() -> None:
    (imported,), warnings = parse_sitemanager(SITEMANAGER)
    assert imported.site.bookmarks == (
        Bookmark("logs", "/logs", ""),  # the later one of a name wins, in its place
        Bookmark("root", "/", ""),
    )
    assert warnings == ["Web: bookmark 'only local' names no remote folder of a Unix-style "
                        "server; left out"]


def test_the_root_path_decodes() -> None:
    assert parse_server_path("1 0") == "/"


def test_exported_bookmarks_read_back_the_same() -> None:
    bookmarks = (Bookmark("logs", "/var/log", "/home/alice/scratch"),
                 Bookmark("root", "/", ""), Bookmark("spaced", "/a b/c", ""))
    site = Site(name="Web", host="ftp.example.test", user="alice", bookmarks=bookmarks)
    data = sitemanager_xml([site])
    server = ET.fromstring(data).find("Servers/Server")
    assert server is not None
    written = [(b.findtext("Name"), b.findtext("LocalDir"), b.findtext("RemoteDir"))
               for b in server.findall("Bookmark")]
    assert written == [("logs", "/home/alice/scratch", "1 0 3 var 3 log"),
                       ("root", None, "1 0"), ("spaced", None, "1 0 3 a b 1 c")]
    (back,), warnings = parse_sitemanager(data)
    assert back.site.bookmarks == bookmarks and warnings == []
