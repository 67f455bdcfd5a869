"""The GraphQL request pipeline: auth, parse/validate, variables, version rules, cost, faults, execute."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graphql import GraphQLObjectType, execute_sync, get_directive_values
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from graphql.language import FieldNode, OperationDefinitionNode

from .clock import iso
from .cost import CostAnalyzer
from .documents import check_variables, literal_at, node_location, select_operation
from .faults import ActiveFault
from .resolvers import RequestContext, VariantLimitReached, default_resolver
from .sdl import version_at_least

if TYPE_CHECKING:
    from .emulator import Emulator

UNAUTHORIZED = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}
VARIANT_LIMIT = {"errors": "Daily variant creation limit reached. Please try again later."}
DOCS = "https://shopify.dev/api/usage/rate-limits"
_CHANGE_FROM_REQUIRED = "changeFromQuantity is required on every quantity (null skips the check)."
_FAULT_BODIES: dict[str, tuple[int, str, str]] = {
    "http_500": (500, "application/json", json.dumps({"errors": "Internal Server Error"})),
    "http_502": (502, "text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>"),
    "http_503": (503, "application/json", json.dumps({"errors": "Service Unavailable"})),
    "http_504": (504, "text/html", "<html><body><h1>504 Gateway Time-out</h1></body></html>"),
    "http_429": (
        429,
        "application/json",
        json.dumps({"errors": "Too many requests. Please try again later."}),
    ),
    "http_402": (402, "application/json", json.dumps({"errors": "Unavailable Shop"})),
    "http_403": (403, "application/json", json.dumps({"errors": "Forbidden"})),
    "http_423": (423, "application/json", json.dumps({"errors": "This shop is locked"})),
}


@dataclass
class HttpReply:
    """What the HTTP layer sends: status, body, headers; `drop` closes the connection instead."""

    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False


def _json(status: int, body: Any) -> HttpReply:
    return HttpReply(status, json.dumps(body, separators=(",", ":"), default=str).encode())


@dataclass
class _Request:
    """Per-request bookkeeping that ends up in stats and the request log."""

    version: str
    token: str | None
    started: float
    entry: dict[str, Any]
    operations: list[str] = field(default_factory=list)
    variables: dict[str, Any] = field(default_factory=dict)
    root_args: dict[str, dict[str, Any]] = field(default_factory=dict)
    query: str = ""


class Engine:
    """Runs one GraphQL HTTP request against an Emulator's state."""

    def __init__(self, emulator: Emulator) -> None:
        self.emu = emulator

    async def handle(self, version: str, token: str | None, raw: bytes) -> HttpReply:
        """Answer POST /admin/api/{version}/graphql.json."""
        emu = self.emu
        req = _Request(version, token, time.perf_counter(), {"at": iso(emu.clock.now()), "version": version})
        if version not in emu.schemas:
            return self._finish(req, _json(404, {"errors": "Not Found"}), "not_found")
        if token is None or token not in emu.config.tokens:
            req.token = None
            return self._finish(req, _json(401, UNAUTHORIZED), "unauthorized")
        try:
            payload = json.loads(raw)
        except ValueError:
            return self._finish(req, _json(400, {"errors": "Bad Request: body must be JSON"}), "bad_request")
        variables = payload.get("variables") if isinstance(payload, dict) else None
        if isinstance(variables, str):
            try:
                variables = json.loads(variables) if variables.strip() else None
            except ValueError:
                variables = []
        query = payload.get("query") if isinstance(payload, dict) else None
        if not isinstance(query, str) or not query.strip() or not isinstance(variables, dict | None):
            body = {"errors": {"query": "Required parameter missing or invalid"}}
            return self._finish(req, _json(400, body), "bad_request")
        req.variables = variables or {}
        req.query = query
        req.entry["operation_name"] = payload.get("operationName")
        return await self._graphql(req, query, payload.get("operationName"))

    async def _graphql(self, req: _Request, query: str, operation_name: Any) -> HttpReply:
        emu = self.emu
        schema = emu.schemas[req.version]
        prepared = emu.documents.get(req.version, query)
        if prepared.errors is not None:
            return self._finish(req, _json(200, {"errors": prepared.errors}), "validation_error")
        operation = select_operation(prepared, operation_name if isinstance(operation_name, str) else None)
        if isinstance(operation, dict):
            return self._finish(req, _json(200, {"errors": [operation]}), "validation_error")
        errors = check_variables(schema, operation, req.variables)
        if errors:
            return self._finish(req, _json(200, {"errors": errors}), "validation_error")
        coerced = get_variable_values(schema, operation.variable_definitions or (), req.variables)
        if isinstance(coerced, list):
            body = {"errors": [e.formatted for e in coerced]}
            return self._finish(req, _json(200, body), "validation_error")
        analyzer = CostAnalyzer(schema, operation, prepared.fragments, coerced.coerced)
        root_nodes = self._root_nodes(analyzer, operation)
        req.operations = [node.name.value for node in root_nodes.values()]
        keys, rule_errors = self._version_rules(req, analyzer.root, root_nodes, coerced)
        if rule_errors:
            return self._finish(req, _json(200, {"errors": rule_errors}), "validation_error")
        requested = analyzer.requested(req.root_args)
        req.entry["requested_cost"] = requested
        fault = emu.faults.pick("before", req.operations, lambda: self._skus(req))
        if fault is not None:
            return await self._fault(req, fault, requested, None)
        limits = emu.buckets.limits
        if requested > limits.max_query_cost:
            return self._finish(req, self._max_cost(req, requested), "max_cost_exceeded")
        bucket = emu.buckets.bucket(req.token or "")
        if requested > bucket.available:
            return self._finish(req, self._throttled(req, requested), "throttled")
        bucket.available -= requested
        ctx = RequestContext(emu.store, emu.settings, emu.config, req.version, keys)
        assert prepared.document is not None
        result = execute_sync(
            schema,
            prepared.document,
            context_value=ctx,
            variable_values=req.variables,
            operation_name=operation.name.value if operation.name else None,
            field_resolver=default_resolver,
        )
        if any(isinstance(e.original_error, VariantLimitReached) for e in result.errors or []):
            bucket.available = min(limits.bucket_size, bucket.available + requested)
            return self._finish(req, _json(429, VARIANT_LIMIT), "variant_limit")
        actual = min(requested, analyzer.actual(result.data, req.root_args))
        bucket.available = min(limits.bucket_size, bucket.available + requested - actual)
        req.entry["actual_cost"] = actual
        answer: dict[str, Any] = {"data": result.data}
        if result.errors:
            answer["errors"] = [error.formatted for error in result.errors]
        answer["extensions"] = {"cost": self._cost(req, requested, actual)}
        req.entry["user_error_codes"] = ctx.user_error_codes
        emu.fetcher.schedule(emu.store, ctx.new_files)
        reply = _json(200, answer)
        fault = emu.faults.pick("after", req.operations, lambda: self._skus(req))
        if fault is not None:
            return await self._fault(req, fault, requested, reply)
        return self._finish(req, reply, "ok")

    # helpers -------------------------------------------------------------------------------------
    @staticmethod
    def _root_nodes(analyzer: CostAnalyzer, operation: OperationDefinitionNode) -> dict[str, FieldNode]:
        """Root fields by response key (introspection fields left out)."""
        nodes: dict[str, FieldNode] = {}
        for key, entries in analyzer.collect([operation.selection_set], analyzer.root).items():
            node = entries[0][0]
            if node.name.value.startswith("__"):
                continue
            nodes[key] = node
        return nodes

    def _version_rules(
        self,
        req: _Request,
        root: GraphQLObjectType,
        root_nodes: dict[str, FieldNode],
        coerced: VariableValues,
    ) -> tuple[dict[int, str], list[dict[str, Any]]]:
        """Coerce root arguments; enforce 2026-04's mandatory idempotency key and changeFromQuantity."""
        schema = self.emu.schemas[req.version]
        keys: dict[int, str] = {}
        errors: list[dict[str, Any]] = []
        directive = schema.get_directive("idempotent")
        for key, node in root_nodes.items():
            definition = root.fields.get(node.name.value)
            if definition is None:
                continue
            args = get_argument_values(definition, node, coerced)
            req.root_args[key] = args
            if directive is not None:
                values = get_directive_values(directive, node, coerced)
                if values is not None:
                    keys[id(node)] = self._idempotency_key(req, node, values["key"])
            if node.name.value != "inventorySetQuantities" or not version_at_least(req.version, "2026-04"):
                continue
            if id(node) not in keys:
                errors.append(
                    {
                        "message": "An idempotency key is required for this mutation (use @idempotent).",
                        "locations": node_location(node),
                        "path": [key],
                        "extensions": {"code": "IDEMPOTENCY_KEY_REQUIRED"},
                    }
                )
            for i, quantity in enumerate(args["input"]["quantities"]):
                if "changeFromQuantity" not in quantity:
                    errors.append(
                        {
                            "message": _CHANGE_FROM_REQUIRED,
                            "locations": node_location(node),
                            "path": [key, "input", "quantities", i, "changeFromQuantity"],
                            "extensions": {"code": "CHANGE_FROM_QUANTITY_REQUIRED"},
                        }
                    )
        return keys, errors

    @staticmethod
    def _idempotency_key(req: _Request, node: FieldNode, coerced_key: str) -> str:
        """The key as sent: literal keys are masked in the cached document, so read them from the text."""
        for directive in node.directives or ():
            if directive.name.value == "idempotent":
                for arg in directive.arguments or ():
                    if arg.name.value == "key":
                        return literal_at(req.query, arg.value) or coerced_key
        return coerced_key

    def _skus(self, req: _Request) -> set[str]:
        """SKUs a request touches (for match_sku faults): sku inputs, ids resolved to SKUs, query text."""
        store = self.emu.store
        found: set[str] = set()

        def walk(value: Any, key: str | None = None) -> None:
            if isinstance(value, dict):
                for k, v in value.items():
                    walk(v, k)
            elif isinstance(value, list):
                for v in value:
                    walk(v, key)
            elif isinstance(value, str):
                if key == "sku":
                    found.add(value.lower())
                elif key == "query":
                    found.update(
                        part.strip('"()').lower().removeprefix("sku:").strip('"') for part in value.split()
                    )
                variant = store.variant_by_gid(value)
                item = store.item_by_gid(value)
                if item is not None:
                    variant = store.variants.get(item.variant_num)
                product = store.product_by_gid(value)
                variants = [variant] if variant else store.product_variants(product) if product else []
                found.update(v.sku.lower() for v in variants if v is not None and v.sku)

        walk(req.root_args)
        return found

    def _cost(self, req: _Request, requested: int, actual: int | None) -> dict[str, Any]:
        return {
            "requestedQueryCost": requested,
            "actualQueryCost": actual,
            "throttleStatus": self.emu.buckets.throttle_status(req.token or ""),
        }

    def _throttled(self, req: _Request, requested: int) -> HttpReply:
        error = {"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": DOCS}}
        body = {"errors": [error], "extensions": {"cost": self._cost(req, requested, None)}}
        return _json(self.emu.settings.throttle_http_status, body)

    def _max_cost(self, req: _Request, requested: int) -> HttpReply:
        limit = self.emu.buckets.limits.max_query_cost
        error = {
            "message": f"Query cost is {requested}, which exceeds the single query max cost limit ({limit}).",
            "extensions": {
                "code": "MAX_COST_EXCEEDED",
                "cost": requested,
                "maxCost": limit,
                "documentation": DOCS,
            },
        }
        return _json(200, {"errors": [error], "extensions": {"cost": self._cost(req, requested, None)}})

    async def _fault(
        self, req: _Request, fault: ActiveFault, requested: int, done: HttpReply | None
    ) -> HttpReply:
        rule = fault.rule
        req.entry["fault"] = rule.kind
        req.entry["fault_id"] = fault.id
        req.entry["fault_phase"] = rule.phase
        hold = rule.hold_s()
        if hold > 0:
            await asyncio.sleep(hold)
        if rule.kind == "throttled":
            reply = self._throttled(req, requested)
        elif rule.kind == "timeout":
            status, content_type, text = _FAULT_BODIES["http_504"]
            reply = HttpReply(status, text.encode(), content_type)
        elif rule.kind == "malformed_json":
            full = (
                done.body
                if done is not None
                else json.dumps({"data": dict.fromkeys(req.operations)}).encode()
            )
            reply = HttpReply(200, full[: max(1, len(full) // 2)])
        elif rule.kind == "drop":
            reply = HttpReply(0, drop=True)
        else:
            status, content_type, text = _FAULT_BODIES[rule.kind]
            reply = HttpReply(status, text.encode(), content_type)
            if status == 429:
                reply.headers["Retry-After"] = "2.0"
        return self._finish(req, reply, f"fault:{rule.kind}")

    def _finish(self, req: _Request, reply: HttpReply, outcome: str) -> HttpReply:
        if reply.status and req.version in self.emu.schemas:
            reply.headers.setdefault("X-Shopify-API-Version", req.version)
        entry = req.entry
        entry.update(
            status=reply.status if not reply.drop else "dropped",
            outcome=outcome,
            operations=req.operations,
            duration_ms=round((time.perf_counter() - req.started) * 1000, 3),
            variables=req.variables,
        )
        entry.setdefault("requested_cost", None)
        entry.setdefault("actual_cost", None)
        self.emu.stats.record(entry, req.token)
        return reply
