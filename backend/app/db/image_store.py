"""Product images: download Boeing's image, re-host it in the object store, return its public URL.

Order of preference: Boeing's image, then its thumbnail, then the bundled placeholder. A download counts only
when the answer is ``200`` with an ``image/*`` content type *and* bytes that start like a PNG, JPEG, GIF or
WebP file. Objects are content-addressed (``images/<sha256>.<ext>``), so identical images are stored once.

One download per distinct source URL: after a definitive answer the object store also keeps a small index
object ``sources/<sha256(url)>`` naming the stored key (or the placeholder, for a URL that did not give an
image), so re-publishing never downloads again; concurrent requests for one URL in a process wait for the
first download. Transient failures (timeouts, 5xx) are not remembered.

Storage (DESIGN §4): ``STORAGE_URL=file:///dir`` uses obstore's ``LocalStore`` (the local profile, served by
the API at ``/media``); ``s3://bucket/prefix`` an S3-compatible store (Supabase Storage) with the
``STORAGE_*`` credentials and endpoint. Public URLs are ``MEDIA_PUBLIC_BASE_URL/<key>``.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import obstore
from obstore.store import LocalStore, ObjectStore, S3Store, from_url

from app.core.config import StorageSettings
from app.core.constants.pricing import (
    FALLBACK_IMAGE_CONTENT_TYPE,
    FALLBACK_IMAGE_PACKAGE,
    FALLBACK_IMAGE_RESOURCE,
)

logger = logging.getLogger(__name__)

__all__ = ["ImageStore", "StoredImage", "image_extension"]

MAX_IMAGE_BYTES = 10 * 1024 * 1024
LOCAL_MEDIA_BASE_URL = "http://127.0.0.1:8000/media"
_PLACEHOLDER_MARK = "placeholder"
NOT_AN_IMAGE = "not-an-image"

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
)
_CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}


@dataclass(frozen=True, slots=True)
class StoredImage:
    """A re-hosted image: its object key, public URL and where it came from."""

    key: str
    url: str
    source: str | None
    placeholder: bool


def image_extension(data: bytes) -> str | None:
    """``png``/``jpg``/``gif``/``webp`` when the bytes start like that format, else ``None``."""
    for signature, extension in _SIGNATURES:
        if data.startswith(signature):
            return extension
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


class ImageStore:
    """Re-hosts product images in the object store; thread-safe, shared by a process."""

    def __init__(
        self,
        settings: StorageSettings,
        *,
        http: httpx.Client | None = None,
        store: ObjectStore | None = None,
    ) -> None:
        self._settings = settings
        self._store = store if store is not None else build_object_store(settings)
        self._base_url = (settings.media_public_base_url or LOCAL_MEDIA_BASE_URL).rstrip("/")
        self._http = http or httpx.Client(
            timeout=httpx.Timeout(settings.image_download_timeout_s), follow_redirects=True
        )
        self._placeholder: StoredImage | None = None
        self._locks = [threading.Lock() for _ in range(64)]

    def close(self) -> None:
        """Close the download connection pool."""
        self._http.close()

    def public_url(self, key: str) -> str:
        """The URL Shopify (and browsers) fetch an object from."""
        return f"{self._base_url}/{quote(key)}"

    def rehost(self, image_url: str | None, thumbnail_url: str | None = None) -> StoredImage:
        """The stored image for a product: Boeing's image, else its thumbnail, else the placeholder."""
        for source in (image_url, thumbnail_url):
            if not source or not _is_http_url(source):
                continue
            known = self._indexed(source)
            if known is None:
                # Single flight per URL within the process: variants of one part share an image and are often
                # published at the same moment; the first downloads, the others find the index entry.
                with self._locks[hash(source) % len(self._locks)]:
                    known = self._indexed(source)
                    if known is None:
                        known = self._download_and_store(source)
            if isinstance(known, StoredImage):
                return known
        return self.placeholder()

    def placeholder(self) -> StoredImage:
        """The bundled placeholder, stored once under its content hash."""
        if self._placeholder is None:
            data = resources.files(FALLBACK_IMAGE_PACKAGE).joinpath(FALLBACK_IMAGE_RESOURCE).read_bytes()
            key = self._put_content(data, "png", FALLBACK_IMAGE_CONTENT_TYPE)
            self._placeholder = StoredImage(key=key, url=self.public_url(key), source=None, placeholder=True)
        return self._placeholder

    def read(self, key: str) -> bytes | None:
        """The stored bytes of ``key`` (``None`` when absent)."""
        try:
            return bytes(obstore.get(self._store, key).bytes())
        except (FileNotFoundError, obstore.exceptions.NotFoundError):
            return None

    # --- internals ------------------------------------------------------------------------------------------
    def _download_and_store(self, source: str) -> StoredImage | str | None:
        """The stored image; ``NOT_AN_IMAGE`` for a definitive non-image; None for a transient failure."""
        try:
            response = self._http.get(source)
        except httpx.HTTPError as exc:
            logger.info("image download failed for %s: %s", source, exc)
            return None
        if response.status_code >= 500 or response.status_code == 429:
            logger.info("image download of %s answered %s; not remembered", source, response.status_code)
            return None
        content_type = response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
        data = response.content
        extension = image_extension(data) if len(data) <= MAX_IMAGE_BYTES else None
        if response.status_code != 200 or not content_type.startswith("image/") or extension is None:
            logger.info(
                "%s is not an image (HTTP %s, %s); using the placeholder",
                source,
                response.status_code,
                content_type,
            )
            self._index(source, _PLACEHOLDER_MARK)
            return NOT_AN_IMAGE
        key = self._put_content(data, extension, _CONTENT_TYPES[extension])
        self._index(source, key)
        return StoredImage(key=key, url=self.public_url(key), source=source, placeholder=False)

    def _indexed(self, source: str) -> StoredImage | str | None:
        """What the index knows of ``source``: its image, ``NOT_AN_IMAGE``, or None (never seen)."""
        raw = self.read(_index_key(source))
        if raw is None:
            return None
        key = raw.decode("utf-8", "replace").strip()
        if key == _PLACEHOLDER_MARK:
            return NOT_AN_IMAGE
        if not key or not self.exists(key):
            return None
        return StoredImage(key=key, url=self.public_url(key), source=source, placeholder=False)

    def exists(self, key: str) -> bool:
        """Whether an object exists under ``key``."""
        try:
            obstore.head(self._store, key)
            return True
        except (FileNotFoundError, obstore.exceptions.NotFoundError):
            return False

    def _index(self, source: str, key: str) -> None:
        self._put(_index_key(source), key.encode("utf-8"), "text/plain", overwrite=True)

    def _put_content(self, data: bytes, extension: str, content_type: str) -> str:
        key = f"images/{hashlib.sha256(data).hexdigest()}.{extension}"
        self._put(key, data, content_type, overwrite=False)
        return key

    def _put(self, key: str, data: bytes, content_type: str, *, overwrite: bool) -> None:
        options: dict[str, Any] = {"mode": "overwrite" if overwrite else "create"}
        if not isinstance(self._store, LocalStore):
            options["attributes"] = {"Content-Type": content_type}
        # Content-addressed: an existing object already holds these bytes.
        with contextlib.suppress(obstore.exceptions.AlreadyExistsError):
            obstore.put(self._store, key, data, **options)


def build_object_store(settings: StorageSettings) -> ObjectStore:
    """The obstore store named by ``STORAGE_URL`` (a local directory by default in the local profile)."""
    url = settings.storage_url
    if not url:
        raise RuntimeError("STORAGE_URL must be set to store product images")
    if url.startswith("file://"):
        return LocalStore(prefix=urlsplit(url).path, mkdir=True)
    if url.startswith(("s3://", "s3a://")):
        config: dict[str, Any] = {"region": settings.storage_region}
        if settings.storage_access_key_id:
            config["access_key_id"] = settings.storage_access_key_id
        if settings.storage_secret_access_key:
            config["secret_access_key"] = settings.storage_secret_access_key
        if settings.storage_endpoint_url:
            config["endpoint"] = settings.storage_endpoint_url
            config["virtual_hosted_style_request"] = False
        return S3Store.from_url(url, config=config)  # type: ignore[arg-type]
    return from_url(url)


def _index_key(source: str) -> str:
    return f"sources/{hashlib.sha256(source.encode('utf-8')).hexdigest()}"


def _is_http_url(value: str) -> bool:
    return urlsplit(value).scheme in ("http", "https")
