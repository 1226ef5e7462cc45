"""Joint-angle accuracy: per-frame hip, knee and ankle angles against the synthetic truth.

    python benchmarks/angle_accuracy.py [--out DIR]

Renders the synthetic clips below (the demo's among them), analyses each through the
pipeline, and prints per joint the mean absolute error (deg) of both feet's per-frame angles
against ``truth["joint_angles_deg"]``, each result foot (A/B) matched to the truth foot whose
initial contacts it shares, and the share of frames with a knee angle. Also prints the error
an oracle would get by matching each frame's landmark legs to the truth feet in hindsight: it
separates landmark error from leg-to-foot matching error.

Then the diagnosis, per clip: each landmark leg matched in hindsight to the near or far true
leg (nearest knee, ankle, heel and foot tip); per leg and joint the unfiltered angle's mean
signed error (bias), its MAE after removing that bias (scatter), and the MAE over the true
leg's stance and swing frames; and per landmark the mean offset (forward in the walking
direction, up) from the true joint and the mean distance, in % of stature.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gait import angles, pipeline
from gait.synth import SynthParams, render_clip
from gait.synth import clip as synth_clip
from gait.synth.kinematics import Body, walker_pose
from gait.synth.score import angle_mae_deg
from gait.synth.truth import landmarks_px
from gait.walk import joint_angles
from gait.walk.person_walker import find_person_walker

CLIPS = {
    "480x270 seed 5": SynthParams(width=480, height=270, duration_s=5.0, seed=5),
    "960x540 seed 11": SynthParams(width=960, height=540, duration_s=6.0, seed=11),
    "640x360 seed 3 right-to-left": SynthParams(
        width=640, height=360, duration_s=6.0, seed=3, direction="right_to_left"
    ),
    "demo (1280x720 seed 7, textured, shadow)": SynthParams(
        seed=7, background="textured", shadow=True
    ),
}
#: Landmarks of one leg (BlazePose order, odd = left): hip, knee, ankle, heel, foot tip.
LEG_POINTS = ("hip", "knee", "ankle", "heel", "foot tip")
#: An ankle landmark this far (% of stature) from both true ankles is misplaced: the model
#: drew that foot where no foot is.
MISPLACED_PCT = 5.0
#: The window (s) before a near-leg initial contact the misplaced ankles are counted in: the
#: near leg's terminal swing, where the model was seen to draw both legs between the two.
BEFORE_IC_S = 0.2


def true_landmarks(params: SynthParams) -> np.ndarray:
    """The figure's true joints as ``(n, 33, 4)`` display-pixel landmarks, every frame."""
    times = synth_clip.frame_times(params, np.random.default_rng(params.seed))
    prints, camera = synth_clip.plan(params)
    pose = walker_pose(times, prints, params)
    pose = synth_clip.shift_pose(pose, synth_clip.pass_shift(pose.hip[:, 0], camera, params))
    return landmarks_px(pose, Body(params.height_m), camera)


def diagnose(
    landmarks: np.ndarray,
    true: np.ndarray,
    frames: np.ndarray,
    times_s: np.ndarray,
    truth: dict,
    stature_px: float,
) -> list[str]:
    """Lines of the per-leg diagnosis (module docstring). ``landmarks`` and ``true`` ``(n, 33,
    4)`` in the same (analysis) pixels over the ``(n,)`` video ``frames``."""
    sign = 1 if truth["direction"] == "left_to_right" else -1
    near = "right" if sign > 0 else "left"
    far = "left" if near == "right" else "right"
    index = {"left": joint_angles.LEFT_LEG, "right": joint_angles.RIGHT_LEG}
    legs = [landmarks[:, joint_angles.LEFT_LEG, :2], landmarks[:, joint_angles.RIGHT_LEG, :2]]
    true_near, true_far = true[:, index[near], :2], true[:, index[far], :2]

    def cost(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        distance = np.linalg.norm(a[:, 1:] - true_near[:, 1:], axis=-1) + np.linalg.norm(
            b[:, 1:] - true_far[:, 1:], axis=-1
        )
        return np.nansum(distance, axis=1)

    left_is_near = (cost(legs[0], legs[1]) <= cost(legs[1], legs[0]))[:, None, None]
    model = {
        "near": np.where(left_is_near, legs[0], legs[1]),
        "far": np.where(left_is_near, legs[1], legs[0]),
    }
    seen = np.isfinite(landmarks[:, 25, 0])
    ordered = landmarks.astype(np.float64, copy=True)
    ordered[:, joint_angles.LEFT_LEG, :2] = model["near"]
    ordered[:, joint_angles.RIGHT_LEG, :2] = model["far"]
    raw = angles.raw_angles_deg(ordered, np.where(seen, sign, 0))
    lines = []
    for leg, slot, side, true_leg in (
        ("near", "left", near, true_near),
        ("far", "right", far, true_far),
    ):
        stance = np.zeros(frames.size, bool)
        for fp in truth["footprints"]:
            if fp["foot"] == side and fp["ic_time_s"] is not None:
                off = fp["fo_time_s"] if fp["fo_time_s"] is not None else np.inf
                stance |= (times_s >= fp["ic_time_s"]) & (times_s <= off)
        parts = []
        for joint in angles.JOINTS:
            true_deg = np.asarray(truth["joint_angles_deg"][side][joint])[frames]
            error = raw[slot][joint] - true_deg
            ok = np.isfinite(error)
            e, in_stance = error[ok], stance[ok]
            parts.append(
                f"{joint} bias {e.mean():+.1f} scatter {np.abs(e - e.mean()).mean():.1f} "
                f"stance {np.abs(e[in_stance]).mean():.1f} swing {np.abs(e[~in_stance]).mean():.1f}"
            )
        lines.append(f"  {leg} leg angles (deg, unfiltered): " + "; ".join(parts))
        offset = (model[leg] - true_leg)[seen]
        forward, up = sign * offset[..., 0], -offset[..., 1]
        per_point = [
            f"{name} fwd {100 * np.nanmean(forward[:, k]) / stature_px:+.1f} "
            f"up {100 * np.nanmean(up[:, k]) / stature_px:+.1f} "
            f"|d| {100 * np.nanmean(np.hypot(forward[:, k], up[:, k])) / stature_px:.1f}"
            for k, name in enumerate(LEG_POINTS)
        ]
        lines.append(f"  {leg} leg landmarks (% stature): " + "; ".join(per_point))
    lines.append(misplaced_ankles(model, true, raw, frames, times_s, truth, stature_px, near))
    return lines


def misplaced_ankles(
    model: dict[str, np.ndarray],
    true: np.ndarray,
    raw: dict[str, dict[str, np.ndarray]],
    frames: np.ndarray,
    times_s: np.ndarray,
    truth: dict,
    stature_px: float,
    near: str,
) -> str:
    """One diagnosis line: the leg-frames whose ankle lies more than
    :data:`MISPLACED_PCT` of stature from both true ankles (the model has drawn that foot
    somewhere no foot is), how many of them fall in the last :data:`BEFORE_IC_S` before a
    near-leg initial contact, and the unfiltered knee MAE (both legs) with and without them."""
    true_ankles = true[:, [27, 28], :2]  # (n, 2, 2)
    far = "left" if near == "right" else "right"
    ics = np.array(
        [
            fp["ic_time_s"]
            for fp in truth["footprints"]
            if fp["foot"] == near and fp["ic_time_s"] is not None
        ]
    )
    ahead = ics[None, :] - times_s[:, None]
    before_near_ic = ((ahead > 0) & (ahead <= BEFORE_IC_S)).any(axis=1)  # (n,)
    bad, errors, before = [], [], []
    for leg, slot, side in (("near", "left", near), ("far", "right", far)):
        ankle = model[leg][:, 2]  # (n, 2)
        gap = np.linalg.norm(ankle[:, None, :] - true_ankles, axis=-1).min(axis=1)
        error = raw[slot]["knee"] - np.asarray(truth["joint_angles_deg"][side]["knee"])[frames]
        ok = np.isfinite(error)
        bad.append((100 * gap / stature_px > MISPLACED_PCT)[ok])
        errors.append(np.abs(error[ok]))
        before.append(before_near_ic[ok])
    is_bad, error = np.concatenate(bad), np.concatenate(errors)
    share_before = 100 * np.concatenate(before)[is_bad].mean() if is_bad.any() else float("nan")
    return (
        f"  misplaced ankles (> {MISPLACED_PCT:.0f} % stature from both true ankles): "
        f"{is_bad.sum()} of {is_bad.size} leg-frames, {share_before:.0f} % of them in the "
        f"{BEFORE_IC_S:.1f} s before a near-leg initial contact; unfiltered knee MAE "
        f"{error.mean():.1f} deg, {error[~is_bad].mean():.1f} without them"
    )


def errors_deg(video: Path, truth: dict, params: SynthParams) -> tuple[dict, list[str]]:
    plan = pipeline.plan(video)
    features = [pipeline.analyze_chunk(plan, chunk) for chunk in plan.chunks]
    result = pipeline.aggregate(plan, features)
    frames = np.concatenate([f.frame_indices for f in features])
    arrays = {
        name: np.concatenate([f.arrays[name] for f in features]) for name in features[0].arrays
    }
    landmarks = find_person_walker(arrays, plan.video.frame_times_s[frames]).refined_landmarks
    times_s = plan.video.frame_times_s[frames]
    per_foot = joint_angles.foot_angles_deg(landmarks, frames, times_s, result.contacts)
    true = {
        side: {j: np.asarray(v)[frames] for j, v in per.items()}
        for side, per in truth["joint_angles_deg"].items()
    }
    maes = angle_mae_deg(result.events, per_foot, frames, truth)
    out: dict[str, float] = {f"{joint}_mae_deg": maes[joint] for joint in angles.JOINTS}
    direction = 1 if truth["direction"] == "left_to_right" else -1
    raw = angles.joint_angles_deg(landmarks, times_s, direction)
    for joint in angles.JOINTS:
        same = np.abs(raw["left"][joint] - true["left"][joint]) + np.abs(
            raw["right"][joint] - true["right"][joint]
        )
        swapped = np.abs(raw["left"][joint] - true["right"][joint]) + np.abs(
            raw["right"][joint] - true["left"][joint]
        )
        out[f"{joint}_oracle_mae_deg"] = float(np.nanmean(np.fmin(same, swapped) / 2))
    out["knee_frames_measured_pct"] = 100.0 * float(
        np.mean([np.isfinite(per_foot[f]["knee"]).mean() for f in per_foot])
    )
    out["angles_reported"] = result.angles is not None
    scale = plan.analysis_size[0] / params.width
    true_lm = true_landmarks(params)[frames].astype(np.float64)
    true_lm[..., :2] *= scale
    lines = diagnose(landmarks, true_lm, frames, times_s, truth, truth["stature_px"] * scale)
    return out, lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=None, help="folder for the clips")
    args = parser.parse_args()
    folder = args.out or Path(tempfile.mkdtemp(prefix="angle-accuracy-"))
    folder.mkdir(parents=True, exist_ok=True)
    for index, (name, params) in enumerate(CLIPS.items()):
        video = folder / f"clip{index}.mp4"
        truth = render_clip(video, params)
        figures, lines = errors_deg(video, truth, params)
        print(
            name,
            " ".join(
                f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items()
            ),
            flush=True,
        )
        print("\n".join(lines), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
