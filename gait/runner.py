"""Run the three pipeline steps on a local file, chunks in child processes."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass

from gait import pipeline
from gait.result import Result

#: ``progress(frames_done, frames_total)``, called as chunks complete.
ProgressCallback = Callable[[int, int], None]

#: Chunks one child process analyses before a fresh child replaces it. Whatever resident
#: memory a chunk's analysis leaves behind (heap the allocator keeps, decoder and model
#: runtime state) then goes with the child, so the run's peak is bounded whatever the
#: video's length. A child costs ~0.3 s of CPU to start (imports, the person model), paid
#: once per this many chunks (~1 min of video at 240 frames per chunk, 30 fps).
CHUNKS_PER_CHILD = 8

_worker_plan: pipeline.Plan | None = None


def analyze_video(
    video: str | os.PathLike[str],
    *,
    height_m: float | None = None,
    treadmill_speed_mps: float | None = None,
    workers: int = 1,
    chunk_frames: int = pipeline.DEFAULT_CHUNK_FRAMES,
    progress: ProgressCallback | None = None,
    chunks_per_child: int = CHUNKS_PER_CHILD,
) -> Result:
    """Analyse ``video`` end to end: plan, every chunk, aggregate.

    A video of several chunks has them analysed in ``workers`` child processes (one for
    ``workers <= 1``), each replaced by a fresh one after ``chunks_per_child`` chunks; this
    process only plans and aggregates. The result is the same whatever ``workers`` and
    ``chunks_per_child``. Raises :class:`gait.errors.GaitError` subclasses for unusable
    input or no gait.
    """
    if chunks_per_child < 1:
        raise ValueError("chunks_per_child must be at least 1")
    plan = pipeline.plan(
        video,
        height_m=height_m,
        treadmill_speed_mps=treadmill_speed_mps,
        chunk_frames=chunk_frames,
        parallel=max(1, workers),
    )
    total = plan.video.frame_count
    if progress:
        progress(0, total)
    # Chunks reach aggregate one at a time, as generators, and are not kept here: aggregate
    # compresses each chunk's bulky rows as it arrives, and this process never analyses a
    # chunk of a video of several, so it holds only the plan and the compact features; the
    # run's peak then does not grow with the video's length (benchmarks/memory.py).
    if len(plan.chunks) == 1:
        chunks = _chunks_in_process(plan, total, progress)
    else:
        chunks = _chunks_in_children(plan, max(1, workers), chunks_per_child, total, progress)
    return pipeline.aggregate(plan, chunks)


def _chunks_in_process(
    plan: pipeline.Plan, total: int, progress: ProgressCallback | None
) -> Iterator[pipeline.ChunkFeatures]:
    done = 0
    for chunk in plan.chunks:
        yield pipeline.analyze_chunk(plan, chunk)
        done += chunk.frame_count
        if progress:
            progress(done, total)


@dataclass(eq=False)  # children are told apart by identity
class _Child:
    """One child process (a one-process pool) and the chunks it was given."""

    pool: ProcessPoolExecutor
    chunks: int = 0


def _chunks_in_children(
    plan: pipeline.Plan,
    workers: int,
    chunks_per_child: int,
    total: int,
    progress: ProgressCallback | None,
) -> Iterator[pipeline.ChunkFeatures]:
    """Every chunk's features, analysed in ``workers`` child processes, in completion order.

    Each child is a one-process pool given one chunk at a time and shut down after
    ``chunks_per_child`` (``ProcessPoolExecutor(max_tasks_per_child=...)`` is not used: in
    Python 3.11-3.13 it stops replacing workers when tasks are queued, CPython gh-115634).
    A child that dies raises ``BrokenProcessPool`` here.
    """
    # spawn, not fork: forking a process that already holds FFmpeg/OpenCV threads can
    # deadlock the child.
    context = multiprocessing.get_context("spawn")
    plan_bytes = plan.to_bytes()

    def new_child() -> _Child:
        return _Child(
            ProcessPoolExecutor(
                max_workers=1,
                mp_context=context,
                initializer=_load_plan,
                initargs=(plan_bytes,),
            )
        )

    # Longest first (popped from the end): chunks of 240, 210, 210, 240 frames given in
    # order to two children keep one busy for 480 frames while the other waits at 420.
    waiting = sorted(plan.chunks, key=lambda chunk: (chunk.frame_count, -chunk.start))
    running: dict[Future[bytes], tuple[pipeline.Chunk, _Child]] = {}
    children: list[_Child] = []

    def give(child: _Child) -> None:
        chunk = waiting.pop()
        child.chunks += 1
        running[child.pool.submit(_analyze_chunk_in_worker, chunk.to_dict())] = (chunk, child)

    done = 0
    try:
        for _ in range(min(workers, len(waiting))):
            children.append(new_child())
            give(children[-1])
        while running:
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                chunk, child = running.pop(future)
                features = pipeline.ChunkFeatures.from_bytes(future.result())
                if waiting and child.chunks >= chunks_per_child:
                    # The old child exits before its replacement starts: never two at once.
                    child.pool.shutdown(wait=True)
                    children.remove(child)
                    child = new_child()
                    children.append(child)
                if waiting:
                    give(child)
                else:  # nothing left for it: its memory goes before the aggregate's peak
                    child.pool.shutdown(wait=True)
                    children.remove(child)
                done += chunk.frame_count
                if progress:
                    progress(done, total)
                yield features
    finally:
        for child in children:
            child.pool.shutdown(wait=True, cancel_futures=True)


def _load_plan(plan_bytes: bytes) -> None:
    global _worker_plan
    _worker_plan = pipeline.Plan.from_bytes(plan_bytes)


def _analyze_chunk_in_worker(chunk: dict[str, int]) -> bytes:
    assert _worker_plan is not None, "worker started without a plan"
    return pipeline.analyze_chunk(_worker_plan, pipeline.Chunk.from_dict(chunk)).to_bytes()
