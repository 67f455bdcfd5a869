"""Product images: valid deterministic PNGs, 404s, URLs from public_base_url (contract §7.7)."""

from __future__ import annotations

import struct
import zlib

import httpx
import pytest

from tests.contract.emulators.boeing.conftest import Control, Pna

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def read_png(data: bytes) -> tuple[int, int, bytes]:
    """Validate a PNG's structure and CRCs; return width, height and the decompressed scanlines."""
    assert data[:8] == PNG_SIGNATURE
    pos, chunks = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc
        chunks.append((kind, body))
        pos += 12 + length
    assert chunks[0][0] == b"IHDR"
    assert chunks[-1] == (b"IEND", b"")
    width, height, depth, colour, _, _, _ = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (depth, colour) == (8, 2)
    pixels = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    return width, height, pixels


@pytest.mark.parametrize(("kind", "size"), [("products", 64), ("thumbnails", 16)])
def test_images_are_valid_solid_pngs(http: httpx.Client, kind: str, size: int) -> None:
    resp = http.get(f"/media/{kind}/WF338109%3DK3.png")
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "image/png"
    width, height, pixels = read_png(resp.content)
    assert (width, height) == (size, size)
    assert len(pixels) == size * (1 + 3 * size)
    rows = {pixels[r * (1 + 3 * size) : (r + 1) * (1 + 3 * size)] for r in range(size)}
    assert len(rows) == 1  # one colour everywhere
    row = rows.pop()
    assert row[0] == 0
    assert len({row[i : i + 3] for i in range(1, len(row), 3)}) == 1


def test_image_urls_from_answers_resolve(pna: Pna, http: httpx.Client) -> None:
    (item,) = pna.items(["AN3-12A"])
    product = http.get(item["productImage"])
    thumb = http.get(item["thumbnailImage"])
    assert read_png(product.content)[:2] == (64, 64)
    assert read_png(thumb.content)[:2] == (16, 16)


def test_image_bytes_are_deterministic_and_per_code(http: httpx.Client) -> None:
    first = http.get("/media/products/AN3-12A.png").content
    assert http.get("/media/products/an3-12a.png").content == first
    assert http.get("/media/products/MS20426AD3-5.png").content != first


def test_public_base_url_drives_image_urls(pna: Pna, control: Control) -> None:
    control.config(public_base_url="http://images.example.test:9000/")
    (item,) = pna.items(["WF338109=K3"])
    assert item["productImage"] == "http://images.example.test:9000/media/products/WF338109%3DK3.png"
    assert item["thumbnailImage"] == "http://images.example.test:9000/media/thumbnails/WF338109%3DK3.png"


@pytest.mark.parametrize(
    "path",
    [
        "/media/products/NOTFOUND-1.png",
        "/media/products/QQQ123.png",
        "/media/thumbnails/WF338109.png",  # a base with only suffixed records has no image of its own
        "/media/products/311N5049-173%3DBC.png",  # no-stock parts carry no image
        "/media/products/AN3-12A.jpg",
    ],
)
def test_unknown_images_are_404(http: httpx.Client, path: str) -> None:
    assert http.get(path).status_code == 404


def test_images_need_no_auth_and_can_fault(http: httpx.Client, control: Control) -> None:
    control.fault(endpoint="image", kind="http_503", count=1)
    assert http.get("/media/products/AN3-12A.png").status_code == 503
    assert http.get("/media/products/AN3-12A.png").status_code == 200
