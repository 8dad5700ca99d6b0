"""Translate a Python (PEP 440) version into a Debian version that sorts the same way.

Usage: python3 debian_version.py 0.2.0rc1   ->   prints 0.2.0~rc1

The version is written once, in pyproject.toml, in Python's syntax. dpkg compares
versions by its own rules, under which ``0.2.0rc1`` would sort *after* ``0.2.0`` (letters
sort after the end of the string), so apt would refuse to upgrade a release candidate to
the release. Debian's ``~`` sorts before everything, even the end of the string, which
is exactly what pre-releases and development releases need; post-releases and local
versions come after the release and use ``+``.
"""

from __future__ import annotations

import re
import sys

_PEP440 = re.compile(
    r"""^v?
    (?:(?P<epoch>\d+)!)?
    (?P<release>\d+(?:\.\d+)*)
    (?:[-_.]?(?P<pre_kind>a|alpha|b|beta|rc|c|pre|preview)[-_.]?(?P<pre_n>\d*))?
    (?P<post>(?:-(?P<post_implicit>\d+))|(?:[-_.]?(?:post|rev|r)[-_.]?(?P<post_n>\d*)))?
    (?:[-_.]?dev[-_.]?(?P<dev_n>\d*))?
    (?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?
    $""",
    re.VERBOSE | re.IGNORECASE,
)
_PRE_NAMES = {"a": "a", "alpha": "a", "b": "b", "beta": "b", "rc": "rc", "c": "rc",
              "pre": "rc", "preview": "rc"}


class VersionError(ValueError):
    """The version in pyproject.toml is not a PEP 440 version."""


def debian_version(version: str) -> str:
    """``1.2.0`` -> ``1.2.0``; ``1.2`` -> ``1.2.0``; ``1.2.0rc1`` -> ``1.2.0~rc1``;
    ``1.2.0.dev3`` -> ``1.2.0~~dev3``; ``1.2.0rc1.dev3`` -> ``1.2.0~rc1~dev3``;
    ``1.2.0.post1`` -> ``1.2.0+post1``; ``1.2.0+local.7`` -> ``1.2.0+local.7``;
    ``2!1.0.0`` -> ``2:1.0.0``.

    A development release of a final release sorts before its pre-releases
    (1.2.dev3 < 1.2a1 < 1.2), hence ``~~`` there: ``~~`` sorts before ``~``.
    """
    match = _PEP440.match(version.strip())
    if not match:
        raise VersionError(
            f"{version!r} is not a PEP 440 version (expected e.g. 1.2.3, 1.2.3rc1, "
            "1.2.3.post1, 1.2.3.dev4); fix the version in pyproject.toml"
        )
    # PEP 440 pads releases with zeros (1.0 == 1.0.0) where dpkg does not (1.0 < 1.0.0,
    # and 1.0+post1 < 1.0.0): drop trailing zeros, then pad to X.Y.Z, the project's form.
    parts = [int(part) for part in match["release"].split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    parts += [0] * (3 - len(parts))
    out = ".".join(map(str, parts))
    if match["pre_kind"]:
        out += f"~{_PRE_NAMES[match['pre_kind'].lower()]}{match['pre_n'] or '0'}"
    if match["post"]:
        out += f"+post{match['post_implicit'] or match['post_n'] or '0'}"
    if match["dev_n"] is not None:
        bare = not match["pre_kind"] and not match["post"]
        out += ("~~" if bare else "~") + f"dev{match['dev_n'] or '0'}"
    if match["local"]:
        out += "+" + re.sub(r"[-_]", ".", match["local"].lower())
    if match["epoch"] and int(match["epoch"]):
        out = f"{int(match['epoch'])}:{out}"
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: debian_version.py PEP440_VERSION", file=sys.stderr)
        return 2
    try:
        print(debian_version(argv[1]))
    except VersionError as exc:
        print(f"debian_version: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
