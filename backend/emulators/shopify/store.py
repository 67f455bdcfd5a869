"""The emulated store: entity tables, O(1) lookup indexes and the write primitives resolvers use."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from .clock import VirtualClock
from .models import (
    ID_BASE,
    AdjustmentGroup,
    IdempotencyRecord,
    InventoryItem,
    InventoryLevel,
    Location,
    MediaFile,
    Metafield,
    MetafieldDefinition,
    Product,
    Variant,
    parse_gid,
)
from .search import SearchIndex, product_doc, variant_doc

# Shopify location names from the deployment's location map; deliberately no "Germany CSC".
SEED_LOCATIONS = (
    (1, "Dallas Central", True),
    (2, "Chicago Warehouse", True),
    (3, "Miami, FL", True),
    (4, "Shop location", True),
    (5, "Old Warehouse", False),
)
QUANTITY_NAMES = (
    "available",
    "on_hand",
    "committed",
    "reserved",
    "incoming",
    "damaged",
    "quality_control",
    "safety_stock",
)

OwnerKey = tuple[str, int]  # ("Product" | "ProductVariant", num)


class Store:
    """All mutable store data of one emulator instance."""

    def __init__(self, clock: VirtualClock, search_lag_s: float = 0.0) -> None:
        self.clock = clock
        self.search = SearchIndex(clock, search_lag_s)
        self.generation = 0
        self.reset()

    def reset(self) -> None:
        """Empty the store and re-seed the locations."""
        self.generation += 1
        self.locations: dict[int, Location] = {}
        self.products: dict[int, Product] = {}
        self.variants: dict[int, Variant] = {}
        self.items: dict[int, InventoryItem] = {}
        self.files: dict[int, MediaFile] = {}
        self.metafields: dict[int, Metafield] = {}
        self.owner_metafields: dict[OwnerKey, dict[tuple[str, str], Metafield]] = defaultdict(dict)
        self.definitions: dict[tuple[str, str, str], MetafieldDefinition] = {}
        self.groups: dict[int, AdjustmentGroup] = {}
        self.idempotency: dict[str, IdempotencyRecord] = {}
        self.variants_created_by_day: dict[int, int] = defaultdict(int)
        self.handle_index: dict[str, int] = {}
        self.sku_index: dict[str, set[int]] = defaultdict(set)
        self.value_index: dict[tuple[str, str, str, str], set[int]] = defaultdict(set)
        self._seq: dict[str, int] = {}
        self.search.clear()
        for num, name, active in SEED_LOCATIONS:
            self.locations[num] = Location(num=num, name=name, is_active=active)

    # ids -----------------------------------------------------------------------------------------
    def next_num(self, kind: str) -> int:
        """Next id of a kind: stable sequence from a large base, restarted by reset."""
        value = self._seq.get(kind, ID_BASE) + 1
        self._seq[kind] = value
        return value

    def next_location_num(self) -> int:
        """Locations keep small ids, like the seeded ones."""
        return max(self.locations, default=0) + 1

    # lookups -------------------------------------------------------------------------------------
    def product_by_gid(self, value: object) -> Product | None:
        """Product for a Product GID."""
        num = parse_gid(value, "Product")
        return self.products.get(num) if num is not None else None

    def variant_by_gid(self, value: object) -> Variant | None:
        """Variant for a ProductVariant GID."""
        num = parse_gid(value, "ProductVariant")
        return self.variants.get(num) if num is not None else None

    def item_by_gid(self, value: object) -> InventoryItem | None:
        """Inventory item for an InventoryItem GID."""
        num = parse_gid(value, "InventoryItem")
        return self.items.get(num) if num is not None else None

    def location_by_gid(self, value: object) -> Location | None:
        """Location for a Location GID."""
        num = parse_gid(value, "Location")
        return self.locations.get(num) if num is not None else None

    def product_by_handle(self, handle: str) -> Product | None:
        """Product whose handle equals `handle` (case-insensitive)."""
        num = self.handle_index.get(handle.lower())
        return self.products.get(num) if num is not None else None

    def owners_with_value(self, kind: str, namespace: str, key: str, value: str) -> set[int]:
        """Owners of a kind holding metafield namespace.key == value."""
        return self.value_index.get((kind, namespace, key, value), set())

    def definition(self, owner_type: str, namespace: str, key: str) -> MetafieldDefinition | None:
        """Metafield definition for an owner type and namespace.key."""
        return self.definitions.get((owner_type, namespace, key))

    def product_variants(self, product: Product) -> list[Variant]:
        """Variants of a product in position order."""
        return [self.variants[num] for num in product.variant_nums]

    def metafields_of(self, kind: str, num: int) -> dict[tuple[str, str], Metafield]:
        """Metafields of an owner keyed by (namespace, key)."""
        return self.owner_metafields.get((kind, num), {})

    # products ------------------------------------------------------------------------------------
    def create_product(self, handle: str, title: str) -> Product:
        """Insert an empty product with a unique handle."""
        now = self.clock.now()
        product = Product(
            num=self.next_num("Product"), handle=handle, title=title, created_at=now, updated_at=now
        )
        self.products[product.num] = product
        self.handle_index[handle.lower()] = product.num
        return product

    def set_handle(self, product: Product, handle: str) -> None:
        """Change a product's handle and its index entry."""
        if self.handle_index.get(product.handle.lower()) == product.num:
            del self.handle_index[product.handle.lower()]
        product.handle = handle
        self.handle_index[handle.lower()] = product.num

    def unique_handle(self, base: str) -> str:
        """`base`, or `base-1`, `base-2`... whichever is free (Shopify's handle de-duplication)."""
        candidate, n = base, 0
        while candidate.lower() in self.handle_index:
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    def delete_product(self, product: Product) -> None:
        """Remove a product with its variants, inventory, metafields and files."""
        for num in list(product.variant_nums):
            self.delete_variant(self.variants[num])
        for mf in list(self.metafields_of("Product", product.num).values()):
            self.delete_metafield(mf)
        self.owner_metafields.pop(("Product", product.num), None)
        for num in product.file_nums:
            self.files.pop(num, None)
        if self.handle_index.get(product.handle.lower()) == product.num:
            del self.handle_index[product.handle.lower()]
        del self.products[product.num]
        self.search.remove("Product", product.num)

    def reindex(self, product: Product) -> None:
        """Refresh the search documents of a product and its variants after a write."""
        product.updated_at = self.clock.now()
        variants = self.product_variants(product)
        self.search.put("Product", product.num, product_doc(product, variants))
        for variant in variants:
            self.search.put("ProductVariant", variant.num, variant_doc(variant, product))

    # variants and inventory ----------------------------------------------------------------------
    def create_variant(
        self, product: Product, sku: str | None, price: Decimal, options: list[tuple[str, str]]
    ) -> Variant:
        """Append a variant (and its inventory item) to a product."""
        now = self.clock.now()
        item = InventoryItem(
            num=self.next_num("InventoryItem"),
            variant_num=0,
            cost=None,
            tracked=False,
            requires_shipping=True,
            weight=None,
            harmonized_system_code=None,
            created_at=now,
            updated_at=now,
        )
        variant = Variant(
            num=self.next_num("ProductVariant"),
            product_num=product.num,
            item_num=item.num,
            sku=None,
            price=price,
            option_values=list(options),
            created_at=now,
            updated_at=now,
        )
        item.variant_num = variant.num
        self.items[item.num] = item
        self.variants[variant.num] = variant
        product.variant_nums.append(variant.num)
        self.set_sku(variant, sku)
        self.variants_created_by_day[self.clock.day(now)] += 1
        return variant

    def set_sku(self, variant: Variant, sku: str | None) -> None:
        """Change a variant's SKU and its index entry."""
        if variant.sku:
            bucket = self.sku_index.get(variant.sku.lower())
            if bucket is not None:
                bucket.discard(variant.num)
                if not bucket:
                    del self.sku_index[variant.sku.lower()]
        variant.sku = sku
        if sku:
            self.sku_index[sku.lower()].add(variant.num)

    def delete_variant(self, variant: Variant) -> None:
        """Remove a variant with its inventory item, levels and metafields."""
        self.set_sku(variant, None)
        for mf in list(self.metafields_of("ProductVariant", variant.num).values()):
            self.delete_metafield(mf)
        self.owner_metafields.pop(("ProductVariant", variant.num), None)
        self.items.pop(variant.item_num, None)
        product = self.products.get(variant.product_num)
        if product is not None and variant.num in product.variant_nums:
            product.variant_nums.remove(variant.num)
        del self.variants[variant.num]
        self.search.remove("ProductVariant", variant.num)

    def stock(self, item: InventoryItem, location: Location) -> InventoryLevel:
        """Inventory level of an item at a location, created (all quantities 0) when missing."""
        level = item.levels.get(location.num)
        if level is None:
            now = self.clock.now()
            level = InventoryLevel(
                num=self.next_num("InventoryLevel"),
                item_num=item.num,
                location_num=location.num,
                quantities=dict.fromkeys(QUANTITY_NAMES, 0),
                created_at=now,
                updated_at=now,
            )
            item.levels[location.num] = level
        return level

    def set_quantity(self, level: InventoryLevel, name: str, quantity: int) -> int:
        """Set `available` or `on_hand`; the other moves by the same delta. Returns the delta."""
        delta = quantity - level.quantities[name]
        level.quantities[name] = quantity
        other = "on_hand" if name == "available" else "available"
        level.quantities[other] += delta
        level.updated_at = self.clock.now()
        return delta

    # metafields ----------------------------------------------------------------------------------
    def set_metafield(
        self, kind: str, owner_num: int, namespace: str, key: str, type_: str, value: str
    ) -> Metafield:
        """Create or update the metafield namespace.key of an owner."""
        owned = self.owner_metafields[(kind, owner_num)]
        now = self.clock.now()
        mf = owned.get((namespace, key))
        if mf is None:
            mf = Metafield(
                num=self.next_num("Metafield"),
                owner_kind=kind,
                owner_num=owner_num,
                namespace=namespace,
                key=key,
                type=type_,
                value=value,
                created_at=now,
                updated_at=now,
            )
            owned[(namespace, key)] = mf
            self.metafields[mf.num] = mf
        else:
            self._unindex_value(mf)
            if (mf.type, mf.value) != (type_, value):
                mf.updated_at = now
            mf.type, mf.value = type_, value
        self.value_index[(kind, namespace, key, value)].add(owner_num)
        return mf

    def delete_metafield(self, mf: Metafield) -> None:
        """Remove one metafield."""
        self._unindex_value(mf)
        self.owner_metafields.get((mf.owner_kind, mf.owner_num), {}).pop((mf.namespace, mf.key), None)
        self.metafields.pop(mf.num, None)

    def _unindex_value(self, mf: Metafield) -> None:
        key = (mf.owner_kind, mf.namespace, mf.key, mf.value)
        owners = self.value_index.get(key)
        if owners is not None:
            owners.discard(mf.owner_num)
            if not owners:
                del self.value_index[key]

    # files ---------------------------------------------------------------------------------------
    def add_file(
        self, product: Product, source: str, content_type: str, alt: str | None, status: str
    ) -> MediaFile:
        """Attach a media file to a product."""
        media = MediaFile(
            num=self.next_num("Media"),
            product_num=product.num,
            original_source=source,
            content_type=content_type,
            alt=alt,
            status=status,
            created_at=self.clock.now(),
        )
        self.files[media.num] = media
        product.file_nums.append(media.num)
        return media

    def remove_file(self, product: Product, media: MediaFile) -> None:
        """Detach and delete a media file."""
        if media.num in product.file_nums:
            product.file_nums.remove(media.num)
        self.files.pop(media.num, None)

    # counters ------------------------------------------------------------------------------------
    def variants_created_today(self) -> int:
        """Variants created during the current virtual UTC day."""
        return self.variants_created_by_day.get(self.clock.day(), 0)

    def expire_idempotency(self, ttl_s: float) -> None:
        """Forget idempotency keys older than the retention window."""
        cutoff = self.clock.now() - ttl_s
        for key in [k for k, rec in self.idempotency.items() if rec.created_at < cutoff]:
            del self.idempotency[key]
