"""HTML reports in headless Chromium: they render (not blank), the map SVG is in the page, no script runs."""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from reports_helpers import small_map

from peermap import reports
from peermap.engine.access import Actor
from peermap.engine.store import Store

pytestmark = pytest.mark.browser

CHROMIUM = next(
    (
        p
        for p in (shutil.which("chromium"), shutil.which("chromium-browser"), "/usr/bin/chromium")
        if p and Path(p).exists()
    ),
    None,
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    if CHROMIUM is None:
        pytest.skip("Chromium not found (install Debian's chromium at /usr/bin/chromium to run browser tests)")
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def png_pixels(data: bytes, max_rows: int = 700) -> tuple[int, int, list[bytes]]:
    """A minimal PNG reader (8-bit RGB/RGBA, non-interlaced): (width, height, the first rows unfiltered)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width, height, colour = 8, b"", 0, 0, 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, "unsupported PNG layout"
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    bpp = 4 if colour == 6 else 3
    stride = width * bpp
    raw = zlib.decompressobj().decompress(idat, (stride + 1) * min(height, max_rows))
    rows: list[bytes] = []
    prev = bytearray(stride)
    for r in range(min(height, max_rows)):
        f, line = raw[r * (stride + 1)], bytearray(raw[r * (stride + 1) + 1 : (r + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, [bytes(r) for r in rows]


def distinct_colours(rows: list[bytes], bpp: int = 4) -> int:
    return len({row[i : i + 3] for row in rows for i in range(0, len(row), bpp * 3)})


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["audit", "labelling", "map"])
def test_html_report_renders_in_chromium(store: Store, auditor: Actor, tmp_path: Path, kind: str) -> None:
    html = tmp_path / f"{kind}.html"
    reports.produce(store, auditor, kind, "html", out=html, recipient="DPO", result=small_map(store, hostile=True))
    shot = tmp_path / f"{kind}.png"
    _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", html.as_uri())
    assert shot.exists() and shot.stat().st_size > 10_000, "no screenshot"
    data = shot.read_bytes()
    width, height, rows = png_pixels(data)
    assert (width, height) == (1280, 2000)
    bpp = 4 if data[25] == 6 else 3
    assert distinct_colours(rows, bpp) > 40, "the page looks blank"
    dom = _chromium(tmp_path, "--dump-dom", html.as_uri()).stdout
    assert "<svg" in dom and 'class="peermap-map"' in dom  # the map picture is in the rendered page
    assert "<script" not in dom.lower() and "<img" not in dom.lower()  # hostile names stayed text
