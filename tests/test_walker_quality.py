"""Walker tracking and choice, and the quality checks, on hand-made blob rows."""

from __future__ import annotations

import numpy as np
import pytest

from gait.errors import NoReliableGait
from gait.walk import quality, walker

FRAME_HEIGHT_PX = 540
K = 6  # blob rows per frame, as in the features


def blob(cx: float, cy: float = 300, height: int = 240, width: int = 80) -> list[int]:
    """A blob row (x0, y0, x1, y1, area, cx, cy) centred on ``(cx, cy)``."""
    x0, y0 = round(cx - width / 2), round(cy - height / 2)
    return [x0, y0, x0 + width, y0 + height, width * height // 2, round(cx), round(cy)]


def frames_of(*people: list[list[int] | None]) -> np.ndarray:
    """``(n, K, 7)`` blob rows: ``people[j][t]`` is person j's blob in frame t (or None)."""
    n = len(people[0])
    blobs = np.full((n, K, 7), -1, np.int64)
    for t in range(n):
        rows = [p[t] for p in people if p[t] is not None]
        for rank, row in enumerate(rows):
            blobs[t, rank] = row
    return blobs


def walking_across(n: int = 60, start: float = 100, speed_px: float = 10, cy: float = 300):
    return [blob(start + speed_px * t, cy) for t in range(n)]


def test_the_walker_is_the_person_travelling_furthest():
    standing = [blob(800) for _ in range(60)]
    blobs = frames_of(standing, walking_across())
    found = walker.find_walker(blobs, FRAME_HEIGHT_PX)
    assert found.seen.all()
    np.testing.assert_allclose(found.centre_x_px, [100 + 10 * t for t in range(60)])
    assert np.all(found.top_y_px == 180)


def test_a_split_off_head_raises_the_walkers_top():
    blobs = frames_of(walking_across(), [[x0 + 20, 150, x0 + 60, 175, 500, x0 + 40, 162]
                                         for x0 in (60 + 10 * t for t in range(60))])  # fmt: skip
    found = walker.find_walker(blobs, FRAME_HEIGHT_PX)
    assert np.all(found.top_y_px == 150)


def test_a_track_survives_a_short_dropout_but_not_a_long_one():
    path = walking_across()
    short_gap = [None if 20 <= t < 24 else b for t, b in enumerate(path)]
    tracks = walker.link_tracks(frames_of(short_gap), FRAME_HEIGHT_PX)
    assert len(tracks) == 1 and tracks[0].positions.size == 56
    long_gap = [None if 20 <= t < 30 else b for t, b in enumerate(path)]
    assert len(walker.link_tracks(frames_of(long_gap), FRAME_HEIGHT_PX)) == 2


def test_only_person_shaped_travelling_tracks_walk():
    car = [blob(100 + 10 * t, height=100, width=300) for t in range(60)]  # wider than tall
    jumper = [blob(900, cy=300 - 30 * (t % 2)) for t in range(60)]  # stays in place
    tracks = walker.link_tracks(frames_of(car, jumper, walking_across(cy=290)), FRAME_HEIGHT_PX)
    walking = walker.walking_tracks(tracks)
    assert len(walking) == 1 and walking[0].travel_px == pytest.approx(590)


def test_nobody_or_two_walkers_is_no_reliable_gait():
    with pytest.raises(NoReliableGait) as none:
        walker.find_walker(frames_of([blob(500)] * 60), FRAME_HEIGHT_PX)
    assert none.value.reason == "no_walker"
    two = frames_of(walking_across(), walking_across(start=900, speed_px=-10))
    with pytest.raises(NoReliableGait) as several:
        walker.find_walker(two, FRAME_HEIGHT_PX)
    assert several.value.reason == "several_walkers"


def test_someone_crossing_briefly_does_not_stop_the_analysis():
    passer = [blob(950 - 40 * t) if t < 12 else None for t in range(60)]
    found = walker.find_walker(frames_of(walking_across(), passer), FRAME_HEIGHT_PX)
    assert found.seen.all() and found.centre_x_px[0] == 100


def test_a_moving_camera_is_refused():
    quality.check_static_camera(np.full(100, 0.05))
    with pytest.raises(NoReliableGait) as moving:
        quality.check_static_camera(np.full(100, 0.3))
    assert moving.value.reason == "camera_motion"


def test_too_few_steps_is_refused():
    quality.require_steps(quality.MIN_STEADY_STEPS)
    with pytest.raises(NoReliableGait) as few:
        quality.require_steps(quality.MIN_STEADY_STEPS - 1)
    assert few.value.reason == "too_few_steps"


def test_confidence_falls_with_weak_evidence():
    def conf(**changes) -> float:
        strong = dict(
            steady_footprints=8, candidate_footprints=8, steady_steps=7, step_time_scatter_pct=0.0
        )
        return quality.confidence(**{**strong, **changes})

    assert conf() == 1.0
    assert conf(steady_footprints=4) == 0.5  # half the footprints excluded
    assert conf(step_time_scatter_pct=20.0) == 0.5  # step times scatter by 20 %
    assert conf(steady_steps=3) == 0.5  # three steps of the six wanted
    assert conf(failed_checks=1) == conf(disagreeing_sources=1) == 0.75
    assert conf(failed_checks=1, disagreeing_sources=1) == 0.562
    assert conf(pose_coverage=0.4) == 0.5 and conf(pose_coverage=0.95) == 1.0
    # An unmeasured (or withheld) CV counts as the worst scatter, never as a good one.
    assert conf(step_time_scatter_pct=None) == conf(step_time_scatter_pct=40.0) == 0.5
    assert conf(steady_footprints=0, candidate_footprints=0) == 0.0
