"""The benchmark's generated listings are parsed completely (a bench that silently
parsed half its lines would report a meaningless speed). No timing is asserted here."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "listing_parse.py"


def load_bench():  # noqa: ANN201 - a module
    spec = importlib.util.spec_from_file_location("listing_parse_bench", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_listings_parse_completely() -> None:
    report = load_bench().run(entries=500, repeat=1)
    assert report["unix"]["entries"] == 500
    assert report["mlsd"]["entries"] == 500  # the cdir line is left out
