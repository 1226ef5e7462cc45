from __future__ import annotations

import itertools
import json
import random

import cv2
import numpy as np
import pytest

from gait import pipeline
from gait.errors import GaitError
from tests.media import transform_clip

REAL = ["side-indoor-forward-then-backward.mp4", "side-outdoor-walker-and-jumper.mp4"]


def run_chunked(video, chunk_frames: int, seed: int) -> str:
    """The outcome as canonical JSON with ``chunk_frames`` per chunk, the chunks' features
    shipped through the wire format and aggregated in a shuffled order."""
    plan = pipeline.Plan.from_bytes(pipeline.plan(video, chunk_frames=chunk_frames).to_bytes())
    features = [
        pipeline.ChunkFeatures.from_bytes(pipeline.analyze_chunk(plan, chunk).to_bytes())
        for chunk in plan.chunks
    ]
    random.Random(seed).shuffle(features)
    try:
        outcome = pipeline.aggregate(plan, features).to_dict()
    except GaitError as exc:
        outcome = {"error": exc.to_dict()}
    return json.dumps(outcome, sort_keys=True)


def test_chunk_ranges_cover_every_frame_once():
    for frames, chunk_frames, parallel in itertools.product(
        (1, 29, 130, 230, 449, 900, 18_001), (1, 17, 50, 240), (1, 2, 3)
    ):
        chunks = pipeline.chunk_ranges(frames, chunk_frames, parallel)
        assert chunks[0].start == 0 and chunks[-1].stop == frames
        assert all(a.stop == b.start for a, b in itertools.pairwise(chunks))
        assert all(c.frame_count >= 1 for c in chunks)
        assert [c.index for c in chunks] == list(range(len(chunks)))


def test_chunk_ranges_are_even_and_fill_the_parallel_workers():
    grid = pipeline.REDETECT_INTERVAL_FRAMES
    # 900 frames at 240: 4 chunks of about 225, on the 30-frame re-detection grid (no
    # warm-up), not 240, 240, 240, 180.
    chunks = pipeline.chunk_ranges(900, 240)
    assert [c.frame_count for c in chunks] == [240, 210, 210, 240]
    assert all(c.start % grid == 0 for c in chunks)
    # A 230-frame clip is one chunk alone, two when two run at once; 549 frames three
    # chunks alone, four for two workers.
    assert len(pipeline.chunk_ranges(230, 240)) == 1
    assert [c.frame_count for c in pipeline.chunk_ranges(230, 240, 2)] == [120, 110]
    assert len(pipeline.chunk_ranges(549, 240)) == 3
    assert len(pipeline.chunk_ranges(549, 240, 2)) == 4
    # Not cut for the workers below a grid step per chunk (warm-up would outweigh the work).
    assert len(pipeline.chunk_ranges(40, 240, 2)) == 1
    assert [c.frame_count for c in pipeline.chunk_ranges(60, 240, 2)] == [30, 30]
    assert len(pipeline.chunk_ranges(100, 240, 16)) == 3
    # Chunks shorter than two grid steps keep their even boundaries, off the grid.
    assert [c.start for c in pipeline.chunk_ranges(130, 50)] == [0, 43, 87]


def test_chunk_ranges_cap_the_fan_out():
    chunks = pipeline.chunk_ranges(100_000, 10)
    assert len(chunks) <= pipeline.MAX_CHUNKS
    assert sum(c.frame_count for c in chunks) == 100_000


def test_plan_round_trips_through_bytes(small_clip):
    plan = pipeline.plan(small_clip, height_m=1.7, treadmill_speed_mps=1.1, chunk_frames=25)
    again = pipeline.Plan.from_bytes(plan.to_bytes())
    assert again.chunks == plan.chunks
    assert again.height_m == 1.7
    assert again.treadmill_speed_mps == 1.1
    plain = pipeline.Plan.from_bytes(pipeline.plan(small_clip).to_bytes())
    assert plain.treadmill_speed_mps is None
    assert again.analysis_size == plan.analysis_size
    assert np.array_equal(again.background, plan.background)
    assert np.array_equal(again.video.frame_times_s, plan.video.frame_times_s)
    assert again.video.to_dict() == plan.video.to_dict()


def test_chunk_features_round_trip_and_refuse_an_older_format(small_clip, monkeypatch):
    """Every array :func:`pipeline.analyze_chunk` writes is one of
    :func:`pipeline.chunk_array_names` and comes back from the wire format; features of
    another format version, or without one of the arrays (written before it existed), are
    refused rather than measured as if it were empty."""
    plan = pipeline.plan(small_clip, chunk_frames=30)
    features = pipeline.analyze_chunk(plan, plan.chunks[0])
    assert set(features.arrays) == pipeline.chunk_array_names()
    again = pipeline.ChunkFeatures.from_bytes(features.to_bytes())
    for name, array in features.arrays.items():
        assert np.array_equal(again.arrays[name], array, equal_nan=True), name
    without = dict(features.arrays)
    del without["camera_floor_shift_px"]
    older = pipeline.ChunkFeatures(features.chunk, features.frame_indices, without).to_bytes()
    with pytest.raises(ValueError, match="camera_floor_shift_px"):
        pipeline.ChunkFeatures.from_bytes(older)
    current = features.to_bytes()
    monkeypatch.setattr(pipeline, "FORMAT_VERSION", pipeline.FORMAT_VERSION - 1)
    written_before = features.to_bytes()
    monkeypatch.undo()
    pipeline.ChunkFeatures.from_bytes(current)
    with pytest.raises(ValueError, match="format version"):
        pipeline.ChunkFeatures.from_bytes(written_before)


def test_background_model_erases_the_moving_object(small_clip):
    plan = pipeline.plan(small_clip)
    # The bright square crosses the frame; the scene behind it is dark noise (< 40).
    assert plan.background.max() < 60


@pytest.mark.parametrize("name", REAL)
def test_chunk_features_stay_small(real_clip, analysed, name):
    analysis = analysed(real_clip(name))
    for chunk, blob in zip(analysis.plan.chunks, analysis.chunk_bytes, strict=True):
        # ~3 KB per frame before compression; compressed, under 400 KB per 240 frames.
        assert len(blob) < 400_000 * chunk.frame_count / 240, f"{len(blob)} bytes, {chunk}"


@pytest.mark.slow
@pytest.mark.parametrize("name", REAL)
def test_result_is_chunk_invariant_on_real_clips(real_clip, analysed, name):
    video = real_clip(name)
    reference = analysed(video).canonical
    assert '"events"' in reference, "the clip must give a result for this test to mean much"
    assert run_chunked(video, chunk_frames=37, seed=1) == reference
    assert run_chunked(video, chunk_frames=100, seed=2) == reference


def test_features_are_the_same_whatever_the_chunking(small_clip):
    """Every frame's features, even with one-frame chunks or chunks starting between
    keyframes, equal those of one chunk holding the whole clip."""
    whole_plan = pipeline.plan(small_clip, chunk_frames=10_000)
    whole = pipeline.analyze_chunk(whole_plan, whole_plan.chunks[0])
    assert whole.frame_indices.tolist() == list(range(whole_plan.video.frame_count))
    for chunk_frames in (1, 7, 29):
        plan = pipeline.plan(small_clip, chunk_frames=chunk_frames)
        parts = [pipeline.analyze_chunk(plan, chunk) for chunk in reversed(plan.chunks)]
        parts.sort(key=lambda part: part.chunk.start)
        assert np.array_equal(np.concatenate([p.frame_indices for p in parts]), whole.frame_indices)
        for name, array in whole.arrays.items():
            joined = np.concatenate([p.arrays[name] for p in parts])
            assert np.array_equal(joined, array, equal_nan=True), name


def test_result_is_chunk_invariant_on_a_synthetic_walk(synthetic, analysed):
    video, _ = synthetic(width=480, height=270, duration_s=5.0, vfr=True, seed=5)
    reference = analysed(video).canonical
    assert '"events"' in reference, "the walk must give a result for this test to mean much"
    for chunk_frames, seed in [(13, 6), (64, 7)]:
        assert run_chunked(video, chunk_frames, seed) == reference


def test_person_arrays_are_the_same_whatever_the_chunking(synthetic):
    """The tracker's warm-up from the re-detection grid makes each frame's person arrays
    those of one pass over the whole clip, even for chunks starting off the grid."""
    video, _ = synthetic(width=480, height=270, duration_s=3.0, seed=8)
    whole_plan = pipeline.plan(video, chunk_frames=10_000)
    whole = pipeline.analyze_chunk(whole_plan, whole_plan.chunks[0])
    slots = pipeline.PERSON_SLOTS
    assert whole.arrays["person_slot_landmarks"].shape == (len(whole.frame_indices), slots, 33, 4)
    first_slot = whole.arrays["person_slot_score"][:, 0]
    assert (first_slot >= 0.5).mean() > 0.6, "the figure must be seen"
    plan = pipeline.plan(video, chunk_frames=17)
    assert any(chunk.start % pipeline.REDETECT_INTERVAL_FRAMES for chunk in plan.chunks)
    parts = [pipeline.analyze_chunk(plan, chunk) for chunk in plan.chunks]
    for name in pipeline.PERSON_ARRAYS:
        joined = np.concatenate([p.arrays[name] for p in parts])
        assert np.array_equal(joined, whole.arrays[name], equal_nan=True), name


def test_camera_arrays_are_the_same_whatever_the_chunking(synthetic, tmp_path):
    """The camera motion of a chunk's first frame is measured against the frame before it,
    decoded but not tracked: chunks starting on the re-detection grid (15) and off it (17)
    give every frame's camera arrays bit for bit as one pass, on a panning camera."""
    source, _ = synthetic(width=480, height=270, duration_s=3.0, seed=8, background="textured")
    panned = tmp_path / "panned.mp4"
    transform_clip(
        source,
        panned,
        lambda index, image: cv2.warpAffine(
            image, np.float32([[1, 0, -0.7 * index], [0, 1, 0.2 * index]]), (480, 270),
            borderMode=cv2.BORDER_REFLECT,
        ),
    )  # fmt: skip
    whole_plan = pipeline.plan(panned, chunk_frames=10_000)
    whole = pipeline.analyze_chunk(whole_plan, whole_plan.chunks[0])
    shift = whole.arrays["camera_shift_px"]
    assert np.isnan(shift[0]).all(), "the first frame has no previous frame"
    assert np.isfinite(shift[1:]).all(axis=1).mean() > 0.9
    assert np.nanmedian(shift[1:, 0]) == pytest.approx(-0.7, abs=0.05)
    assert np.nanmedian(shift[1:, 1]) == pytest.approx(0.2, abs=0.05)
    for chunk_frames in (15, 17):
        plan = pipeline.plan(panned, chunk_frames=chunk_frames)
        parts = [pipeline.analyze_chunk(plan, chunk) for chunk in plan.chunks]
        for name in ("camera_shift_px", "camera_support", "camera_scale",
                     "camera_rotation_deg", "cut_score"):  # fmt: skip
            joined = np.concatenate([p.arrays[name] for p in parts])
            assert np.array_equal(joined, whole.arrays[name], equal_nan=True), name


def test_black_frames_give_empty_features_not_a_crash(synthetic, tmp_path):
    """A fade-in from black and a dropped (black) frame mid-walk: those frames see nothing,
    the walk is still measured."""
    source, _ = synthetic(width=480, height=270, duration_s=5.0, seed=5)
    black = {0, 1, 2, 3, 4, 75}
    video = transform_clip(source, tmp_path / "black.mp4", lambda i, f: f * 0 if i in black else f)
    plan = pipeline.plan(video, chunk_frames=40)
    features = [pipeline.analyze_chunk(plan, chunk) for chunk in plan.chunks]
    indices = np.concatenate([f.frame_indices for f in features])
    arrays = {
        name: np.concatenate([f.arrays[name] for f in features]) for name in features[0].arrays
    }
    rows = np.isin(indices, sorted(black))
    assert rows.sum() == len(black)
    assert (arrays["bottom_y"][rows] == -1).all()
    assert (arrays["blobs"][rows] == -1).all()
    assert (arrays["person_slot_score"][rows] == 0).all()
    assert np.isnan(arrays["person_slot_landmarks"][rows]).all()
    assert (arrays["person_slot_score"][~rows, 0] >= 0.5).mean() > 0.6
    result = pipeline.aggregate(plan, features)
    assert result.to_dict()["events"], "the walk around the black frames is still measured"
