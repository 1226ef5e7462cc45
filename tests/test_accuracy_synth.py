"""Tolerances against exact synthetic truth at corners of the accuracy matrix.

The targets of the measurement (IC MAE <= 20 ms, FO MAE <= 35 ms, step length within 2 cm,
speed within 3 %, cadence within 1 spm, stance within 3 points) are asserted per clip;
``benchmarks/accuracy.py`` runs the whole matrix. Clips are rendered and analysed once per
session (``synthetic`` / ``analysed`` in ``conftest.py``).
"""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from gait.errors import NoReliableGait
from gait.report import FOOT_COLOURS, REPORT_WIDTH_PX, write_report
from gait.synth.score import score_synthetic
from tests.media import transform_clip

BASE = {"width": 960, "height": 540, "duration_s": 5.0}
CASES = [
    ("default", {}),
    (
        "right_to_left_fast",
        {"direction": "right_to_left", "cadence_spm": 125, "step_length_m": 0.75},
    ),
    ("limp", {"asymmetry": 0.2}),
    ("vfr_cluttered_shadow", {"vfr": True, "background": "cluttered", "shadow": True}),
    (
        "slow_start_stop",
        {"cadence_spm": 90, "step_length_m": 0.5, "start_stop_inside": True, "duration_s": 8.0},
    ),
]


@pytest.mark.parametrize(("name", "kwargs"), CASES)
def test_synthetic_tolerances(synthetic, analysed, name, kwargs):
    path, truth = synthetic(**{**BASE, **kwargs})
    row = score_synthetic(analysed(path, truth["height_m"]).outcome().to_dict(), truth)
    assert row["ic_found_pct"] >= 98 and row["fo_found_pct"] >= 98
    assert row["ic_false"] == 0 and row["fo_false"] == 0
    assert row["ic_mae_ms"] <= 20
    assert row["fo_mae_ms"] <= 35
    assert abs(row["cadence_err_spm"]) <= 1.0
    assert abs(row["step_len_err_cm"]) <= 2.0
    assert abs(row["speed_err_pct"]) <= 3.0
    assert abs(row["stance_err_pts"]) <= 3.0
    assert abs(row["double_support_err_pts"]) <= 5.0


def test_a_limp_shows_as_step_length_asymmetry(synthetic, analysed):
    path, truth = synthetic(**BASE, asymmetry=0.2)
    result = analysed(path, truth["height_m"]).outcome()
    metrics = result.metrics
    # A true limp trips no self-check (gait.walk.self_checks): nothing withheld.
    assert result.quality["withheld_metrics"] == []
    # Steps of L(1 + a/2) and L(1 - a/2): |A - B| / mean = a = 20 %.
    assert 15 <= metrics["step_length_asymmetry_pct"] <= 25
    symmetric, truth = synthetic(**BASE)
    assert analysed(symmetric, truth["height_m"]).outcome().metrics["step_length_asymmetry_pct"] < 5


def test_single_support_is_the_other_foots_swing(synthetic, analysed):
    """Single support (stance − double support) of a symmetric walk equals swing, and both
    supports match the truth's within the double-support tolerance."""
    path, truth = synthetic(**BASE)
    metrics = analysed(path, truth["height_m"]).outcome().metrics
    assert metrics["single_support_pct"] == pytest.approx(metrics["swing_pct"], abs=3.0)
    assert metrics["single_support_pct"] == pytest.approx(
        truth["metrics"]["single_support_pct"], abs=5.0
    )
    assert metrics["single_support_pct"] + metrics["double_support_pct"] == pytest.approx(
        metrics["stance_pct"], abs=0.01
    )


def test_no_height_gives_no_metres(synthetic, analysed):
    path, truth = synthetic(**BASE)
    result = analysed(path).outcome()
    metrics = result.to_dict()["metrics"]
    assert metrics["step_length_m"] is None and metrics["speed_mps"] is None
    assert metrics["walk_ratio_m_per_spm"] is None
    assert all(s["step_length_m"] is None for s in result.steps)
    # The relative values are measured: step length / stature is close to the truth's.
    true_ratio = truth["metrics"]["step_length_m"] / truth["height_m"]
    assert metrics["step_length_stature_ratio"] == pytest.approx(true_ratio, rel=0.03)


def test_report_picture(tmp_path, synthetic, analysed):
    path, truth = synthetic(**BASE)
    result = analysed(path, truth["height_m"]).outcome().to_dict()
    picture = tmp_path / "report.png"
    write_report(path, json.loads(json.dumps(result)), picture)
    image = cv2.imread(str(picture))
    assert image is not None and image.shape[1] == REPORT_WIDTH_PX
    assert image.shape[0] > 540  # the frame and the timeline below it
    # Each foot's stance bars and heel marks are drawn in its colour.
    for colour in FOOT_COLOURS.values():
        painted = np.all(np.abs(image.astype(int) - colour) <= 2, axis=2)
        assert np.count_nonzero(painted) > 1000, colour


def test_a_panning_camera_gives_no_reliable_gait(tmp_path, synthetic, analysed):
    source, _ = synthetic(width=640, height=360, duration_s=4.0, background="cluttered")
    panned = tmp_path / "panned.mp4"
    transform_clip(
        source,
        panned,  # 3 px per frame to the left
        lambda index, image: cv2.warpAffine(
            image,
            np.float32([[1, 0, -3 * index], [0, 1, 0]]),
            (640, 360),
            borderMode=cv2.BORDER_REFLECT,
        ),
    )
    with pytest.raises(NoReliableGait) as refused:
        analysed(panned, 1.75).outcome()
    assert refused.value.reason == "camera_motion"
    # The same walk filmed still is measured.
    assert analysed(source, 1.75).outcome().metrics["steady_steps"] >= 2


def test_a_shaking_camera_withholds_the_support_phases(tmp_path, synthetic, analysed):
    """Half a pixel of random shake per frame blurs the contacts: stance and double support
    are reported as unmeasured, not as numbers, because they come out impossible for walking
    or because the body landmarks contradict many footprint events (gait/walk/event_check.py).
    """
    source, _ = synthetic(**BASE, background="textured")
    shaken = tmp_path / "shaken.mp4"
    shake = np.random.default_rng(0)
    transform_clip(
        source,
        shaken,
        lambda _index, image: cv2.warpAffine(
            image,
            np.float32([[1, 0, shake.normal(0.0, 0.5)], [0, 1, shake.normal(0.0, 0.5)]]),
            (960, 540),
            borderMode=cv2.BORDER_REFLECT,
        ),
    )
    result = analysed(shaken, 1.75).outcome()
    assert result.metrics["stance_pct"] is None and result.metrics["double_support_pct"] is None
    assert result.metrics["single_support_pct"] is None
    assert all(step["stance_time_s"] is None for step in result.steps)
    assert all(step["initial_double_support_time_s"] is None for step in result.steps)
    assert any("stance and support phases not reported" in w for w in result.warnings)
    assert analysed(source, 1.75).outcome().metrics["stance_pct"] is not None
