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
from typing import Any

from gait.errors import GaitError, NoReliableGait, UnusableVideo
from gait.pipeline import Chunk, ChunkFeatures, Plan, aggregate, analyze_chunk, plan
from gait.service import context
from gait.service.blobs import artifact_name
from gait.service.legacy import STEP_MESSAGES

#: Local copies of videos older than this are removed (another instance's leftovers).
CACHE_MAX_AGE_S = 2 * 3600


def _cache_dir(analysis_id: str) -> str:
    return os.path.join(tempfile.gettempdir(), "gait-videos", analysis_id)


def local_video(analysis_id: str, video_blob: str) -> str:
    """A local copy of the video, downloaded once per instance and shared by its activities.

    Downloaded to a unique temporary name and renamed into place, so activities running
    side by side never read a half-written file.
    """
    directory = _cache_dir(analysis_id)
    path = os.path.join(directory, os.path.basename(video_blob))
    if os.path.exists(path):
        return path
    _prune_cache()
    os.makedirs(directory, exist_ok=True)
    partial = f"{path}.{uuid.uuid4().hex}.part"
    settings = context.settings()
    try:
        context.blobs().download_to_file(settings.videos_container, video_blob, partial)
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    return path


def drop_local_video(analysis_id: str) -> None:
    shutil.rmtree(_cache_dir(analysis_id), ignore_errors=True)


def _prune_cache() -> None:
    root = os.path.join(tempfile.gettempdir(), "gait-videos")
    if not os.path.isdir(root):
        return
    cutoff = time.time() - CACHE_MAX_AGE_S
    for entry in os.scandir(root):
        try:
            if entry.stat().st_mtime < cutoff:
                shutil.rmtree(entry.path, ignore_errors=True)
        except FileNotFoundError:
            continue


def _error(exc: GaitError) -> dict[str, Any]:
    error = exc.to_dict()
    # The analysis names the local file in its messages; that path means nothing to users.
    error["message"] = (
        error["message"].split(": ", 1)[-1] if ": " in error["message"] else (error["message"])
    )
    return {"error": error}


def _progress(analysis_id: str, step: str, progress: int) -> None:
    context.records().update(
        analysis_id,
        status="processing",
        current_step=step,
        step_progress=progress,
        step_message=STEP_MESSAGES[step],
        unless_status=("completed", "failed"),
    )


def plan_video(job: dict[str, Any]) -> dict[str, Any]:
    """Probe the video and build the plan; the plan goes to a blob."""
    analysis_id = job["analysis_id"]
    log = context.analysis_log(analysis_id)
    started = time.perf_counter()
    _progress(analysis_id, "planning", 2)
    path = local_video(analysis_id, job["video_blob"])
    try:
        the_plan = plan(path, height_m=job.get("height_m"), chunk_frames=int(job["chunk_frames"]))
    except UnusableVideo as exc:
        log.warning("plan: unusable video (%s): %s", exc.code, exc.message)
        return _error(exc)
    name = artifact_name(analysis_id, "plan.npz")
    context.blobs().write_bytes(
        context.settings().artifacts_container,
        name,
        the_plan.to_bytes(),
        "application/octet-stream",
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


def analyze_video_chunk(task: dict[str, Any]) -> dict[str, Any]:
    """Reduce one chunk's frames to features; the features go to a blob."""
    analysis_id = task["analysis_id"]
    chunk = Chunk.from_dict(task["chunk"])
    log = context.analysis_log(analysis_id)
    started = time.perf_counter()
    settings = context.settings()
    store = context.blobs()
    the_plan = Plan.from_bytes(store.read_bytes(settings.artifacts_container, task["plan_blob"]))
    path = local_video(analysis_id, task["video_blob"])
    try:
        features = analyze_chunk(the_plan, chunk, source=path)
    except UnusableVideo as exc:
        log.warning("chunk %d: unusable video (%s): %s", chunk.index, exc.code, exc.message)
        return _error(exc)
    name = artifact_name(analysis_id, f"features/chunk-{chunk.index:04d}.npz")
    store.write_bytes(
        settings.artifacts_container, name, features.to_bytes(), "application/octet-stream"
    )
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


def aggregate_features(task: dict[str, Any]) -> dict[str, Any]:
    """Measure the gait from every chunk's features; the result JSON goes to a blob."""
    analysis_id = task["analysis_id"]
    log = context.analysis_log(analysis_id)
    started = time.perf_counter()
    _progress(analysis_id, "aggregating", 92)
    settings = context.settings()
    store = context.blobs()
    the_plan = Plan.from_bytes(store.read_bytes(settings.artifacts_container, task["plan_blob"]))
    features = [
        ChunkFeatures.from_bytes(store.read_bytes(settings.artifacts_container, name))
        for name in task["features_blobs"]
    ]
    try:
        result = aggregate(the_plan, features).to_dict()
    except NoReliableGait as exc:
        log.warning("aggregate: no reliable gait (%s): %s", exc.reason, exc.message)
        return _error(exc)
    except UnusableVideo as exc:
        return _error(exc)
    # The plan names the planning instance's temporary copy; the blob is the real source.
    result["video"]["path"] = task["video_blob"]
    name = artifact_name(analysis_id, "result.json")
    store.write_bytes(
        settings.artifacts_container, name, json.dumps(result).encode(), "application/json"
    )
    elapsed = time.perf_counter() - started
    frames = sum(int(f.frame_indices.size) for f in features)
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
        unless_status=("failed",),  # cancelled while aggregating: stays cancelled
        status="completed",
        current_step="done",
        step_progress=100,
        step_message=STEP_MESSAGES["done"],
        result_blob=task["result_blob"],
        metrics_si=result.get("metrics"),
        quality=result.get("quality"),
        warnings=result.get("warnings", []),
        steps_completed=["planning", "analyzing", "aggregating", "saving"],
        error=None,
    )
    drop_local_video(analysis_id)
    context.analysis_log(analysis_id).info(
        "persist: completed in %.2f s", time.perf_counter() - started
    )
    return {"status": "completed"}


def record_failure(task: dict[str, Any]) -> dict[str, Any]:
    """Mark the record failed with a readable reason (the orchestration then fails too)."""
    analysis_id = task["analysis_id"]
    error = task["error"]
    context.records().update(
        analysis_id,
        status="failed",
        current_step="failed",
        step_message=f"{STEP_MESSAGES['failed']}: {error.get('message')}",
        error=error,
    )
    drop_local_video(analysis_id)
    context.analysis_log(analysis_id).warning(
        "failed (%s): %s", error.get("code"), error.get("message")
    )
    return {"status": "failed"}
