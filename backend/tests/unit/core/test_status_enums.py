"""Status enums equal the schema: each enum's values are its column's CHECK constraint in the migrations.

The migrations are read in version order; a later ``CREATE TABLE`` or ``ALTER TABLE`` that states a column's
``CHECK (column IN (...))`` again replaces what an earlier one said, as it would in the database.

The stores' static SQL keeps status values as literals where the planner must see a constant (a partial
index's predicate, an ``ON CONFLICT`` arbiter); each such literal is checked here against its column's enum.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path

import pytest

import app.db
from app.core.constants import (
    BatchStatus,
    BatchType,
    BlockedReason,
    ErrorStage,
    IdempotencyScope,
    InventoryStatus,
    ItemStage,
    ItemStatus,
    ReconciliationState,
    StagingStatus,
    SyncHistoryKind,
    SyncStatus,
)
from app.db.migrations import discover

Column = tuple[str, str]

ENUM_OF_COLUMN: dict[Column, type[StrEnum]] = {
    ("batches", "batch_type"): BatchType,
    ("batches", "status"): BatchStatus,
    ("batch_items", "stage"): ItemStage,
    ("batch_items", "status"): ItemStatus,
    ("batch_items", "error_stage"): ErrorStage,
    ("product_staging", "status"): StagingStatus,
    ("product_staging", "blocked_reason"): BlockedReason,
    ("product_staging", "inventory_status"): InventoryStatus,
    ("product", "inventory_status"): InventoryStatus,
    ("product_sync_schedule", "sync_status"): SyncStatus,
    ("sync_history", "kind"): SyncHistoryKind,
    ("publish_reconciliation", "state"): ReconciliationState,
}

_DOLLAR_QUOTED = re.compile(r"\$\$.*?\$\$", re.S)
_COMMENT = re.compile(r"--[^\n]*")
_TABLE = re.compile(r"^\s*(?:CREATE|ALTER)\s+TABLE\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?(\w+)", re.I)
_CHECK_IN = re.compile(r"CHECK\s*\(\s*(\w+)\s+IN\s*\(([^)]*)\)\s*\)", re.I)
_OPEN_INDEX = re.compile(
    r"CREATE\s+INDEX\s+batch_items_open_idx\b.*?WHERE\s+status\s+IN\s*\(([^)]*)\)", re.I | re.S
)
_ACTIVE_INDEX = re.compile(
    r"CREATE\s+INDEX\s+batches_active_idx\b.*?WHERE\s+status\s+IN\s*\(([^)]*)\)", re.I | re.S
)
_LITERAL = re.compile(r"'([^']*)'")


def _statements() -> list[str]:
    """Every SQL statement of the migrations, in the order they are applied, without comments and bodies."""
    statements: list[str] = []
    for migration in discover():
        text = _COMMENT.sub("", _DOLLAR_QUOTED.sub("''", migration.path.read_text()))
        statements.extend(part for part in text.split(";") if part.strip())
    return statements


def enumerated_columns(statements: list[str]) -> dict[Column, list[str]]:
    """(table, column) → the values its ``CHECK (column IN (...))`` allows, as the last migration states."""
    allowed: dict[Column, list[str]] = {}
    for statement in statements:
        table = _TABLE.match(statement)
        if table is None:
            continue
        for column, values in _CHECK_IN.findall(statement):
            allowed[(table.group(1).lower(), column.lower())] = _LITERAL.findall(values)
    return allowed


def test_the_parser_reads_a_table_check_and_a_later_change() -> None:
    statements = [
        "CREATE TABLE t (\n  id int,\n  state text NOT NULL CHECK (state IN ('a', 'b')),\n"
        "  n int CHECK (n >= 0)\n)",
        "CREATE INDEX t_idx ON t (state) WHERE state IN ('a')",
        "ALTER TABLE t DROP CONSTRAINT t_state_check,"
        " ADD CONSTRAINT t_state_check CHECK (state IN ('a', 'b', 'c'))",
    ]
    assert enumerated_columns(statements) == {("t", "state"): ["a", "b", "c"]}


@pytest.mark.parametrize(
    ("column", "enum"), list(ENUM_OF_COLUMN.items()), ids=[f"{t}.{c}" for t, c in ENUM_OF_COLUMN]
)
def test_each_enum_equals_its_check_constraint(column: Column, enum: type[StrEnum]) -> None:
    allowed = enumerated_columns(_statements())
    assert column in allowed, f"{column} has no CHECK (... IN (...)) in the migrations"
    values = allowed[column]
    assert len(values) == len(set(values))
    assert {member.value for member in enum} == set(values)


def test_every_enumerated_column_has_its_enum() -> None:
    assert set(enumerated_columns(_statements())) == set(ENUM_OF_COLUMN), (
        "a CHECK (column IN (...)) was added or removed: give the column its StrEnum in app.core.constants"
    )


def test_open_items_are_the_non_terminal_statuses_the_open_index_covers() -> None:
    index = _OPEN_INDEX.search(";".join(_statements()))
    assert index is not None
    assert set(ItemStatus.OPEN) == set(_LITERAL.findall(index.group(1)))
    assert set(ItemStatus.OPEN) == {ItemStatus.QUEUED, ItemStatus.SENT, ItemStatus.IN_PROGRESS}


def test_active_batches_are_what_the_active_index_covers_and_the_rest_are_final() -> None:
    index = _ACTIVE_INDEX.search(";".join(_statements()))
    assert index is not None
    assert set(BatchStatus.ACTIVE) == set(_LITERAL.findall(index.group(1)))
    assert set(BatchStatus.FINAL) == set(BatchStatus) - set(BatchStatus.ACTIVE)


def test_a_sellable_sku_is_any_staged_sku_not_blocked() -> None:
    assert set(StagingStatus.SELLABLE) == set(StagingStatus) - {StagingStatus.BLOCKED}
    assert all(isinstance(status, StagingStatus) for status in StagingStatus.SELLABLE)


def test_idempotency_scopes_keep_their_stored_values() -> None:
    # idempotency_keys.endpoint has no CHECK: stored keys are matched by these exact strings.
    assert {scope.value for scope in IdempotencyScope} == {"extraction.bulk", "publishing/bulk"}


# A column name found in only one table; ``status`` is resolved by the store's table and its SQL aliases.
_TABLE_OF_COLUMN = {
    "batch_type": "batches",
    "stage": "batch_items",
    "error_stage": "batch_items",
    "blocked_reason": "product_staging",
    "sync_status": "product_sync_schedule",
    "kind": "sync_history",
    "state": "publish_reconciliation",
}
# store module -> (the table its unqualified ``status`` means, alias or table name -> table).
_STATUS_TABLE: dict[str, tuple[str, dict[str, str]]] = {
    "batch_store": ("batches", {}),
    "batch_item_store": ("batch_items", {"b": "batch_items"}),
    "publish_item_store": ("batch_items", {"i": "batch_items", "b": "batches"}),
    "staging_store": ("product_staging", {"product_staging": "product_staging"}),
}
_COMPARED = re.compile(
    r"(?:\b(\w+)\.)?\b(status|batch_type|stage|error_stage|blocked_reason|sync_status|kind|state)\s*"
    r"(?:=|<>|!=|\bIN\b)\s*\(?\s*('[^']*'(?:\s*,\s*'[^']*')*)",
    re.I,
)
_WORD_LITERAL = re.compile(r"'([a-z_]+)'")


def _store_sources() -> dict[str, str]:
    return {path.stem: path.read_text() for path in sorted(Path(app.db.__file__).parent.glob("*.py"))}


def compared_literals(module: str, source: str) -> list[tuple[Column, str]]:
    """(table, column) and value of each ``column = 'v'`` and ``column IN ('a', ...)`` in a store's source."""
    found: list[tuple[Column, str]] = []
    for qualifier, column, values in _COMPARED.findall(source):
        column = column.lower()
        if column == "status":
            default, aliases = _STATUS_TABLE.get(module, ("", {}))
            table = aliases.get(qualifier, default) if qualifier else default
            assert table, f"{module}: give its status comparisons a table in _STATUS_TABLE"
        else:
            table = _TABLE_OF_COLUMN[column]
        found.extend(((table, column), value) for value in _LITERAL.findall(values))
    return found


def test_the_sql_reader_resolves_columns_and_aliases() -> None:
    source = "WHERE i.status = 'queued' AND b.status IN ('pending', 'processing') AND stage = 'publishing'"
    assert compared_literals("publish_item_store", source) == [
        (("batch_items", "status"), "queued"),
        (("batches", "status"), "pending"),
        (("batches", "status"), "processing"),
        (("batch_items", "stage"), "publishing"),
    ]


@pytest.mark.parametrize("module", sorted(_store_sources()))
def test_each_status_literal_in_a_store_is_a_value_of_its_column(module: str) -> None:
    source = _store_sources()[module]
    for column, value in compared_literals(module, source):
        assert value in {member.value for member in ENUM_OF_COLUMN[column]}, (module, column, value)
    # Literals not compared to a column (``THEN 'completed'``, ``VALUES (..., 'pending', ...)``) must at
    # least be a status value of some column.
    every_value = {member.value for enum in ENUM_OF_COLUMN.values() for member in enum}
    assert set(_WORD_LITERAL.findall(source)) <= every_value, module
