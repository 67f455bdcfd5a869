"""In-memory entities of the emulated store; ids are plain integers, GIDs are derived."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

GID_PREFIX = "gid://shopify/"
# Large id base so clients never get away with assuming small or 32-bit ids.
ID_BASE = 1_000_000_000_000


def gid(kind: str, num: int) -> str:
    """Global id of an entity."""
    return f"{GID_PREFIX}{kind}/{num}"


def parse_gid(value: object, kind: str) -> int | None:
    """Numeric id inside a GID of the given kind, or None when it is not one."""
    if not isinstance(value, str) or not value.startswith(GID_PREFIX):
        return None
    rest = value[len(GID_PREFIX) :]
    found_kind, _, num = rest.partition("/")
    num = num.split("?", 1)[0]
    if found_kind != kind or not num.isdigit():
        return None
    return int(num)


@dataclass(slots=True)
class Location:
    """A store location (inventory is stocked per location)."""

    num: int
    name: str
    is_active: bool = True
    fulfills_online_orders: bool = True

    @property
    def id(self) -> str:
        """Global id."""
        return gid("Location", self.num)


@dataclass(slots=True)
class Metafield:
    """A metafield owned by a product or a variant."""

    num: int
    owner_kind: str  # "Product" | "ProductVariant"
    owner_num: int
    namespace: str
    key: str
    type: str
    value: str
    created_at: float
    updated_at: float

    @property
    def id(self) -> str:
        """Global id."""
        return gid("Metafield", self.num)

    @property
    def owner_type(self) -> str:
        """MetafieldOwnerType of the owner."""
        return "PRODUCT" if self.owner_kind == "Product" else "PRODUCTVARIANT"


@dataclass(slots=True)
class MetafieldDefinition:
    """A metafield definition: type, validations and capabilities for namespace.key."""

    num: int
    name: str
    namespace: str
    key: str
    type: str
    owner_type: str  # MetafieldOwnerType value
    unique_values: bool = False
    admin_filterable: bool = False
    smart_collection_condition: bool = False
    validations: list[dict[str, str]] = field(default_factory=list)
    description: str | None = None
    pinned_position: int | None = None

    @property
    def id(self) -> str:
        """Global id."""
        return gid("MetafieldDefinition", self.num)


@dataclass(slots=True)
class MediaFile:
    """A file attached to a product (MediaImage for images), with its processing status."""

    num: int
    product_num: int
    original_source: str
    content_type: str  # FileContentType
    alt: str | None
    status: str  # UPLOADED | PROCESSING | READY | FAILED
    created_at: float
    error: str | None = None

    @property
    def id(self) -> str:
        """Global id."""
        kind = "MediaImage" if self.content_type == "IMAGE" else "GenericFile"
        return gid(kind, self.num)


@dataclass(slots=True)
class InventoryLevel:
    """Quantities of one inventory item at one location."""

    num: int
    item_num: int
    location_num: int
    quantities: dict[str, int]
    created_at: float
    updated_at: float

    @property
    def id(self) -> str:
        """Global id."""
        return f"{gid('InventoryLevel', self.num)}?inventory_item_id={self.item_num}"


@dataclass(slots=True)
class InventoryItem:
    """The inventory item of a variant: cost, tracking, weight and levels."""

    num: int
    variant_num: int
    cost: Decimal | None
    tracked: bool
    requires_shipping: bool
    weight: tuple[float, str] | None  # (value, WeightUnit)
    harmonized_system_code: str | None
    created_at: float
    updated_at: float
    levels: dict[int, InventoryLevel] = field(default_factory=dict)  # location num -> level

    @property
    def id(self) -> str:
        """Global id."""
        return gid("InventoryItem", self.num)


@dataclass(slots=True)
class Variant:
    """A product variant."""

    num: int
    product_num: int
    item_num: int
    sku: str | None
    price: Decimal
    option_values: list[tuple[str, str]]  # (option name, value name)
    created_at: float
    updated_at: float
    compare_at_price: Decimal | None = None
    barcode: str | None = None
    taxable: bool = True
    inventory_policy: str = "DENY"
    position: int = 1

    @property
    def id(self) -> str:
        """Global id."""
        return gid("ProductVariant", self.num)


@dataclass(slots=True)
class ProductOption:
    """A product option with its values."""

    num: int
    name: str
    values: list[tuple[int, str]]  # (option value num, name)


@dataclass(slots=True)
class Product:
    """A product; variants, files and metafields are referenced by id."""

    num: int
    handle: str
    title: str
    created_at: float
    updated_at: float
    description_html: str = ""
    vendor: str = ""
    product_type: str = ""
    tags: list[str] = field(default_factory=list)
    category: str | None = None
    status: str = "ACTIVE"
    options: list[ProductOption] = field(default_factory=list)
    variant_nums: list[int] = field(default_factory=list)
    file_nums: list[int] = field(default_factory=list)

    @property
    def id(self) -> str:
        """Global id."""
        return gid("Product", self.num)


@dataclass(slots=True)
class InventoryChange:
    """One quantity change inside an adjustment group."""

    name: str
    delta: int
    quantity_after: int
    item_num: int
    location_num: int


@dataclass(slots=True)
class AdjustmentGroup:
    """The result of one inventorySetQuantities call."""

    num: int
    created_at: float
    reason: str
    reference_document_uri: str | None
    changes: list[InventoryChange]

    @property
    def id(self) -> str:
        """Global id."""
        return gid("InventoryAdjustmentGroup", self.num)


@dataclass(slots=True)
class IdempotencyRecord:
    """What an idempotency key was first used for, and the result it produced."""

    fingerprint: str
    group_num: int | None
    user_errors: list[dict[str, Any]]
    created_at: float
