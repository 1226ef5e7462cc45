"""The stuck-analysis watchdog: no analysis stays "processing" forever.

Durable orchestrations can hang as Running with nothing left to wake them (durable-python
#603: a retried activity followed by a fan-out). A timer runs :func:`sweep`; it finds
analyses whose record has not changed for ``GAIT_WATCHDOG_STALL_MINUTES`` and asks the task
hub what became of each:

=====================  ============================================================
runtime status         what the watchdog does
=====================  ============================================================
Running / Pending      also silent on the hub for as long: terminate, record failed
(or Suspended)         (``code: "stalled"``); otherwise still moving: leave it
Completed              the result was saved but the record missed it: persist again
Failed / Terminated    the orchestration ended without recording: record failed
not found              the orchestration is gone (purged, never started): record failed
=====================  ============================================================

Resuming is never tried: a hung orchestration has no event to replay from, and a restart
would analyse the video again under the same id. Every record change goes through the
activities' own ``persist_result`` / ``record_failure``, so the record looks exactly as if
the orchestration had finished it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from typing import Any

from gait.service import activities, context, records
from gait.service.blobs import artifact_name
from gait.service.settings import watchdog_stall_minutes

#: Every 5 minutes (NCRONTAB, seconds first): a stuck analysis is noticed within the stall
#: time plus 5 minutes, at one cheap query per run.
SCHEDULE = "0 */5 * * * *"
#: Record states that should be moving; completed and failed records are final.
ACTIVE_STATUSES = ("pending", "processing")
#: Most records looked at in one sweep: a backlog is worked off over several timer runs,
#: each well inside the function timeout.
MAX_PER_SWEEP = 50
_STILL_RUNNING = {"Running", "Pending", "Suspended", "ContinuedAsNew"}


@dataclass(frozen=True)
class Verdict:
    """What the watchdog did with one analysis (``action`` is one of ``terminated``,
    ``persisted``, ``recorded``, ``left``)."""

    analysis_id: str
    runtime_status: str | None
    action: str
    reason: str


def stalled_records(cutoff: dt.datetime, limit: int = MAX_PER_SWEEP) -> list[dict[str, Any]]:
    """Active records last updated before ``cutoff``, oldest first (one cross-partition query)."""
    return context.records().stalled_before(records.iso(cutoff), ACTIVE_STATUSES, limit)


def _stalled_error(minutes: float) -> dict[str, Any]:
    return {
        "code": "stalled",
        "message": f"the analysis made no progress for {minutes:g} minutes and was stopped; "
        "please upload the video again",
    }


async def _judge(
    client: Any, record: dict[str, Any], cutoff: dt.datetime, minutes: float
) -> Verdict:
    analysis_id = record["id"]
    log = context.analysis_log(analysis_id)
    status = await client.get_status(analysis_id)
    runtime = status.runtime_status.value if status and status.runtime_status else None
    if runtime in _STILL_RUNNING:
        updated = status.last_updated_time
        if updated is not None and updated.astimezone(dt.UTC) >= cutoff:
            return Verdict(analysis_id, runtime, "left", "the orchestration is still moving")
        error = _stalled_error(minutes)
        await client.terminate(analysis_id, f"watchdog: {error['message']}")
        await asyncio.to_thread(
            activities.record_failure, {"analysis_id": analysis_id, "error": error}
        )
        log.warning(
            "watchdog: stuck %s for %g min; terminated and recorded failed", runtime, minutes
        )
        return Verdict(analysis_id, runtime, "terminated", error["message"])
    if runtime == "Completed":
        result_blob = artifact_name(analysis_id, "result.json")
        await asyncio.to_thread(
            activities.persist_result, {"analysis_id": analysis_id, "result_blob": result_blob}
        )
        log.warning("watchdog: completed orchestration had an unsaved record; saved it now")
        return Verdict(analysis_id, runtime, "persisted", "saved the completed result")
    if runtime in {"Failed", "Terminated", "Canceled"}:
        reason = str(status.output or "").strip().splitlines()
        error = {
            "code": "orchestration_failed" if runtime == "Failed" else "orchestration_terminated",
            "message": (reason[0] if reason else f"the orchestration ended as {runtime}")[:500],
        }
    else:
        error = {
            "code": "orchestration_missing",
            "message": "the analysis was never started or its history is gone",
        }
    await asyncio.to_thread(activities.record_failure, {"analysis_id": analysis_id, "error": error})
    log.warning(
        "watchdog: record was still %s; recorded failed (%s)", record.get("status"), runtime
    )
    return Verdict(analysis_id, runtime, "recorded", error["message"])


async def sweep(client: Any, now: dt.datetime | None = None) -> list[Verdict]:
    """One watchdog run: judge every stalled analysis; one failing does not stop the rest."""
    minutes = watchdog_stall_minutes()
    cutoff = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(minutes=minutes)
    stalled = await asyncio.to_thread(stalled_records, cutoff)
    verdicts = []
    for record in stalled:
        try:
            verdicts.append(await _judge(client, record, cutoff, minutes))
        except Exception:  # the next run tries again; the others go ahead now
            context.analysis_log(record["id"]).exception("watchdog: could not judge")
    return verdicts
