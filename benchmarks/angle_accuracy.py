"""Joint-angle accuracy: per-frame hip, knee and ankle angles against the synthetic truth.

    python benchmarks/angle_accuracy.py [--out DIR]

Renders the synthetic clips below (the demo's among them), analyses each through the
pipeline, and prints per joint the mean absolute error (deg) of both feet's per-frame angles
against ``truth["joint_angles_deg"]``, each result foot (A/B) matched to the truth foot whose
initial contacts it shares, and the share of frames with a knee angle. Also prints the error
an oracle would get by matching each frame's landmark legs to the truth feet in hindsight: it
separates landmark error from leg-to-foot matching error.
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
from gait.synth.score import angle_mae_deg
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


def errors_deg(video: Path, truth: dict) -> dict[str, float]:
    plan = pipeline.plan(video)
    features = [pipeline.analyze_chunk(plan, chunk) for chunk in plan.chunks]
    result = pipeline.aggregate(plan, features)
    frames = np.concatenate([f.frame_indices for f in features])
    arrays = {name: np.concatenate([f.arrays[name] for f in features])
              for name in features[0].arrays}
    landmarks = find_person_walker(arrays, plan.video.frame_times_s[frames]).landmarks
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
        np.mean([np.isfinite(per_foot[f]["knee"]).mean() for f in joint_angles.FEET])
    )
    out["angles_reported"] = result.angles is not None
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=None, help="folder for the clips")
    args = parser.parse_args()
    folder = args.out or Path(tempfile.mkdtemp(prefix="angle-accuracy-"))
    folder.mkdir(parents=True, exist_ok=True)
    for index, (name, params) in enumerate(CLIPS.items()):
        video = folder / f"clip{index}.mp4"
        truth = render_clip(video, params)
        figures = errors_deg(video, truth)
        print(
            name,
            " ".join(
                f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items()
            ),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
