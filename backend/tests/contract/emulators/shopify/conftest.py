"""Fixtures: a real uvicorn server running the Shopify emulator, a tiny file server, an HTTP helper."""

from __future__ import annotations

import copy
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import uvicorn

from emulators.shopify import EmulatorConfig, create_app
from emulators.shopify.__main__ import bind_socket
from tests.support.instants import TEST_INSTANT, iso

TOKEN = "shpat_emulator_dev"
OTHER_TOKEN = "shpat_second_app"
DEADLINE_S = 10.0
# 1x1 transparent PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)

PRODUCT_SET = """
mutation ProductSet($identifier: ProductSetIdentifiers, $input: ProductSetInput!) {
  productSet(identifier: $identifier, input: $input, synchronous: true) {
    product { id handle status variants(first: 1) { nodes { id sku inventoryItem { id } } } }
    userErrors { field message code } } }"""
VARIANTS_UPDATE = """
mutation VariantsUpdate($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {
  productVariantsBulkUpdate(productId: $productId, variants: $variants) {
    productVariants { id price inventoryItem { unitCost { amount } } }
    userErrors { field message code } } }"""
INV_SET = """
mutation InvSet($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input)%s {
    inventoryAdjustmentGroup { id changes { name delta quantityAfterChange location { id } } }
    userErrors { field message code } } }"""
MF_SET = """
mutation MfSet($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { id key value } userErrors { field message code elementIndex } } }"""
MF_DEF = """
mutation MfDef($definition: MetafieldDefinitionInput!) {
  metafieldDefinitionCreate(definition: $definition) {
    createdDefinition { id key } userErrors { field message code } } }"""
LOCATIONS = """
query Locations { locations(first: 50, includeInactive: true) {
  nodes { id name isActive } pageInfo { hasNextPage endCursor } } }"""
BY_SKU = """
query BySku($first: Int!, $q: String!) { productVariants(first: $first, query: $q) {
  nodes { id sku price inventoryItem { id } product { id handle status } }
  pageInfo { hasNextPage endCursor } } }"""
BY_HANDLE = """
query ByHandle($q: String!) { products(first: 1, query: $q) { nodes { id handle status
  variants(first: 1) { nodes { id sku inventoryItem { id } } }
  metafields(first: 30, namespace: "custom") { nodes { key type value } } } } }"""
SET_STATUS = """
mutation SetStatus($product: ProductUpdateInput!) {
  productUpdate(product: $product) { product { id status } userErrors { field message } } }"""
DELETE = """
mutation Delete($input: ProductDeleteInput!) {
  productDelete(input: $input) { deletedProductId userErrors { field message } } }"""
LEVELS = """
query Levels($id: ID!) { inventoryItem(id: $id) {
  id tracked unitCost { amount } measurement { weight { value unit } }
  inventoryLevels(first: 10) {
    nodes { location { id name } quantities(names: ["available", "on_hand"]) { name quantity } } } } }"""

LOCATION_GID = {1: "gid://shopify/Location/1", 2: "gid://shopify/Location/2", 3: "gid://shopify/Location/3"}


def part_input(
    sku: str = "WF338109", *, price: str = "28.05", quantities: dict[int, int] | None = None
) -> dict[str, Any]:
    """The contract's §2.1 productSet input for one part (handle = lower-cased SKU)."""
    stock = quantities if quantities is not None else {1: 100}
    return {
        "handle": sku.lower(),
        "title": sku,
        "descriptionHtml": f"<p>{sku}</p>",
        "vendor": "BDI",
        "productType": "Aircraft Parts",
        "tags": ["boeing"],
        "category": "gid://shopify/TaxonomyCategory/vp-1-1",
        "status": "ACTIVE",
        "productOptions": [{"name": "Title", "values": [{"name": "Default Title"}]}],
        "variants": [
            {
                "optionValues": [{"optionName": "Title", "name": "Default Title"}],
                "sku": sku,
                "price": price,
                "inventoryItem": {
                    "cost": "25.50",
                    "tracked": True,
                    "measurement": {"weight": {"value": 0.1, "unit": "POUNDS"}},
                },
                "inventoryQuantities": [
                    {"locationId": LOCATION_GID[loc], "name": "available", "quantity": qty}
                    for loc, qty in stock.items()
                ],
            }
        ],
        "metafields": [
            {"namespace": "custom", "key": "part_number", "type": "single_line_text_field", "value": sku}
        ],
        "files": [{"originalSource": f"http://127.0.0.1:9/media/{sku}.png", "contentType": "IMAGE"}],
    }


class Emu:
    """HTTP helper bound to the running emulator (test modules reach the shared queries through it)."""

    q = SimpleNamespace(
        PRODUCT_SET=PRODUCT_SET,
        VARIANTS_UPDATE=VARIANTS_UPDATE,
        INV_SET=INV_SET,
        MF_SET=MF_SET,
        MF_DEF=MF_DEF,
        LOCATIONS=LOCATIONS,
        BY_SKU=BY_SKU,
        BY_HANDLE=BY_HANDLE,
        SET_STATUS=SET_STATUS,
        DELETE=DELETE,
        LEVELS=LEVELS,
    )
    token = TOKEN
    other_token = OTHER_TOKEN

    def __init__(self, base_url: str, client: httpx.Client, files_url: str) -> None:
        self.base_url = base_url
        self.http = client
        self.files_url = files_url

    def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        version: str = "2026-04",
        token: str | None = TOKEN,
        **extra: Any,
    ) -> httpx.Response:
        """POST a GraphQL request; returns the raw response."""
        headers = {"X-Shopify-Access-Token": token} if token is not None else {}
        body = {"query": query, "variables": variables or {}, **extra}
        return self.http.post(f"/admin/api/{version}/graphql.json", json=body, headers=headers)

    def gql(self, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        """POST and return the JSON body of an HTTP 200 answer."""
        response = self.post(query, variables, **kw)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def data(self, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        """POST and return `data`, asserting there are no top-level errors."""
        body = self.gql(query, variables, **kw)
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    def product_set(
        self, input_: dict[str, Any], identifier: dict[str, Any] | None = None, **kw: Any
    ) -> dict[str, Any]:
        """productSet payload (product + userErrors)."""
        variables = {"input": input_, **({"identifier": identifier} if identifier else {})}
        payload: dict[str, Any] = self.data(PRODUCT_SET, variables, **kw)["productSet"]
        return payload

    def create_part(self, sku: str = "WF338109", **kw: Any) -> dict[str, Any]:
        """Create a part by handle and return the product selection; fails on userErrors."""
        payload = self.product_set(part_input(sku, **kw), {"handle": sku.lower()})
        assert payload["userErrors"] == [], payload
        product: dict[str, Any] = payload["product"]
        return product

    def inventory_set(
        self, input_: dict[str, Any], *, version: str = "2026-04", key: str | None = "auto"
    ) -> dict[str, Any]:
        """inventorySetQuantities body; `key="auto"` adds a fresh @idempotent key."""
        if key == "auto":
            key = str(uuid.uuid4())
        directive = f' @idempotent(key: "{key}")' if key else ""
        return self.gql(INV_SET % directive, {"input": input_}, version=version)

    @staticmethod
    def wait_for(check: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Poll until `check` returns something truthy (deadline-bound, never a fixed sleep)."""
        return wait_for(check, timeout)

    def control(self, method: str, path: str, body: Any = None, **params: Any) -> httpx.Response:
        """Call the control API."""
        return self.http.request(method, f"/_emulator{path}", json=body, params=params or None)

    def product_view(self, product_id: str) -> dict[str, Any]:
        """Control-API view of a product."""
        response = self.control("GET", f"/products/{product_id}")
        assert response.status_code == 200, response.text
        view: dict[str, Any] = response.json()
        return view

    def define(
        self,
        namespace: str,
        key: str,
        type_: str,
        *,
        unique: bool = False,
        validations: list[dict[str, str]] | None = None,
    ) -> None:
        """Pre-seed a product metafield definition through the control API."""
        body = [
            {
                "namespace": namespace,
                "key": key,
                "type": type_,
                "unique_values": unique,
                "validations": validations or [],
            }
        ]
        response = self.control("PUT", "/metafield-definitions", body)
        assert response.status_code == 200, response.text


def wait_for(check: Callable[[], Any], timeout: float = DEADLINE_S, interval: float = 0.02) -> Any:
    """Poll `check` until it returns something truthy or the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("condition not met before the deadline")
        time.sleep(interval)


class _FileHandler(BaseHTTPRequestHandler):
    routes = {
        "/ok.png": (200, "image/png", PNG),
        "/missing.png": (404, "text/plain", b"not found"),
        "/text.png": (200, "text/plain", b"this is not an image"),
    }

    def do_GET(self) -> None:
        status, content_type, body = self.routes.get(self.path, (404, "text/plain", b"not found"))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        return


@pytest.fixture(scope="session")
def files_url() -> Iterator[str]:
    """Base URL of a local server with a PNG, a 404 and a text file."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FileHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def emulator_url() -> Iterator[str]:
    """A real uvicorn server on a free loopback port, stopped at the end of the session."""
    config = EmulatorConfig(tokens=(TOKEN, OTHER_TOKEN), fetch_timeout_s=2.0, clock_start=TEST_INSTANT)
    sock = bind_socket("127.0.0.1", 0)
    port = sock.getsockname()[1]
    uv_config = uvicorn.Config(
        create_app(config), log_level="error", access_log=False, lifespan="on", timeout_graceful_shutdown=5
    )
    server = uvicorn.Server(uv_config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    wait_for(lambda: server.started or not thread.is_alive())
    assert server.started, "emulator did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture
def emu(emulator_url: str, files_url: str, instant: datetime) -> Iterator[Emu]:
    """A freshly reset emulator, its clock at ``instant``, and an HTTP client for it."""
    with httpx.Client(base_url=emulator_url, timeout=10.0) as client:
        helper = Emu(emulator_url, client, files_url)
        assert helper.control("POST", "/reset").status_code == 200
        assert helper.control("PUT", "/clock", {"now": iso(instant)}).status_code == 200
        yield helper


@pytest.fixture
def part() -> Callable[..., dict[str, Any]]:
    """Factory for the contract's productSet input."""
    return lambda *a, **kw: copy.deepcopy(part_input(*a, **kw))
