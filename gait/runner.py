"""Run the three pipeline steps on a local file, chunks in parallel worker processes."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed

from gait import pipeline
from gait.result import Result

#: ``progress(frames_done, frames_total)``, called as chunks complete.
ProgressCallback = Callable[[int, int], None]

_worker_plan: pipeline.Plan | None = None


def analyze_video(
    video: str | os.PathLike[str],
    *,
    height_m: float | None = None,
    treadmill_speed_mps: float | None = None,
    workers: int = 1,
    chunk_frames: int = pipeline.DEFAULT_CHUNK_FRAMES,
    progress: ProgressCallback | None = None,
) -> Result:
    """Analyse ``video`` end to end: plan, every chunk, aggregate.

    ``workers > 1`` analyses chunks in that many processes; the result is the same.
    Raises :class:`gait.errors.GaitError` subclasses for unusable input or no gait.
    """
    plan = pipeline.plan(
        video,
        height_m=height_m,
        treadmill_speed_mps=treadmill_speed_mps,
        chunk_frames=chunk_frames,
    )
    total = plan.video.frame_count
    if progress:
        progress(0, total)
    # Chunks reach aggregate one at a time, as generators, and are not kept here: aggregate
    # compresses each chunk's bulky rows as it arrives (the whole run's memory then does not
    # grow with the clip's length, benchmarks/memory.py).
    if workers <= 1 or len(plan.chunks) == 1:
        return pipeline.aggregate(plan, _chunks_in_process(plan, total, progress))
    # spawn, not fork: forking a process that already holds FFmpeg/OpenCV threads can
    # deadlock the child.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=min(workers, len(plan.chunks)),
        mp_context=context,
        initializer=_load_plan,
        initargs=(plan.to_bytes(),),
    ) as pool:
        futures = {pool.submit(_analyze_chunk_in_worker, c.to_dict()): c for c in plan.chunks}
        return pipeline.aggregate(plan, _chunks_from_workers(futures, total, progress))


def _chunks_in_process(
    plan: pipeline.Plan, total: int, progress: ProgressCallback | None
) -> Iterator[pipeline.ChunkFeatures]:
    done = 0
    for chunk in plan.chunks:
        yield pipeline.analyze_chunk(plan, chunk)
        done += chunk.frame_count
        if progress:
            progress(done, total)


def _chunks_from_workers(
    futures: dict[Future[bytes], pipeline.Chunk],
    total: int,
    progress: ProgressCallback | None,
) -> Iterator[pipeline.ChunkFeatures]:
    done = 0
    for future in as_completed(futures):
        yield pipeline.ChunkFeatures.from_bytes(future.result())
        done += futures[future].frame_count
        if progress:
            progress(done, total)


def _load_plan(plan_bytes: bytes) -> None:
    global _worker_plan
    _worker_plan = pipeline.Plan.from_bytes(plan_bytes)


def _analyze_chunk_in_worker(chunk: dict[str, int]) -> bytes:
    assert _worker_plan is not None, "worker started without a plan"
    return pipeline.analyze_chunk(_worker_plan, pipeline.Chunk.from_dict(chunk)).to_bytes()
