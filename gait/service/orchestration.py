"""The analysis orchestration: plan → chunks fanned out → aggregate → persist.

Sequencing only, with plain ``call_activity`` throughout: each activity retries its own
transient I/O (gait/service/transient.py), because orchestrator-side retries followed by a
fan-out can hang the orchestration (durable-python #603).

The Durable extension replays this generator from the start every time an activity
finishes, so it must decide the same way every time: no clock, no randomness, no settings,
no I/O; everything it needs arrives in its input or in activity results.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import azure.durable_functions as df

# Activity function names, as registered in function_app.py.
PLAN = "plan_video"
CHUNK = "analyze_video_chunk"
AGGREGATE = "aggregate_features"
PERSIST = "persist_result"
FAIL = "record_failure"

#: Progress (0-100) at each step; the chunks share the span between ANALYZE and AGGREGATE.
PROGRESS = {"planning": 2, "analyzing": 5, "aggregating": 92, "saving": 97}

MESSAGES = {
    "planning": "Reading the video and building the background model",
    "aggregating": "Measuring steps and gait metrics",
    "saving": "Saving the result",
}


class AnalysisFailed(Exception):
    """Raised last, so the orchestration's runtime status is Failed with this message."""


def _status(
    context: df.DurableOrchestrationContext,
    step: str,
    progress: int,
    message: str,
    **extra: Any,
) -> None:
    context.set_custom_status({"step": step, "progress": progress, "message": message, **extra})


def readable(exc: BaseException) -> str:
    """The first line of an activity failure ("Reason \\n Details" in the SDK)."""
    text = str(exc).strip()
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line[:500]
    return type(exc).__name__


def analysis(context: df.DurableOrchestrationContext) -> Generator[Any, Any, dict[str, Any]]:
    job: dict[str, Any] = context.get_input()
    analysis_id = job["analysis_id"]
    failure: dict[str, Any] | None = None
    _status(context, "planning", PROGRESS["planning"], MESSAGES["planning"])
    try:
        planned = yield context.call_activity(PLAN, job)
        if "error" in planned:
            failure = planned["error"]
        else:
            failure = yield from _analyze(context, job, planned)
    except Exception as exc:  # an activity that failed (after its own retries)
        failure = {"code": "activity_failed", "message": readable(exc)}

    if failure is not None:
        _status(context, "failed", 100, f"Analysis failed: {failure.get('message')}", error=failure)
        yield context.call_activity(FAIL, {"analysis_id": analysis_id, "error": failure})
        raise AnalysisFailed(f"{failure.get('code')}: {failure.get('message')}")
    _status(context, "done", 100, "Analysis complete")
    return {"analysis_id": analysis_id, "status": "completed"}


def _analyze(
    context: df.DurableOrchestrationContext, job: dict[str, Any], planned: dict[str, Any]
) -> Generator[Any, Any, dict[str, Any] | None]:
    """Chunks, aggregate and persist; returns the failure, or None when all went well."""
    analysis_id = job["analysis_id"]
    chunks: list[dict[str, int]] = planned["chunks"]
    total = len(chunks)
    span = PROGRESS["aggregating"] - PROGRESS["analyzing"]

    def analyzing(done: int) -> None:
        _status(
            context,
            "analyzing",
            PROGRESS["analyzing"] + span * done // max(total, 1),
            f"Analysing video chunks: {done} of {total} done",
            chunks_done=done,
            chunks_total=total,
        )

    analyzing(0)
    tasks = [
        context.call_activity(
            CHUNK,
            {
                "analysis_id": analysis_id,
                "video_blob": job["video_blob"],
                "plan_blob": planned["plan_blob"],
                "chunk": chunk,
            },
        )
        for chunk in chunks
    ]
    index_of = {id(task): i for i, task in enumerate(tasks)}
    features: list[str | None] = [None] * total
    pending = list(tasks)
    # task_any in a loop: progress advances as each chunk finishes, in whatever order.
    while pending:
        finished = yield context.task_any(pending)
        pending.remove(finished)
        index = index_of[id(finished)]
        try:
            output = yield finished  # re-yielding a finished task raises if it failed
        except Exception as exc:
            return {
                "code": "chunk_failed",
                "message": f"chunk {index} failed: {readable(exc)}",
            }
        if "error" in output:
            return output["error"]
        features[index] = output["features_blob"]
        analyzing(total - len(pending))

    _status(context, "aggregating", PROGRESS["aggregating"], MESSAGES["aggregating"])
    aggregated = yield context.call_activity(
        AGGREGATE,
        {
            "analysis_id": analysis_id,
            "plan_blob": planned["plan_blob"],
            "video_blob": job["video_blob"],
            "features_blobs": features,
        },
    )
    if "error" in aggregated:
        return aggregated["error"]
    _status(context, "saving", PROGRESS["saving"], MESSAGES["saving"])
    yield context.call_activity(
        PERSIST, {"analysis_id": analysis_id, "result_blob": aggregated["result_blob"]}
    )
    return None
