"""Cosmos DB: one document per analysis, and the newest-first list.

Container ``analyses`` (setting ``GAIT_COSMOS_CONTAINER``), partition key ``/id``: every
read, update and delete names one analysis by its id, so a point operation in its own
logical partition is the cheapest Cosmos call there is; the list is the only cross-partition
query (``SELECT TOP n ... ORDER BY c.created_at DESC``: the emulators lack OFFSET/LIMIT and
TOP works on both).

Document shape (``schema`` 1)::

    {"id", "schema": 1, "patient_id", "filename", "video_blob", "video_size",
     "params": {"height_m", "view_type", "reference_length_mm", "fps", "processing_fps"},
     "status": "pending|processing|completed|failed", "current_step", "step_progress",
     "step_message", "created_at", "updated_at", "error": {"code", "message", ...} | null,
     "result_blob", "metrics_si": {...} | null, "quality", "warnings"}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from azure.core.exceptions import AzureError
from azure.cosmos import CosmosClient, PartitionKey
from azure.cosmos import exceptions as cosmos_errors

from gait.service.errors import DependencyUnavailable, short_reason
from gait.service.settings import Settings

SCHEMA = 1


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


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
                settings.cosmos_container, partition_key=PartitionKey(path="/id")
            )
        except (AzureError, ValueError, OSError) as exc:
            raise DependencyUnavailable("Cosmos DB", short_reason(exc)) from exc

    def _call(self, operation: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return operation(*args, **kwargs)
        except cosmos_errors.CosmosHttpResponseError:
            raise
        except (AzureError, OSError) as exc:
            raise DependencyUnavailable("Cosmos DB", short_reason(exc)) from exc

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
                raise DependencyUnavailable("Cosmos DB", short_reason(exc)) from exc
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
        """Set ``fields`` on the record (read-modify-write guarded by the etag).

        ``unless_status``: leave the record alone when its status is one of these (an
        activity still running after a cancel must not turn "failed" back into "processing").
        """
        for _ in range(5):
            record = self.get(analysis_id)
            if record is None:
                return None
            if record.get("status") in unless_status:
                return record
            record.update(fields)
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
                continue  # someone else wrote in between: read again
            except cosmos_errors.CosmosHttpResponseError as exc:
                raise DependencyUnavailable("Cosmos DB", short_reason(exc)) from exc
        raise DependencyUnavailable("Cosmos DB", f"record {analysis_id} kept changing")

    def list_recent(self, limit: int) -> list[dict[str, Any]]:
        query = f"SELECT TOP {int(limit)} * FROM c ORDER BY c.created_at DESC"
        return self._call(
            lambda: list(self.container.query_items(query, enable_cross_partition_query=True))
        )

    def count(self) -> int:
        rows = self._call(
            lambda: list(
                self.container.query_items(
                    "SELECT VALUE COUNT(1) FROM c", enable_cross_partition_query=True
                )
            )
        )
        return int(sum(rows))

    def delete(self, analysis_id: str) -> bool:
        try:
            self._call(self.container.delete_item, analysis_id, partition_key=analysis_id)
            return True
        except cosmos_errors.CosmosResourceNotFoundError:
            return False
        except cosmos_errors.CosmosHttpResponseError as exc:
            if exc.status_code == 500 and self.get(analysis_id) is None:
                return False
            raise DependencyUnavailable("Cosmos DB", short_reason(exc)) from exc

    def ping(self) -> None:
        self.container.read()


def _if_match() -> Any:
    from azure.core import MatchConditions

    return MatchConditions.IfNotModified
