"""packaging/deb/debian_version.py: dpkg must order the translated versions exactly as
Python's packaging orders the originals, or apt refuses upgrades (rc -> final)."""

from __future__ import annotations

import importlib.util
import itertools
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.version import Version

SCRIPT = Path(__file__).resolve().parents[2] / "packaging" / "deb" / "debian_version.py"
spec = importlib.util.spec_from_file_location("debian_version", SCRIPT)
debian_version_module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(debian_version_module)
debian_version = debian_version_module.debian_version

# Ascending by PEP 440.
LADDER = ["0.9", "1.0.dev1", "1.0.dev2", "1.0a1.dev1", "1.0a1", "1.0a2", "1.0b1",
          "1.0rc1.dev1", "1.0rc1", "1.0rc2", "1.0", "1.0+local.1", "1.0.post1.dev1",
          "1.0.post1", "1.0.post2", "1.0.1", "1.1.dev0", "1.1", "2!0.1"]


def dpkg_less(a: str, b: str) -> bool:
    return subprocess.run(["dpkg", "--compare-versions", a, "lt", b], check=False,
                          timeout=30).returncode == 0


needs_dpkg = pytest.mark.skipif(shutil.which("dpkg") is None,
                                reason="dpkg is not installed (not a Debian system)")


@pytest.mark.parametrize(("python", "debian"), [
    ("0.1.0", "0.1.0"), ("0.2.0rc1", "0.2.0~rc1"), ("0.2.0.dev3", "0.2.0~~dev3"),
    ("0.2.0rc1.dev3", "0.2.0~rc1~dev3"), ("0.2.0.post1", "0.2.0+post1"),
    ("0.2.0-1", "0.2.0+post1"), ("0.2.0+Abc_1", "0.2.0+abc.1"), ("2!1.0", "2:1.0.0"),
    ("1.0alpha", "1.0.0~a0"), ("1.0.0c2", "1.0.0~rc2"), ("v1.0.0", "1.0.0"),
    ("1", "1.0.0"), ("1.2.0.0", "1.2.0"), ("1.0.0.1", "1.0.0.1"), ("10.20.30", "10.20.30"),
])
def test_examples(python: str, debian: str) -> None:
    assert debian_version(python) == debian


@pytest.mark.parametrize("bad", ["", "bogus", "1.0-gamma", "1..0", "1.0 rc1", "1.0\n"])
def test_not_a_version_is_refused_with_the_fix(bad: str) -> None:
    if bad == "1.0\n":  # surrounding whitespace is forgiven, like packaging does
        assert debian_version(bad) == "1.0.0"
        return
    with pytest.raises(debian_version_module.VersionError, match="pyproject.toml"):
        debian_version(bad)


def test_ladder_is_in_pep440_order() -> None:
    assert [Version(v) for v in LADDER] == sorted(Version(v) for v in LADDER)


@needs_dpkg
def test_dpkg_orders_the_ladder_like_pep440() -> None:
    for low, high in itertools.pairwise(LADDER):
        assert dpkg_less(debian_version(low), debian_version(high)), (low, high)


versions = st.builds(
    lambda release, pre, post, dev: (
        ".".join(map(str, release)) + (f"{pre[0]}{pre[1]}" if pre else "")
        + (f".post{post}" if post is not None else "") + (f".dev{dev}" if dev is not None else "")
    ),
    st.lists(st.integers(0, 12), min_size=1, max_size=4),
    st.none() | st.tuples(st.sampled_from(["a", "b", "rc"]), st.integers(0, 3)),
    st.none() | st.integers(0, 3),
    st.none() | st.integers(0, 3),
)


@needs_dpkg
@settings(max_examples=60, deadline=None)
@given(versions, versions)
def test_dpkg_agrees_with_pep440_on_any_pair(a: str, b: str) -> None:
    pa, pb = Version(a), Version(b)
    da, db = debian_version(a), debian_version(b)
    assert dpkg_less(da, db) == (pa < pb), (a, b, da, db)


def test_command_line_prints_the_debian_version() -> None:
    result = subprocess.run([sys.executable, str(SCRIPT), "1.2rc1"], capture_output=True,
                            text=True, timeout=30, check=False)
    assert (result.returncode, result.stdout) == (0, "1.2.0~rc1\n")
