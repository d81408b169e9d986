"""Writes the app's PNG icons (web/public/icon-*.png) from the favicon's drawing: an "L" on green.

Pure Python (zlib), no image library: `python3 web/scripts/make-icons.py`. "any" icons have rounded corners;
the maskable one is full-bleed with the mark inside the central 60 % (the safe zone is the central 80 %).
"""
import struct
import zlib
from pathlib import Path

GREEN = (0x1F, 0x6F, 0x5C)
WHITE = (0xFF, 0xFF, 0xFF)
OUT = Path(__file__).resolve().parents[1] / "public"


def png(size: int, pixel) -> bytes:
    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y, size)) for x in range(size)) for y in range(size))
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def mark(u: float, v: float) -> bool:
    """The favicon's path M9 8h3v13h11v3H9z on its 32×32 grid (u, v in 0..32)."""
    return (9 <= u < 12 and 8 <= v < 24) or (9 <= u < 23 and 21 <= v < 24)


def icon(maskable: bool):
    def pixel(x: int, y: int, size: int):
        if maskable:  # the 32-grid mark scaled into the central 60 %
            u, v = 16 + (x + 0.5 - size / 2) / (size * 0.6) * 20, 16 + (y + 0.5 - size / 2) / (size * 0.6) * 20
            return (*(WHITE if mark(u, v) else GREEN), 255)
        u, v = (x + 0.5) / size * 32, (y + 0.5) / size * 32
        r = 7  # rx of the favicon's rect
        cx, cy = min(max(u, r), 32 - r), min(max(v, r), 32 - r)
        if (u - cx) ** 2 + (v - cy) ** 2 > r * r:
            return (0, 0, 0, 0)
        return (*(WHITE if mark(u, v) else GREEN), 255)
    return pixel


for name, size, maskable in [("icon-192.png", 192, False), ("icon-512.png", 512, False), ("icon-maskable-512.png", 512, True)]:
    (OUT / name).write_bytes(png(size, icon(maskable)))
