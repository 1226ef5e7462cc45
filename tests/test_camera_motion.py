"""The camera's motion between two frames, measured on the background only."""

from __future__ import annotations

import numpy as np

from gait.frame import camera_motion as cm


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
    many = [cm.motion_grey(f) for f in frames_with_textured_patches(32, 5)]
    measured = cm.frame_motion(*many, nobody, 960)
    assert abs(measured["camera_shift_px"][0] - 5.0) < 0.5 and measured["camera_support"] > 0.5
    # A few textured spots on a plain wall give fewer than MIN_BACKGROUND_POINTS points:
    # their motion is not taken for the camera's, and no support is lost (no cut).
    few = [cm.motion_grey(f) for f in frames_with_textured_patches(3, 5)]
    unmeasured = cm.frame_motion(*few, nobody, 960)
    assert np.isnan(unmeasured["camera_shift_px"]).all()
    assert np.isnan(unmeasured["camera_support"])
