"""Schema definition (SDL) of the modelled Admin API subset, with Shopify's real names, per version."""

from __future__ import annotations

_PAGING = "first: Int, after: String, last: Int, before: String, reverse: Boolean = false"

_COMMON = """
schema { query: QueryRoot mutation: Mutation }

scalar Money
scalar Decimal
scalar DateTime
scalar URL
scalar JSON
scalar HTML
scalar UnsignedInt64

enum ProductStatus { ACTIVE ARCHIVED DRAFT }
enum WeightUnit { GRAMS KILOGRAMS OUNCES POUNDS }
enum FileContentType { FILE IMAGE VIDEO }
enum MetafieldOwnerType { PRODUCT PRODUCTVARIANT }
enum MediaStatus { FAILED PROCESSING READY UPLOADED }
enum FileStatus { FAILED PROCESSING READY UPLOADED }
enum MediaContentType { EXTERNAL_VIDEO IMAGE MODEL_3D VIDEO }
enum MediaErrorCode { IMAGE_DOWNLOAD_FAILURE IMAGE_PROCESSING_FAILURE MEDIA_TIMEOUT_ERROR UNKNOWN
  UNSUPPORTED_IMAGE_FILE_TYPE }
enum ProductVariantInventoryPolicy { CONTINUE DENY }
enum CurrencyCode { CAD EUR GBP USD }
enum CountPrecision { AT_LEAST EXACT }
enum ProductOperationStatus { ACTIVE COMPLETE CREATED }
enum ProductSortKeys { CREATED_AT ID INVENTORY_TOTAL PRODUCT_TYPE RELEVANCE TITLE UPDATED_AT VENDOR }
enum ProductVariantSortKeys { ID INVENTORY_QUANTITY POSITION RELEVANCE SKU TITLE }
enum LocationSortKeys { ID NAME RELEVANCE }

enum ProductSetUserErrorCode { CANNOT_COMBINE_LINKED_AND_NONLINKED_OPTION_VALUES CAPABILITY_VIOLATION
  DUPLICATE_LINKED_OPTION DUPLICATED_METAFIELD_VALUE DUPLICATED_OPTION_NAME DUPLICATED_OPTION_VALUE
  DUPLICATED_VALUE GENERIC_ERROR GIFT_CARD_ATTRIBUTE_CANNOT_BE_CHANGED GIFT_CARDS_NOT_ACTIVATED
  HANDLE_NOT_UNIQUE ID_NOT_ALLOWED INPUT_MISMATCH INVALID_INPUT INVALID_METAFIELD
  INVALID_METAFIELD_VALUE_FOR_LINKED_OPTION INVALID_PRODUCT INVALID_VARIANT
  INVENTORY_QUANTITIES_LIMIT_EXCEEDED JOB_ERROR LINKED_METAFIELD_DEFINITION_NOT_FOUND
  LINKED_OPTIONS_NOT_SUPPORTED_FOR_SHOP METAFIELD_MISMATCH MISSING_FIELD_REQUIRED NOT_FOUND
  OPTION_DOES_NOT_EXIST OPTION_VALUE_DOES_NOT_EXIST OPTION_VALUES_MISSING OPTION_VALUES_OVER_LIMIT
  OPTIONS_OVER_LIMIT PRODUCT_DOES_NOT_EXIST PRODUCT_OPTIONS_INPUT_MISSING PRODUCT_SUSPENDED
  PRODUCT_VARIANT_DOES_NOT_EXIST VARIANTS_INPUT_MISSING VARIANTS_OVER_LIMIT }
enum ProductVariantsBulkUpdateUserErrorCode { BLANK CANNOT_SET_NAME_FOR_LINKED_OPTION_VALUE
  CANNOT_SPECIFY_BOTH GREATER_THAN_OR_EQUAL_TO INVALID_INPUT INVALID_VALUE MUST_BE_FOR_THIS_PRODUCT
  MUST_SPECIFY_ONE_OF_PAIR NEED_TO_ADD_OPTION_VALUES NEGATIVE_PRICE_VALUE
  NO_INVENTORY_QUANTITES_DURING_UPDATE NO_INVENTORY_QUANTITIES_ON_VARIANTS_UPDATE NOT_DEFINED_FOR_SHOP
  OPTION_DOES_NOT_EXIST OPTION_VALUE_DOES_NOT_EXIST OPTION_VALUES_FOR_NUMBER_OF_UNKNOWN_OPTIONS
  PRODUCT_DOES_NOT_EXIST PRODUCT_SUSPENDED PRODUCT_VARIANT_DOES_NOT_EXIST PRODUCT_VARIANT_ID_MISSING
  SUBSCRIPTION_VIOLATION VARIANT_ALREADY_EXISTS }
enum InventorySetQuantitiesUserErrorCode { CHANGE_FROM_QUANTITY_STALE COMPARE_QUANTITY_REQUIRED
  COMPARE_QUANTITY_STALE IDEMPOTENCY_CONCURRENT_REQUEST IDEMPOTENCY_KEY_PARAMETER_MISMATCH
  INVALID_INVENTORY_ITEM INVALID_LOCATION INVALID_NAME INVALID_QUANTITY_NEGATIVE INVALID_QUANTITY_TOO_HIGH
  INVALID_QUANTITY_TOO_LOW INVALID_REASON INVALID_REFERENCE_DOCUMENT ITEM_NOT_STOCKED_AT_LOCATION
  NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR NON_MUTABLE_INVENTORY_ITEM }
enum MetafieldsSetUserErrorCode { APP_NOT_AUTHORIZED BLANK CAPABILITY_VIOLATION INCLUSION INTERNAL_ERROR
  INVALID INVALID_COMPARE_DIGEST INVALID_TYPE INVALID_VALUE LESS_THAN_OR_EQUAL_TO PRESENT STALE_OBJECT
  TAKEN TOO_LONG TOO_SHORT }
enum MetafieldDefinitionCreateUserErrorCode { BLANK DUPLICATE_OPTION INCLUSION INVALID INVALID_CAPABILITY
  INVALID_CHARACTER INVALID_OPTION LIMIT_EXCEEDED PINNED_LIMIT_REACHED PRESENT RESERVED_NAMESPACE_KEY
  TAKEN TOO_LONG TOO_SHORT UNSTRUCTURED_ALREADY_EXISTS }

input ProductSetIdentifiers { id: ID handle: String customId: UniqueMetafieldValueInput }
input ProductIdentifierInput { id: ID handle: String customId: UniqueMetafieldValueInput }
input UniqueMetafieldValueInput { namespace: String key: String! value: String! }
input ProductSetInput { id: ID handle: String title: String descriptionHtml: String vendor: String
  productType: String tags: [String!] category: ID status: ProductStatus productOptions: [OptionSetInput!]
  variants: [ProductVariantSetInput!] metafields: [MetafieldInput!] files: [FileSetInput!] }
input OptionSetInput { id: ID name: String position: Int values: [OptionValueSetInput!] }
input OptionValueSetInput { id: ID name: String }
input ProductVariantSetInput { id: ID sku: String price: Money compareAtPrice: Money barcode: String
  taxable: Boolean inventoryPolicy: ProductVariantInventoryPolicy optionValues: [VariantOptionValueInput!]!
  inventoryItem: InventoryItemInput inventoryQuantities: [ProductSetInventoryInput!]
  metafields: [MetafieldInput!] }
input VariantOptionValueInput { id: ID name: String optionId: ID optionName: String }
input InventoryItemInput { sku: String cost: Decimal tracked: Boolean requiresShipping: Boolean
  harmonizedSystemCode: String measurement: InventoryItemMeasurementInput }
input InventoryItemMeasurementInput { weight: WeightInput }
input WeightInput { value: Float! unit: WeightUnit! }
input ProductSetInventoryInput { locationId: ID! name: String! quantity: Int! }
input MetafieldInput { id: ID namespace: String key: String value: String type: String }
input FileSetInput { id: ID originalSource: String contentType: FileContentType alt: String filename: String }
input ProductVariantsBulkInput { id: ID price: Money compareAtPrice: Money barcode: String taxable: Boolean
  inventoryPolicy: ProductVariantInventoryPolicy inventoryItem: InventoryItemInput
  inventoryQuantities: [InventoryLevelInput!] metafields: [MetafieldInput!] }
input InventoryLevelInput { availableQuantity: Int! locationId: ID! }
input CreateMediaInput { originalSource: String! mediaContentType: MediaContentType! alt: String }
input MetafieldsSetInput { ownerId: ID! namespace: String key: String! value: String! type: String
  compareDigest: String }
input MetafieldDefinitionInput { name: String! namespace: String key: String! type: String!
  ownerType: MetafieldOwnerType! description: String pin: Boolean
  validations: [MetafieldDefinitionValidationInput!] capabilities: MetafieldCapabilityCreateInput }
input MetafieldDefinitionValidationInput { name: String! value: String! }
input MetafieldCapabilityCreateInput { adminFilterable: MetafieldCapabilityAdminFilterableInput
  smartCollectionCondition: MetafieldCapabilitySmartCollectionConditionInput
  uniqueValues: MetafieldCapabilityUniqueValuesInput }
input MetafieldCapabilityUniqueValuesInput { enabled: Boolean! }
input MetafieldCapabilityAdminFilterableInput { enabled: Boolean! }
input MetafieldCapabilitySmartCollectionConditionInput { enabled: Boolean! }
input ProductUpdateInput { id: ID title: String handle: String descriptionHtml: String vendor: String
  productType: String tags: [String!] status: ProductStatus category: ID metafields: [MetafieldInput!] }
input ProductDeleteInput { id: ID! }

interface Node { id: ID! }
interface Media { id: ID! alt: String mediaContentType: MediaContentType! mediaErrors: [MediaError!]!
  status: MediaStatus! }

type QueryRoot {
  shop: Shop!
  locations(@PAGING, query: String, includeInactive: Boolean = false, includeLegacy: Boolean = false,
    sortKey: LocationSortKeys = NAME): LocationConnection!
  location(id: ID): Location
  product(id: ID!): Product
  productByIdentifier(identifier: ProductIdentifierInput!): Product
  products(@PAGING, query: String, sortKey: ProductSortKeys = ID): ProductConnection!
  productsCount(query: String): Count
  productVariant(id: ID!): ProductVariant
  productVariants(@PAGING, query: String, sortKey: ProductVariantSortKeys = ID): ProductVariantConnection!
  productVariantsCount(query: String): Count
  inventoryItem(id: ID!): InventoryItem
  metafieldDefinitions(ownerType: MetafieldOwnerType!, @PAGING, namespace: String, key: String):
    MetafieldDefinitionConnection!
}

type Mutation {
  productSet(identifier: ProductSetIdentifiers, input: ProductSetInput!, synchronous: Boolean = true):
    ProductSetPayload
  productVariantsBulkUpdate(productId: ID!, variants: [ProductVariantsBulkInput!]!,
    allowPartialUpdates: Boolean = false, media: [CreateMediaInput!]): ProductVariantsBulkUpdatePayload
  inventorySetQuantities(input: InventorySetQuantitiesInput!): InventorySetQuantitiesPayload
  metafieldsSet(metafields: [MetafieldsSetInput!]!): MetafieldsSetPayload
  metafieldDefinitionCreate(definition: MetafieldDefinitionInput!): MetafieldDefinitionCreatePayload
  productUpdate(product: ProductUpdateInput!, media: [CreateMediaInput!]): ProductUpdatePayload
  productDelete(input: ProductDeleteInput!, synchronous: Boolean = true): ProductDeletePayload
}

type Shop implements Node { id: ID! name: String! myshopifyDomain: String! currencyCode: CurrencyCode! }
type Count { count: Int! precision: CountPrecision! }
type PageInfo { hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String endCursor: String }
type TaxonomyCategory implements Node { id: ID! }
type MoneyV2 { amount: Decimal! currencyCode: CurrencyCode! }
type Weight { value: Float! unit: WeightUnit! }

type Product implements Node {
  id: ID! legacyResourceId: UnsignedInt64! handle: String! title: String! descriptionHtml: HTML!
  description: String! vendor: String! productType: String! tags: [String!]! status: ProductStatus!
  category: TaxonomyCategory createdAt: DateTime! updatedAt: DateTime! totalInventory: Int!
  tracksInventory: Boolean! hasOnlyDefaultVariant: Boolean! options(first: Int): [ProductOption!]!
  variants(@PAGING): ProductVariantConnection! variantsCount: Count media(@PAGING): MediaConnection!
  metafield(namespace: String, key: String!): Metafield
  metafields(@PAGING, namespace: String, keys: [String!]): MetafieldConnection!
}
type ProductOption implements Node { id: ID! name: String! position: Int! values: [String!]!
  optionValues: [ProductOptionValue!]! }
type ProductOptionValue implements Node { id: ID! name: String! hasVariants: Boolean! }
type SelectedOption { name: String! value: String! }
type ProductVariant implements Node {
  id: ID! legacyResourceId: UnsignedInt64! sku: String price: Money! compareAtPrice: Money barcode: String
  title: String! displayName: String! position: Int! taxable: Boolean!
  inventoryPolicy: ProductVariantInventoryPolicy! inventoryQuantity: Int availableForSale: Boolean!
  inventoryItem: InventoryItem! product: Product! selectedOptions: [SelectedOption!]!
  createdAt: DateTime! updatedAt: DateTime! metafield(namespace: String, key: String!): Metafield
  metafields(@PAGING, namespace: String, keys: [String!]): MetafieldConnection!
}
type InventoryItem implements Node {
  id: ID! legacyResourceId: UnsignedInt64! sku: String tracked: Boolean! requiresShipping: Boolean!
  unitCost: MoneyV2 measurement: InventoryItemMeasurement! harmonizedSystemCode: String
  variant: ProductVariant! createdAt: DateTime! updatedAt: DateTime!
  inventoryLevels(@PAGING): InventoryLevelConnection! inventoryLevel(locationId: ID!): InventoryLevel
}
type InventoryItemMeasurement implements Node { id: ID! weight: Weight }
type InventoryLevel implements Node { id: ID! item: InventoryItem! location: Location!
  quantities(names: [String!]!): [InventoryQuantity!]! createdAt: DateTime! updatedAt: DateTime! }
type InventoryQuantity { id: ID! name: String! quantity: Int! updatedAt: DateTime }
type Location implements Node { id: ID! legacyResourceId: UnsignedInt64! name: String! isActive: Boolean!
  fulfillsOnlineOrders: Boolean! hasActiveInventory: Boolean!
  inventoryLevel(inventoryItemId: ID!): InventoryLevel }
type Metafield implements Node { id: ID! legacyResourceId: UnsignedInt64! namespace: String! key: String!
  value: String! type: String! jsonValue: JSON! ownerType: MetafieldOwnerType! compareDigest: String!
  createdAt: DateTime! updatedAt: DateTime! definition: MetafieldDefinition }
type MetafieldDefinition implements Node { id: ID! name: String! namespace: String! key: String!
  description: String type: MetafieldDefinitionType! ownerType: MetafieldOwnerType!
  capabilities: MetafieldCapabilities! validations: [MetafieldDefinitionValidation!]!
  pinnedPosition: Int metafieldsCount: Int! }
type MetafieldDefinitionType { name: String! category: String! }
type MetafieldDefinitionValidation { name: String! type: String! value: String }
type MetafieldCapabilities { adminFilterable: MetafieldCapabilityAdminFilterable!
  smartCollectionCondition: MetafieldCapabilitySmartCollectionCondition!
  uniqueValues: MetafieldCapabilityUniqueValues! }
type MetafieldCapabilityAdminFilterable { enabled: Boolean! }
type MetafieldCapabilitySmartCollectionCondition { enabled: Boolean! }
type MetafieldCapabilityUniqueValues { enabled: Boolean! }
type MediaImage implements Media & Node { id: ID! alt: String mediaContentType: MediaContentType!
  mediaErrors: [MediaError!]! status: MediaStatus! fileStatus: FileStatus! image: Image
  originalSource: MediaImageOriginalSource createdAt: DateTime! }
type Image { id: ID url: URL! altText: String width: Int height: Int }
type MediaImageOriginalSource { url: String fileSize: Int }
type MediaError { code: MediaErrorCode! details: String message: String! }

type ProductSetPayload { product: Product productSetOperation: ProductSetOperation
  userErrors: [ProductSetUserError!]! }
type ProductSetOperation implements Node { id: ID! status: ProductOperationStatus! product: Product
  userErrors: [ProductSetUserError!]! }
type ProductSetUserError { code: ProductSetUserErrorCode field: [String!] message: String! }
type ProductVariantsBulkUpdatePayload { product: Product productVariants: [ProductVariant!]
  userErrors: [ProductVariantsBulkUpdateUserError!]! }
type ProductVariantsBulkUpdateUserError { code: ProductVariantsBulkUpdateUserErrorCode field: [String!]
  message: String! }
type InventorySetQuantitiesPayload { inventoryAdjustmentGroup: InventoryAdjustmentGroup
  userErrors: [InventorySetQuantitiesUserError!]! }
type InventorySetQuantitiesUserError { code: InventorySetQuantitiesUserErrorCode field: [String!]
  message: String! }
type InventoryAdjustmentGroup implements Node { id: ID! createdAt: DateTime! reason: String!
  referenceDocumentUri: String
  changes(inventoryItemIds: [ID!], locationIds: [ID!], quantityNames: [String!]): [InventoryChange!]! }
type InventoryChange { name: String! delta: Int! quantityAfterChange: Int item: InventoryItem
  location: Location ledgerDocumentUri: URL }
type MetafieldsSetPayload { metafields: [Metafield!] userErrors: [MetafieldsSetUserError!]! }
type MetafieldsSetUserError { code: MetafieldsSetUserErrorCode elementIndex: Int field: [String!]
  message: String! }
type MetafieldDefinitionCreatePayload { createdDefinition: MetafieldDefinition
  userErrors: [MetafieldDefinitionCreateUserError!]! }
type MetafieldDefinitionCreateUserError { code: MetafieldDefinitionCreateUserErrorCode elementIndex: Int
  field: [String!] message: String! }
type ProductUpdatePayload { product: Product userErrors: [UserError!]! }
type ProductDeletePayload { deletedProductId: ID shop: Shop! userErrors: [UserError!]! }
type UserError { field: [String!] message: String! }
"""

_CONNECTIONS = (
    "Product",
    "ProductVariant",
    "Location",
    "Metafield",
    "MetafieldDefinition",
    "InventoryLevel",
    "Media",
)


def _connection_types() -> str:
    parts = []
    for node in _CONNECTIONS:
        parts.append(
            f"type {node}Connection {{ edges: [{node}Edge!]! nodes: [{node}!]! pageInfo: PageInfo! }}\n"
            f"type {node}Edge {{ cursor: String! node: {node}! }}"
        )
    return "\n".join(parts)


def version_at_least(version: str, floor: str) -> bool:
    """Whether an API version (YYYY-MM) is at or after another."""
    return version >= floor


def build_sdl(version: str) -> str:
    """SDL for one API version: compare-and-set inputs and @idempotent gated as Shopify ships them."""
    compare_era = not version_at_least(version, "2026-04")
    change_from_era = version_at_least(version, "2026-01")
    quantity_fields = ["inventoryItemId: ID!", "locationId: ID!", "quantity: Int!"]
    set_fields = ["name: String!", "reason: String!", "referenceDocumentUri: String"]
    set_fields.append("quantities: [InventoryQuantityInput!]!")
    if compare_era:
        quantity_fields.append("compareQuantity: Int")
        set_fields.append("ignoreCompareQuantity: Boolean")
    if change_from_era:
        quantity_fields.append("changeFromQuantity: Int")
    gated = [
        f"input InventoryQuantityInput {{ {' '.join(quantity_fields)} }}",
        f"input InventorySetQuantitiesInput {{ {' '.join(set_fields)} }}",
    ]
    if change_from_era:
        gated.append("directive @idempotent(key: String!) on FIELD")
    return _COMMON.replace("@PAGING", _PAGING) + _connection_types() + "\n" + "\n".join(gated) + "\n"
