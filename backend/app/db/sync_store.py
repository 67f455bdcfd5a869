"""``product_sync_schedule``: one row per published SKU, claimed by the dispatcher and leased by sync tasks.

A row is *in flight* while ``lease_until > now()``. The dispatcher claims due rows with one atomic
``UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED LIMIT n) RETURNING`` that sets a claim lease,
so two dispatchers never claim the same row; a task that starts work renews the lease, and every outcome
clears it. A row whose task died keeps an expired lease and is claimable again. State changes made by sync
tasks are compare-and-set on ``sync_status = 'syncing'``, so a duplicated task message changes nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from psycopg.types.json import Jsonb

from app.db.base_store import BaseStore
from app.db.sync_rows import (
    SCHEDULE_COLUMNS,
    ClaimedRow,
    SyncFailure,
    SyncScheduleRow,
    SyncSuccess,
    schedule_row,
)
from app.utils.sync_helpers import least_loaded_bucket, next_sync_at

__all__ = [
    "SCHEDULE_COLUMNS",
    "ClaimedRow",
    "SyncFailure",
    "SyncScheduleRow",
    "SyncStore",
    "SyncSuccess",
    "schedule_row",
]


class SyncStore(BaseStore):
    # --- reads ----------------------------------------------------------------------------------------------
    def get(self, schedule_id: str, *, for_update: bool = False) -> SyncScheduleRow | None:
        """The row with this id (locked for the transaction when ``for_update``)."""
        lock = " FOR UPDATE" if for_update else ""
        row = self._row(
            "read a sync schedule row",
            f"SELECT {SCHEDULE_COLUMNS} FROM product_sync_schedule WHERE id = %s::uuid{lock}",
            (schedule_id,),
        )
        return schedule_row(row) if row else None

    def get_by_sku(self, sku: str, *, for_update: bool = False) -> SyncScheduleRow | None:
        """The row of a full SKU (locked for the transaction when ``for_update``)."""
        lock = " FOR UPDATE" if for_update else ""
        row = self._row(
            "read a sync schedule row",
            f"SELECT {SCHEDULE_COLUMNS} FROM product_sync_schedule WHERE sku = %s{lock}",
            (sku,),
        )
        return schedule_row(row) if row else None

    def lock_syncing(self, ids: Sequence[str]) -> list[SyncScheduleRow]:
        """Lock the given rows that are still being synced (others have already finished)."""
        rows = self._rows(
            "lock sync schedule rows",
            f"SELECT {SCHEDULE_COLUMNS} FROM product_sync_schedule"
            " WHERE id = ANY(%s::uuid[]) AND sync_status = 'syncing' ORDER BY sku FOR UPDATE",
            (list(ids),),
        )
        return [schedule_row(row) for row in rows]

    def count_awaiting_boeing(self) -> int:
        """Rows in flight that still need a Boeing call (claimed or fetching, no Shopify write pending)."""
        return int(
            self._scalar(
                "count rows in flight",
                "SELECT count(*) FROM product_sync_schedule"
                " WHERE lease_until > now() AND pending_target IS NULL AND is_active",
            )
        )

    def database_now(self) -> datetime:
        """The database's transaction time: the clock every lease is compared with."""
        value: datetime = self._scalar("read the database time", "SELECT now()")
        return value

    # --- dispatch -------------------------------------------------------------------------------------------
    def claim_due(self, *, limit: int, claim_s: float, failed_only: bool = False) -> list[ClaimedRow]:
        """Atomically claim up to ``limit`` due, active rows not in flight, oldest due first.

        Claimed rows become ``syncing`` with a lease of ``claim_s``; rows another transaction holds are
        skipped, never waited for. ``failed_only`` restricts the claim to rows whose last sync failed.
        """
        if limit <= 0:
            return []
        rows = self._rows(
            "claim due sync rows",
            """
            UPDATE product_sync_schedule AS s
               SET sync_status = 'syncing', lease_until = now() + make_interval(secs => %(claim_s)s)
             WHERE s.id IN (
                   SELECT id FROM product_sync_schedule
                    WHERE is_active
                      AND next_sync_at <= now()
                      AND (lease_until IS NULL OR lease_until <= now())
                      AND pending_target IS NULL
                      AND (NOT %(failed_only)s OR sync_status = 'failed')
                    ORDER BY next_sync_at
                    LIMIT %(limit)s
                    FOR UPDATE SKIP LOCKED)
            RETURNING s.id, s.sku, s.next_sync_at
            """,
            {"limit": limit, "claim_s": claim_s, "failed_only": failed_only},
        )
        claimed = [ClaimedRow(str(row["id"]), row["sku"], row["next_sync_at"]) for row in rows]
        return sorted(claimed, key=lambda row: (row.next_sync_at, row.sku))

    def claim_stalled_writes(self, *, limit: int, lease_s: float) -> list[str]:
        """Re-lease rows whose detected change waits for a Shopify write nobody holds (its task died or its
        message was lost); return their ids so the write can be queued again. No Boeing call is repeated."""
        rows = self._rows(
            "claim stalled Shopify writes",
            """
            UPDATE product_sync_schedule AS s
               SET lease_until = now() + make_interval(secs => %(lease_s)s)
             WHERE s.id IN (
                   SELECT id FROM product_sync_schedule
                    WHERE lease_until <= now() AND pending_target IS NOT NULL AND sync_status = 'syncing'
                    ORDER BY lease_until
                    LIMIT %(limit)s
                    FOR UPDATE SKIP LOCKED)
            RETURNING s.id
            """,
            {"limit": limit, "lease_s": lease_s},
        )
        return [str(row["id"]) for row in rows]

    def claim_one(self, schedule_id: str, *, claim_s: float) -> SyncScheduleRow | None:
        """Claim one active row that is not in flight (an operator's immediate sync); None if it cannot be."""
        row = self._row(
            "claim a sync row",
            f"""
            UPDATE product_sync_schedule
               SET sync_status = 'syncing', lease_until = now() + make_interval(secs => %s)
             WHERE id = %s::uuid AND is_active AND (lease_until IS NULL OR lease_until <= now())
               AND pending_target IS NULL
            RETURNING {SCHEDULE_COLUMNS}
            """,
            (claim_s, schedule_id),
        )
        return schedule_row(row) if row else None

    # --- work in progress -----------------------------------------------------------------------------------
    def start_work(self, ids: Sequence[str], *, lease_s: float) -> list[SyncScheduleRow]:
        """Lease the given rows still waiting for their Boeing check to this task and record the attempt."""
        rows = self._rows(
            "start syncing rows",
            f"""
            UPDATE product_sync_schedule
               SET lease_until = now() + make_interval(secs => %s), last_attempt_at = now()
             WHERE id = ANY(%s::uuid[]) AND is_active AND sync_status = 'syncing' AND pending_target IS NULL
            RETURNING {SCHEDULE_COLUMNS}
            """,
            (lease_s, list(ids)),
        )
        return sorted((schedule_row(row) for row in rows), key=lambda row: row.sku)

    def renew_leases(self, ids: Sequence[str], *, lease_s: float) -> int:
        """Extend the lease of rows still being synced (a task that keeps working, or waits for quota)."""
        return self._execute(
            "renew sync leases",
            "UPDATE product_sync_schedule SET lease_until = now() + make_interval(secs => %s)"
            " WHERE id = ANY(%s::uuid[]) AND sync_status = 'syncing'",
            (lease_s, list(ids)),
        )

    def set_pending_target(self, schedule_id: str, target: dict[str, Any], *, lease_s: float) -> bool:
        """Keep the values a Boeing fetch found for the Shopify write; the lease now covers that write."""
        return (
            self._execute(
                "record a pending sync change",
                "UPDATE product_sync_schedule"
                " SET pending_target = %s, lease_until = now() + make_interval(secs => %s)"
                " WHERE id = %s::uuid AND sync_status = 'syncing'",
                (Jsonb(target), lease_s, schedule_id),
            )
            == 1
        )

    def release(self, ids: Sequence[str]) -> int:
        """Give claimed rows back untouched (sync was switched off): status as before the claim, no lease."""
        return self._execute(
            "release sync rows",
            """
            UPDATE product_sync_schedule
               SET lease_until = NULL, pending_target = NULL,
                   sync_status = CASE WHEN consecutive_failures > 0 THEN 'failed'
                                      WHEN last_sync_at IS NULL THEN 'pending' ELSE 'success' END
             WHERE id = ANY(%s::uuid[]) AND sync_status = 'syncing'
            """,
            (list(ids),),
        )

    # --- outcomes -------------------------------------------------------------------------------------------
    def record_successes(self, successes: Sequence[SyncSuccess]) -> list[str]:
        """Mark rows synced with the values now in Shopify; return the ids that were still being synced."""
        if not successes:
            return []
        rows = self._rows(
            "record successful syncs",
            """
            UPDATE product_sync_schedule AS s
               SET sync_status = 'success', last_sync_at = now(), next_sync_at = v.next_sync_at,
                   lease_until = NULL, pending_target = NULL, consecutive_failures = 0, last_error = NULL,
                   last_price = v.price, last_quantity = v.quantity, last_inventory_status = v.status,
                   last_location_summary = v.summary, last_mapped_inventory = v.mapped, last_hash = v.hash
              FROM unnest(%s::uuid[], %s::timestamptz[], %s::numeric[], %s::integer[], %s::text[],
                          %s::text[], %s::jsonb[], %s::text[])
                   AS v(id, next_sync_at, price, quantity, status, summary, mapped, hash)
             WHERE s.id = v.id AND s.sync_status = 'syncing'
            RETURNING s.id
            """,
            (
                [s.id for s in successes],
                [s.next_sync_at for s in successes],
                [s.price for s in successes],
                [s.quantity for s in successes],
                [s.inventory_status for s in successes],
                [s.location_summary for s in successes],
                [Jsonb(s.mapped_inventory) for s in successes],
                [s.sync_hash for s in successes],
            ),
        )
        return [str(row["id"]) for row in rows]

    def record_failures(self, failures: Sequence[SyncFailure]) -> list[str]:
        """Mark rows failed with their new count, retry time and active flag; return the ids updated."""
        if not failures:
            return []
        rows = self._rows(
            "record sync failures",
            """
            UPDATE product_sync_schedule AS s
               SET sync_status = 'failed', lease_until = NULL, pending_target = NULL,
                   consecutive_failures = v.failures, next_sync_at = v.next_sync_at,
                   is_active = v.active, last_error = v.error
              FROM unnest(%s::uuid[], %s::integer[], %s::timestamptz[], %s::boolean[], %s::text[])
                   AS v(id, failures, next_sync_at, active, error)
             WHERE s.id = v.id AND s.sync_status = 'syncing'
            RETURNING s.id
            """,
            (
                [f.id for f in failures],
                [f.consecutive_failures for f in failures],
                [f.next_sync_at for f in failures],
                [f.is_active for f in failures],
                [f.error[:1000] for f in failures],
            ),
        )
        return [str(row["id"]) for row in rows]

    def reactivate(self, sku: str, *, next_sync_at: datetime) -> SyncScheduleRow | None:
        """Bring an inactive row back: pending, no failures, due at ``next_sync_at``; None if active."""
        row = self._row(
            "reactivate a sync row",
            f"""
            UPDATE product_sync_schedule
               SET is_active = true, sync_status = 'pending', consecutive_failures = 0, last_error = NULL,
                   lease_until = NULL, pending_target = NULL, next_sync_at = %s
             WHERE sku = %s AND NOT is_active
            RETURNING {SCHEDULE_COLUMNS}
            """,
            (next_sync_at, sku),
        )
        return schedule_row(row) if row else None

    # --- enrollment (written by publishing: a SKU joins the schedule in its publish transaction) ----------
    def enroll(
        self, *, sku: str, base_price: Decimal | None, quantity: int, inventory_status: str,
        location_summary: str | None, mapped_inventory: Sequence[Sequence[Any]], sync_hash: str,
        created_by: str, bucket_count: int, bucket_seconds: int,
    ) -> SyncScheduleRow:  # fmt: skip
        """Enroll a published SKU in the least-loaded bucket, due at that bucket's next slot start; an
        enrolled SKU only gets its published values and sync hash refreshed (bucket, schedule, status kept).
        ``base_price`` is Boeing's price before markup; ``sync_hash`` is ``hash_utils.sync_hash_for`` of the
        published record. The product row must exist in this unit of work (foreign key on ``sku``)."""
        counts = self._rows(
            "count products per sync bucket",
            "SELECT hour_bucket, count(*) AS n FROM product_sync_schedule WHERE is_active"
            " GROUP BY hour_bucket",
        )  # fmt: skip
        bucket = least_loaded_bucket({int(r["hour_bucket"]): int(r["n"]) for r in counts}, bucket_count)
        now = self._scalar("read the database clock", "SELECT now()")
        due = next_sync_at(bucket, now=now, bucket_count=bucket_count, bucket_seconds=bucket_seconds)
        mapped = Jsonb([[str(name), int(qty)] for name, qty in mapped_inventory])
        values = {"sku": sku, "bucket": bucket, "due": due, "price": base_price, "quantity": quantity,
                  "status": inventory_status, "summary": location_summary, "mapped": mapped,
                  "hash": sync_hash, "created_by": created_by}  # fmt: skip
        row = self._row(
            "enroll a product in the sync schedule",
            f"""
            INSERT INTO product_sync_schedule (sku, hour_bucket, next_sync_at, sync_status, last_price,
                last_quantity, last_inventory_status, last_location_summary, last_mapped_inventory, last_hash,
                created_by)
            VALUES (%(sku)s, %(bucket)s, %(due)s, 'pending', %(price)s, %(quantity)s, %(status)s,
                    %(summary)s, %(mapped)s, %(hash)s, %(created_by)s)
            ON CONFLICT (sku) DO UPDATE SET last_price = EXCLUDED.last_price,
                last_quantity = EXCLUDED.last_quantity,
                last_inventory_status = EXCLUDED.last_inventory_status,
                last_location_summary = EXCLUDED.last_location_summary,
                last_mapped_inventory = EXCLUDED.last_mapped_inventory, last_hash = EXCLUDED.last_hash
            RETURNING {SCHEDULE_COLUMNS}
            """,
            values,
        )  # fmt: skip
        assert row is not None
        return schedule_row(row)
