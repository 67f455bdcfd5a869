"""ImageStore on a real local object store: image, thumbnail, placeholder; verification; one download each."""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

import httpx
import pytest

from app.core.config import StorageSettings
from app.db.image_store import ImageStore, image_extension

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 40
PLACEHOLDER = resources.files("app.core").joinpath("assets/placeholder.png").read_bytes()


class Origin:
    """A fake image host: path → (status, content type, body); counts requests per path."""

    def __init__(self, routes: dict[str, tuple[int, str, bytes]]) -> None:
        self.routes = routes
        self.hits: dict[str, int] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.hits[path] = self.hits.get(path, 0) + 1
        if path == "/timeout":
            raise httpx.ConnectTimeout("slow", request=request)
        status, content_type, body = self.routes.get(path, (404, "text/plain", b"missing"))
        return httpx.Response(status, content=body, headers={"Content-Type": content_type})


def store_for(tmp_path: Path, origin: Origin) -> ImageStore:
    settings = StorageSettings(
        storage_url=f"file://{tmp_path}/objects", media_public_base_url="http://media.test/media/"
    )
    return ImageStore(settings, http=httpx.Client(transport=httpx.MockTransport(origin)))


def test_boeing_image_is_verified_stored_content_addressed_and_downloaded_once(tmp_path: Path) -> None:
    origin = Origin({"/p/WF338109.png": (200, "image/png", PNG)})
    images = store_for(tmp_path, origin)
    first = images.rehost("http://boeing.test/p/WF338109.png", "http://boeing.test/t/WF338109.png")
    expected_key = f"images/{hashlib.sha256(PNG).hexdigest()}.png"
    assert (first.key, first.placeholder) == (expected_key, False)
    assert first.url == f"http://media.test/media/{expected_key}"
    assert (tmp_path / "objects" / expected_key).read_bytes() == PNG
    again = ImageStore(
        StorageSettings(
            storage_url=f"file://{tmp_path}/objects", media_public_base_url="http://media.test/media"
        ),
        http=httpx.Client(transport=httpx.MockTransport(origin)),
    ).rehost("http://boeing.test/p/WF338109.png")
    assert again.key == expected_key
    assert origin.hits == {"/p/WF338109.png": 1}, "a second process reuses the stored image"


def test_falls_back_to_the_thumbnail_when_the_image_is_not_an_image(tmp_path: Path) -> None:
    origin = Origin(
        {
            "/p/broken.png": (200, "image/png", b"<html>not really a png</html>"),
            "/t/ok.jpg": (200, "image/jpeg", JPEG),
        }
    )
    images = store_for(tmp_path, origin)
    stored = images.rehost("http://boeing.test/p/broken.png", "http://boeing.test/t/ok.jpg")
    assert stored.key.endswith(".jpg")
    assert stored.source == "http://boeing.test/t/ok.jpg"
    again = images.rehost("http://boeing.test/p/broken.png", "http://boeing.test/t/ok.jpg")
    assert again.key == stored.key, "a re-publish reuses the thumbnail, not the placeholder"
    assert origin.hits == {"/p/broken.png": 1, "/t/ok.jpg": 1}, "a definitive non-image is remembered too"


@pytest.mark.parametrize(
    ("route", "answer"),
    [
        ("/p/html", (200, "text/html", PNG)),  # right bytes, wrong content type
        ("/p/missing", (404, "text/plain", b"no")),
        ("/p/fake", (200, "image/png", b"GIF8 nope")),
    ],
)
def test_anything_but_a_real_image_gives_the_placeholder(
    tmp_path: Path, route: str, answer: tuple[int, str, bytes]
) -> None:
    images = store_for(tmp_path, Origin({route: answer}))
    stored = images.rehost(f"http://boeing.test{route}")
    assert stored.placeholder
    assert stored.key == f"images/{hashlib.sha256(PLACEHOLDER).hexdigest()}.png"
    assert images.read(stored.key) == PLACEHOLDER


def test_missing_urls_give_the_placeholder_without_any_download(tmp_path: Path) -> None:
    origin = Origin({})
    images = store_for(tmp_path, origin)
    assert images.rehost(None, None).placeholder
    assert images.rehost("not a url", "").placeholder
    assert origin.hits == {}


def test_transient_failures_are_not_remembered(tmp_path: Path) -> None:
    origin = Origin({"/p/flaky.png": (503, "text/plain", b"busy")})
    images = store_for(tmp_path, origin)
    assert images.rehost("http://boeing.test/p/flaky.png").placeholder
    origin.routes["/p/flaky.png"] = (200, "image/png", PNG)
    recovered = images.rehost("http://boeing.test/p/flaky.png")
    assert not recovered.placeholder
    assert origin.hits["/p/flaky.png"] == 2
    assert images.rehost("http://boeing.test/timeout").placeholder


def test_image_signatures() -> None:
    assert image_extension(PNG) == "png"
    assert image_extension(JPEG) == "jpg"
    assert image_extension(b"GIF89a....") == "gif"
    assert image_extension(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "webp"
    assert image_extension(b"<svg/>") is None
