"""Tolerances against exact synthetic truth at a few corners of the matrix."""

from __future__ import annotations

import pytest

pytest.importorskip("gait.synth")

from benchmarks.accuracy import synthetic_case

CASES = [
    ("default", {}),
    ("right_to_left_fast", {"direction": "right_to_left", "cadence_spm": 125,
                            "step_length_m": 0.75}),
]


@pytest.mark.parametrize(("name", "kwargs"), CASES)
def test_synthetic_tolerances(tmp_path, name, kwargs):
    row = synthetic_case(name, {"width": 960, "height": 540, "duration_s": 5.0, **kwargs},
                         tmp_path)
    assert row["status"] == "ok"
    assert abs(row["cadence_err_spm"]) <= 2.0
    assert abs(row["step_len_err_cm"]) <= 3.0
    assert abs(row["speed_err_pct"]) <= 5.0
    assert row["ic_found_pct"] >= 90
    assert row["ic_mae_ms"] <= 70  # target 20 ms not reached yet: see the report


def test_no_height_gives_no_metres(tmp_path):
    from gait import pipeline
    from gait.synth import SynthParams, render_clip

    path = tmp_path / "clip.mp4"
    render_clip(path, SynthParams(width=960, height=540, duration_s=5.0))
    plan = pipeline.plan(str(path))
    result = pipeline.aggregate(plan, [pipeline.analyze_chunk(plan, c) for c in plan.chunks])
    metrics = result.to_dict()["metrics"]
    assert metrics["step_length_m"] is None and metrics["speed_mps"] is None
    assert metrics["step_length_stature_ratio"] is not None
    assert all(s["step_length_m"] is None for s in result.steps)
