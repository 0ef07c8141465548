"""Draws the app's two Teams icons (``python3 teams/icons.py``): a white house, on the accent
colour at 192x192 (color.png) and on transparency at 32x32 (outline.png), as Teams requires.

Standard library only, so no image package is needed to redraw them.
"""

import struct
import zlib
from pathlib import Path

HERE = Path(__file__).parent
ACCENT = (31, 111, 139, 255)
WHITE = (255, 255, 255, 255)
TRANSPARENT = (0, 0, 0, 0)


def in_house(u: float, v: float) -> bool:
    """Whether the point (u, v) of the unit square, v downwards, is part of the house."""
    roof = 0.18 <= v <= 0.5 and abs(u - 0.5) <= (v - 0.18) / 0.32 * 0.36
    walls = 0.26 <= u <= 0.74 and 0.5 <= v <= 0.84
    door = 0.44 <= u <= 0.56 and 0.62 <= v <= 0.84
    return roof or (walls and not door)


def draw(size: int, background: tuple[int, ...]) -> list[list[tuple[int, ...]]]:
    return [
        [WHITE if in_house((x + 0.5) / size, (y + 0.5) / size) else background for x in range(size)]
        for y in range(size)
    ]


def png(pixels: list[list[tuple[int, ...]]]) -> bytes:
    """An 8-bit RGBA PNG: signature, IHDR, one IDAT, IEND."""
    height, width = len(pixels), len(pixels[0])
    raw = b"".join(b"\x00" + bytes(c for pixel in row for c in pixel) for row in pixels)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


if __name__ == "__main__":
    (HERE / "color.png").write_bytes(png(draw(192, ACCENT)))
    (HERE / "outline.png").write_bytes(png(draw(32, TRANSPARENT)))
