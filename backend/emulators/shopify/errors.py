"""graphql-ruby style error pieces: syntax errors, node paths/parents, and the error dict builder."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError
from graphql.language import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    Lexer,
    Node,
    ObjectValueNode,
    OperationDefinitionNode,
    Source,
    TokenKind,
)

_TOKEN_NAMES = {
    TokenKind.BANG: "BANG",
    TokenKind.DOLLAR: "VAR_SIGN",
    TokenKind.AMP: "AMP",
    TokenKind.PAREN_L: "LPAREN",
    TokenKind.PAREN_R: "RPAREN",
    TokenKind.SPREAD: "ELLIPSIS",
    TokenKind.COLON: "COLON",
    TokenKind.EQUALS: "EQUALS",
    TokenKind.AT: "DIR_SIGN",
    TokenKind.BRACKET_L: "LBRACKET",
    TokenKind.BRACKET_R: "RBRACKET",
    TokenKind.BRACE_L: "LCURLY",
    TokenKind.BRACE_R: "RCURLY",
    TokenKind.PIPE: "PIPE",
    TokenKind.INT: "INT",
    TokenKind.FLOAT: "FLOAT",
    TokenKind.STRING: "STRING",
    TokenKind.BLOCK_STRING: "STRING",
}
_KEYWORDS = {"query", "mutation", "subscription", "fragment", "on", "true", "false", "null"}


def locations_of(error: GraphQLError) -> list[dict[str, int]]:
    """[{line, column}] of a graphql-core error."""
    return [{"line": loc.line, "column": loc.column} for loc in error.locations or []]


def syntax_error(source: str, error: GraphQLSyntaxError) -> dict[str, Any]:
    """`syntax error, unexpected LPAREN ("(") at [2, 5]` for a graphql-core syntax error."""
    locations = locations_of(error)
    where = f" at [{locations[0]['line']}, {locations[0]['column']}]" if locations else ""
    position = next(iter(error.positions), None) if error.positions else None
    token = None
    if position is not None:
        lexer = Lexer(Source(source))
        try:
            while True:
                current = lexer.advance()
                if current.start >= position or current.kind == TokenKind.EOF:
                    token = current
                    break
        except GraphQLSyntaxError:
            token = None
    if token is None:
        detail = error.message.removeprefix("Syntax Error: ").rstrip(".")
        message = f"syntax error, {detail[:1].lower()}{detail[1:]}{where}"
    elif token.kind == TokenKind.EOF:
        message = f"syntax error, unexpected end of file{where}"
    else:
        text = source[token.start : token.end]
        if token.kind == TokenKind.NAME:
            name = text.upper() if text in _KEYWORDS else "IDENTIFIER"
        else:
            name = _TOKEN_NAMES.get(token.kind, token.kind.name)
        message = f'syntax error, unexpected {name} ("{text}"){where}'
    return {"message": message, "locations": locations}


class Ancestry:
    """Paths (graphql-ruby style: ["query Name", "field", "arg"]) and parents of document nodes."""

    def __init__(self, document: DocumentNode) -> None:
        self.paths: dict[int, list[str]] = {}
        self.parents: dict[int, Node] = {}
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                op = definition.operation.value
                label = f"{op} {definition.name.value}" if definition.name else op
            elif isinstance(definition, FragmentDefinitionNode):
                label = f"fragment {definition.name.value}"
            else:
                continue
            self._visit(definition, [label], None)

    def _visit(self, node: Node, path: list[str], parent: Node | None) -> None:
        self.paths[id(node)] = path
        if parent is not None:
            self.parents[id(node)] = parent
        child_path = path
        if isinstance(node, FieldNode | ArgumentNode):
            child_path = [*path, node.name.value]
            self.paths[id(node)] = child_path
        elif isinstance(node, InlineFragmentNode):
            cond = node.type_condition.name.value if node.type_condition else None
            child_path = [*path, f"... on {cond}" if cond else "..."]
        elif isinstance(node, FragmentSpreadNode):
            child_path = [*path, f"... {node.name.value}"]
        for key in node.keys:
            if key == "loc":
                continue
            if key in ("name", "alias"):
                continue
            value = getattr(node, key, None)
            items = value if isinstance(value, tuple | list) else [value]
            for item in items:
                if isinstance(item, Node):
                    step = child_path
                    if isinstance(node, ObjectValueNode):
                        step = [*child_path, item.name.value]  # type: ignore[attr-defined]
                    self._visit(item, step, node)

    def path(self, node: Node | None) -> list[str] | None:
        """Path of a node, when known."""
        return self.paths.get(id(node)) if node is not None else None

    def nearest(self, node: Node | None, kind: type) -> Node | None:
        """Closest ancestor (or the node itself) of a node type."""
        while node is not None and not isinstance(node, kind):
            node = self.parents.get(id(node))
        return node


def first_node(error: GraphQLError) -> Node | None:
    """The first AST node an error points at."""
    return error.nodes[0] if error.nodes else None


def make_error(
    message: str, error: GraphQLError, ancestry: Ancestry, node: Node | None = None, **ext: Any
) -> dict[str, Any]:
    """An error dict with graphql-ruby's keys: message, locations, path, extensions."""
    out: dict[str, Any] = {"message": message, "locations": locations_of(error)}
    path = ancestry.path(node if node is not None else first_node(error))
    if path:
        out["path"] = path
    if ext:
        out["extensions"] = ext
    return out
