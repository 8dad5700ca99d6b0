"""The installed .deb, shared by the end-to-end modules (see installed_deb.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from installed_deb import InstalledPackage, install_for_the_session


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InstalledPackage]:
    """The .deb built from this checkout, installed for the test run, then purged."""
    yield from install_for_the_session(tmp_path_factory)
