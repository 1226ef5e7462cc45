"""Expiry: uploads never processed and failed analyses are removed after a retention.

* A failed analysis' record carries a Cosmos ``ttl`` (``GAIT_FAILED_RETENTION_DAYS``), and
  the sweep deletes failed analyses older than that too (video, artefacts, history), so
  nothing depends on the container's TTL being enabled.
* A blob whose analysis has no record (a SAS upload never sent to ``/process``, or what an
  expired record left) is deleted once older than ``GAIT_UPLOAD_RETENTION_HOURS``, and the
  analysis' Durable history with it. That is
  longer than any SAS lifetime, so an upload in progress is never touched.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import defaultdict
from typing import Any

from gait.service import context
from gait.service.analyses import delete_everything
from gait.service.records import iso as records_iso
from gait.service.web import Durable

log = logging.getLogger("gait.service")

#: When the timer runs (NCRONTAB, UTC): hourly, at a minute other jobs rarely use.
SCHEDULE = "0 17 * * * *"


def sweep(durable: Durable, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete expired analyses and orphaned blobs; returns how many of each."""
    settings = context.settings()
    now = now or dt.datetime.now(dt.UTC)
    records = context.records()
    failed_cutoff = now - dt.timedelta(days=settings.failed_retention_days)
    failed = records.failed_before(records_iso(failed_cutoff))
    for analysis_id in failed:
        delete_everything(analysis_id, durable)
    upload_cutoff = now - dt.timedelta(hours=settings.upload_retention_hours)
    store = context.blobs()
    newest: dict[tuple[str, str], dt.datetime] = {}
    names: dict[tuple[str, str], list[str]] = defaultdict(list)
    for container in (settings.videos_container, settings.artifacts_container):
        for name, modified in store.listing(container):
            key = (container, name.split("/", 1)[0])
            names[key].append(name)
            newest[key] = max(modified, newest.get(key, modified))
    orphans = 0
    purged: set[str] = set()
    for (container, analysis_id), when in newest.items():
        if when >= upload_cutoff or records.get(analysis_id) is not None:
            continue
        orphans += store.delete_prefix(container, f"{analysis_id}/")
        if analysis_id not in purged:  # a record Cosmos expired (TTL) leaves its history too
            durable.purge(analysis_id)
            purged.add(analysis_id)
        context.analysis_log(analysis_id).info("expired: %s blobs without a record", container)
    log.info("retention: %d failed analyses and %d orphaned blobs removed", len(failed), orphans)
    return {"failed_analyses": len(failed), "orphaned_blobs": orphans}


async def run(client: Any) -> dict[str, int]:
    """The timer's body: the sweep in a worker thread (its calls block)."""
    durable = Durable(client, asyncio.get_running_loop())
    return await asyncio.to_thread(sweep, durable)
