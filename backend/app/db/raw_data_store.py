"""``boeing_raw_data``: every Boeing price answer as received, with the part numbers asked and SKUs
returned."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg.types.json import Jsonb

from app.db.base_store import BaseStore

__all__ = ["RawDataRow", "RawDataStore"]

_COLUMNS = "id, batch_id, search_query, part_numbers, returned_skus, raw_payload, created_by, fetched_at"


@dataclass(frozen=True, slots=True)
class RawDataRow:
    id: int
    batch_id: str | None
    search_query: str | None
    part_numbers: list[str]
    returned_skus: list[str]
    raw_payload: dict[str, Any]
    created_by: str
    fetched_at: datetime


def _raw(row: dict[str, Any]) -> RawDataRow:
    row["batch_id"] = str(row["batch_id"]) if row["batch_id"] is not None else None
    return RawDataRow(**row)


class RawDataStore(BaseStore):
    def insert(
        self,
        *,
        payload: dict[str, Any],
        part_numbers: Sequence[str],
        returned_skus: Sequence[str],
        returned_bases: Sequence[str],
        created_by: str,
        batch_id: str | None = None,
        search_query: str | None = None,
    ) -> int:
        """Store one answer; returns its id."""
        return int(
            self._scalar(
                "store a Boeing answer",
                """
                INSERT INTO boeing_raw_data (batch_id, search_query, part_numbers, returned_skus,
                                             returned_bases, raw_payload, created_by)
                VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id
                """,
                (
                    batch_id,
                    search_query,
                    list(part_numbers),
                    list(returned_skus),
                    list(returned_bases),
                    Jsonb(payload),
                    created_by,
                ),
            )
        )

    def latest_returning(self, part_number: str, *, include_variants: bool) -> RawDataRow | None:
        """The newest answer returning ``part_number`` (or, ``include_variants``, one of its variants)."""
        row = self._row(
            "find the latest Boeing answer for a part",
            f"""
            SELECT {_COLUMNS} FROM boeing_raw_data
            WHERE returned_skus @> ARRAY[%(pn)s]::text[]
               OR (%(variants)s AND returned_bases @> ARRAY[%(pn)s]::text[])
            ORDER BY fetched_at DESC, id DESC LIMIT 1
            """,
            {"pn": part_number, "variants": include_variants},
        )
        return _raw(row) if row else None

    def delete_older_than(self, days: int, *, limit: int) -> int:
        """Retention: delete up to ``limit`` answers fetched more than ``days`` ago, oldest first. Staging
        rows that came from them stay (their ``raw_data_id`` turns NULL)."""
        return self._execute(
            "purge old Boeing answers",
            """
            DELETE FROM boeing_raw_data
             WHERE id IN (SELECT id FROM boeing_raw_data
                           WHERE fetched_at < now() - make_interval(days => %s)
                           ORDER BY fetched_at LIMIT %s)
            """,
            (days, limit),
        )
