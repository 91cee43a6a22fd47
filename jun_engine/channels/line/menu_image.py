"""The rich menu's picture: a PNG of coloured tiles, one per area, written in pure Python
(zlib and struct; the engine has no imaging library, see docs/dependencies.md)."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
GUTTER = 8
"""Pixels of white between two tiles."""
WHITE = (255, 255, 255)

Colour = tuple[int, int, int]


def tiles_png(width: int, height: int, columns: int, colours: Sequence[Colour]) -> bytes:
    """A `width` x `height` RGB PNG: `colours` as tiles, `columns` to a row, left to right and
    top to bottom, separated by white gutters; an inner square a shade lighter marks each."""
    rows_of_tiles = max(1, -(-len(colours) // columns))
    tile_height = height // rows_of_tiles
    raw = bytearray()
    for y in range(height):
        band = min(y // tile_height, rows_of_tiles - 1)
        row_colours = list(colours[band * columns : (band + 1) * columns])
        raw.append(0)  # filter type: none
        raw.extend(_row(width, columns, row_colours, y - band * tile_height, tile_height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(raw), 6))
        + _chunk(b"IEND", b"")
    )


def tile_bounds(width: int, columns: int, index: int) -> tuple[int, int]:
    """(x, width) of tile column `index`: the last one takes what division leaves over."""
    tile = width // columns
    x = index * tile
    return x, (width - x if index == columns - 1 else tile)


def _row(width: int, columns: int, colours: Sequence[Colour], y: int, tile_height: int) -> bytes:
    parts: list[bytes] = []
    for index in range(columns):
        _, tile = tile_bounds(width, columns, index)
        colour = colours[index] if index < len(colours) else WHITE
        parts.append(_tile_line(tile, colour, y, tile_height))
    line = b"".join(parts)
    assert len(line) == width * 3
    return line


def _tile_line(tile: int, colour: Colour, y: int, tile_height: int) -> bytes:
    """One line of one tile: gutters, the colour, and a lighter square in the middle third."""
    if y < GUTTER // 2 or y >= tile_height - GUTTER // 2:
        return bytes(WHITE) * tile
    inner = tile - GUTTER
    side = min(inner, tile_height) // 3
    top = (tile_height - side) // 2
    if top <= y < top + side:
        light = tuple(min(255, c + 60) for c in colour)
        left = (inner - side) // 2
        body = bytes(colour) * left + bytes(light) * side + bytes(colour) * (inner - left - side)
    else:
        body = bytes(colour) * inner
    half = GUTTER // 2
    return bytes(WHITE) * half + body + bytes(WHITE) * (GUTTER - half)


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)
