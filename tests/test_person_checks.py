"""The silhouette's walker checked against the person model's landmarks."""

from __future__ import annotations

import numpy as np
import pytest

from gait.walk import person_checks as pc


def standing(n: int, stature_px: float, hip_x: float = 200.0) -> np.ndarray:
    """``(n, 33, 4)`` landmarks of a walker ``stature_px`` tall (by the eye-height rule),
    feet at y=500, hips at ``hip_x``; every other point NaN."""
    lm = np.full((n, 33, 4), np.nan)
    eye_y = 500.0 - pc.EYE_HEIGHT_RATIO * stature_px
    lm[:, [pc.LEFT_EYE, pc.RIGHT_EYE], 1] = eye_y
    lm[:, [pc.LEFT_HEEL, pc.RIGHT_HEEL], 1] = [500.0, 480.0]  # the lower heel is the floor
    lm[:, [pc.LEFT_HIP, pc.RIGHT_HIP], 0] = hip_x
    lm[:, [pc.LEFT_HIP, pc.RIGHT_HIP], 1] = 500.0 - 0.5 * stature_px
    return lm


def test_pose_counts_only_on_the_walkers_box():
    lm = standing(4, 300.0)
    score = np.array([0.9, 0.9, 0.2, 0.9])
    boxes = np.array(
        [
            [150, 300, 250, 500, 0, 0, 0],  # hip centre (200, 350) inside
            [300, 300, 400, 500, 0, 0, 0],  # another place: not the walker's pose
            [150, 300, 250, 500, 0, 0, 0],  # inside, but no pose (score 0.2)
            [-1, -1, -1, -1, -1, -1, -1],  # walker not seen
        ]
    )
    assert pc.pose_on_walker(lm, score, boxes).tolist() == [True, False, False, False]


def test_agreeing_statures_give_no_warning():
    # The usual ratio: the landmarks give 93 % of the silhouette's stature.
    lm = standing(30, 279.0, hip_x=100.0)
    # Silhouette stature 250 + 0.5 x: 300 px at the hips' column.
    ratio, warnings = pc.stature_check(lm, np.ones(30, bool), (250.0, 0.5))
    assert ratio == 0.93 and warnings == []


def test_a_silhouette_short_of_the_walkers_feet_or_head_is_a_warning():
    """Equal statures are not agreement: the landmarks usually read 93 % of the silhouette,
    so a silhouette as short as the landmarks' lost ~7 % of the walker (a dark floor under
    dark shoes), and every length would be as much too long."""
    lm = standing(30, 300.0)
    ratio, warnings = pc.stature_check(lm, np.ones(30, bool), (300.0, 0.0))
    assert ratio == 1.0
    assert len(warnings) == 1 and "landmarks' stature, 1.08 times the silhouette's" in warnings[0]
    # The lengths then rest on the landmarks' standing stature: 300 / 0.93, not 300.
    assert pc.silhouette_stature_scale(ratio) == pytest.approx(1.0 / pc.EXPECTED_STATURE_RATIO)
    assert pc.silhouette_stature_scale(0.93) == 1.0 and pc.silhouette_stature_scale(None) == 1.0


def test_a_stature_disagreement_is_a_warning_not_an_average():
    lm = standing(30, 240.0)
    ratio, warnings = pc.stature_check(lm, np.ones(30, bool), (300.0, 0.0))
    assert ratio == 0.8
    assert len(warnings) == 1 and "80 % of the silhouette's stature" in warnings[0]


def test_too_few_steady_frames_tell_nothing():
    lm = standing(30, 240.0)
    steady = np.zeros(30, bool)
    steady[: pc.MIN_STATURE_FRAMES - 1] = True
    assert pc.stature_check(lm, steady, (300.0, 0.0)) == (None, [])


def test_a_synthetic_walk_reports_the_person_models_share(synthetic, analysed):
    video, _ = synthetic(width=480, height=270, duration_s=5.0, seed=5)
    quality = analysed(video).outcome().quality
    assert quality["frames_with_walker_source"] == "person_model"
    assert 50.0 < quality["frames_with_walker_pct"] <= 100.0
    # Measured 0.933 on this clip: the usual ratio.
    assert not pc.statures_disagree(quality["stature_landmark_ratio"])
