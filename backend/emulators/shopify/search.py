"""Search syntax for products/productVariants `query:` arguments, with an optional indexing lag.

Supported: `field:value`, `field:"quoted value"` (with \\" and \\\\ escapes), `field:>10` comparisons,
trailing `*` prefix match, `status:active,draft` lists, bare words (title/sku/handle/vendor), `AND`
(or juxtaposition), `OR`, `NOT`/`-term` and parentheses. Matching is exact and case-insensitive.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .clock import VirtualClock
    from .models import Product, Variant

Doc = dict[str, list[str]]
Node = tuple[Any, ...]
_FIELD_RE = re.compile(r"-?[A-Za-z_][A-Za-z0-9_.]*:")
_NUMERIC_FIELDS = {"id", "product_id"}
_ALIASES = {"tags": "tag", "product_status": "status", "producttype": "product_type"}


def product_doc(product: Product, variants: list[Variant]) -> Doc:
    """Searchable fields of a product, lower-cased."""
    return {
        "id": [str(product.num)],
        "handle": [product.handle.lower()],
        "status": [product.status.lower()],
        "title": [product.title.lower()],
        "vendor": [product.vendor.lower()],
        "product_type": [product.product_type.lower()],
        "tag": [tag.lower() for tag in product.tags],
        "sku": [v.sku.lower() for v in variants if v.sku],
        "barcode": [v.barcode.lower() for v in variants if v.barcode],
    }


def variant_doc(variant: Variant, product: Product) -> Doc:
    """Searchable fields of a variant (product fields included), lower-cased."""
    title = " / ".join(value for _, value in variant.option_values)
    return {
        "id": [str(variant.num)],
        "sku": [variant.sku.lower()] if variant.sku else [],
        "barcode": [variant.barcode.lower()] if variant.barcode else [],
        "title": [title.lower()],
        "product_id": [str(product.num)],
        "handle": [product.handle.lower()],
        "status": [product.status.lower()],
        "vendor": [product.vendor.lower()],
        "product_type": [product.product_type.lower()],
        "tag": [tag.lower() for tag in product.tags],
    }


class SearchIndex:
    """Search documents per entity; with a lag, writes become searchable only after it elapses."""

    def __init__(self, clock: VirtualClock, lag_s: float) -> None:
        self.clock = clock
        self.lag_s = lag_s
        self.clear()

    def clear(self) -> None:
        """Drop every document."""
        self.visible: dict[tuple[str, int], Doc] = {}
        self.pending: dict[tuple[str, int], tuple[float, Doc]] = {}

    def put(self, kind: str, num: int, doc: Doc) -> None:
        """Record a new document version (immediately, or after the lag)."""
        if self.lag_s <= 0:
            self.visible[(kind, num)] = doc
            self.pending.pop((kind, num), None)
        else:
            self.pending[(kind, num)] = (self.clock.now() + self.lag_s, doc)

    def remove(self, kind: str, num: int) -> None:
        """Forget an entity (deletes are visible at once)."""
        self.visible.pop((kind, num), None)
        self.pending.pop((kind, num), None)

    def doc(self, kind: str, num: int) -> Doc | None:
        """Document the search currently sees for an entity, promoting due pending versions."""
        key = (kind, num)
        waiting = self.pending.get(key)
        if waiting is not None and waiting[0] <= self.clock.now():
            self.visible[key] = waiting[1]
            del self.pending[key]
        return self.visible.get(key)

    def pending_nums(self, kind: str) -> set[int]:
        """Entities of a kind with a not-yet-visible document (their old values may still match)."""
        return {num for (k, num) in self.pending if k == kind}


# parsing ---------------------------------------------------------------------------------------
def _read_quoted(text: str, i: int) -> tuple[str, int]:
    out: list[str] = []
    i += 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if ch == '"':
            return "".join(out), i + 1
        out.append(ch)
        i += 1
    return "".join(out), i  # unterminated: take the rest, like a lenient search box


def _tokenize(text: str) -> list[Node]:
    tokens: list[Node] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "()":
            tokens.append(("LP",) if ch == "(" else ("RP",))
            i += 1
            continue
        negated = False
        field = None
        match = _FIELD_RE.match(text, i)
        if match:
            raw = match.group(0)[:-1]
            negated = raw.startswith("-")
            field = raw.lstrip("-").lower()
            i = match.end()
        elif ch == "-" and i + 1 < n and not text[i + 1].isspace():
            negated = True
            i += 1
        if i < n and text[i] == '"':
            value, i = _read_quoted(text, i)
            quoted = True
        else:
            start = i
            while i < n and not text[i].isspace() and text[i] not in "()":
                i += 1
            value, quoted = text[start:i], False
        if field is None and not quoted and not negated and value in ("OR", "AND", "NOT"):
            tokens.append((value,))
            continue
        tokens.append(("TERM", negated, field, value, quoted))
    return tokens


class _Parser:
    def __init__(self, tokens: list[Node]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else None

    def parse_or(self) -> Node:
        branches = [self.parse_and()]
        while self.peek() == "OR":
            self.pos += 1
            branches.append(self.parse_and())
        return branches[0] if len(branches) == 1 else ("or", branches)

    def parse_and(self) -> Node:
        items: list[Node] = []
        while self.peek() not in (None, "OR", "RP"):
            if self.peek() == "AND":
                self.pos += 1
                continue
            items.append(self.parse_unary())
        if not items:
            return ("all",)
        return items[0] if len(items) == 1 else ("and", items)

    def parse_unary(self) -> Node:
        token = self.tokens[self.pos]
        self.pos += 1
        if token[0] == "NOT":
            return ("not", self.parse_unary()) if self.peek() not in (None, "OR", "RP") else ("all",)
        if token[0] == "LP":
            inner = self.parse_or()
            if self.peek() == "RP":
                self.pos += 1
            return inner
        if token[0] == "RP":
            return ("all",)
        _, negated, field, value, quoted = token
        term = _make_term(field, value, quoted)
        return ("not", term) if negated else term


def _make_term(field: str | None, value: str, quoted: bool) -> Node:
    op = "="
    if not quoted:
        for candidate in (">=", "<=", ">", "<"):
            if value.startswith(candidate):
                op, value = candidate, value[len(candidate) :]
                break
    prefix = not quoted and value.endswith("*") and len(value) > 1
    if prefix:
        value = value[:-1]
    if field is not None:
        field = _ALIASES.get(field, field)
    values = list(value.lower().split(",")) if field == "status" and not quoted else [value.lower()]
    return ("term", field, op, values, prefix)


def parse_query(text: str | None) -> Node:
    """Parse a search string into a small expression tree."""
    if not text or not text.strip():
        return ("all",)
    return _Parser(_tokenize(text)).parse_or()


# evaluation ------------------------------------------------------------------------------------
def _compare(found: str, op: str, wanted: str, numeric: bool) -> bool:
    if numeric:
        try:
            a, b = int(found), int(wanted.rsplit("/", 1)[-1])
        except ValueError:
            return False
    else:
        a, b = found, wanted  # type: ignore[assignment]
    if op == ">":
        return a > b
    if op == ">=":
        return a >= b
    if op == "<":
        return a < b
    return a <= b


def matches(node: Node, doc: Doc) -> bool:
    """Whether a document satisfies an expression."""
    kind = node[0]
    if kind == "all":
        return True
    if kind == "and":
        return all(matches(child, doc) for child in node[1])
    if kind == "or":
        return any(matches(child, doc) for child in node[1])
    if kind == "not":
        return not matches(node[1], doc)
    _, field, op, values, prefix = node
    if field is None:
        haystack = doc.get("title", []) + doc.get("sku", []) + doc.get("handle", []) + doc.get("vendor", [])
        return any(value in found for value in values for found in haystack)
    found_values = doc.get(field)
    if found_values is None:
        return False
    numeric = field in _NUMERIC_FIELDS
    for wanted in values:
        if numeric and op == "=":
            wanted = wanted.rsplit("/", 1)[-1]
        for found in found_values:
            if op != "=":
                if _compare(found, op, wanted, numeric):
                    return True
            elif found.startswith(wanted) if prefix else found == wanted:
                return True
    return False


Lookup = Callable[[str, str], Iterable[int] | None]


def candidates(node: Node, lookup: Lookup) -> set[int] | None:
    """Entity ids that can possibly match, from exact-term indexes; None means scan everything."""
    kind = node[0]
    if kind == "term":
        _, field, op, values, prefix = node
        if field is None or op != "=" or prefix:
            return None
        found: set[int] = set()
        for value in values:
            hits = lookup(field, value)
            if hits is None:
                return None
            found.update(hits)
        return found
    if kind == "and":
        for child in node[1]:
            narrowed = candidates(child, lookup)
            if narrowed is not None:
                return narrowed
        return None
    if kind == "or":
        union: set[int] = set()
        for child in node[1]:
            narrowed = candidates(child, lookup)
            if narrowed is None:
                return None
            union |= narrowed
        return union
    return None


def search(
    index: SearchIndex, kind: str, query: str | None, all_nums: Iterable[int], lookup: Lookup
) -> list[int]:
    """Ids of entities of `kind` whose visible document matches `query`, in ascending id order."""
    node = parse_query(query)
    narrowed = candidates(node, lookup)
    pool: Iterable[int]
    if narrowed is None:
        pool = all_nums
    else:
        narrowed |= index.pending_nums(kind)
        pool = sorted(narrowed)
    result = []
    for num in pool:
        doc = index.doc(kind, num)
        if doc is not None and matches(node, doc):
            result.append(num)
    return result
