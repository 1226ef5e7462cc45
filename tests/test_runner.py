"""The local runner (gait.runner): chunks analysed in child processes, the result the
library's own whatever the worker count and however often a child is replaced."""

from __future__ import annotations

import json

import pytest

from gait import pipeline
from gait.runner import analyze_video


def test_chunks_in_fresh_children_give_the_librarys_result(synthetic, analysed):
    video, _ = synthetic(width=480, height=270, duration_s=5.0, seed=5)
    expected = json.dumps(analysed(video).outcome().to_dict(), sort_keys=True)
    reported: list[tuple[int, int]] = []
    # 40-frame chunks, a fresh child process for every second one.
    result = analyze_video(
        video,
        workers=1,
        chunk_frames=40,
        chunks_per_child=2,
        progress=lambda done, total: reported.append((done, total)),
    )
    assert json.dumps(result.to_dict(), sort_keys=True) == expected
    frames = result.video["frame_count"]
    assert len(pipeline.chunk_ranges(frames, 40)) >= 3  # so at least two children ran
    assert len(reported) == len(pipeline.chunk_ranges(frames, 40)) + 1  # start, each chunk
    assert reported[0] == (0, frames) and reported[-1] == (frames, frames)
    assert [done for done, _ in reported] == sorted(done for done, _ in reported)


def test_a_child_must_analyse_at_least_one_chunk(small_clip):
    with pytest.raises(ValueError, match="chunks_per_child"):
        analyze_video(small_clip, chunks_per_child=0)
