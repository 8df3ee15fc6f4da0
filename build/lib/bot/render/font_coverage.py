"""Which characters a TrueType font can draw, read from its own `cmap` table.

A label drawn in a font that lacks its characters shows empty boxes; the picture transliterates
those (and only those) instead. Pillow can render a font but not say what it covers, so the
table is read here: the Unicode subtables of formats 4 (the Basic Multilingual Plane) and 12
(every plane), which is what fonts carry in practice.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

_UNICODE_SUBTABLES = ((3, 10), (0, 4), (3, 1), (0, 3))  # fullest first: Windows UCS-4, Unicode 2.0+ …


def covered_code_points(font: bytes) -> frozenset[int]:
    """Every code point the font maps to a glyph other than the missing-glyph box; ValueError for
    a file that is not a readable TrueType font."""
    try:
        return _covered(font)
    except struct.error as error:
        raise ValueError(f"not a readable TrueType font: {error}") from error


def _covered(font: bytes) -> frozenset[int]:
    cmap = _table(font, b"cmap")
    _, count = struct.unpack_from(">HH", cmap, 0)
    offsets = {}
    for number in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", cmap, 4 + 8 * number)
        offsets[(platform, encoding)] = offset
    for key in _UNICODE_SUBTABLES:
        if key in offsets:
            return frozenset(_code_points(cmap, offsets[key]))
    raise ValueError("the font has no Unicode cmap subtable")


def _table(font: bytes, tag: bytes) -> bytes:
    (tables,) = struct.unpack_from(">H", font, 4)
    for number in range(tables):
        name, _, offset, length = struct.unpack_from(">4sIII", font, 12 + 16 * number)
        if name == tag:
            return font[offset : offset + length]
    raise ValueError(f"the font has no {tag.decode()} table")


def _code_points(cmap: bytes, offset: int) -> Iterator[int]:
    (form,) = struct.unpack_from(">H", cmap, offset)
    if form == 4:
        yield from _format_4(cmap, offset)
    elif form == 12:
        (groups,) = struct.unpack_from(">I", cmap, offset + 12)
        for number in range(groups):
            first, last, glyph = struct.unpack_from(">III", cmap, offset + 16 + 12 * number)
            yield from (code for code in range(first, last + 1) if glyph + code - first)
    else:
        raise ValueError(f"cmap format {form} is not read here")


def _format_4(cmap: bytes, offset: int) -> Iterator[int]:
    (doubled,) = struct.unpack_from(">H", cmap, offset + 6)
    segments = doubled // 2
    ends_at = offset + 14
    starts_at = ends_at + doubled + 2  # a reserved word sits between the two arrays
    deltas_at = starts_at + doubled
    ranges_at = deltas_at + doubled
    for number in range(segments):
        (end,) = struct.unpack_from(">H", cmap, ends_at + 2 * number)
        (start,) = struct.unpack_from(">H", cmap, starts_at + 2 * number)
        (delta,) = struct.unpack_from(">h", cmap, deltas_at + 2 * number)
        (range_offset,) = struct.unpack_from(">H", cmap, ranges_at + 2 * number)
        for code in range(start, min(end, 0xFFFE) + 1):
            if range_offset == 0:
                glyph = (code + delta) & 0xFFFF
            else:  # the glyph id array follows, addressed from this segment's own offset word
                at = ranges_at + 2 * number + range_offset + 2 * (code - start)
                (glyph,) = struct.unpack_from(">H", cmap, at)
                glyph = (glyph + delta) & 0xFFFF if glyph else 0
            if glyph:
                yield code
