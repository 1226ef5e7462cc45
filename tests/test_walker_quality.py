"""Walker tracking and choice, and the quality checks, on hand-made blob rows."""

from __future__ import annotations

import numpy as np
import pytest

from gait.errors import NoReliableGait
from gait.walk import parameters, quality, walker
from tests.test_parameters import table

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
    assert several.value.reason == "several_people"


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


def test_confidence_falls_with_scatter_exclusions_and_few_steps():
    assert quality.confidence(8, 8, 0.0) == 1.0
    assert quality.confidence(4, 8, 0.0) == 0.5  # half the footprints excluded
    assert quality.confidence(8, 8, 20.0) == 0.5  # step times scatter by 20 %
    assert quality.confidence(2, 2, 0.0) == 0.5  # two footprints of four wanted
    # An unmeasured CV counts as the worst scatter, never as a good one.
    assert quality.confidence(8, 8, None) == quality.confidence(8, 8, 40.0) == 0.5
    assert quality.confidence(0, 0, None) == 0.0


def test_implausible_support_phases_are_withheld_with_a_warning():
    metrics = {"stance_pct": 46.0, "double_support_pct": 0.6, "cadence_spm": 104.0}
    steps = [{"stance_time_s": 0.4, "initial_double_support_time_s": 0.0}]
    warnings = quality.withheld_support_phases(metrics, steps)
    assert len(warnings) == 1 and "stance 46 %" in warnings[0]
    assert metrics["stance_pct"] is None and metrics["cadence_spm"] == 104.0
    assert steps[0]["stance_time_s"] is None
    plausible = {"stance_pct": 61.0, "double_support_pct": 22.0}
    assert quality.withheld_support_phases(plausible, []) == []
    assert plausible["stance_pct"] == 61.0


def _metrics_for_contacts(ic: list[float]) -> dict:
    contacts = table(ic, [t + 0.6 for t in ic], [100.0 * i for i in range(len(ic))])
    per_step = parameters.step_values(contacts, None)
    return parameters.summary(contacts, per_step, parameters.stride_values(contacts, None))


def test_step_times_scattering_beyond_walking_are_warned():
    # One foot's footprints broken into slivers: steps alternate 0.2 / 1.0 s (issue 8).
    slivers = _metrics_for_contacts([0.0, 0.2, 1.2, 1.4, 2.4, 2.6, 3.6])
    assert slivers["step_time_cv_pct"] > quality.MAX_PLAUSIBLE_STEP_TIME_CV_PCT
    (warning,) = quality.scattered_step_times(slivers)
    assert "step times scatter" in warning
    steady = _metrics_for_contacts([0.0, 0.55, 1.1, 1.64, 2.2, 2.74, 3.3])
    assert quality.scattered_step_times(steady) == []
