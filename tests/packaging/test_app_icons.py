"""The committed icons: every size present and square, the .ico and .icns containers
well-formed (parsed here from their specifications, not by the code that wrote them), and
all of them in step with the SVG source (tools/make-icons regenerates the same pixels)."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ICONS = REPO / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_MAGIC, "not a PNG"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    assert (depth, colour) == (8, 6), "icons must be 8-bit RGBA"
    return width, height


def png_chunks_are_intact(data: bytes) -> bool:
    """Every chunk's CRC matches (a truncated or corrupted file fails)."""
    offset = 8
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        body = data[offset + 8:offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length:offset + 12 + length])
        if zlib.crc32(kind + body) != crc:
            return False
        offset += 12 + length
        if kind == b"IEND":
            return offset == len(data)
    return False


@pytest.mark.parametrize("size", SIZES)
def test_png_exists_at_each_size(size: int) -> None:
    data = (ICONS / f"ftp-inspector-{size}.png").read_bytes()
    assert png_size(data) == (size, size)
    assert png_chunks_are_intact(data)


def test_ico_directory_describes_every_windows_size() -> None:
    data = (ICONS / "ftp-inspector.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1), "ICONDIR must say: icon resource"
    sizes = []
    for index in range(count):
        width, height, colours, reserved, planes, bits, length, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * index: 22 + 16 * index])
        width, height = width or 256, height or 256
        assert (colours, reserved, planes, bits) == (0, 0, 1, 32)
        image = data[offset:offset + length]
        assert len(image) == length, "entry points past the end of the file"
        if image[:8] == PNG_MAGIC:
            assert png_size(image) == (width, height)
        else:
            # BITMAPINFOHEADER: the height counts the colour rows and the AND mask.
            header = struct.unpack("<IiiHHIIiiII", image[:40])
            assert header[:5] == (40, width, 2 * height, 1, 32)
            mask_stride = ((width + 31) // 32) * 4
            assert length == 40 + width * height * 4 + mask_stride * height
        sizes.append(width)
    assert sizes == [16, 24, 32, 48, 64, 128, 256]


def test_icns_elements_are_pngs_of_the_sizes_their_types_promise() -> None:
    data = (ICONS / "ftp-inspector.icns").read_bytes()
    magic, total = struct.unpack(">4sI", data[:8])
    assert magic == b"icns" and total == len(data)
    expected = {b"icp4": 16, b"icp5": 32, b"icp6": 64, b"ic07": 128, b"ic08": 256,
                b"ic09": 512, b"ic11": 32, b"ic12": 64, b"ic13": 256, b"ic14": 512}
    found = {}
    offset = 8
    while offset < len(data):
        kind, length = struct.unpack(">4sI", data[offset:offset + 8])
        assert length > 8 and offset + length <= len(data)
        found[kind] = png_size(data[offset + 8:offset + length])[0]
        offset += length
    assert found == expected


def test_svg_source_uses_no_text() -> None:
    """Text in an icon renders with whatever font the system has; the icon is shapes."""
    svg = (ICONS / "ftp-inspector.svg").read_text()
    assert "<text" not in svg and "<svg" in svg


@pytest.mark.gui
def test_make_icons_regenerates_the_committed_pixels(tmp_path: Path) -> None:
    """The committed files come from the SVG: regenerating gives the same pixels (compared
    decoded, so a different PNG encoder or zlib version does not matter)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, str(REPO / "tools" / "make-icons"), "--out",
                             str(tmp_path)], capture_output=True, text=True, timeout=120,
                            env=env, check=False)
    assert result.returncode == 0, result.stderr
    from PySide6.QtGui import QImage

    for size in SIZES:
        name = f"ftp-inspector-{size}.png"
        fresh = QImage(str(tmp_path / name)).convertToFormat(QImage.Format.Format_ARGB32)
        committed = QImage(str(ICONS / name)).convertToFormat(QImage.Format.Format_ARGB32)
        assert fresh.size() == committed.size()
        worst = max(
            abs(a - b)
            for a, b in zip(bytes(fresh.constBits()), bytes(committed.constBits()), strict=True)
        )
        assert worst <= 2, f"{name} differs from the SVG's rendering: run tools/make-icons"
    for name in ("ftp-inspector.ico", "ftp-inspector.icns"):
        assert (tmp_path / name).stat().st_size > 0


@pytest.mark.gui
@pytest.mark.parametrize("size", [16, 32, 48])
def test_ico_bitmaps_hold_the_same_pixels_as_the_pngs(size: int) -> None:
    """The DIB entries are written by hand (bottom-up rows, BGRA): decode one and compare
    it with the PNG of the same size, pixel for pixel."""
    from PySide6.QtGui import QImage

    data = (ICONS / "ftp-inspector.ico").read_bytes()
    count = struct.unpack("<H", data[4:6])[0]
    for index in range(count):
        width, _, _, _, _, _, length, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * index: 22 + 16 * index])
        if width == size:
            break
    else:
        pytest.fail(f"no {size} px entry in the .ico")
    pixels = data[offset + 40: offset + 40 + size * size * 4]
    rows = [pixels[row * size * 4:(row + 1) * size * 4] for row in range(size)]
    top_down = b"".join(reversed(rows))
    png = QImage(str(ICONS / f"ftp-inspector-{size}.png")).convertToFormat(
        QImage.Format.Format_ARGB32)
    stride = png.bytesPerLine()
    raw = bytes(png.constBits())
    expected = b"".join(raw[row * stride: row * stride + size * 4] for row in range(size))
    assert top_down == expected
    # And the icon is not blank.
    assert any(top_down[i + 3] == 255 for i in range(0, len(top_down), 4))


def test_make_icons_refuses_a_file_that_is_not_svg(tmp_path: Path) -> None:
    broken = tmp_path / "broken.svg"
    broken.write_text("<svg this is not xml")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, str(REPO / "tools" / "make-icons"), "--svg",
                             str(broken), "--out", str(tmp_path / "out")],
                            capture_output=True, text=True, timeout=120, env=env, check=False)
    assert result.returncode != 0
    assert "is not an SVG that Qt can render" in result.stderr
    assert not (tmp_path / "out").exists(), "nothing may be written from a broken source"
