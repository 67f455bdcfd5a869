"""Helpers shared by the mutation resolvers: userErrors, metafield checks, handles, files."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from ..metafield_types import METAFIELD_TYPES, check_validations, check_value, valid_key, valid_namespace

if TYPE_CHECKING:
    from ..config import EmulatorConfig
    from ..models import MediaFile, Product
    from ..store import Store

APP_NAMESPACE = "$app"
MAX_QUANTITY = 1_000_000_000


class VariantLimitReached(Exception):
    """The daily variant creation limit would be exceeded: the request is answered with HTTP 429."""


@dataclass
class RuntimeSettings:
    """Settings the control API may change while the emulator runs."""

    fetch_files: bool
    search_lag_s: float
    throttle_http_status: int
    variant_threshold: int
    variant_per_day: int
    store_variant_offset: int
    plan_name: str = "standard"


@dataclass
class RequestContext:
    """Per-request state handed to every resolver as `info.context`."""

    store: Store
    settings: RuntimeSettings
    config: EmulatorConfig
    version: str
    idempotency_keys: dict[int, str] = field(default_factory=dict)  # id(field node) -> key
    new_files: list[MediaFile] = field(default_factory=list)
    user_error_codes: list[str] = field(default_factory=list)

    def reserve_variants(self, count: int) -> None:
        """Refuse the request when creating `count` variants would pass the daily limit (§4.4)."""
        s = self.settings
        if count <= 0 or s.plan_name in ("plus", "enterprise"):
            return
        total = len(self.store.variants) + s.store_variant_offset
        if total + count <= s.variant_threshold:
            return
        if self.store.variants_created_today() + count > s.variant_per_day:
            raise VariantLimitReached("Daily variant creation limit reached. Please try again later.")


def user_error(path: list[Any] | None, message: str, code: str | None = None, **extra: Any) -> dict[str, Any]:
    """A userError dict; `field` is the input path with list indexes as strings, as Shopify sends it."""
    field_path = None if path is None else [str(part) for part in path]
    result: dict[str, Any] = {"field": field_path, "message": message}
    if code is not None:
        result["code"] = code
    result.update(extra)
    return result


def is_negative(value: Decimal | None) -> bool:
    """Whether a parsed Money/Decimal is below zero."""
    return value is not None and value < 0


_HANDLE_BAD = re.compile(r"[^\w-]+", re.UNICODE)


def normalize_handle(raw: str) -> str:
    """Shopify stores handles lower-cased with runs of other characters turned into one hyphen."""
    text = unicodedata.normalize("NFKC", raw).strip().lower()
    return _HANDLE_BAD.sub("-", text).strip("-")


def handle_from_title(title: str) -> str:
    """Default handle derived from a title."""
    return normalize_handle(title) or "product"


@dataclass
class MetafieldProblem:
    """Why one metafield input was refused: kind (blank/type/value/taken/key/namespace), field, message."""

    kind: str
    field: str
    message: str


@dataclass
class CheckedMetafield:
    """A metafield input that passed every check."""

    namespace: str
    key: str
    type: str
    value: str


def check_metafield(
    store: Store, owner_type: str, owner_num: int | None, data: dict[str, Any]
) -> CheckedMetafield | MetafieldProblem:
    """Validate one metafield input (namespace/key/type/value) against types and definitions."""
    namespace = data.get("namespace") or APP_NAMESPACE
    key = data.get("key")
    if not key:
        return MetafieldProblem("blank", "key", "Key can't be blank.")
    problem = valid_key(key)
    if problem:
        return MetafieldProblem("key", "key", problem)
    if namespace != APP_NAMESPACE:
        problem = valid_namespace(namespace)
        if problem:
            return MetafieldProblem("namespace", "namespace", problem)
    definition = store.definition(owner_type, namespace, key)
    type_ = data.get("type")
    if not type_:
        if definition is None:
            return MetafieldProblem("blank", "type", "Type can't be blank.")
        type_ = definition.type
    if type_ not in METAFIELD_TYPES:
        return MetafieldProblem("type", "type", f"Type '{type_}' is not a valid metafield type.")
    if definition is not None and type_ != definition.type:
        return MetafieldProblem(
            "type", "type", f"Type must be consistent with the definition's type '{definition.type}'."
        )
    value = data.get("value")
    if value is None or value == "":
        return MetafieldProblem("blank", "value", "Value can't be blank.")
    problem = check_value(type_, value)
    if problem is None and definition is not None:
        problem = check_validations(type_, value, definition.validations)
    if problem:
        return MetafieldProblem("value", "value", problem)
    if definition is not None and definition.unique_values:
        kind = "Product" if owner_type == "PRODUCT" else "ProductVariant"
        holders = store.owners_with_value(kind, namespace, key, value) - {owner_num}
        if holders:
            return MetafieldProblem("taken", "value", "Value is already taken by another resource.")
    return CheckedMetafield(namespace, key, type_, value)


def replace_metafields(store: Store, kind: str, owner_num: int, wanted: list[CheckedMetafield]) -> None:
    """List replacement: the owner ends up with exactly `wanted` (others deleted)."""
    keep = {(mf.namespace, mf.key) for mf in wanted}
    for existing in list(store.metafields_of(kind, owner_num).values()):
        if (existing.namespace, existing.key) not in keep:
            store.delete_metafield(existing)
    for mf in wanted:
        store.set_metafield(kind, owner_num, mf.namespace, mf.key, mf.type, mf.value)


def check_source(source: Any) -> str | None:
    """Problem with a file's originalSource, or None."""
    if not source:
        return "Original source can't be blank."
    parsed = urlparse(str(source))
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        return "Original source must be a valid http(s) URL."
    return None


def attach_file(
    store: Store, ctx: RequestContext, product: Product, source: str, content_type: str, alt: str | None
) -> MediaFile:
    """Create a media file; with fetch_files on it is PROCESSING until the download decides."""
    status = "PROCESSING" if ctx.settings.fetch_files else "READY"
    media = store.add_file(product, source, content_type, alt, status)
    if ctx.settings.fetch_files:
        ctx.new_files.append(media)
    return media


def replace_files(store: Store, ctx: RequestContext, product: Product, files: list[dict[str, Any]]) -> None:
    """Files list replacement: entries matching an existing file (id or source) keep it, others are new."""
    existing = [store.files[num] for num in product.file_nums if num in store.files]
    keep: list[MediaFile] = []
    for entry in files:
        match = next((m for m in existing if entry.get("id") and m.id == entry["id"]), None)
        if match is None:
            match = next((m for m in existing if m.original_source == entry.get("originalSource")), None)
        if match is not None and match not in keep:
            if entry.get("alt") is not None:
                match.alt = entry["alt"]
            keep.append(match)
            continue
        content_type = entry.get("contentType") or "IMAGE"
        keep.append(attach_file(store, ctx, product, entry["originalSource"], content_type, entry.get("alt")))
    for media in existing:
        if media not in keep:
            store.remove_file(product, media)
    product.file_nums = [m.num for m in keep]
