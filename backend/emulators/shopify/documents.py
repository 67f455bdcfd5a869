"""Parse + validate once per (version, query text); variable checks in graphql-ruby's words."""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLSyntaxError,
    parse,
    specified_rules,
    validate,
)
from graphql.language import (
    DocumentNode,
    FragmentDefinitionNode,
    ListValueNode,
    Node,
    OperationDefinitionNode,
    StringValueNode,
    get_location,
    visit,
)
from graphql.language.visitor import Visitor
from graphql.pyutils import Undefined
from graphql.utilities import type_from_ast

from .errors import syntax_error
from .rule_messages import translate_validation

MAX_INPUT_ARRAY = 250
# Idempotency keys are fresh UUID literals on every call; masking them (same length, so every error
# location stays right) lets those calls share one cached document. Only escape-free strings qualify.
_KEY_LITERAL = re.compile(r'(@idempotent\s*\(\s*key\s*:\s*")([^"\\\r\n]*)(")')


def cache_text(query: str) -> str:
    """Query text used as the cache key: idempotency key literals masked."""
    if "@idempotent" not in query:
        return query
    return _KEY_LITERAL.sub(lambda m: m.group(1) + "_" * len(m.group(2)) + m.group(3), query)


def literal_at(query: str, node: Node) -> str | None:
    """The real content of an escape-free string literal (masked in the cached document), else None."""
    if not isinstance(node, StringValueNode) or node.block or node.loc is None:
        return None
    text = query[node.loc.start + 1 : node.loc.end - 1]
    return None if "\\" in text or '"' in text else text


_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


@dataclass
class PreparedDocument:
    """A parsed and validated document, or the errors that stop it."""

    document: DocumentNode | None
    errors: list[dict[str, Any]] | None
    error_kind: str | None = None  # "parse" | "validation"
    operations: dict[str | None, OperationDefinitionNode] = field(default_factory=dict)
    fragments: dict[str, FragmentDefinitionNode] = field(default_factory=dict)


def node_location(node: Node) -> list[dict[str, int]]:
    """[{line, column}] of an AST node."""
    if node.loc is None:
        return []
    loc = get_location(node.loc.source, node.loc.start)
    return [{"line": loc.line, "column": loc.column}]


def input_size_error(size: int, node: Node | None, path: list[Any] | None = None) -> dict[str, Any]:
    """MAX_INPUT_SIZE_EXCEEDED for an input array over 250 entries."""
    error: dict[str, Any] = {
        "message": f"The input array size of {size} is greater than the maximum allowed of {MAX_INPUT_ARRAY}."
        "",
        "locations": node_location(node) if node is not None else [],
        "extensions": {"code": "MAX_INPUT_SIZE_EXCEEDED"},
    }
    if path:
        error["path"] = path
    return error


class _BigListFinder(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[ListValueNode] = []

    def enter_list_value(self, node: ListValueNode, *_args: Any) -> None:
        if len(node.values) > MAX_INPUT_ARRAY:
            self.found.append(node)


class DocumentCache:
    """Bounded cache of prepared documents keyed by (version, query text)."""

    def __init__(self, schemas: dict[str, GraphQLSchema], max_entries: int = 1024) -> None:
        self.schemas = schemas
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[str, str], PreparedDocument] = OrderedDict()

    def get(self, version: str, query: str) -> PreparedDocument:
        """Prepared document for a query under a version's schema."""
        text = cache_text(query)
        key = (version, text)
        prepared = self._entries.get(key)
        if prepared is None:
            prepared = self._prepare(self.schemas[version], text)
            self._entries[key] = prepared
            if len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return prepared

    @staticmethod
    def _prepare(schema: GraphQLSchema, query: str) -> PreparedDocument:
        try:
            document = parse(query)
        except GraphQLSyntaxError as exc:
            return PreparedDocument(None, [syntax_error(query, exc)], "parse")
        errors = validate(schema, document)
        if errors:
            tagged: list[tuple[str, GraphQLError]] = []
            for rule in specified_rules:
                tagged.extend((rule.__name__, error) for error in validate(schema, document, [rule]))
            return PreparedDocument(document, translate_validation(schema, document, tagged), "validation")
        finder = _BigListFinder()
        visit(document, finder)
        if finder.found:
            return PreparedDocument(
                document, [input_size_error(len(n.values), n) for n in finder.found], "validation"
            )
        operations = {
            (d.name.value if d.name else None): d
            for d in document.definitions
            if isinstance(d, OperationDefinitionNode)
        }
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        return PreparedDocument(document, None, None, operations, fragments)


def select_operation(
    prepared: PreparedDocument, name: str | None
) -> OperationDefinitionNode | dict[str, Any]:
    """The operation to run, or a graphql-ruby style error."""
    if name:
        found = prepared.operations.get(name)
        return found if found is not None else {"message": f'No operation named "{name}"'}
    if len(prepared.operations) == 1:
        return next(iter(prepared.operations.values()))
    return {"message": "An operation name is required"}


def _show(value: Any) -> str:
    return json.dumps(value, default=str)


class _VariableChecker:
    """Collects graphql-ruby `problems` (path + explanation) and oversized arrays for one variable."""

    def __init__(self) -> None:
        self.problems: list[dict[str, Any]] = []
        self.oversized: list[tuple[int, list[Any]]] = []

    def walk(self, value: Any, type_: GraphQLInputType, path: list[Any]) -> None:
        if isinstance(type_, GraphQLNonNull):
            if value is None:
                self.problems.append({"path": path, "explanation": "Expected value to not be null"})
                return
            type_ = type_.of_type
        if value is None:
            return
        if isinstance(type_, GraphQLList):
            items = value if isinstance(value, list) else [value]
            if len(items) > MAX_INPUT_ARRAY:
                self.oversized.append((len(items), path))
            for i, item in enumerate(items):
                self.walk(item, type_.of_type, [*path, i])
        elif isinstance(type_, GraphQLInputObjectType):
            self._object(value, type_, path)
        elif isinstance(type_, GraphQLEnumType):
            if not isinstance(value, str) or value not in type_.values:
                expl = f"Expected {_show(value)} to be one of: {', '.join(type_.values)}"
                self.problems.append({"path": path, "explanation": expl})
        elif isinstance(type_, GraphQLScalarType) and not _scalar_ok(type_, value):
            self.problems.append(
                {"path": path, "explanation": f"Could not coerce value {_show(value)} to {type_.name}"}
            )

    def _object(self, value: Any, type_: GraphQLInputObjectType, path: list[Any]) -> None:
        if not isinstance(value, dict):
            self.problems.append(
                {"path": path, "explanation": f"Expected {_show(value)} to be a key-value object."}
            )
            return
        for key in value:
            if key not in type_.fields:
                self.problems.append(
                    {"path": [*path, key], "explanation": f"Field is not defined on {type_.name}"}
                )
        for name, input_field in type_.fields.items():
            if name in value:
                self.walk(value[name], input_field.type, [*path, name])
            elif isinstance(input_field.type, GraphQLNonNull) and input_field.default_value is Undefined:
                self.problems.append({"path": [*path, name], "explanation": "Expected value to not be null"})


def _scalar_ok(type_: GraphQLScalarType, value: Any) -> bool:
    name = type_.name
    if name == "Int":
        return isinstance(value, int) and not isinstance(value, bool) and _INT_MIN <= value <= _INT_MAX
    if name == "Float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if name == "String":
        return isinstance(value, str)
    if name == "Boolean":
        return isinstance(value, bool)
    if name == "ID":
        return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))
    try:
        type_.parse_value(value)
    except (ValueError, TypeError, GraphQLError):
        return False
    return True


def check_variables(
    schema: GraphQLSchema, operation: OperationDefinitionNode, raw: dict[str, Any]
) -> list[dict[str, Any]]:
    """INVALID_VARIABLE / MAX_INPUT_SIZE_EXCEEDED errors for the request's variables."""
    errors: list[dict[str, Any]] = []
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        type_ = type_from_ast(schema, definition.type)
        if name not in raw and definition.default_value is not None:
            continue
        value = raw.get(name)
        checker = _VariableChecker()
        checker.walk(value, type_, [])  # type: ignore[arg-type]
        if checker.problems:
            shown = [p for p in checker.problems if p["path"]]
            message = f"Variable ${name} of type {type_} was provided invalid value"
            if shown:
                parts = ", ".join(
                    f"{'.'.join(str(x) for x in p['path'])} ({p['explanation']})" for p in shown
                )
                message += f" for {parts}"
            errors.append(
                {
                    "message": message,
                    "locations": node_location(definition),
                    "extensions": {"value": value, "problems": checker.problems, "code": "INVALID_VARIABLE"},
                }
            )
        for size, path in checker.oversized:
            errors.append(input_size_error(size, definition, [name, *path]))
    return errors
