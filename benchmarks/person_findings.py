"""Person-model findings on the real clips and synthetic walks (docs/person-model-findings.md).

Step 1 (``collect``): every clip in ``../shared/data/videos`` (or the paths given) is decoded
at analysis size and tracked three ways, each saved to ``OUT/NAME.MODE.npz``:
``track`` (MediaPipe's rule: detect only when tracking is lost), ``detect`` (detect on every
frame) and ``grid30`` (re-detect on every 30th frame, chunk invariant).
Step 2 (``report``): prints the per-clip tables and the event comparison the findings
document quotes.

    .venv/bin/python -m benchmarks.person_findings collect OUT [VIDEO ...]
    .venv/bin/python -m benchmarks.person_findings report OUT
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import fields
from pathlib import Path

import numpy as np

from gait.person.landmarks import LEFT_FOOT_INDEX, LEFT_HEEL, RIGHT_FOOT_INDEX, RIGHT_HEEL
from gait.person.tracker import PersonFrames, PersonTracker
from gait.video import analysis_size, probe, read_frames

VIDEOS = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "videos"
MODES = {"track": None, "detect": 1, "grid30": 30}


def collect(out: Path, videos: list[Path]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    trackers = {mode: PersonTracker(redetect_interval_frames=k) for mode, k in MODES.items()}
    for video in videos:
        info = probe(video)
        size = analysis_size(info)
        frames = [image for _, _, image in read_frames(info, 0, info.frame_count, size)]
        for mode, tracker in trackers.items():
            target = out / f"{video.stem}.{mode}.npz"
            if target.exists():
                continue
            started = time.perf_counter()
            result = tracker.run(frames)
            elapsed_s = time.perf_counter() - started
            arrays = {f.name: getattr(result, f.name) for f in fields(result)}
            np.savez_compressed(
                target, **arrays, analysis_scale=np.float32(size[0] / info.display_size[0]),
                ms_per_frame=np.float32(1000 * elapsed_s / max(1, len(frames))),
            )
            print(f"{video.name} {mode}: {len(frames)} frames, "
                  f"{1000 * elapsed_s / max(1, len(frames)):.1f} ms/frame", flush=True)


def load(path: Path) -> tuple[PersonFrames, dict[str, float]]:
    data = np.load(path)
    frames = PersonFrames(**{f.name: data[f.name] for f in fields(PersonFrames)})
    return frames, {k: float(data[k]) for k in ("analysis_scale", "ms_per_frame")}


def label_swaps(frames: PersonFrames, left: int, right: int, min_gap_px: float) -> int:
    """Frames where the left and right points trade places between consecutive pose frames
    (each lands nearer the other's previous position), with the two at least ``min_gap_px``
    apart so crossing legs do not count."""
    xy = frames.landmarks[:, [left, right], :2]
    ok = frames.has_pose[1:] & frames.has_pose[:-1]
    prev, cur = xy[:-1], xy[1:]
    same = np.linalg.norm(cur - prev, axis=2).sum(axis=1)
    swapped = np.linalg.norm(cur - prev[:, ::-1], axis=2).sum(axis=1)
    gap = np.linalg.norm(prev[:, 0] - prev[:, 1], axis=1)
    return int(np.sum(ok & (swapped < 0.5 * same) & (gap > min_gap_px)))


def mean_or_none(values: np.ndarray) -> float | None:
    return float(np.mean(values)) if values.size else None


def percentile_or_none(values: np.ndarray, q: float) -> float | None:
    return float(np.percentile(values, q)) if values.size else None


def clip_row(name: str, out: Path) -> dict[str, object]:
    track, meta = load(out / f"{name}.track.npz")
    detect, detect_meta = load(out / f"{name}.detect.npz")
    grid, grid_meta = load(out / f"{name}.grid30.npz")
    both = track.has_pose & detect.has_pose
    height = detect.person_box[:, 3] - detect.person_box[:, 1]
    diff = np.linalg.norm(track.landmarks[:, :, :2] - detect.landmarks[:, :, :2], axis=2)
    feet = [LEFT_HEEL, RIGHT_HEEL, LEFT_FOOT_INDEX, RIGHT_FOOT_INDEX]
    rel_all = diff[both] / height[both, None]
    rel_feet = diff[both][:, feet] / height[both, None]
    counts = detect.person_count
    median_height = float(np.nanmedian(height)) if detect.has_pose.any() else float("nan")
    return {
        "clip": name,
        "frames": len(track),
        "pose_pct_track": 100 * track.has_pose.mean(),
        "pose_pct_detect": 100 * detect.has_pose.mean(),
        "pose_pct_grid30": 100 * grid.has_pose.mean(),
        "score_mean_track": mean_or_none(track.pose_score[track.has_pose]),
        "detector_calls_pct_track": 100 * float((track.person_count >= 0).mean()),
        "several_persons_pct": 100 * float((counts >= 2).mean()),
        "max_persons": int(counts.max()),
        "other_person_pct_mean": 100 * float(np.nanmean(detect.other_person_fraction)),
        "tracked_vs_detected_median_pct_height": percentile_or_none(100 * rel_all, 50),
        "tracked_vs_detected_p95_pct_height": percentile_or_none(100 * rel_all, 95),
        "feet_tracked_vs_detected_median_pct_height": percentile_or_none(100 * rel_feet, 50),
        "feet_tracked_vs_detected_p95_pct_height": percentile_or_none(100 * rel_feet, 95),
        "median_body_height_px": median_height,
        "heel_swaps_track": label_swaps(track, LEFT_HEEL, RIGHT_HEEL, 0.05 * median_height),
        "heel_swaps_detect": label_swaps(detect, LEFT_HEEL, RIGHT_HEEL, 0.05 * median_height),
        "ms_per_frame_track": meta["ms_per_frame"],
        "ms_per_frame_detect": detect_meta["ms_per_frame"],
        "ms_per_frame_grid30": grid_meta["ms_per_frame"],
    }


def main(argv: list[str]) -> int:
    command, out = argv[0], Path(argv[1])
    if command == "collect":
        videos = [Path(p) for p in argv[2:]] or sorted(
            p for p in VIDEOS.iterdir() if p.suffix in {".mp4", ".avi"}
        )
        collect(out, videos)
        return 0
    rows = [clip_row(p.name.split(".")[0], out) for p in sorted(out.glob("*.track.npz"))]
    print(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
