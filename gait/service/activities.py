"""The orchestration's activities: all the I/O and all the work, none of the sequencing.

Inputs and outputs are small JSON dicts holding blob names (a few hundred bytes), never
frames or feature arrays: Durable keeps them in the history and reloads them on every replay.

Failures the analysis raises on purpose (an unusable video, no reliable gait) are returned
as ``{"error": {...}}``: retrying them would give the same answer. Anything else (Storage or
Cosmos hiccups, a worker dying) raises, and the orchestrator's retry policy runs it again.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from typing import Any

from gait.errors import GaitError, NoReliableGait, UnusableVideo
from gait.pipeline import Chunk, ChunkFeatures, Plan, aggregate, analyze_chunk, plan
from gait.service import context, steps
from gait.service.blobs import VideoChanged, artifact_name
from gait.service.errors import ServiceError
from gait.service.validation import public_message

#: Local copies of videos older than this are removed whatever their analysis' state (a
#: record that cannot be read must not keep a copy forever).
CACHE_MAX_AGE_S = 2 * 3600
#: What an activity answers when its analysis was deleted or cancelled while it ran.
GONE = {"error": {"code": "cancelled", "message": "the analysis was deleted or cancelled"}}


def _cache_dir(analysis_id: str) -> str:
    return os.path.join(tempfile.gettempdir(), "gait-videos", analysis_id)


def local_video(analysis_id: str, video_blob: str, etag: str | None) -> str:
    """A local copy of the video, downloaded once per instance and shared by its activities.

    Only the blob version the analysis accepted (``etag``) is downloaded. Downloaded to a
    unique temporary name and renamed into place, so activities running side by side never
    read a half-written file.
    """
    directory = _cache_dir(analysis_id)
    path = os.path.join(directory, os.path.basename(video_blob))
    if os.path.exists(path):
        return path
    _prune_cache()  # before this analysis' directory exists: it is running, but not yet here
    os.makedirs(directory, exist_ok=True)
    partial = f"{path}.{uuid.uuid4().hex}.part"
    settings = context.settings()
    try:
        context.blobs().download_to_file(settings.videos_container, video_blob, partial, etag)
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    return path


def drop_local_video(analysis_id: str) -> None:
    shutil.rmtree(_cache_dir(analysis_id), ignore_errors=True)


def _prune_cache() -> None:
    """Remove local copies this instance no longer needs: those of analyses that are not
    running any more (finished, cancelled or deleted while another instance ran the rest),
    and any older than :data:`CACHE_MAX_AGE_S`."""
    root = os.path.join(tempfile.gettempdir(), "gait-videos")
    if not os.path.isdir(root):
        return
    cutoff = time.time() - CACHE_MAX_AGE_S
    for entry in os.scandir(root):
        try:
            if entry.stat().st_mtime < cutoff or not running(entry.name):
                shutil.rmtree(entry.path, ignore_errors=True)
        except (FileNotFoundError, ServiceError):
            continue  # gone already, or Cosmos unreadable: keep it until the age limit


def _error(analysis_id: str, exc: GaitError, path: str | None = None) -> dict[str, Any]:
    """An analysis error as the record shows it: its code and a message without local paths
    or decoder text (the full message goes to the log, with the analysis id)."""
    context.analysis_log(analysis_id).warning("%s: %s", exc.code, exc.message)
    error = exc.to_dict()
    error["message"] = public_message(exc, path)
    return {"error": error}


def running(analysis_id: str) -> bool:
    """Whether the analysis still exists and runs (not deleted, not cancelled)."""
    record = context.records().get(analysis_id)
    return record is not None and record.get("status") == steps.PROCESSING


def write_artifact(analysis_id: str, leaf: str, data: bytes, content_type: str) -> str | None:
    """Write an artefact of a running analysis; ``None`` when it was deleted or cancelled.

    Checked before and after the write: a DELETE removes the record before the blobs, so
    a write that raced it is seen here and removed, and nothing outlives the analysis."""
    if not running(analysis_id):
        drop_local_video(analysis_id)
        return None
    settings = context.settings()
    name = artifact_name(analysis_id, leaf)
    context.blobs().write_bytes(settings.artifacts_container, name, data, content_type)
    if not running(analysis_id):
        context.blobs().delete_prefix(settings.artifacts_container, name)
        drop_local_video(analysis_id)
        context.analysis_log(analysis_id).info("gone while writing %s: removed it", leaf)
        return None
    return name


def failure_fields(error: dict[str, Any], step: str = "failed") -> dict[str, Any]:
    """The record fields of a failed analysis; the record then expires after the failed
    retention (Cosmos TTL, seconds after this write)."""
    return {
        "status": steps.FAILED,
        **steps.step_fields(step, f"{steps.STEPS[step].message}: {error['message']}"),
        "error": error,
        "ttl": int(context.settings().failed_retention_days * 86400),
    }


def _step(analysis_id: str, step: str, **fields: Any) -> None:
    context.records().update(
        analysis_id,
        unless_status=tuple(steps.FINISHED),
        **steps.step_fields(step),
        **fields,
    )


def plan_video(job: dict[str, Any]) -> dict[str, Any]:
    """Probe the video and build the plan; the plan goes to a blob."""
    analysis_id = job["analysis_id"]
    log = context.analysis_log(analysis_id)
    if not running(analysis_id):
        return GONE
    started = time.perf_counter()
    _step(analysis_id, "planning")
    try:
        path = local_video(analysis_id, job["video_blob"], job.get("video_etag"))
    except VideoChanged as exc:
        log.warning("plan: the video blob changed after it was accepted")
        return {"error": {"code": "video_changed", "message": exc.message}}
    try:
        the_plan = plan(
            path,
            height_m=job.get("height_m"),
            # .get: jobs started before the parameter existed have none.
            treadmill_speed_mps=job.get("treadmill_speed_mps"),
            chunk_frames=int(job["chunk_frames"]),
            parallel=int(job.get("parallel_chunks", 1)),
        )
    except (UnusableVideo, NoReliableGait) as exc:  # frame_rate_too_low is known at plan
        return _error(analysis_id, exc, path)
    name = write_artifact(analysis_id, "plan.npz", the_plan.to_bytes(), "application/octet-stream")
    if name is None:
        return GONE
    summary = the_plan.video.to_dict()
    summary.pop("path", None)
    _step(
        analysis_id, "analyzing", chunks_total=len(the_plan.chunks), chunks_done=[], video=summary
    )
    elapsed = time.perf_counter() - started
    frames = the_plan.video.frame_count
    log.info(
        "plan: %d frames, %d chunks, %.2f s (%.0f frames/s probed)",
        frames,
        len(the_plan.chunks),
        elapsed,
        frames / max(elapsed, 1e-6),
    )
    return {
        "plan_blob": name,
        "frame_count": frames,
        "chunks": [chunk.to_dict() for chunk in the_plan.chunks],
    }


def _chunk_done(analysis_id: str, index: int) -> None:
    """Count a finished chunk on the record: progress and ``updated_at`` move with every
    chunk, in whatever order they finish (a chunk run twice counts once)."""

    def change(record: dict[str, Any]) -> bool:
        if record.get("status") != steps.PROCESSING:
            return False
        done = sorted(set(record.get("chunks_done") or []) | {index})
        total = int(record.get("chunks_total") or len(done))
        record.update(
            chunks_done=done,
            current_step="analyzing",
            step_progress=steps.chunk_progress(len(done), total),
            step_message=steps.chunk_message(len(done), total),
        )
        return True

    context.records().modify(analysis_id, change)


def analyze_video_chunk(task: dict[str, Any]) -> dict[str, Any]:
    """Reduce one chunk's frames to features; the features go to a blob."""
    analysis_id = task["analysis_id"]
    chunk = Chunk.from_dict(task["chunk"])
    log = context.analysis_log(analysis_id)
    if not running(analysis_id):
        drop_local_video(analysis_id)
        return GONE
    started = time.perf_counter()
    settings = context.settings()
    store = context.blobs()
    the_plan = Plan.from_bytes(store.read_bytes(settings.artifacts_container, task["plan_blob"]))
    try:
        path = local_video(analysis_id, task["video_blob"], task.get("video_etag"))
    except VideoChanged as exc:
        return {"error": {"code": "video_changed", "message": exc.message}}
    try:
        features = analyze_chunk(the_plan, chunk, source=path)
    except UnusableVideo as exc:
        return _error(analysis_id, exc, path)
    name = write_artifact(
        analysis_id,
        f"features/chunk-{chunk.index:04d}.npz",
        features.to_bytes(),
        "application/octet-stream",
    )
    if name is None:
        return GONE
    _chunk_done(analysis_id, chunk.index)
    elapsed = time.perf_counter() - started
    frames = int(features.frame_indices.size)
    log.info(
        "chunk %d (frames %d-%d): %d frames in %.2f s, %.1f frames/s",
        chunk.index,
        chunk.start,
        chunk.stop,
        frames,
        elapsed,
        frames / max(elapsed, 1e-6),
    )
    return {"index": chunk.index, "features_blob": name, "frames": frames}


#: The report page's picture of the walk, stored beside ``result.json``.
REPORT_FRAME = "walk.jpg"


def _store_walk_frame(analysis_id: str, task: dict[str, Any], result: dict[str, Any]) -> None:
    """Store :func:`gait.html_report.walk_frame_jpeg` of the video beside the result. Best
    effort: without it the report draws the footprints on a blank floor, so a video that
    changed or cannot be read again is logged, not a failed analysis."""
    from gait.html_report import walk_frame_jpeg

    try:
        path = local_video(analysis_id, task["video_blob"], task.get("video_etag"))
        jpeg = walk_frame_jpeg(path, result)
    except (VideoChanged, ServiceError, GaitError) as exc:
        context.analysis_log(analysis_id).warning("no walk frame for the report: %s", exc)
        return
    if jpeg is not None:
        write_artifact(analysis_id, REPORT_FRAME, jpeg, "image/jpeg")


def aggregate_features(task: dict[str, Any]) -> dict[str, Any]:
    """Measure the gait from every chunk's features; the result JSON goes to a blob."""
    analysis_id = task["analysis_id"]
    log = context.analysis_log(analysis_id)
    if not running(analysis_id):
        return GONE
    started = time.perf_counter()
    _step(analysis_id, "aggregating")
    settings = context.settings()
    store = context.blobs()
    the_plan = Plan.from_bytes(store.read_bytes(settings.artifacts_container, task["plan_blob"]))
    frames = 0

    def features() -> Iterator[ChunkFeatures]:
        """Each chunk's features read when aggregate asks for them: it compresses each
        chunk's bulky rows as it reads it, so only one chunk's dense features are in memory
        at a time (the same streaming as the local runner's)."""
        nonlocal frames
        for name in task["features_blobs"]:
            chunk = ChunkFeatures.from_bytes(store.read_bytes(settings.artifacts_container, name))
            frames += int(chunk.frame_indices.size)
            yield chunk

    try:
        result = aggregate(the_plan, features()).to_dict()
    except (NoReliableGait, UnusableVideo) as exc:
        return _error(analysis_id, exc)
    # The plan names the planning instance's temporary copy; the blob is the real source.
    result["video"]["path"] = task["video_blob"]
    name = write_artifact(
        analysis_id, "result.json", json.dumps(result).encode(), "application/json"
    )
    if name is None:
        return GONE
    _store_walk_frame(analysis_id, task, result)
    elapsed = time.perf_counter() - started
    log.info(
        "aggregate: %d frames in %.2f s, %.0f frames/s",
        frames,
        elapsed,
        frames / max(elapsed, 1e-6),
    )
    return {"result_blob": name}


def persist_result(task: dict[str, Any]) -> dict[str, Any]:
    """Copy the result's summary into the analysis record (the JSON stays in its blob)."""
    analysis_id = task["analysis_id"]
    started = time.perf_counter()
    settings = context.settings()
    result = json.loads(
        context.blobs().read_bytes(settings.artifacts_container, task["result_blob"])
    )
    context.records().update(
        analysis_id,
        unless_status=tuple(steps.FINISHED),  # cancelled while aggregating: stays cancelled
        status=steps.COMPLETED,
        **steps.step_fields("done"),
        result_blob=task["result_blob"],
        metrics_si=result.get("metrics"),
        quality=result.get("quality"),
        warnings=result.get("warnings", []),
        steps_completed=list(steps.COMPLETED_STEPS),
        error=None,
    )
    drop_local_video(analysis_id)
    context.analysis_log(analysis_id).info(
        "persist: completed in %.2f s", time.perf_counter() - started
    )
    return {"status": steps.COMPLETED}


def record_failure(task: dict[str, Any]) -> dict[str, Any]:
    """Mark the record failed with a readable reason (the orchestration then fails too).

    ``task["error"]["internal"]`` (an exception's text, naming hosts or files) is logged
    with the analysis id and never stored where a user reads it."""
    analysis_id = task["analysis_id"]
    error = dict(task["error"])
    internal = error.pop("internal", None)
    context.records().update(
        analysis_id, unless_status=tuple(steps.FINISHED), **failure_fields(error)
    )
    drop_local_video(analysis_id)
    context.analysis_log(analysis_id).warning(
        "failed (%s): %s%s",
        error.get("code"),
        error.get("message"),
        f" [{internal}]" if internal else "",
    )
    return {"status": steps.FAILED}
