"""The .deb names the licence of every Python distribution its bundle carries.

``packaging/deb/copyright`` lists the bundled components with their licences and says
the licence texts are in the bundle's ``*.dist-info`` folders; the spec copies those
folders for the whole runtime dependency tree (the end-to-end test in test_package.py
checks they arrive). When a dependency is added to pyproject.toml — as asyncssh, bcrypt
and python-socks were for SFTP and proxies — this test names what the copyright file
does not yet mention.
"""

from __future__ import annotations

import re
from pathlib import Path

from runtime_closure import normalise, runtime_closure

REPO = Path(__file__).resolve().parents[2]
COPYRIGHT = REPO / "packaging" / "deb" / "copyright"
SPEC = REPO / "packaging" / "ftp-inspector.spec"
# distributions the copyright file names by their import name or their family
ALSO_KNOWN_AS = {"pyside6-essentials": "pyside6"}


def _named_in_copyright() -> set[str]:
    text = COPYRIGHT.read_text().split("Bundled components", 1)[1]
    return {normalise(word) for word in re.findall(r"[A-Za-z0-9][A-Za-z0-9_.-]*[A-Za-z0-9]", text)}


def test_every_runtime_distribution_is_named_with_its_licence() -> None:
    closure = runtime_closure()
    assert {"asyncssh", "bcrypt", "python-socks", "cryptography", "keyring"} <= set(closure)
    named = _named_in_copyright()
    missing = sorted(spelling for key, spelling in closure.items()
                     if key != "ftp-inspector" and ALSO_KNOWN_AS.get(key, key) not in named)
    assert not missing, ("packaging/deb/copyright does not name these bundled distributions "
                         "and their licences: " + ", ".join(missing))


def test_the_spec_copies_the_metadata_of_the_whole_runtime_tree() -> None:
    """A fixed list went stale when SFTP added dependencies: their licence texts were not
    in the bundle although the copyright file points there."""
    spec = SPEC.read_text()
    assert 'copy_metadata("ftp-inspector", recursive=True)' in spec
