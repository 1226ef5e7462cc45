"""A camera carried along the walk (a tracking shot, gait/synth/tracking_shot.py): parallax
between the wall behind the walker and the floor under her, measured and compensated
(gait/frame/camera_motion.py, gait/walk/camera.py)."""

from __future__ import annotations

import dataclasses
import json

import av
import cv2
import numpy as np
import pytest

from gait import pipeline
from gait.frame.camera_motion import floor_shift_px
from gait.synth.score import score_synthetic
from gait.synth.tracking_shot import row_depth_factors
from gait.walk import camera
from gait.walk.camera import CameraPath, floor_motion_ratio, parallax

#: Small tracking shots: 640x360 would leave too few floor points below the feet.
SHOT = {"width": 960, "height": 540, "duration_s": 5.0, "background": "textured"}


def test_floor_rows_move_between_the_wall_and_the_near_floor():
    factors = row_depth_factors(540, horizon_y_px=410.0, floor_y_px=464.0, k=0.6)
    assert np.all(factors[:410] == 0.6)  # the wall: one depth
    assert factors[410] == pytest.approx(0.6) and factors[464] == pytest.approx(1.0)
    assert np.all(np.diff(factors[410:]) > 0)  # nearer rows faster
    assert factors[-1] > 1.0


def test_the_floor_line_carries_its_shift_to_the_feet_row():
    """Points below the feet whose x shift grows with the row (a travelling camera's floor)
    give the shift at the feet row itself; a wild point is left out."""
    rng = np.random.default_rng(0)
    points = np.column_stack([rng.uniform(0, 400, 40), rng.uniform(100, 225, 40)])
    feet_row = 190.0
    dx = 3.0 + 0.02 * (points[:, 1] - feet_row)
    moved = points + np.column_stack([dx, np.zeros(40)])
    moved[0, 0] += 10.0  # a point on something else
    followed = np.ones(40, bool)
    assert floor_shift_px(points, moved, followed, feet_row) == pytest.approx(3.0, abs=0.01)
    assert np.isnan(floor_shift_px(points, moved, followed, 224.0))  # nothing below
    assert np.isnan(floor_shift_px(points, moved, followed, np.nan))  # nobody's feet


def test_the_floor_ratio_needs_motion_to_compare():
    shift = np.full(60, 2.0)
    assert floor_motion_ratio(1.25 * shift, shift) == pytest.approx(1.25)
    assert floor_motion_ratio(1.25 * shift[:10], shift[:10]) is None  # too few frames
    assert floor_motion_ratio(np.full(60, 0.1), np.full(60, 0.1)) is None  # too little motion
    assert floor_motion_ratio(np.full(60, np.nan), shift) is None  # the floor never seen
    # Scattered frames whose ratio lies near the bound between a pan and a travelling
    # camera tell neither; the same scatter about a ratio far from it does.
    noise = np.random.default_rng(0).normal(0.0, 0.5, 60)
    bound = 1.0 + camera.MAX_FLOOR_PARALLAX
    assert floor_motion_ratio(bound * shift + noise, shift) is None
    assert floor_motion_ratio(1.5 * shift + noise, shift) == pytest.approx(1.5, abs=0.05)


def moving_path(ratio: float | None) -> CameraPath:
    n = 10
    path = np.column_stack([np.arange(n) * -5.0, np.zeros(n)])
    return CameraPath(
        path, np.full(n, 5.0), np.zeros(0, np.int64), [(0, n)], 1.0, "moving", "", ratio
    )


def test_parallax_scales_the_path_or_withholds():
    assert parallax(moving_path(None)) is None  # the floor not seen
    assert parallax(moving_path(1.0 + camera.MAX_FLOOR_PARALLAX / 2)) is None  # a pan
    scaled = parallax(moving_path(1.5))
    assert scaled is not None and scaled.path_px is not None
    np.testing.assert_allclose(scaled.path_px[:, 0], 1.5 * moving_path(1.5).path_px[:, 0])
    assert scaled.warning.startswith("travelling camera")
    too_much = parallax(moving_path(camera.MAX_COMPENSATED_RATIO + 0.5))
    assert too_much is not None and too_much.path_px is None
    assert "not reported" in too_much.warning


def test_a_camera_following_the_walker_over_an_unseen_floor_withholds_lengths():
    """The floor below her not followed (ratio None): a camera following her cannot be told
    turned from carried, so lengths are withheld; a hand's shake, which hardly follows her,
    keeps them (its parallax is as small as its travel)."""
    n, fps = 90, 30.0
    walker_floor_x = 100.0 + 10.0 * np.arange(n)  # she walks 300 px/s in the floor's frame
    following = np.column_stack([-10.0 * np.arange(n), np.zeros(n)])  # keeps her in frame
    shaking = np.column_stack([6.0 * np.sin(np.arange(n) / 3.0), np.zeros(n)])
    for path_px, withheld in ((following, True), (shaking, False)):
        moving = CameraPath(
            path_px, np.full(n, 5.0), np.zeros(0, np.int64), [(0, n)], 1.0, "moving", "", None
        )  # floor_frames 0: the floor below her never followed
        found = parallax(moving, walker_x_px=walker_floor_x + path_px[:, 0], frames_per_s=fps)
        if withheld:
            assert found is not None and found.path_px is None
            assert "not reported" in found.warning and "following" in found.warning
        else:
            assert found is None
    # The floor followed on every frame but its ratio too near the bound to tell (a slow
    # pan): the parallax is bounded, lengths kept.
    near_bound = CameraPath(
        following, np.full(n, 5.0), np.zeros(0, np.int64), [(0, n)], 1.0, "moving", "", None, n
    )
    assert (
        parallax(near_bound, walker_x_px=walker_floor_x + following[:, 0], frames_per_s=fps) is None
    )
    assert camera.follow_share(following[:, 0], walker_floor_x + following[:, 0], fps) == (
        pytest.approx(1.0)
    )


def test_the_moving_cameras_warning_says_what_the_floor_showed():
    """Never followed, followed without a verdict, followed slower (misread), followed
    alike: four different caveats, the last none."""
    unseen = camera.floor_caveat(moving_path(None))
    undecided = camera.floor_caveat(dataclasses.replace(moving_path(None), floor_frames=90))
    slower = camera.floor_caveat(dataclasses.replace(moving_path(0.5), floor_frames=90))
    assert "could not be followed" in unseen
    assert "was followed" in undecided and "could not be followed" not in undecided
    assert "misread" in slower
    assert camera.floor_caveat(dataclasses.replace(moving_path(1.0), floor_frames=90)) == ""


def test_the_tracking_shot_moves_the_wall_k_times_the_floor(synthetic):
    """Decoded frames: from frame 60 to 70 the wall's texture (rows above the walker's head)
    moves k times as far as the walking line (the truth's shift), by phase correlation."""
    path, truth = synthetic(**SHOT, tracking_shot=0.6)
    shift = np.asarray(truth["camera"]["walking_line_shift_px"])
    with av.open(str(path)) as reader:
        frames = [f.to_ndarray(format="gray") for f in reader.decode(video=0)]
    a, b = (frames[i].astype(np.float32) for i in (60, 70))
    wall = cv2.phaseCorrelate(a[20:150], b[20:150])[0][0]
    floor_true = shift[70] - shift[60]
    assert wall == pytest.approx(0.6 * floor_true, abs=1.5)


def test_a_tracking_shot_without_parallax_is_measured_like_a_pan(synthetic, analysed):
    """k = 1 (a window sliding over a flat scene): no travelling-camera warning, and the
    bounds of the slow pan (tests/test_accuracy_synth.py)."""
    path, truth = synthetic(**SHOT, tracking_shot=1.0)
    result = analysed(path, truth["height_m"]).outcome()
    assert result.quality["camera_motion_px"]["class"] == "moving"
    assert not any(w.startswith("travelling camera") for w in result.warnings)
    row = score_synthetic(result.to_dict(), truth)
    assert abs(row["cadence_err_spm"]) <= 0.03 * truth["params"]["cadence_spm"]
    assert abs(row["step_len_err_cm"]) <= 7.0
    assert row["ic_mae_ms"] <= 40


def test_a_strong_parallax_is_found_and_compensated(synthetic, analysed):
    """Wall 2 m behind a walking line 3 m from the camera (k = 0.6): the background's path
    is the wall's, 0.6 of the floor's, which made steps 24 cm (35 %) short with no warning.
    The floor below the feet shows the parallax: named, and the path scaled to the floor's
    motion, the lengths within the slow pan's bounds."""
    path, truth = synthetic(**SHOT, tracking_shot=0.6)
    result = analysed(path, truth["height_m"]).outcome()
    travelling = [w for w in result.warnings if w.startswith("travelling camera")]
    assert len(travelling) == 1 and "scaled by that ratio" in travelling[0]
    row = score_synthetic(result.to_dict(), truth)
    assert abs(row["step_len_err_cm"]) <= 7.0
    assert abs(row["speed_err_pct"]) <= 10.0
    assert abs(row["cadence_err_spm"]) <= 0.03 * truth["params"]["cadence_spm"]
    assert row["ic_mae_ms"] <= 40


def test_parallax_beyond_compensation_withholds_the_lengths(synthetic, analysed, monkeypatch):
    """The same clip with the compensation's limit below its ratio: step and stride lengths
    and speed null with the warning, the contact times and cadence still reported."""
    path, truth = synthetic(**SHOT, tracking_shot=0.6)
    analysis = analysed(path, truth["height_m"])
    monkeypatch.setattr(camera, "MAX_COMPENSATED_RATIO", 1.2)
    features = [pipeline.ChunkFeatures.from_bytes(data) for data in analysis.chunk_bytes]
    result = json.loads(json.dumps(pipeline.aggregate(analysis.plan, features).to_dict()))
    assert any("too much to compensate" in w for w in result["warnings"])
    metrics = result["metrics"]
    assert metrics["step_length_m"] is None and metrics["speed_mps"] is None
    assert metrics["stride_length_m"] is None and metrics["speed_statures_per_s"] is None
    moving = [w for w in result["warnings"] if w.startswith("moving camera")]
    # What the camera costs names the figures reported: cadence, not the withheld speed.
    assert moving and camera.precision_caveat(speed_reported=False) in moving[0]
    assert "speed" not in camera.precision_caveat(speed_reported=False)
    assert all(step["step_length_m"] is None for step in result["steps"])
    assert metrics["cadence_spm"] == pytest.approx(truth["metrics"]["cadence_spm"], rel=0.03)
    row = score_synthetic(result, truth)
    assert row["ic_mae_ms"] <= 40
