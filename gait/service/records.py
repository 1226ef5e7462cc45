"""Cosmos DB: one document per analysis, and the newest-first list.

Container ``analyses`` (setting ``GAIT_COSMOS_CONTAINER``), partition key ``/id``: every
read, update and delete names one analysis by its id, so a point operation in its own
logical partition is the cheapest Cosmos call there is; the list is the only cross-partition
query (``SELECT TOP n ... ORDER BY c.created_at DESC``: the emulators lack OFFSET/LIMIT and
TOP works on both).

Document shape (``schema`` 1)::

    {"id", "schema": 1, "owner_id", "patient_id", "filename", "video_blob", "video_size",
     "video_etag", "video": {...probe summary, once planned},
     "params": {"height_m", "treadmill_speed_mps", "view_type", "reference_length_mm", "fps",
                "processing_fps"},
     "height": {"height_m", "basis": "given|assumed"} | null,
     "status": "processing|completed|failed" (gait.service.steps), "current_step",
     "step_progress", "step_message", "chunks_total", "chunks_done": [indices],
     "created_at", "updated_at", "error": {"code", "message", ...} | null,
     "result_blob", "metrics_si": {...} | null, "quality", "warnings", "ttl"?}

The container has TTL on with no default (``default_ttl=-1``): a record expires only when it
carries ``ttl`` (seconds after its last write), which failed analyses do
(``GAIT_FAILED_RETENTION_DAYS``); the retention timer removes their blobs.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from typing import Any

from azure.core.exceptions import AzureError
from azure.cosmos import CosmosClient, PartitionKey
from azure.cosmos import exceptions as cosmos_errors

from gait.errors import first_line
from gait.service.errors import DependencyUnavailable
from gait.service.settings import Settings

SCHEMA = 1
#: Read-modify-write attempts before giving up: the chunk activities of one analysis update
#: its record side by side (one per worker, 4 by default), so a few must try again.
UPDATE_ATTEMPTS = 20


def iso(moment: dt.datetime) -> str:
    """The records' timestamp format (UTC, milliseconds, ``Z``): strings sort in time order,
    so queries compare ``updated_at`` as text."""
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now_iso() -> str:
    return iso(dt.datetime.now(dt.UTC))


class RecordStore:
    """Analysis records. Database and container are created on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        timeout = settings.dependency_timeout_s
        try:
            if settings.cosmos_key:
                credential: Any = settings.cosmos_key
            else:
                from azure.identity import DefaultAzureCredential

                credential = DefaultAzureCredential()
            # Constructing the client already fetches the account's endpoints, so an
            # unreachable Cosmos fails here: short timeouts and no connection retries keep
            # that to seconds.
            self.client = CosmosClient(
                settings.cosmos_endpoint,
                credential=credential,
                connection_timeout=timeout,
                timeout=timeout * 2,
                retry_total=1,
                retry_connect=0,
                retry_read=0,
                enable_endpoint_discovery=False,
            )
            database = self.client.create_database_if_not_exists(settings.cosmos_database)
            self.container = database.create_container_if_not_exists(
                settings.cosmos_container, partition_key=PartitionKey(path="/id"), default_ttl=-1
            )
        except (AzureError, ValueError, OSError) as exc:
            raise DependencyUnavailable("Cosmos DB", first_line(exc)) from exc

    def _call(self, operation: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return operation(*args, **kwargs)
        except cosmos_errors.CosmosHttpResponseError:
            raise
        except (AzureError, OSError) as exc:
            raise DependencyUnavailable("Cosmos DB", first_line(exc)) from exc

    def create(self, record: dict[str, Any]) -> dict[str, Any]:
        record = {**record, "schema": SCHEMA}
        record.setdefault("created_at", now_iso())
        record["updated_at"] = record["created_at"]
        return self._call(self.container.create_item, record)

    def get(self, analysis_id: str) -> dict[str, Any] | None:
        """The record, or None. The real service answers a missing item with 404; the
        Cosmos-protocol emulator used in tests with 500, so both mean "absent" here,
        after a query confirms that nothing is there (a 500 for another reason must not
        read as "not found")."""
        try:
            return self._call(self.container.read_item, analysis_id, partition_key=analysis_id)
        except cosmos_errors.CosmosResourceNotFoundError:
            return None
        except cosmos_errors.CosmosHttpResponseError as exc:
            if exc.status_code != 500:
                raise DependencyUnavailable("Cosmos DB", first_line(exc)) from exc
            items = self._call(
                lambda: list(
                    self.container.query_items(
                        "SELECT * FROM c WHERE c.id = @id",
                        parameters=[{"name": "@id", "value": analysis_id}],
                        partition_key=analysis_id,
                    )
                )
            )
            return items[0] if items else None

    def update(
        self, analysis_id: str, *, unless_status: tuple[str, ...] = (), **fields: Any
    ) -> dict[str, Any] | None:
        """Set ``fields`` on the record; ``None`` when there is no record.

        ``unless_status``: leave the record alone when its status is one of these (an
        activity still running after a cancel must not turn "failed" back into "processing").
        """

        def change(record: dict[str, Any]) -> bool:
            if record.get("status") in unless_status:
                return False
            record.update(fields)
            return True

        return self.modify(analysis_id, change)

    def modify(
        self, analysis_id: str, change: Callable[[dict[str, Any]], bool]
    ) -> dict[str, Any] | None:
        """Read the record, let ``change`` edit it in place (it answers whether to write),
        write it back guarded by the etag, again on a conflict. Returns the record as
        stored, or ``None`` when there is none."""
        for _ in range(UPDATE_ATTEMPTS):
            record = self.get(analysis_id)
            if record is None:
                return None
            if not change(record):
                return record
            record["updated_at"] = now_iso()
            try:
                return self._call(
                    self.container.replace_item,
                    record["id"],
                    record,
                    etag=record.get("_etag"),
                    match_condition=_if_match(),
                )
            except cosmos_errors.CosmosAccessConditionFailedError:
                time.sleep(random.uniform(0.01, 0.1))  # someone else wrote in between
                continue
            except cosmos_errors.CosmosResourceNotFoundError:
                return None  # deleted in between
            except cosmos_errors.CosmosHttpResponseError as exc:
                raise DependencyUnavailable("Cosmos DB", first_line(exc)) from exc
        raise DependencyUnavailable("Cosmos DB", f"record {analysis_id} kept changing")

    def _query(self, query: str, parameters: list[dict[str, Any]]) -> list[Any]:
        return self._call(
            lambda: list(
                self.container.query_items(
                    query, parameters=parameters, enable_cross_partition_query=True
                )
            )
        )

    def list_recent(self, limit: int, owner_id: str | None = None) -> list[dict[str, Any]]:
        """The newest ``limit`` records, of one owner when ``owner_id`` is given."""
        where, parameters = _owner_clause(owner_id)
        return self._query(
            f"SELECT TOP {int(limit)} * FROM c{where} ORDER BY c.created_at DESC", parameters
        )

    def count(self, owner_id: str | None = None) -> int:
        where, parameters = _owner_clause(owner_id)
        return int(sum(self._query(f"SELECT VALUE COUNT(1) FROM c{where}", parameters)))

    def failed_before(self, cutoff_iso: str) -> list[str]:
        """Ids of failed analyses last changed before ``cutoff_iso``."""
        rows = self._query(
            "SELECT c.id FROM c WHERE c.status = @failed AND c.updated_at < @cutoff",
            [{"name": "@failed", "value": "failed"}, {"name": "@cutoff", "value": cutoff_iso}],
        )
        return [row["id"] for row in rows]

    def stalled_before(
        self, cutoff_iso: str, statuses: tuple[str, ...], limit: int
    ) -> list[dict[str, Any]]:
        """At most ``limit`` records with a status in ``statuses`` last changed before
        ``cutoff_iso``, oldest first (the watchdog's query)."""
        names = [f"@status{i}" for i in range(len(statuses))]
        any_status = " OR ".join(f"c.status = {name}" for name in names)
        return self._query(
            f"SELECT TOP {int(limit)} * FROM c WHERE ({any_status})"
            " AND c.updated_at < @cutoff ORDER BY c.updated_at ASC",
            [{"name": n, "value": v} for n, v in zip(names, statuses, strict=True)]
            + [{"name": "@cutoff", "value": cutoff_iso}],
        )

    def delete(self, analysis_id: str) -> bool:
        try:
            self._call(self.container.delete_item, analysis_id, partition_key=analysis_id)
            return True
        except cosmos_errors.CosmosResourceNotFoundError:
            return False
        except cosmos_errors.CosmosHttpResponseError as exc:
            if exc.status_code == 500 and self.get(analysis_id) is None:
                return False
            raise DependencyUnavailable("Cosmos DB", first_line(exc)) from exc

    def ping(self) -> None:
        self.container.read()


def _owner_clause(owner_id: str | None) -> tuple[str, list[dict[str, Any]]]:
    if owner_id is None:
        return "", []
    return " WHERE c.owner_id = @owner", [{"name": "@owner", "value": owner_id}]


def _if_match() -> Any:
    from azure.core import MatchConditions

    return MatchConditions.IfNotModified
