"""The Python distributions an installed app runs on: pyproject's runtime dependencies
and, through their installed metadata, everything they require in turn (environment
markers evaluated for this interpreter, extras left out) — what the bundle carries."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[2]


def normalise(name: str) -> str:
    """PEP 503 normalisation: case and runs of ``-``, ``_`` and ``.`` do not matter."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_requirements() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return [Requirement(text) for text in project["dependencies"]]


def runtime_closure() -> dict[str, str]:
    """Normalised name -> the installed distribution's own spelling, for every runtime
    dependency and theirs (this interpreter's view: markers such as python_version
    are evaluated here)."""
    found: dict[str, str] = {}
    todo = [req for req in pyproject_requirements()
            if req.marker is None or req.marker.evaluate({"extra": ""})]
    while todo:
        req = todo.pop()
        key = normalise(req.name)
        if key in found:
            continue
        try:
            dist = distribution(req.name)
        except PackageNotFoundError as exc:
            raise AssertionError(f"runtime dependency {req.name} is not installed here") from exc
        found[key] = dist.metadata["Name"]
        for text in dist.requires or []:
            child = Requirement(text)
            if child.marker is None or child.marker.evaluate({"extra": ""}):
                todo.append(child)
    return found
