"""Landmark-timed gait events against the hand annotations (treadmill per walking style,
outdoor from frame 90) and the full results' feet names.

Usage: ``python -m benchmarks.landmark_events [--features DIR]``. With ``--features``, reads
``DIR/<clip>.pkl`` (pickled ``(plan bytes, [chunk bytes])``, as the team's feature cache
holds them); otherwise runs plan / analyze_chunk on the clips (the person model: minutes).
Errors are estimate − annotation in frames; events matched one to one within 6 frames.
"""

from __future__ import annotations

import argparse
import json
import pickle
from pathlib import Path

import numpy as np

from gait import pipeline
from gait.walk import landmark_events, views
from gait.walk.measure import Clip, measure

VIDEOS = Path(__file__).resolve().parents[1] / "../shared/data/videos"
TREADMILL = "treadmill-walk-styles-side-captions.mp4"
OUTDOOR = "side-outdoor-walker-and-jumper.mp4"
#: The outdoor clip's landmarks follow the jumper until frame 90 (walker choice between
#: people is not built yet).
OUTDOOR_FROM_FRAME = 90
MATCH_FRAMES = 6


def load(name: str, features: Path | None) -> tuple[pipeline.Plan, np.ndarray, dict]:
    if features is not None:
        plan_b, chunks_b = pickle.loads((features / f"{name}.pkl").read_bytes())
        plan = pipeline.Plan.from_bytes(plan_b)
        chunks = [pipeline.ChunkFeatures.from_bytes(b) for b in chunks_b]
    else:
        plan = pipeline.plan(VIDEOS / name)
        chunks = [pipeline.analyze_chunk(plan, c) for c in plan.chunks]
    chunks.sort(key=lambda f: f.chunk.start)
    frames = np.concatenate([f.frame_indices for f in chunks])
    arrays = {k: np.concatenate([f.arrays[k] for f in chunks]) for k in chunks[0].arrays}
    return plan, frames, arrays


def errors(found: list[int], truth: list[int]) -> tuple[np.ndarray, int]:
    """Signed errors (frames) of the matched true events, NaN where missed; false count."""
    used: set[int] = set()
    out = []
    for t in truth:
        options = [(abs(f - t), j) for j, f in enumerate(found) if j not in used]
        options = [o for o in options if o[0] <= MATCH_FRAMES]
        if options:
            used.add(min(options)[1])
            out.append(found[min(options)[1]] - t)
        else:
            out.append(np.nan)
    return np.asarray(out, dtype=float), len(found) - len(used)


def row(label: str, events: list[dict], truth: list[dict], lo: int, hi: int) -> str:
    cells = [label]
    for kind in ("initial_contact", "foot_off"):
        true = [t for t in truth if t["type"] == kind and lo <= t["frame"] <= hi]
        est = [e for e in events if e["type"] == kind and lo <= e["frame"] <= hi]
        err, false = errors([e["frame"] for e in est], [t["frame"] for t in true])
        ok = np.isfinite(err)
        sides = [
            next(e["foot"] for e in est if e["frame"] == t["frame"] + d) == t["side"]
            for t, d in zip(true, err, strict=True)
            if np.isfinite(d)
        ]
        mae = f"{np.mean(np.abs(err[ok])):.2f}" if ok.any() else "-"
        median = f"{np.median(err[ok]):+.1f}" if ok.any() else "-"
        cells += [f"{ok.sum()}/{len(true)}", median, mae, str(false), f"{sum(sides)}/{len(sides)}"]
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--features", type=Path, default=None)
    args = parser.parse_args()
    header = (
        "| clip | IC found | IC median | IC MAE (frames) | IC false | IC side right "
        "| FO found | FO median | FO MAE (frames) | FO false | FO side right |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|"
    )
    print(header)
    plan, frames, arrays = load(TREADMILL, args.features)
    notes = json.loads((VIDEOS / f"{Path(TREADMILL).stem}.events.json").read_text())
    result = measure(Clip(plan.video, plan.analysis_size, plan.height_m), frames, arrays)
    truth = notes["events"]
    print(row("treadmill (all)", result.events, truth, 0, 10**9))
    for segment in notes["segments"]:
        lo, hi = segment["start_frame"], segment["end_frame"]
        print(row(f"treadmill {segment['label']}", result.events, truth, lo, hi))
    plan, frames, arrays = load(OUTDOOR, args.features)
    notes = json.loads((VIDEOS / f"{Path(OUTDOOR).stem}.events.json").read_text())
    kinds = {"IC": "initial_contact", "FO": "foot_off"}
    truth = [dict(e, type=kinds[e["type"]]) for e in notes["passes"][0]["events"]]
    landmarks = arrays["person_landmarks"].astype(np.float64)
    landmarks[frames < OUTDOOR_FROM_FRAME] = np.nan
    view = views.classify_view(landmarks)
    times = plan.video.frame_times_s[frames]
    found = landmark_events.detect_events(landmarks, times, view.stature_px, view.facing)
    # Landmark-only events carry no foot: side columns are for the full result's row below.
    only = [{"type": "initial_contact", "frame": int(frames[p]), "foot": "?"} for p in found.ic_pos]
    only += [{"type": "foot_off", "frame": int(frames[p]), "foot": "?"} for p in found.fo_pos]
    print(row("outdoor >= 92, landmarks only", only, truth, 92, 10**9))
    arrays["person_landmarks"] = landmarks.astype(np.float32)
    result = measure(Clip(plan.video, plan.analysis_size, plan.height_m), frames, arrays)
    print(row("outdoor, full result (footprints + check)", result.events, truth, 0, 10**9))


if __name__ == "__main__":
    main()
