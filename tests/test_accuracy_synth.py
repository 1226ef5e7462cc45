"""Tolerances against exact synthetic truth at corners of the accuracy matrix.

The targets of the measurement (IC MAE <= 20 ms, FO MAE <= 35 ms, step length within 2 cm,
speed within 3 %, cadence within 1 spm, stance within 3 points) are asserted per clip;
``benchmarks/accuracy.py`` runs the whole matrix. Clips are rendered and analysed once per
session (``synthetic`` / ``analysed`` in ``conftest.py``).
"""

from __future__ import annotations

import json

import av
import cv2
import numpy as np
import pytest

from gait import pipeline
from gait.errors import NoReliableGait
from gait.report import FOOT_COLOURS, REPORT_WIDTH_PX, write_report
from gait.synth.camera_move import shifted_copy
from gait.synth.out_and_back import render_out_and_back
from gait.synth.params import SynthParams
from gait.synth.score import match_events, score_synthetic, steady_true_events
from gait.walk import camera
from gait.walk.camera import camera_path
from tests.media import shaken_copy, transform_clip
from tests.test_landmark_events import feet_named_as_rendered

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


def test_sensor_noise_is_no_cut_and_no_moving_camera(synthetic, analysed):
    """Sensor noise (sigma 6 levels) on a plain background: the camera's points lie on the
    noise and agree on only a third of the frames, all still. Neither a cut (the picture's
    layout does not change; refused ``edited_video`` with 13 false cuts before
    ``camera.CUT_MIN_SCENE_CHANGE``) nor motion too strong (refused ``camera_motion`` before
    ``camera.MIN_STILL_MEASURED_SHARE``): unknown, as before a plain wall, and measured by
    the footprints."""
    path, truth = synthetic(**{**BASE, "duration_s": 6.0}, noise=6.0)
    result = analysed(path, truth["height_m"]).outcome()
    assert result.quality["camera_motion_px"]["class"] == "unknown"
    assert any(w.startswith("camera motion not measured") for w in result.warnings)
    row = score_synthetic(result.to_dict(), truth)
    assert row["ic_found_pct"] >= 98 and row["ic_mae_ms"] <= 20
    assert abs(row["cadence_err_spm"]) <= 1.0


def test_dark_shoes_on_a_dark_floor_are_measured_by_the_landmarks_where_footprints_fail(
    synthetic, analysed
):
    """Dark shoes on a dark floor (clothing contrast 0.4). The silhouette loses the feet:
    its stature is 7 % short, and each footprint's foot off comes ~0.4 s early, before the
    other foot lands. That is a walk with mistimed foot offs, not running (refused before the
    running check took the rate into account). Each foot off whose footprint breaks the
    walking order is taken from the landmarks, and the lengths rest on the landmarks' stature,
    both said in warnings: measured FO 19 ms (every one), step -0.3 cm, speed -0.2 %, stance
    +0.2 points. Before: FO 123 ms (1 of 7, 2 false), step +4.5 cm, speed +7.0 %, phases
    withheld."""
    path, truth = synthetic(**{**BASE, "duration_s": 6.0}, contrast=0.4)
    result = analysed(path, truth["height_m"]).outcome()
    assert any("replaced by the body landmarks' timing" in w for w in result.warnings)
    assert any("lengths rest on the landmarks' stature" in w for w in result.warnings)
    row = score_synthetic(result.to_dict(), truth)
    assert row["fo_found_pct"] >= 80 and row["fo_false"] == 0 and row["fo_mae_ms"] <= 35
    assert abs(row["step_len_err_cm"]) <= 2.0 and abs(row["speed_err_pct"]) <= 3.0
    assert abs(row["stance_err_pts"]) <= 3.0
    assert abs(result.metrics["cadence_spm"] - truth["params"]["cadence_spm"]) <= 2.0


def test_a_limp_shows_as_step_length_asymmetry(synthetic, analysed):
    path, truth = synthetic(**BASE, asymmetry=0.2)
    result = analysed(path, truth["height_m"]).outcome()
    metrics = result.metrics
    # A true limp trips no self-check (gait.walk.self_checks): nothing withheld.
    assert result.quality["withheld_metrics"] == []
    # Steps of L(1 + a/2) and L(1 - a/2): |A - B| / mean = a = 20 %.
    assert 15 <= metrics["step_length_asymmetry_pct"] <= 25
    symmetric, truth = synthetic(**BASE)
    symmetric_result = analysed(symmetric, truth["height_m"]).outcome()
    assert symmetric_result.metrics["step_length_asymmetry_pct"] < 5
    # The result names the height its metres rest on (a saved result used to lose it).
    assert symmetric_result.quality["scale"] == {"height_m": truth["height_m"], "from": "height"}


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
    assert result.quality["scale"] is None
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


def clip_arrays(analysis) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The frame indices and per-frame arrays of an analysed clip, from its chunks' bytes."""
    parts = sorted(
        (pipeline.ChunkFeatures.from_bytes(b) for b in analysis.chunk_bytes),
        key=lambda part: part.chunk.start,
    )
    names = parts[0].arrays
    return (
        np.concatenate([p.frame_indices for p in parts]),
        {name: np.concatenate([p.arrays[name] for p in parts]) for name in names},
    )


def test_a_slow_pan_is_compensated_and_measured(tmp_path, synthetic, analysed):
    """A camera panning 1 px per frame: its path is measured on the background within 2 px
    of the applied one over 5 s, and the walk, measured by the landmarks in the floor's
    frame, has the cadence and step length of the truth."""
    source, truth = synthetic(**BASE, background="cluttered")
    # The picture moves 1 px per frame to the left: the camera pans right.
    panned = shifted_copy(source, tmp_path / "panned.mp4", rate_px=1.0, phase_px=0.0)
    analysis = analysed(panned, truth["height_m"])
    frame_indices, arrays = clip_arrays(analysis)
    path = camera_path(arrays, analysis.plan.analysis_size[0], analysis.plan.video.fps)
    assert path.kind == "moving" and path.cut_rows.size == 0
    to_analysis = analysis.plan.analysis_size[0] / BASE["width"]
    applied = -1.0 * frame_indices * to_analysis
    assert np.abs(path.path_px[:, 0] - applied).max() < 2.0
    assert np.abs(path.path_px[:, 1]).max() < 1.0
    result = analysis.outcome()
    motion = result.quality["camera_motion_px"]
    assert motion["class"] == "moving"
    assert motion["shift_per_frame_median_px"] == pytest.approx(1.0, abs=0.1)
    moving = [w for w in result.warnings if w.startswith("moving camera")]
    # One clip's chance, said.
    assert moving and camera.precision_caveat(speed_reported=True) in moving[0]
    assert result.quality["view"]["belt_speed_statures_per_s"] is None  # overground: no belt
    row = score_synthetic(result.to_dict(), truth)
    assert result.metrics["steady_steps"] >= 4
    assert abs(row["cadence_err_spm"]) <= 0.04 * truth["params"]["cadence_spm"]
    # This walk panned from ten sub-pixel phases (0, 0.1, ... 0.9 px; benchmarks/scatter.py,
    # benchmarks/scatter-results.md) measured step length -1.5 to 0.0 cm (mean -0.8, SD
    # 0.6), speed -3.3 to -1.0 % (mean -2.2), cadence -4.1 to +1.3 spm (a frame's error at
    # either end of six steps): the landmarks' scatter, not the path, which is within 1.4 px
    # (~0.3 cm) of the applied one. Held still, the same ten: 0.1 to 0.2 cm, -0.1 to +0.5 %,
    # -0.4 spm every time. This phase (0): -1.5 cm, -2.0 %, +0.2 spm (session 7).
    assert abs(row["step_len_err_cm"]) <= 3.0
    assert abs(row["speed_err_pct"]) <= 5.0
    assert row["ic_mae_ms"] <= 40


def assert_both_ways_measured(result, truth: dict, ic_bound_ms: float, fo_bound_ms: float):
    """Both ways of an out-and-back walk (:mod:`gait.synth.out_and_back`) measured: the
    steady true events of each way found but at most one, within the bounds (MAE, ms), none
    false; the feet named as rendered on both (walking toward image right shows the right
    side, toward the left the left side); no step across the turn, no broken alternation."""
    steady = steady_true_events(truth)
    turn_frame = min(
        f["ic_frame"] or f["fo_frame"] for f in truth["footprints"] if f["way"] == "back"
    )
    for way in ("out", "back"):
        frames = {
            frame
            for f in truth["footprints"]
            if f["way"] == way
            for frame in (f["ic_frame"], f["fo_frame"])
        }
        true = [e for e in steady if e["frame"] in frames]
        times = [e["time_s"] for e in true]
        for kind, bound_ms in (("initial_contact", ic_bound_ms), ("foot_off", fo_bound_ms)):
            errors, n_true, found, false = match_events(
                result.events, true, kind, (min(times) - 0.2, max(times) + 0.2), truth["events"]
            )
            # At most one missed: x264 encodes vary from run to run (seeds 1 and 2 of this
            # walk each missed one foot off on a way).
            assert n_true >= 8 and found >= n_true - 1 and false == 0, (way, kind, found, n_true)
            assert 1000 * np.mean(np.abs(errors)) <= bound_ms, (way, kind, errors)
        way_events = [e for e in truth["events"] if e["frame"] in frames]
        matched = feet_named_as_rendered(result.events, way_events)
        assert matched >= 16, (way, matched)
    initial_contacts = sorted(e["frame"] for e in result.events if e["type"] == "initial_contact")
    for step in result.steps:
        previous = max(f for f in initial_contacts if f < step["ic_frame"])
        assert (previous < turn_frame) == (step["ic_frame"] < turn_frame), step
    assert sum(step["ic_frame"] > turn_frame for step in result.steps) >= 7
    assert sum(step["ic_frame"] < turn_frame for step in result.steps) >= 7
    assert not any("alternation" in w for w in result.warnings)


def test_both_ways_of_an_out_and_back_walk_filmed_by_a_panning_camera(tmp_path, analysed):
    """Out and back before a camera panning after the walker (a 960 px window over a
    1440 px scene, up to ~7 px per frame): each way is read with its own facing, so both
    are measured (until session 6 the way back was left out as ``facing_the_other_way``:
    9 of 18 steps). Measured: IC MAE 24 / 17 ms and FO 26 / 30 ms on the way out / back,
    every steady event found, feet named as rendered on both, cadence -0.9 spm."""
    params = SynthParams(width=1440, height=540, background="cluttered")
    video = tmp_path / "out-and-back.mp4"
    truth = render_out_and_back(video, params, 960)
    result = analysed(video, truth["height_m"]).outcome()
    assert result.quality["camera_motion_px"]["class"] == "moving"
    assert not result.quality["excluded_segments"]
    passes = result.quality["view"]["pass_facings"]
    assert [p["facing"] for p in passes] == ["image_right", "image_left"]
    assert_both_ways_measured(result, truth, 40.0, 40.0)
    row = score_synthetic(result.to_dict(), truth)
    assert abs(row["cadence_err_spm"]) <= 0.02 * truth["params"]["cadence_spm"]
    assert abs(row["step_len_err_cm"]) <= 7.0


def test_both_ways_of_an_out_and_back_walk_before_a_still_camera(tmp_path, analysed):
    """The same walk before a still camera (the whole scene): the footprints time both
    ways, and the landmarks that check them now read each way with its own facing. Read
    with one facing, the way out's landmark events had contradicted its footprints: 9 of 31
    footprint events withheld, the support phases withheld (29 % contradicted), the feet
    left A/B (73 % agreement), 11 steps, IC / FO found 83 / 67 %. Measured now: nothing
    withheld, 16 steps, IC MAE 8.5 ms, FO 9.9 ms, feet named as rendered, stance within
    1.1 points."""
    params = SynthParams(width=1440, height=540, background="cluttered")
    video = tmp_path / "out-and-back-still.mp4"
    truth = render_out_and_back(video, params, params.width)
    result = analysed(video, truth["height_m"]).outcome()
    assert result.quality["camera_motion_px"]["class"] == "static"
    assert {e["source"] for e in result.events} == {"footprint"}
    assert not any("withheld" in w or "not reported" in w for w in result.warnings)
    assert_both_ways_measured(result, truth, 20.0, 35.0)
    row = score_synthetic(result.to_dict(), truth)
    assert abs(row["cadence_err_spm"]) <= 1.0
    assert abs(row["stance_err_pts"]) <= 3.0


def test_a_rolling_camera_is_refused_as_camera_motion(tmp_path, synthetic, analysed):
    """A camera rolling by up to 8 degrees from frame to frame: the background's points
    agree on no motion on most frames, so the motion cannot be compensated: refused, naming
    the share of frames it was measured on."""
    source, truth = synthetic(width=640, height=360, duration_s=4.0, background="cluttered")
    rolled = tmp_path / "rolled.mp4"
    angles = np.random.default_rng(1).uniform(-4.0, 4.0, 200)
    transform_clip(
        source,
        rolled,
        lambda index, image: cv2.warpAffine(
            image,
            cv2.getRotationMatrix2D((320, 180), float(angles[index]), 1.0),
            (640, 360),
            borderMode=cv2.BORDER_REFLECT,
        ),
    )
    with pytest.raises(NoReliableGait) as refused:
        analysed(rolled, truth["height_m"]).outcome()
    assert refused.value.reason == "camera_motion"
    assert "motion measured on only" in refused.value.message


def test_a_cut_splits_the_steps(tmp_path, synthetic, analysed):
    """The walk cut to another background mid-walk (a hard cut): the cut is found at its
    frame, no step spans it, and the walk on either side is still measured."""
    source, truth = synthetic(width=640, height=360, duration_s=4.0, background="textured")
    other, _ = synthetic(width=640, height=360, duration_s=4.0, background="cluttered")
    with av.open(str(other)) as reader:
        frames = [frame.to_ndarray(format="bgr24") for frame in reader.decode(video=0)]
    cut_frame = 62
    edited = tmp_path / "edited.mp4"
    transform_clip(
        source, edited, lambda index, image: image if index < cut_frame else frames[index]
    )
    result = analysed(edited, truth["height_m"]).outcome()
    assert any(f"1 cut at frame {cut_frame}" in w for w in result.warnings)
    initial_contacts = sorted(e["frame"] for e in result.events if e["type"] == "initial_contact")
    for step in result.steps:  # a step ends at its own IC and starts at the IC before it
        previous = max(f for f in initial_contacts if f < step["ic_frame"])
        assert (previous < cut_frame) == (step["ic_frame"] < cut_frame), step
    assert result.metrics["steady_steps"] >= 2
    assert abs(result.metrics["cadence_spm"] / truth["params"]["cadence_spm"] - 1) < 0.05


def test_a_shaking_camera_is_measured_and_compensated(tmp_path, synthetic, analysed):
    """Half a pixel of random shake per frame blurred the footprints' contacts (stance 46 %,
    double support 0.6 % instead of 61 % and 22 %, when the camera was not measured): the
    shake is now measured on the background and subtracted, and the landmark route in the
    floor's frame gives the support phases of the truth."""
    source, truth = synthetic(**BASE, background="textured")
    shaken = shaken_copy(source, tmp_path / "shaken.mp4", 0.5)
    result = analysed(shaken, truth["height_m"]).outcome()
    motion = result.quality["camera_motion_px"]
    assert motion["class"] == "moving"
    # A 0.5 px normal shake per axis: frame-to-frame shifts of 0.7 px per axis, ~0.8 px long.
    assert 0.5 < motion["shift_per_frame_median_px"] < 1.2
    row = score_synthetic(result.to_dict(), truth)
    # Measured over runs: stance 2.6-4.4 points off, double support 3.5-5.9, cadence 2.0 spm
    # (uncompensated the footprints were 15 and 21 points off). The runs differ because the
    # encoded test clip does: x264 (through PyAV) encodes the same frames into different files
    # from run to run, even with one thread and explicit timestamps (seen here: 4 different
    # files in 12 encodes of one shaken clip), so the bounds carry that spread.
    assert abs(row["stance_err_pts"]) <= 6.0
    assert abs(row["double_support_err_pts"]) <= 8.0
    assert abs(row["cadence_err_spm"]) <= 3.0


def test_a_hand_held_camera_before_a_plain_wall_is_named(tmp_path, synthetic, analysed):
    """Before a plain wall the camera's motion cannot be measured (too few textured
    points), so the footprints take the camera as still, and say so. Shaken by 2 px per
    frame, the silhouettes smear and no footprint is found; the person model still sees
    the walker step, so the refusal names the camera (it had been "no person walks across
    the frame", the vague reason the engine issue forbids for a moving camera)."""
    source, truth = synthetic(**BASE)
    still = analysed(source, truth["height_m"]).outcome()
    assert still.quality["camera_motion_px"]["class"] == "unknown"
    assert any(w.startswith("camera motion not measured") for w in still.warnings)
    shaken = shaken_copy(source, tmp_path / "plain-shaken.mp4", 2.0)
    with pytest.raises(NoReliableGait) as refused:
        analysed(shaken, truth["height_m"]).outcome()
    assert refused.value.reason == "camera_motion"
    assert "plain background" in refused.value.message
