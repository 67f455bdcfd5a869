"""productSet: locate (identifier/id/create), validate the whole input, then apply atomically."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLResolveInfo

from ..models import Product, Variant, gid
from ..store import Store
from .common import (
    APP_NAMESPACE,
    MAX_QUANTITY,
    CheckedMetafield,
    MetafieldProblem,
    RequestContext,
    check_metafield,
    check_source,
    handle_from_title,
    is_negative,
    normalize_handle,
    user_error,
)
from .product_set_apply import apply_product_set

MAX_OPTIONS = 3
MAX_VARIANTS = 2048


@dataclass
class VariantPlan:
    """One validated variant input and the existing variant it updates (None = create)."""

    data: dict[str, Any]
    existing: Variant | None
    option_values: list[tuple[str, str]]
    metafields: list[CheckedMetafield] | None


@dataclass
class ProductSetPlan:
    """Everything productSet will write, decided before any write happens."""

    product: Product | None
    handle: str | None
    data: dict[str, Any]
    options: list[tuple[str, list[str]]] | None = None
    variants: list[VariantPlan] | None = None
    metafields: list[CheckedMetafield] | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)

    def fail(self, path: list[Any], message: str, code: str) -> None:
        self.errors.append(user_error(path, message, code))


def resolve_product_set(
    _root: Any,
    info: GraphQLResolveInfo[RequestContext],
    input: dict[str, Any],
    identifier: dict[str, Any] | None = None,
    **kw: Any,
) -> dict[str, Any]:
    """Create or update one product from the full desired state."""
    ctx: RequestContext = info.context
    store = ctx.store
    plan = _locate(store, identifier or {}, input)
    if not plan.errors:
        _check_product(store, plan)
        _check_options_and_variants(store, plan)
        _check_metafields(store, plan)
        _check_files(plan)
    product = None
    if not plan.errors:
        created = (
            sum(1 for v in plan.variants or [] if v.existing is None) if plan.variants is not None else 0
        )
        if plan.product is None and plan.variants is None:
            created = 1  # the default variant
        ctx.reserve_variants(created)
        product = apply_product_set(store, ctx, plan)
    if kw.get("synchronous", True) is False:
        operation = {
            "id": gid("ProductSetOperation", store.next_num("ProductSetOperation")),
            "status": "COMPLETE",
            "product": product,
            "userErrors": plan.errors,
        }
        return {"product": None, "productSetOperation": operation, "userErrors": []}
    return {"product": product, "productSetOperation": None, "userErrors": plan.errors}


def _locate(store: Store, identifier: dict[str, Any], data: dict[str, Any]) -> ProductSetPlan:
    plan = ProductSetPlan(product=None, handle=None, data=data)
    given = [name for name in ("id", "handle", "customId") if identifier.get(name) is not None]
    if len(given) > 1:
        plan.fail(["identifier"], "Only one of id, handle or customId can be provided.", "INVALID_INPUT")
        return plan
    if given and data.get("id") is not None:
        plan.fail(["input", "id"], "The id field is not allowed if identifier is provided.", "ID_NOT_ALLOWED")
        return plan
    input_handle = data.get("handle")
    if "id" in given:
        plan.product = store.product_by_gid(identifier["id"])
        if plan.product is None:
            plan.fail(["identifier", "id"], "Resource matching the identifier was not found.", "NOT_FOUND")
    elif "handle" in given:
        wanted = identifier["handle"]
        if input_handle is not None and input_handle != wanted:
            plan.fail(
                ["input", "handle"],
                "The identifier value does not match the value of the corresponding field in the input.",
                "INPUT_MISMATCH",
            )
            return plan
        plan.handle = normalize_handle(wanted)
        plan.product = store.product_by_handle(plan.handle)
    elif "customId" in given:
        _locate_by_custom_id(store, plan, identifier["customId"], data)
    elif data.get("id") is not None:
        plan.product = store.product_by_gid(data["id"])
        if plan.product is None:
            plan.fail(["input", "id"], "Product does not exist", "PRODUCT_DOES_NOT_EXIST")
    return plan


def _locate_by_custom_id(
    store: Store, plan: ProductSetPlan, custom: dict[str, Any], data: dict[str, Any]
) -> None:
    namespace = custom.get("namespace") or APP_NAMESPACE
    key, value = custom["key"], custom["value"]
    definition = store.definition("PRODUCT", namespace, key)
    if definition is None or not definition.unique_values:
        plan.fail(
            ["identifier", "customId"],
            f"The metafield definition {namespace}.{key} does not exist for products or does not have "
            "the uniqueValues capability enabled.",
            "INVALID_INPUT",
        )
        return
    present = any(
        (mf.get("namespace") or APP_NAMESPACE) == namespace
        and mf.get("key") == key
        and mf.get("value") == value
        for mf in data.get("metafields") or []
    )
    if not present:
        plan.fail(
            ["input", "metafields"],
            "The input argument metafields must contain the identifier's metafield with the same value.",
            "METAFIELD_MISMATCH",
        )
        return
    owners = store.owners_with_value("Product", namespace, key, value)
    plan.product = store.products[min(owners)] if owners else None


def _check_product(store: Store, plan: ProductSetPlan) -> None:
    data, product = plan.data, plan.product
    title = data.get("title")
    if (product is None and not title) or (title is not None and not title.strip()):
        plan.fail(["input", "title"], "Title can't be blank", "INVALID_PRODUCT")
    explicit = data.get("handle")
    if explicit is not None:
        handle = normalize_handle(explicit)
        if not handle:
            plan.fail(["input", "handle"], "Handle can't be blank", "INVALID_PRODUCT")
            return
        plan.handle = handle
    if plan.handle is not None:
        holder = store.product_by_handle(plan.handle)
        if holder is not None and holder is not product:
            plan.fail(
                ["input", "handle"],
                f"Handle '{plan.handle}' already in use. Please provide a new handle.",
                "HANDLE_NOT_UNIQUE",
            )
    elif product is None:
        plan.handle = store.unique_handle(handle_from_title(title or ""))
    category = data.get("category")
    if category is not None and not str(category).startswith("gid://shopify/TaxonomyCategory/"):
        plan.fail(["input", "category"], "Category is not a valid taxonomy category.", "INVALID_PRODUCT")


def _check_options(plan: ProductSetPlan) -> list[tuple[str, list[str]]] | None:
    raw = plan.data.get("productOptions")
    if raw is None:
        return None
    if len(raw) > MAX_OPTIONS:
        plan.fail(
            ["input", "productOptions"], "Can only specify a maximum of 3 options", "OPTIONS_OVER_LIMIT"
        )
    options: list[tuple[str, list[str]]] = []
    for i, option in enumerate(raw):
        name = (option.get("name") or "").strip()
        values = [(v.get("name") or "").strip() for v in option.get("values") or []]
        path = ["input", "productOptions", i]
        if not name:
            plan.fail([*path, "name"], "Option name can't be blank", "INVALID_INPUT")
        elif any(name.lower() == other.lower() for other, _ in options):
            plan.fail([*path, "name"], f"Duplicated option name '{name}'", "DUPLICATED_OPTION_NAME")
        if not values or any(not v for v in values):
            plan.fail([*path, "values"], "Option values can't be blank", "OPTION_VALUES_MISSING")
        elif len({v.lower() for v in values}) != len(values):
            plan.fail([*path, "values"], "Duplicated option value", "DUPLICATED_OPTION_VALUE")
        options.append((name, values))
    return options


def _check_options_and_variants(store: Store, plan: ProductSetPlan) -> None:
    options = _check_options(plan)
    plan.options = options
    variants = plan.data.get("variants")
    product = plan.product
    if variants is None:
        if options is not None and product is not None:
            current = [(o.name, [v for _, v in o.values]) for o in product.options]
            if current != options:
                plan.fail(
                    ["input", "variants"],
                    "Variants are required when options change",
                    "VARIANTS_INPUT_MISSING",
                )
        return
    if options is None:
        if product is None:
            msg = "Product options input is required when variants are provided"
            plan.fail(["input", "productOptions"], msg, "PRODUCT_OPTIONS_INPUT_MISSING")
            return
        options = [(o.name, [v for _, v in o.values]) for o in product.options]
    if len(variants) > MAX_VARIANTS:
        plan.fail(["input", "variants"], f"Can only specify {MAX_VARIANTS} variants", "VARIANTS_OVER_LIMIT")
        return
    own = {num: store.variants[num] for num in product.variant_nums} if product else {}
    by_options = {tuple(v.option_values): v for v in own.values()}
    plans: list[VariantPlan] = []
    seen: set[tuple[tuple[str, str], ...]] = set()
    for i, data in enumerate(variants):
        path = ["input", "variants", i]
        chosen = _variant_options(plan, options, data.get("optionValues") or [], path)
        if chosen is None:
            continue
        if tuple(chosen) in seen:
            plan.fail(
                [*path, "optionValues"], "The variant already exists with these options.", "INVALID_VARIANT"
            )
        seen.add(tuple(chosen))
        existing = None
        if data.get("id") is not None:
            existing = store.variant_by_gid(data["id"])
            if existing is None or existing.num not in own:
                plan.fail([*path, "id"], "Product variant does not exist", "PRODUCT_VARIANT_DOES_NOT_EXIST")
                continue
        else:
            existing = by_options.get(tuple(chosen))
        _check_variant_values(store, plan, data, path)
        metafields = None
        if data.get("metafields") is not None:
            owner = existing.num if existing else None
            metafields = _checked_list(
                store, plan, "PRODUCTVARIANT", owner, data["metafields"], [*path, "metafields"]
            )
        plans.append(VariantPlan(data, existing, chosen, metafields))
    claimed = [p.existing.num for p in plans if p.existing is not None]
    if len(claimed) != len(set(claimed)):
        plan.fail(["input", "variants"], "The same variant is listed more than once.", "INVALID_VARIANT")
    plan.variants = plans


def _variant_options(
    plan: ProductSetPlan, options: list[tuple[str, list[str]]], raw: list[dict[str, Any]], path: list[Any]
) -> list[tuple[str, str]] | None:
    chosen: dict[str, str] = {}
    ok = True
    for j, entry in enumerate(raw):
        name, value = entry.get("optionName"), entry.get("name")
        match = next((o for o in options if name is not None and o[0].lower() == name.lower()), None)
        if match is None:
            plan.fail([*path, "optionValues", j], f"Option '{name}' does not exist", "OPTION_DOES_NOT_EXIST")
            ok = False
            continue
        canonical = next((v for v in match[1] if value is not None and v.lower() == value.lower()), None)
        if canonical is None:
            msg = f"Option value '{value}' does not exist for option '{match[0]}'"
            plan.fail([*path, "optionValues", j], msg, "OPTION_VALUE_DOES_NOT_EXIST")
            ok = False
            continue
        chosen[match[0]] = canonical
    missing = [name for name, _ in options if name not in chosen]
    if ok and missing:
        msg = f"Option values are missing for option(s): {', '.join(missing)}"
        plan.fail([*path, "optionValues"], msg, "OPTION_VALUES_MISSING")
        ok = False
    return [(name, chosen[name]) for name, _ in options] if ok else None


def _check_variant_values(store: Store, plan: ProductSetPlan, data: dict[str, Any], path: list[Any]) -> None:
    if is_negative(data.get("price")):
        plan.fail([*path, "price"], "Price must be greater than or equal to 0", "INVALID_VARIANT")
    if is_negative(data.get("compareAtPrice")):
        plan.fail(
            [*path, "compareAtPrice"],
            "Compare at price must be greater than or equal to 0",
            "INVALID_VARIANT",
        )
    item = data.get("inventoryItem") or {}
    if is_negative(item.get("cost")):
        plan.fail(
            [*path, "inventoryItem", "cost"], "Cost must be greater than or equal to 0", "INVALID_VARIANT"
        )
    weight = (item.get("measurement") or {}).get("weight")
    if weight is not None and weight["value"] < 0:
        msg = "Weight must be greater than or equal to 0"
        plan.fail([*path, "inventoryItem", "measurement", "weight", "value"], msg, "INVALID_VARIANT")
    seen: set[tuple[str, str]] = set()
    for k, entry in enumerate(data.get("inventoryQuantities") or []):
        qpath = [*path, "inventoryQuantities", k]
        location = store.location_by_gid(entry["locationId"])
        if location is None:
            plan.fail([*qpath, "locationId"], "The specified location could not be found.", "INVALID_VARIANT")
        elif not location.is_active:
            plan.fail([*qpath, "locationId"], "The specified location is not active.", "INVALID_VARIANT")
        if entry["name"] not in ("available", "on_hand"):
            msg = "The quantity name must be either 'available' or 'on_hand'."
            plan.fail([*qpath, "name"], msg, "INVALID_VARIANT")
        if abs(entry["quantity"]) > MAX_QUANTITY:
            plan.fail(
                [*qpath, "quantity"], "The quantity can't be higher than 1,000,000,000.", "INVALID_VARIANT"
            )
        if (entry["locationId"], entry["name"]) in seen:
            plan.fail([*qpath, "locationId"], "The location is listed more than once.", "INVALID_VARIANT")
        seen.add((entry["locationId"], entry["name"]))


def _checked_list(
    store: Store,
    plan: ProductSetPlan,
    owner_type: str,
    owner: int | None,
    raw: list[dict[str, Any]],
    path: list[Any],
) -> list[CheckedMetafield]:
    checked: list[CheckedMetafield] = []
    for i, data in enumerate(raw):
        result = check_metafield(store, owner_type, owner, data)
        if isinstance(result, MetafieldProblem):
            code = "CAPABILITY_VIOLATION" if result.kind == "taken" else "INVALID_METAFIELD"
            plan.fail([*path, i, result.field], result.message, code)
            continue
        if any((m.namespace, m.key) == (result.namespace, result.key) for m in checked):
            msg = f"The metafield {result.namespace}.{result.key} is listed more than once."
            plan.fail([*path, i, "key"], msg, "INVALID_METAFIELD")
            continue
        checked.append(result)
    return checked


def _check_metafields(store: Store, plan: ProductSetPlan) -> None:
    raw = plan.data.get("metafields")
    if raw is not None:
        owner = plan.product.num if plan.product else None
        plan.metafields = _checked_list(store, plan, "PRODUCT", owner, raw, ["input", "metafields"])


def _check_files(plan: ProductSetPlan) -> None:
    for i, entry in enumerate(plan.data.get("files") or []):
        if entry.get("id") is not None and not entry.get("originalSource"):
            known = plan.product is not None and any(
                gid("MediaImage", num) == entry["id"] for num in plan.product.file_nums
            )
            if not known:
                plan.fail(["input", "files", i, "id"], "File does not exist", "INVALID_INPUT")
            continue
        problem = check_source(entry.get("originalSource"))
        if problem:
            plan.fail(["input", "files", i, "originalSource"], problem, "INVALID_INPUT")
