"""Where an installed copy finds its version: the wheel's METADATA file beside the
package, read as a file (``importlib.metadata`` only when that is not conclusive)."""

from __future__ import annotations

from pathlib import Path

from client import _dist_info_version


def _dist_info(folder: Path, version: str) -> None:
    info = folder / f"ftp_inspector-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: ftp-inspector\nVersion: {version}\nSummary: x\n\n"
        "Version: 0.0.0 in the description is not a header\n", encoding="utf-8")


def test_the_version_comes_from_the_metadata_beside_the_package(tmp_path: Path) -> None:
    _dist_info(tmp_path, "1.2.3rc1")
    (tmp_path / "client").mkdir()
    (tmp_path / "other_package-9.9.dist-info").mkdir()
    assert _dist_info_version(str(tmp_path)) == "1.2.3rc1"


def test_no_metadata_or_several_installs_leave_it_to_importlib(tmp_path: Path) -> None:
    assert _dist_info_version(str(tmp_path)) is None
    _dist_info(tmp_path, "1.0")
    _dist_info(tmp_path, "2.0")
    assert _dist_info_version(str(tmp_path)) is None
    assert _dist_info_version(str(tmp_path / "missing")) is None


def test_metadata_without_a_version_header_is_not_guessed(tmp_path: Path) -> None:
    info = tmp_path / "ftp_inspector-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Name: ftp-inspector\n\nVersion: 5\n", encoding="utf-8")
    assert _dist_info_version(str(tmp_path)) is None
