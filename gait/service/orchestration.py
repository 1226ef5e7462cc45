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

from gait.errors import first_line
from gait.service.steps import STEPS, chunk_message, chunk_progress

# Activity function names, as registered in function_app.py.
PLAN = "plan_video"
CHUNK = "analyze_video_chunk"
AGGREGATE = "aggregate_features"
PERSIST = "persist_result"
FAIL = "record_failure"


class AnalysisFailed(Exception):
    """Raised last, so the orchestration's runtime status is Failed with this message."""


def _status(
    context: df.DurableOrchestrationContext,
    step: str,
    progress: int | None = None,
    message: str | None = None,
    **extra: Any,
) -> None:
    """The custom status (for operators; users read the record, which activities keep)."""
    context.set_custom_status(
        {
            "step": step,
            "progress": STEPS[step].progress if progress is None else progress,
            "message": message or STEPS[step].message,
            **extra,
        }
    )


def analysis(context: df.DurableOrchestrationContext) -> Generator[Any, Any, dict[str, Any]]:
    job: dict[str, Any] = context.get_input()
    analysis_id = job["analysis_id"]
    failure: dict[str, Any] | None = None
    _status(context, "planning")
    try:
        planned = yield context.call_activity(PLAN, job)
        if "error" in planned:
            failure = planned["error"]
        else:
            failure = yield from _analyze(context, job, planned)
    except Exception as exc:  # an activity that failed (after its own retries)
        failure = {
            "code": "activity_failed",
            "message": "the analysis could not be run; please try again later",
            "internal": first_line(exc).strip(),
        }

    if failure is not None:
        public = {k: v for k, v in failure.items() if k != "internal"}
        _status(context, "failed", message=f"Analysis failed: {public['message']}", error=public)
        yield context.call_activity(FAIL, {"analysis_id": analysis_id, "error": failure})
        raise AnalysisFailed(f"{failure.get('code')}: {failure.get('message')}")
    _status(context, "done")
    return {"analysis_id": analysis_id, "status": "completed"}


def _analyze(
    context: df.DurableOrchestrationContext, job: dict[str, Any], planned: dict[str, Any]
) -> Generator[Any, Any, dict[str, Any] | None]:
    """Chunks, aggregate and persist; returns the failure, or None when all went well."""
    analysis_id = job["analysis_id"]
    chunks: list[dict[str, int]] = planned["chunks"]
    total = len(chunks)

    def analyzing(done: int) -> None:
        _status(
            context,
            "analyzing",
            chunk_progress(done, total),
            chunk_message(done, total),
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
                "video_etag": job.get("video_etag"),
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
                "message": f"part {index} of the video could not be analysed; "
                "please try again later",
                "internal": first_line(exc).strip(),
            }
        if "error" in output:
            return output["error"]
        features[index] = output["features_blob"]
        analyzing(total - len(pending))

    _status(context, "aggregating")
    aggregated = yield context.call_activity(
        AGGREGATE,
        {
            "analysis_id": analysis_id,
            "plan_blob": planned["plan_blob"],
            "video_blob": job["video_blob"],
            "video_etag": job.get("video_etag"),
            "features_blobs": features,
        },
    )
    if "error" in aggregated:
        return aggregated["error"]
    _status(context, "saving")
    yield context.call_activity(
        PERSIST, {"analysis_id": analysis_id, "result_blob": aggregated["result_blob"]}
    )
    return None
