"""Tolerances against exact synthetic truth at corners of the accuracy matrix.

The targets of the measurement (IC MAE <= 20 ms, FO MAE <= 35 ms, step length within 2 cm,
speed within 3 %, cadence within 1 spm, stance within 3 points) are asserted per clip;
``benchmarks/accuracy.py`` runs the whole matrix.
"""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from benchmarks.accuracy import synthetic_case
from gait import pipeline
from gait.report import FOOT_COLOURS, REPORT_WIDTH_PX, write_report
from gait.synth import SynthParams, render_clip
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
def test_synthetic_tolerances(tmp_path, name, kwargs):
    row = synthetic_case(name, {**BASE, **kwargs}, tmp_path)
    assert row["status"] == "ok"
    assert row["ic_found_pct"] >= 98 and row["fo_found_pct"] >= 98
    assert row["ic_false"] == 0 and row["fo_false"] == 0
    assert row["ic_mae_ms"] <= 20
    assert row["fo_mae_ms"] <= 35
    assert abs(row["cadence_err_spm"]) <= 1.0
    assert abs(row["step_len_err_cm"]) <= 2.0
    assert abs(row["speed_err_pct"]) <= 3.0
    assert abs(row["stance_err_pts"]) <= 3.0
    assert abs(row["double_support_err_pts"]) <= 5.0


def _analyse(path, height_m=None):
    plan = pipeline.plan(str(path), height_m=height_m)
    return pipeline.aggregate(plan, [pipeline.analyze_chunk(plan, c) for c in plan.chunks])


def test_a_limp_shows_as_step_length_asymmetry(tmp_path):
    path = tmp_path / "limp.mp4"
    truth = render_clip(path, SynthParams(**BASE, asymmetry=0.2))
    metrics = _analyse(path, truth["height_m"]).metrics
    # Steps of L(1 + a/2) and L(1 - a/2): |A - B| / mean = a = 20 %.
    assert 15 <= metrics["step_length_asymmetry_pct"] <= 25
    symmetric = tmp_path / "even.mp4"
    render_clip(symmetric, SynthParams(**BASE))
    assert _analyse(symmetric, truth["height_m"]).metrics["step_length_asymmetry_pct"] < 5


def test_no_height_gives_no_metres(tmp_path):
    path = tmp_path / "clip.mp4"
    truth = render_clip(path, SynthParams(**BASE))
    result = _analyse(path)
    metrics = result.to_dict()["metrics"]
    assert metrics["step_length_m"] is None and metrics["speed_mps"] is None
    assert metrics["walk_ratio_m_per_spm"] is None
    assert all(s["step_length_m"] is None for s in result.steps)
    # The relative values are measured: step length / stature is close to the truth's.
    true_ratio = truth["metrics"]["step_length_m"] / truth["height_m"]
    assert metrics["step_length_stature_ratio"] == pytest.approx(true_ratio, rel=0.03)


def test_report_picture(tmp_path):
    path = tmp_path / "clip.mp4"
    render_clip(path, SynthParams(**BASE))
    result = _analyse(path, 1.75).to_dict()
    picture = tmp_path / "report.png"
    write_report(path, json.loads(json.dumps(result)), picture)
    image = cv2.imread(str(picture))
    assert image is not None and image.shape[1] == REPORT_WIDTH_PX
    assert image.shape[0] > 540  # the frame and the timeline below it
    # Each foot's stance bars and heel marks are drawn in its colour.
    for colour in FOOT_COLOURS.values():
        painted = np.all(np.abs(image.astype(int) - colour) <= 2, axis=2)
        assert np.count_nonzero(painted) > 1000, colour


def test_a_panning_camera_gives_no_reliable_gait(tmp_path):

    from gait.errors import NoReliableGait

    source, panned = tmp_path / "static.mp4", tmp_path / "panned.mp4"
    render_clip(source, SynthParams(width=640, height=360, duration_s=4.0, background="cluttered"))
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
        _analyse(panned, 1.75)
    assert refused.value.reason == "camera_motion"
    _analyse(source, 1.75)  # the same walk filmed still is measured


def test_a_shaking_camera_withholds_the_support_phases(tmp_path):
    """Half a pixel of random shake per frame blurs every contact: stance and double support
    come out impossible for walking, so they are reported as unmeasured, not as numbers."""

    source, shaken = tmp_path / "still.mp4", tmp_path / "shaken.mp4"
    render_clip(source, SynthParams(**BASE, background="textured"))
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
    result = _analyse(shaken, 1.75)
    assert result.metrics["stance_pct"] is None and result.metrics["double_support_pct"] is None
    assert all(step["stance_time_s"] is None for step in result.steps)
    assert any("stance and support phases not reported" in w for w in result.warnings)
    assert _analyse(source, 1.75).metrics["stance_pct"] is not None
