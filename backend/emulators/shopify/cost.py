"""Calculated query cost: static (requested) cost from the AST and actual cost from the result.

Rules: scalars/enums 0, objects 1 (+ nested), connections 2 + n x node cost where node = 1 + nested
objects (n = first/last for requested, returned count for actual; edges/nodes/pageInfo free).
A mutation costs its §3 base (dynamic formulas for productSet/productUpdate/productVariantsBulkUpdate,
rounded half-up) plus the connections selected in its payload; payload objects themselves are free.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from graphql import (
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
    is_leaf_type,
)
from graphql.language import (
    BooleanValueNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)

MUTATION_BASE = Decimal(10)
_D = Decimal


def _round(value: Decimal) -> int:
    return int(value.quantize(_D(1), rounding=ROUND_HALF_UP))


def _count(items: Any) -> int:
    return len(items) if isinstance(items, list) else 0


def mutation_base(field_name: str, args: dict[str, Any]) -> int:
    """§3 base cost of one mutation field from its (coerced) arguments."""
    if field_name == "productSet":
        data = args.get("input") or {}
        variants = data.get("variants") or []
        cost = (
            MUTATION_BASE
            + _D("0.2") * len(variants)
            + _D("0.4") * sum(_count(v.get("metafields")) for v in variants)
            + _D("0.4") * _count(data.get("metafields"))
            + _D("1.9") * _count(data.get("files"))
        )
    elif field_name == "productUpdate":
        data = args.get("product") or {}
        cost = (
            MUTATION_BASE + _D("0.4") * _count(data.get("metafields")) + _D("1.9") * _count(args.get("media"))
        )
    elif field_name == "productVariantsBulkUpdate":
        variants = args.get("variants") or []
        cost = (
            MUTATION_BASE
            + _D("0.2") * len(variants)
            + _D("0.4") * sum(_count(v.get("metafields")) for v in variants)
            + _D("1.9") * _count(args.get("media"))
        )
    else:
        cost = MUTATION_BASE
    return _round(cost)


Fields = dict[str, list[tuple[FieldNode, GraphQLNamedType]]]


class CostAnalyzer:
    """Computes requested and actual costs for one operation of one schema."""

    def __init__(
        self,
        schema: GraphQLSchema,
        operation: OperationDefinitionNode,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
    ) -> None:
        self.schema = schema
        self.operation = operation
        self.fragments = fragments
        self.variables = variables
        root = schema.mutation_type if operation.operation.value == "mutation" else schema.query_type
        assert root is not None
        self.root: GraphQLObjectType = root
        self.is_mutation = operation.operation.value == "mutation"

    # field collection ----------------------------------------------------------------------------
    def _skipped(self, node: Any) -> bool:
        for directive in node.directives or ():
            name = directive.name.value
            if name not in ("skip", "include"):
                continue
            value: Any = True
            for arg in directive.arguments or ():
                if isinstance(arg.value, BooleanValueNode):
                    value = arg.value.value
                elif isinstance(arg.value, VariableNode):
                    value = bool(self.variables.get(arg.value.name.value))
            if (name == "skip") == bool(value):
                return True
        return False

    def collect(
        self, selection_sets: list[SelectionSetNode], parent: GraphQLNamedType, out: Fields | None = None
    ) -> Fields:
        """Fields by response key across selection sets (fragments expanded, skip/include honoured)."""
        out = {} if out is None else out
        for selection_set in selection_sets:
            for sel in selection_set.selections:
                if self._skipped(sel):
                    continue
                if isinstance(sel, FieldNode):
                    key = sel.alias.value if sel.alias else sel.name.value
                    out.setdefault(key, []).append((sel, parent))
                elif isinstance(sel, InlineFragmentNode):
                    cond = (
                        self.schema.get_type(sel.type_condition.name.value) if sel.type_condition else parent
                    )
                    self.collect([sel.selection_set], cond or parent, out)
                elif isinstance(sel, FragmentSpreadNode):
                    fragment = self.fragments[sel.name.value]
                    cond = self.schema.get_type(fragment.type_condition.name.value)
                    self.collect([fragment.selection_set], cond or parent, out)
        return out

    @staticmethod
    def _field_type(node: FieldNode, parent: GraphQLNamedType) -> GraphQLNamedType | None:
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return None
        definition = parent.fields.get(node.name.value)
        return get_named_type(definition.type) if definition is not None else None

    def _page_size(self, node: FieldNode) -> int:
        for arg in node.arguments or ():
            if arg.name.value in ("first", "last"):
                if isinstance(arg.value, IntValueNode):
                    return int(arg.value.value)
                if isinstance(arg.value, VariableNode):
                    value = self.variables.get(arg.value.name.value)
                    return value if isinstance(value, int) else 0
        return 0

    def _node_sets(
        self, conn: GraphQLNamedType, sets: list[SelectionSetNode]
    ) -> tuple[Any, list[SelectionSetNode]]:
        assert isinstance(conn, GraphQLObjectType)
        node_type = get_named_type(conn.fields["nodes"].type)
        found: list[SelectionSetNode] = []
        fields = self.collect(sets, conn)
        for node, _ in fields.get("nodes", []):
            if node.selection_set:
                found.append(node.selection_set)
        edge_type = get_named_type(conn.fields["edges"].type)
        edge_sets = [n.selection_set for n, _ in fields.get("edges", []) if n.selection_set]
        for node, _ in self.collect(edge_sets, edge_type).get("node", []):
            if node.selection_set:
                found.append(node.selection_set)
        return node_type, found

    # requested -----------------------------------------------------------------------------------
    def _static(self, sets: list[SelectionSetNode], parent: GraphQLNamedType, objects_free: bool) -> int:
        total = 0
        for entries in self.collect(sets, parent).values():
            node, owner = entries[0]
            named = self._field_type(node, owner)
            if named is None or is_leaf_type(named):
                continue
            subsets = [n.selection_set for n, _ in entries if n.selection_set]
            if named.name.endswith("Connection"):
                node_type, node_sets = self._node_sets(named, subsets)
                total += 2 + self._page_size(node) * (1 + self._static(node_sets, node_type, False))
            else:
                total += (0 if objects_free else 1) + self._static(subsets, named, objects_free)
        return total

    def requested(self, root_args: dict[str, dict[str, Any]]) -> int:
        """Static cost of the operation (root_args: coerced arguments per root response key)."""
        if not self.is_mutation:
            return self._static([self.operation.selection_set], self.root, False)
        total = 0
        for key, entries in self.collect([self.operation.selection_set], self.root).items():
            node = entries[0][0]
            named = self._field_type(node, self.root)
            subsets = [n.selection_set for n, _ in entries if n.selection_set]
            total += mutation_base(node.name.value, root_args.get(key, {}))
            if named is not None and not is_leaf_type(named):
                total += self._static(subsets, named, True)
        return total

    # actual --------------------------------------------------------------------------------------
    def _actual(
        self, sets: list[SelectionSetNode], parent: GraphQLNamedType, data: Any, objects_free: bool
    ) -> int:
        if not isinstance(data, dict):
            return 0
        total = 0
        for key, entries in self.collect(sets, parent).items():
            value = data.get(key)
            node, owner = entries[0]
            named = self._field_type(node, owner)
            if value is None or named is None or is_leaf_type(named):
                continue
            subsets = [n.selection_set for n, _ in entries if n.selection_set]
            if named.name.endswith("Connection"):
                node_type, node_sets = self._node_sets(named, subsets)
                nodes = value.get("nodes")
                if nodes is None and isinstance(value.get("edges"), list):
                    nodes = [edge.get("node") for edge in value["edges"] if isinstance(edge, dict)]
                total += 2 + sum(1 + self._actual(node_sets, node_type, item, False) for item in nodes or [])
            elif isinstance(value, list):
                inner = max((self._actual(subsets, named, item, objects_free) for item in value), default=0)
                total += (0 if objects_free else 1) + inner
            else:
                total += (0 if objects_free else 1) + self._actual(subsets, named, value, objects_free)
        return total

    def actual(self, data: dict[str, Any] | None, root_args: dict[str, dict[str, Any]]) -> int:
        """Cost of what was actually returned."""
        data = data or {}
        if not self.is_mutation:
            return self._actual([self.operation.selection_set], self.root, data, False)
        total = 0
        for key, entries in self.collect([self.operation.selection_set], self.root).items():
            node = entries[0][0]
            named = self._field_type(node, self.root)
            subsets = [n.selection_set for n, _ in entries if n.selection_set]
            total += mutation_base(node.name.value, root_args.get(key, {}))
            if named is not None and not is_leaf_type(named):
                total += self._actual(subsets, named, data.get(key), True)
        return total
