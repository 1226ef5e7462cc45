"""Person-model findings on the real clips and synthetic walks (docs/person-model-findings.md).

Step 1 (``collect``): every clip in ``../shared/data/videos`` (or the paths given) is decoded
at analysis size and tracked three ways, each saved to ``OUT/NAME.MODE.npz``:
``track`` (MediaPipe's rule: detect only when tracking is lost), ``detect`` (detect on every
frame), ``grid30`` (re-detect on every 30th frame, chunk invariant), each taking the largest
body on detection, and ``lowest`` (as ``track``, taking the lowest hips and starting at
the annotated walk's first frame: measurement only, to follow the outdoor clip's walker
rather than the jumper).
Step 2 (``report``): prints the per-clip tables and the event comparison the findings
document quotes.

    .venv/bin/python -m benchmarks.person_findings collect OUT [VIDEO ...]
    .venv/bin/python -m benchmarks.person_findings report OUT
    .venv/bin/python -m benchmarks.person_findings synth OUT   (track the synthetic matrix)
    .venv/bin/python -m benchmarks.person_findings synth-report OUT
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import fields
from pathlib import Path

import numpy as np

from gait.person.detector import PersonDetection
from gait.person.landmarks import LEFT_FOOT_INDEX, LEFT_HEEL, RIGHT_FOOT_INDEX, RIGHT_HEEL
from gait.person.tracker import PersonFrames, PersonTracker
from gait.video import analysis_size, probe, read_frames

VIDEOS = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "videos"
MODES = {"track": None, "detect": 1, "grid30": 30, "lowest": None}


def lowest_hips(detections: list[PersonDetection]) -> PersonDetection:
    """Measurement-only walker rule: the person whose hips are lowest in the image (on the
    outdoor clip the walker is on the ground, the jumper on a utility box)."""
    return max(detections, key=lambda d: float(d.keypoints_px[0, 1]))


def collect(out: Path, videos: list[Path]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    trackers = {mode: PersonTracker(redetect_interval_frames=k) for mode, k in MODES.items()}
    trackers["lowest"].choose = lowest_hips
    for video in videos:
        info = probe(video)
        size = analysis_size(info)
        frames = [image for _, _, image in read_frames(info, 0, info.frame_count, size)]
        for mode, tracker in trackers.items():
            target = out / f"{video.stem}.{mode}.npz"
            if target.exists():
                continue
            # The measurement-only run starts where the annotated walk starts, so its first
            # detection sees the walker (the outdoor clip opens on the jumper alone).
            first = pass_start_frame(video.stem) if mode == "lowest" else 0
            started = time.perf_counter()
            result = PersonFrames.empty(first)
            tail = tracker.run(frames[first:], first_index=first)
            elapsed_s = time.perf_counter() - started
            result = PersonFrames(
                **{
                    f.name: np.concatenate([getattr(result, f.name), getattr(tail, f.name)])
                    for f in fields(result)
                }
            )
            arrays = {f.name: getattr(result, f.name) for f in fields(result)}
            np.savez_compressed(
                target,
                **arrays,
                analysis_scale=np.float32(size[0] / info.display_size[0]),
                ms_per_frame=np.float32(1000 * elapsed_s / max(1, len(frames))),
            )
            print(
                f"{video.name} {mode}: {len(frames)} frames, "
                f"{1000 * elapsed_s / max(1, len(frames)):.1f} ms/frame",
                flush=True,
            )


def pass_start_frame(name: str) -> int:
    """First frame of the annotated walk of a clip (0 without annotations)."""
    path = VIDEOS / f"{name}.events.json"
    if not path.is_file():
        return 0
    data = json.loads(path.read_text())
    return int(data["passes"][0]["frames"][0]) if "passes" in data else 0


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


#: Half-width of the search window around an annotated event, in frames (±267 ms at 30 fps:
#: wider than any event error worth having, narrower than half a step).
EVENT_WINDOW_FRAMES = 8
#: A foot point is still when it moves less than this share of stature between frames
#: (walking moves a swinging foot ~5 %, landmark jitter ~0.3 %).
STILL_STATURE_PER_FRAME = 0.01
#: A foot point is at its lowest when within this share of stature of its lowest in the window.
LOW_STATURE = 0.01


def first_sustained(condition: np.ndarray) -> int | None:
    """Index of the first ``True`` followed by another ``True``, or None."""
    hits = np.flatnonzero(condition[:-1] & condition[1:])
    return int(hits[0]) if hits.size else None


def longest_run(condition: np.ndarray) -> tuple[int, int] | None:
    """``(first, last)`` indices of the longest run of ``True`` (at least two), or None."""
    best, start = None, None
    for index, value in enumerate([*condition.tolist(), False]):
        if value and start is None:
            start = index
        elif not value and start is not None:
            if index - start >= 2 and (best is None or index - start > best[1] - best[0] + 1):
                best = (start, index - 1)
            start = None
    return best


def event_estimates(points: np.ndarray, frame: int, kind: str, stature_px: float) -> dict:
    """Two simple timings of one event from one foot point's ``(n, 2)`` track (px), in the
    window of ±``EVENT_WINDOW_FRAMES`` around the annotated ``frame``:

    - ``speed``: the longest run of frames where the point is still (moves < 1 % of stature
      to the next frame); IC = its first frame, FO = the last frame before it moves on.
      For static cameras.
    - ``height``: the longest run of frames where the point is within 1 % of stature of its
      lowest (largest image y) in the window; IC = its first frame, FO = its last. Also for
      treadmills.

    Offsets are estimate minus ``frame``; None when the window lacks a pose or a run.
    """
    lo = max(0, frame - EVENT_WINDOW_FRAMES)
    hi = min(len(points) - 1, frame + EVENT_WINDOW_FRAMES)
    track = points[lo : hi + 1].astype(np.float64)
    if np.isnan(track).any():
        return {"speed": None, "height": None}
    speed = np.linalg.norm(np.diff(track, axis=0), axis=1)
    still = longest_run(speed < STILL_STATURE_PER_FRAME * stature_px)
    low = longest_run(track[:, 1] >= track[:, 1].max() - LOW_STATURE * stature_px)
    # A still run of speeds [a, b] means positions a .. b + 1 are at rest.
    at_rest = None if still is None else (still[0], still[1] + 1)
    pick = 0 if kind == "IC" else 1
    return {
        "speed": None if at_rest is None else lo + at_rest[pick] - frame,
        "height": None if low is None else lo + low[pick] - frame,
    }


def annotated_events(name: str) -> tuple[list[tuple[int, str, str, str]], str, float] | None:
    """``([(frame, 'IC'|'FO', side, near|far)], facing 'left'|'right', stature_px)`` of a clip
    with hand annotations, stature in original pixels; None without annotations."""
    path = VIDEOS / f"{name}.events.json"
    if not path.is_file():
        return None
    data = json.loads(path.read_text())
    kinds = {"IC": "IC", "FO": "FO", "initial_contact": "IC", "foot_off": "FO"}
    if "passes" in data:
        [walk] = data["passes"]
        events = [(e["frame"], kinds[e["type"]], e["side"], e["foot"]) for e in walk["events"]]
        facing = "left" if walk["direction"] == "right_to_left" else "right"
        return events, facing, float(walk["stature_px"])
    events = [(e["frame"], kinds[e["type"]], e["side"], e["foot"]) for e in data["events"]]
    return events, "left", float(data["stature_px"])  # the treadmill walker faces left


def event_rows(frames: PersonFrames, events, facing: str, stature_px: float) -> list[dict]:
    """Per annotated event: whether the model's label for that side sits where that foot
    must be (IC: the front heel, FO: the rear foot tip), the point's visibility, and the
    timing rules on the labelled point and on the point chosen by position."""
    rows = []
    for frame, kind, side, near in events:
        pair = (LEFT_HEEL, RIGHT_HEEL) if kind == "IC" else (LEFT_FOOT_INDEX, RIGHT_FOOT_INDEX)
        own, other = pair if side == "left" else pair[::-1]
        if not frames.has_pose[frame]:
            rows.append({"frame": frame, "kind": kind, "near": near, "pose": False})
            continue
        x_own, x_other = frames.landmarks[frame, own, 0], frames.landmarks[frame, other, 0]
        front_is_own = (x_own < x_other) == (facing == "left")
        label_right = front_is_own if kind == "IC" else not front_is_own
        by_position = own if label_right else other
        rows.append(
            {
                "frame": frame,
                "kind": kind,
                "near": near,
                "pose": True,
                "label_right": label_right,
                "visibility": float(frames.landmarks[frame, own, 3]),
                "by_label": event_estimates(frames.landmarks[:, own, :2], frame, kind, stature_px),
                "by_position": event_estimates(
                    frames.landmarks[:, by_position, :2], frame, kind, stature_px
                ),
            }
        )
    return rows


def stance_spread(frames: PersonFrames, events, stature_px: float) -> dict:
    """How still the stance foot's points are between each annotated IC and the same foot's
    next FO, trimmed by 3 frames at each end: median over stances of the per-stance SD of
    x and y, in % of stature (image motion, so a treadmill belt's travel is in x)."""
    spreads: dict[str, list[float]] = {"heel_x": [], "heel_y": [], "toe_x": [], "toe_y": []}
    for frame, kind, side, _ in events:
        if kind != "IC":
            continue
        ends = [f for f, k, s, _ in events if k == "FO" and s == side and f > frame]
        if not ends or ends[0] - frame < 8:
            continue
        span = slice(frame + 3, ends[0] - 2)
        heel = LEFT_HEEL if side == "left" else RIGHT_HEEL
        toe = LEFT_FOOT_INDEX if side == "left" else RIGHT_FOOT_INDEX
        for name, point in (("heel", heel), ("toe", toe)):
            xy = frames.landmarks[span, point, :2]
            if np.isnan(xy).any():
                continue
            spreads[f"{name}_x"].append(100 * float(np.std(xy[:, 0])) / stature_px)
            spreads[f"{name}_y"].append(100 * float(np.std(xy[:, 1])) / stature_px)
    return {
        f"stance_sd_{k}_pct_stature": float(np.median(v)) if v else None for k, v in spreads.items()
    } | {"stances": len(spreads["heel_x"])}


def offset_summary(rows: list[dict], kind: str, chooser: str, rule: str) -> dict:
    offsets = np.array(
        [
            r[chooser][rule]
            for r in rows
            if r["pose"] and r["kind"] == kind and r[chooser][rule] is not None
        ],
        float,
    )
    total = sum(1 for r in rows if r["kind"] == kind)
    if not offsets.size:
        return {"found": f"0/{total}"}
    return {
        "found": f"{offsets.size}/{total}",
        "median_frames": float(np.median(offsets)),
        "mae_frames": float(np.mean(np.abs(offsets))),
        "within_1_pct": 100 * float(np.mean(np.abs(offsets) <= 1)),
        "within_2_pct": 100 * float(np.mean(np.abs(offsets) <= 2)),
    }


def event_report(name: str, frames: PersonFrames, events, facing: str, stature_px: float) -> dict:
    rows = event_rows(frames, events, facing, stature_px)
    with_pose = [r for r in rows if r["pose"]]
    report: dict[str, object] = {
        "clip": name,
        "events": len(rows),
        "events_with_pose": len(with_pose),
        "label_right_pct": 100 * float(np.mean([r["label_right"] for r in with_pose])),
    }
    for near in ("near", "far"):
        chosen = [r for r in with_pose if r["near"] == near]
        if chosen:
            right = [r["label_right"] for r in chosen]
            report[f"label_right_{near}_pct"] = 100 * float(np.mean(right))
            visibility = [r["visibility"] for r in chosen]
            report[f"visibility_{near}_median"] = float(np.median(visibility))
    report.update(stance_spread(frames, events, stature_px))
    for kind in ("IC", "FO"):
        for chooser in ("by_label", "by_position"):
            for rule in ("speed", "height"):
                report[f"{kind}_{chooser}_{rule}"] = offset_summary(rows, kind, chooser, rule)
    return report


def synth(out: Path) -> None:
    """Render the accuracy matrix's synthetic cases and track each (re-detection grid 30),
    saving ``OUT/CASE.npz`` (the tracker's arrays) beside ``CASE.truth.json``."""
    from benchmarks.accuracy import matrix
    from gait.synth import SynthParams, render_clip

    out.mkdir(parents=True, exist_ok=True)
    tracker = PersonTracker(redetect_interval_frames=30)
    for case, kwargs in matrix():
        target = out / f"{case}.npz"
        if target.exists():
            continue
        video = out / f"{case}.mp4"
        render_clip(video, SynthParams(**kwargs))
        info = probe(video)
        size = analysis_size(info)
        frames = tracker.run(image for _, _, image in read_frames(info, 0, info.frame_count, size))
        arrays = {f.name: getattr(frames, f.name) for f in fields(frames)}
        np.savez_compressed(
            target,
            **arrays,
            ms_per_frame=np.float32(np.nan),
            analysis_scale=np.float32(size[0] / info.display_size[0]),
        )
        video.unlink()
        print(f"{case}: tracked", flush=True)


def synth_report(out: Path) -> None:
    """Pose share, score, labels and event timing of each tracked synthetic case."""
    kinds = {"initial_contact": "IC", "foot_off": "FO"}
    for target in sorted(out.glob("*.npz")):
        case = target.stem
        frames, meta = load(target)
        truth = json.loads((out / f"{case}.truth.json").read_text())
        events = [
            (e["frame"], kinds[e["type"]], e["foot"], e["side"])
            for e in truth["events"]
            if e["frame"] is not None and 0 < e["frame"] < len(frames) - 1
        ]
        facing = "right" if truth["direction"] == "left_to_right" else "left"
        stature = truth["stature_px"] * meta["analysis_scale"]
        row = event_report(case, frames, events, facing, stature)
        row["pose_pct"] = 100 * float(frames.has_pose.mean())
        row["score_mean"] = mean_or_none(frames.pose_score[frames.has_pose])
        row["stature_px"] = stature
        row["heel_swaps"] = label_swaps(frames, LEFT_HEEL, RIGHT_HEEL, 0.05 * stature)
        print(json.dumps(row), flush=True)


def main(argv: list[str]) -> int:
    command, out = argv[0], Path(argv[1])
    if command == "collect":
        videos = [Path(p) for p in argv[2:]] or sorted(
            p for p in VIDEOS.iterdir() if p.suffix in {".mp4", ".avi"}
        )
        collect(out, videos)
        return 0
    if command == "synth":
        synth(out)
        return 0
    if command == "synth-report":
        synth_report(out)
        return 0
    names = [p.name.split(".")[0] for p in sorted(out.glob("*.track.npz"))]
    for name in names:
        print(json.dumps(clip_row(name, out)))
    for name in names:
        annotated = annotated_events(name)
        if annotated is None:
            continue
        events, facing, stature_px = annotated
        for mode in MODES:
            frames, meta = load(out / f"{name}.{mode}.npz")
            report = event_report(
                f"{name} [{mode}]", frames, events, facing, stature_px * meta["analysis_scale"]
            )
            print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
