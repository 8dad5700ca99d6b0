"""Local-path safety on a real file system: links below the root refused, ``.part``
never opened through a link, numbered names, the case-folding probe."""

from __future__ import annotations

from pathlib import Path

import pytest

from client.engine.errors import LocalError, UnsafePathError
from client.engine.localpaths import (
    ensure_directory,
    free_local_name,
    is_case_insensitive,
    numbered_name,
    prepare_download_target,
    relative_parts,
)


def test_prepare_creates_folders_and_an_empty_part(tmp_path):
    prepare_download_target(tmp_path, tmp_path / "a" / "b" / "f.txt")
    assert (tmp_path / "a" / "b").is_dir()
    assert (tmp_path / "a" / "b" / "f.txt.part").read_bytes() == b""
    assert not (tmp_path / "a" / "b" / "f.txt").exists()


def test_prepare_keeps_an_existing_part_for_resume(tmp_path):
    (tmp_path / "f.txt.part").write_bytes(b"half")
    prepare_download_target(tmp_path, tmp_path / "f.txt")
    assert (tmp_path / "f.txt.part").read_bytes() == b"half"


@pytest.mark.parametrize("linked", ["folder", "target", "part"])
def test_links_below_the_root_are_refused(tmp_path, linked):
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    if linked == "folder":
        (root / "sub").symlink_to(outside, target_is_directory=True)
        target = root / "sub" / "f.txt"
    elif linked == "target":
        (root / "f.txt").symlink_to(outside / "f.txt")
        target = root / "f.txt"
    else:
        (root / "f.txt.part").symlink_to(outside / "f.txt.part")
        target = root / "f.txt"
    with pytest.raises(UnsafePathError) as caught:
        prepare_download_target(root, target)
    assert "symbolic link" in caught.value.message
    assert list(outside.iterdir()) == []


def test_a_dangling_link_is_refused_too(tmp_path):
    (tmp_path / "f.txt.part").symlink_to(tmp_path / "nowhere" / "x")
    with pytest.raises(UnsafePathError):
        prepare_download_target(tmp_path, tmp_path / "f.txt")
    assert not (tmp_path / "nowhere").exists()


def test_the_root_itself_may_be_a_link(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "chosen").symlink_to(real, target_is_directory=True)
    prepare_download_target(tmp_path / "chosen", tmp_path / "chosen" / "f.txt")
    assert (real / "f.txt.part").exists()


def test_targets_outside_the_root_are_refused(tmp_path):
    with pytest.raises(UnsafePathError):
        relative_parts(tmp_path / "root", tmp_path / "elsewhere" / "f")
    with pytest.raises(UnsafePathError):
        relative_parts(tmp_path / "root", tmp_path / "root" / ".." / "f")
    with pytest.raises(UnsafePathError):
        prepare_download_target(tmp_path, tmp_path)


def test_a_file_where_a_folder_should_be(tmp_path):
    (tmp_path / "sub").write_bytes(b"")
    with pytest.raises(LocalError):
        ensure_directory(tmp_path, ("sub", "deeper"))
    (tmp_path / "dir").mkdir()
    with pytest.raises(LocalError):
        prepare_download_target(tmp_path, tmp_path / "dir")


@pytest.mark.parametrize(("name", "numbered"), [
    ("report.pdf", "report (1).pdf"),
    ("archive.tar.gz", "archive.tar (1).gz"),
    (".bashrc", ".bashrc (1)"),
    ("README", "README (1)"),
])
def test_numbered_name(name, numbered):
    assert numbered_name(name, 1) == numbered


def test_free_local_name_skips_files_parts_and_links(tmp_path):
    (tmp_path / "a (1).txt").write_bytes(b"")
    (tmp_path / "a (2).txt.part").write_bytes(b"")
    (tmp_path / "a (3).txt").symlink_to(tmp_path / "missing")
    assert free_local_name(tmp_path / "a.txt") == tmp_path / "a (4).txt"


def test_case_probe_on_this_file_system(tmp_path):
    # Linux tmp folders tell case apart; the probe must say so and leave nothing behind.
    (tmp_path / "x").write_bytes(b"")
    (tmp_path / "X").write_bytes(b"")
    folds = len(list(tmp_path.iterdir())) == 1
    assert is_case_insensitive(tmp_path) is folds
    assert sorted(p.name for p in tmp_path.iterdir()) == (["x"] if folds else ["X", "x"])


def test_case_probe_in_an_unwritable_place(tmp_path):
    assert is_case_insensitive(Path(tmp_path / "missing")) is False


def test_a_link_target_with_escape_sequences_is_shown_escaped(tmp_path):
    (tmp_path / "f.txt").symlink_to("/tmp/\x1b]0;pwned\x07")
    with pytest.raises(UnsafePathError) as caught:
        prepare_download_target(tmp_path, tmp_path / "f.txt")
    assert "\x1b" not in caught.value.message and "\x07" not in caught.value.message


@pytest.mark.parametrize("root, target", [
    ("/", "/a/b"), ("/srv/root", "/srv/root/a/b.txt"), ("/srv/root", "/srv/root"),
    ("/srv/root", "/srv/rootless/a"), ("/srv/root", "/srv/root/../x"),
    ("relative/root", "relative/root/x"), ("/srv/root", "/srv/root/./x"),
])
def test_components_below_the_root_read_from_the_text_as_pathlib_would(root, target):
    """The text shortcut gives pathlib's answer, or leaves the refusal to it."""
    try:
        expected: tuple[str, ...] | type = Path(target).relative_to(Path(root)).parts
    except ValueError:
        expected = UnsafePathError
    if ".." in Path(target).parts:
        expected = UnsafePathError
    if expected is UnsafePathError:
        with pytest.raises(UnsafePathError):
            relative_parts(Path(root), Path(target))
    else:
        assert relative_parts(Path(root), Path(target)) == expected
