"""Exports: PNG (non-empty, the right size), SVG (well-formed), text, CSV."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from ladder_scenarios import Script, healthy_passive_list, nat_substitution, passive_refused
from PySide6.QtGui import QImage

from client.engine.ladder import COLUMNS, LadderModel
from client.engine.ladder_ascii import render_ladder
from client.ui.inspector.export import (
    MAX_PNG_HEIGHT,
    diagram_size,
    export_csv,
    export_png,
    export_svg,
    export_text,
    render_image,
)
from client.ui.inspector.geometry import FOOTER_HEIGHT, HEADER_HEIGHT, LadderGeometry

pytestmark = pytest.mark.gui


def model_of(events) -> LadderModel:
    model = LadderModel()
    model.feed_all(events)
    return model


def test_png_has_the_diagram_size_and_is_not_blank(qapp, tmp_path: Path) -> None:
    model = model_of(healthy_passive_list())
    geometry = LadderGeometry(model)
    geometry.sync()
    path = tmp_path / "ladder.png"
    size = export_png(model, path, width=900)
    assert path.stat().st_size > 5_000
    image = QImage(str(path))
    assert (image.width(), image.height()) == (900, geometry.content_height)
    assert size == image.size() == diagram_size(model, width=900)
    assert geometry.content_height > HEADER_HEIGHT + FOOTER_HEIGHT + 20 * 15
    colours = {image.pixel(x, y) for x in range(0, 900, 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 10  # arrows, text and lifelines, not a blank page


def _red_pixels(image: QImage) -> int:
    count = 0
    for y in range(image.height()):
        for x in range(0, image.width(), 2):
            colour = image.pixelColor(x, y)
            count += colour.red() > 180 and colour.green() < 100 and colour.blue() < 100
    return count


def test_only_failures_are_drawn_in_red(qapp) -> None:
    assert _red_pixels(render_image(model_of(nat_substitution()), width=800)) == 0
    assert _red_pixels(render_image(model_of(passive_refused()), width=800)) > 50


def test_very_long_sessions_export_their_latest_part(qapp) -> None:
    script = Script().login()
    for n in range(2_000):
        script.send(1 + n, "NOOP").reply(1.5 + n, "200 ok")
    model = model_of(script.events)
    size = diagram_size(model, width=700)
    assert size.height() <= MAX_PNG_HEIGHT
    geometry = LadderGeometry(model)
    geometry.sync()
    assert geometry.content_height > MAX_PNG_HEIGHT


def test_svg_is_well_formed(qapp, tmp_path: Path) -> None:
    path = tmp_path / "ladder.svg"
    size = export_svg(model_of(healthy_passive_list()), path, width=900)
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    assert root.get("viewBox") == f"0 0 900 {size.height()}"
    text = path.read_text()
    assert "PASS ****" in text
    assert "195*256+80 = 50000" in text
    # only opaque fills: translucent ones are drawn differently by SVG renderers
    assert 'fill-opacity="1"' in text
    assert all(value in ("0", "1") for value in
               __import__("re").findall(r'fill-opacity="([0-9.]+)"', text))


def test_text_export_is_the_ascii_ladder(tmp_path: Path) -> None:
    model = model_of(healthy_passive_list())
    path = tmp_path / "ladder.txt"
    text = export_text(model, path, width=90)
    assert path.read_text() == text == render_ladder(model, width=90)


def test_csv_export_columns(tmp_path: Path) -> None:
    path = tmp_path / "channels.csv"
    export_csv(model_of(healthy_passive_list()), path)
    rows = list(csv.reader(path.open(newline="")))
    assert rows[0] == [header for _, header in COLUMNS]
    assert len(rows) == 2 and rows[1][0] == "1" and rows[1][4] == "127.0.0.1:50000"
