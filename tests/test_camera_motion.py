"""The camera's motion between two frames, measured on the background only."""

from __future__ import annotations

import numpy as np

from gait.frame import camera_motion as cm
from gait.walk.camera import CameraPath
from gait.walk.camera import warnings as camera_warnings


def frames_with_textured_patches(patches: int, shift_px: int) -> tuple[np.ndarray, np.ndarray]:
    """Two 960x540 frames of a flat grey wall carrying ``patches`` small textured squares,
    all moving ``shift_px`` to the right between them (things the person model does not
    follow; with a static camera, e.g. a walker it has lost)."""
    rng = np.random.default_rng(0)
    frames = [np.full((540, 960, 3), 128, np.uint8) for _ in range(2)]
    for k in range(patches):
        texture = rng.integers(0, 255, (40, 40, 3), dtype=np.uint8)
        y, x = 60 + 110 * (k // 8), 60 + 105 * (k % 8)
        for frame, dx in zip(frames, (0, shift_px), strict=True):
            frame[y : y + 40, x + dx : x + dx + 40] = texture
    return frames[0], frames[1]


def test_a_background_with_too_few_points_is_not_measured():
    nobody = np.full((3, 33, 4), np.nan, np.float32)
    many = [cm.motion_frame(f) for f in frames_with_textured_patches(32, 5)]
    measured = cm.frame_motion(*many, nobody, 960)
    assert abs(measured["camera_shift_px"][0] - 5.0) < 0.5 and measured["camera_support"] > 0.5
    # A few textured spots on a plain wall give fewer than MIN_BACKGROUND_POINTS points:
    # their motion is not taken for the camera's, and no support is lost (no cut).
    few = [cm.motion_frame(f) for f in frames_with_textured_patches(3, 5)]
    unmeasured = cm.frame_motion(*few, nobody, 960)
    assert np.isnan(unmeasured["camera_shift_px"]).all()
    assert np.isnan(unmeasured["camera_support"])


def test_a_lost_background_without_a_change_of_scene_is_no_cut():
    """Sensor noise that the encoder renews at a keyframe loses every point on it, as a cut
    does, but leaves the picture's coarse layout as it was: no cut. A change of scene, or an
    unknown one (features stored without ``scene_change``), still confirms the spike."""
    from gait.walk.camera import CUT_MIN_SCENE_CHANGE, find_cuts

    n = 12
    score = np.full(n, 0.05)
    score[6] = 0.9
    shift = np.zeros(n)
    support = np.full(n, 0.95)
    support[6] = 0.0
    change = np.full(n, 0.8)
    assert find_cuts(score, shift, support, scene_change=change).size == 0
    change[6] = CUT_MIN_SCENE_CHANGE + 1.0
    assert find_cuts(score, shift, support, scene_change=change).tolist() == [6]
    assert find_cuts(score, shift, support).tolist() == [6]


def test_scene_change_reads_the_layout_not_the_noise():
    rng = np.random.default_rng(1)
    wall = np.full((540, 960, 3), 120, np.uint8)
    noisy = [
        np.clip(wall + rng.normal(0, 6, wall.shape), 0, 255).astype(np.uint8) for _ in range(2)
    ]
    other_scene = wall.copy()
    other_scene[:, :480] = 40  # half the picture darker: a different shot
    nobody = np.full((3, 33, 4), np.nan, np.float32)

    def change(a: np.ndarray, b: np.ndarray) -> float:
        row = cm.frame_motion(cm.motion_frame(a), cm.motion_frame(b), nobody, 960)
        return float(row["scene_change"])

    assert change(*noisy) < 0.5
    assert change(noisy[0], other_scene) > 20


def test_an_unmeasured_camera_is_named_only_where_a_route_takes_it_as_still():
    """A plain wall leaves the camera ``unknown``: the footprints and a walker in place take
    it as still, and the result says so; the frontal feet gap, where the camera's motion
    cancels, does not need it, so no such warning there."""
    unknown = CameraPath(
        np.zeros((5, 2)), np.full(5, np.nan), np.zeros(0, np.int64), [(0, 5)], 0.0,
        "unknown", "too little textured background to measure the camera's motion",
    )  # fmt: skip
    frames = np.arange(5)
    assert any(
        w.startswith("camera motion not measured")
        for w in camera_warnings(unknown, frames, camera_matters=True)
    )
    assert camera_warnings(unknown, frames, camera_matters=False) == []
