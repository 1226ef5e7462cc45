"""Per-process clients, built on first use and rebuilt after a failure.

Nothing here runs at import: a missing or unreachable dependency turns into a
:class:`~gait.service.errors.DependencyUnavailable` (503) on the request that needs it.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from gait.service import settings as settings_module
from gait.service.blobs import BlobStore
from gait.service.records import RecordStore
from gait.service.settings import Settings

_lock = threading.Lock()
_cache: dict[tuple[str, Settings], Any] = {}
#: One lock per kind of client: building a Cosmos client against a silent endpoint takes
#: its full timeout, and must not hold up the Blob client (or the health check of it).
_building = {"blobs": threading.Lock(), "records": threading.Lock()}


def settings() -> Settings:
    return settings_module.load()


def _cached(kind: str, factory: type) -> Any:
    current = settings()
    key = (kind, current)
    with _building[kind]:
        with _lock:
            if key in _cache:
                return _cache[key]
        client = factory(current)
        with _lock:
            # A settings change (tests, or a slot swap) gets a fresh client.
            for old in [k for k in _cache if k[0] == kind]:
                del _cache[old]
            _cache[key] = client
        return client


def blobs() -> BlobStore:
    return _cached("blobs", BlobStore)


def records() -> RecordStore:
    return _cached("records", RecordStore)


def reset() -> None:
    """Forget every client (tests switch emulators between cases)."""
    with _lock:
        _cache.clear()


class AnalysisLog(logging.LoggerAdapter):
    """Every line about an analysis starts with its id, so one query finds all of them."""

    def process(self, msg: Any, kwargs: Any) -> tuple[Any, Any]:
        return f"[analysis {self.extra['analysis_id']}] {msg}", kwargs


def analysis_log(analysis_id: str) -> AnalysisLog:
    return AnalysisLog(logging.getLogger("gait.service"), {"analysis_id": analysis_id})
