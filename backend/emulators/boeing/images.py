"""Product images (contract §7.7): small solid-colour PNGs whose bytes follow from the part code alone."""

from __future__ import annotations

import hashlib
import struct
import zlib
from functools import lru_cache

PRODUCT_SIZE = 64
THUMBNAIL_SIZE = 16
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def colour_for(code: str) -> tuple[int, int, int]:
    """RGB colour of a part's image, from the hash of its code."""
    d = hashlib.sha256(code.encode()).digest()
    return d[0], d[1], d[2]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def _stored_zlib(raw: bytes) -> bytes:
    # Uncompressed ("stored") deflate blocks: the output is fixed by the input alone, whatever zlib build
    # the machine has, which keeps image bytes identical everywhere. 64x64 RGB is 12 KB, small enough.
    out = bytearray(b"\x78\x01")
    blocks = [raw[i : i + 65_535] for i in range(0, len(raw), 65_535)] or [b""]
    for n, block in enumerate(blocks):
        final = 1 if n == len(blocks) - 1 else 0
        out += struct.pack("<BHH", final, len(block), len(block) ^ 0xFFFF) + block
    out += struct.pack(">I", zlib.adler32(raw) & 0xFFFFFFFF)
    return bytes(out)


@lru_cache(maxsize=2048)
def solid_png(rgb: tuple[int, int, int], size: int) -> bytes:
    """A valid ``size``x``size`` 8-bit RGB PNG filled with one colour."""
    row = b"\x00" + bytes(rgb) * size  # filter byte 0 (None) per scanline
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", _stored_zlib(row * size))
        + _chunk(b"IEND", b"")
    )


def part_image(code: str, thumbnail: bool) -> bytes:
    """The PNG for a part code: 64x64 product image or 16x16 thumbnail."""
    return solid_png(colour_for(code), THUMBNAIL_SIZE if thumbnail else PRODUCT_SIZE)
