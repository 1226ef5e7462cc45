"""Throughput: the whole analysis vs a bare OpenCV decode of the same file, in one run.

    python benchmarks/throughput.py [--video FILE] [--duration-s 60] [--width 1920 --height 1080]

Without ``--video`` it renders a synthetic 1080p30 walk (laps, so the walker is in view the
whole time). Prints frames/s, the real-time factor, and the ratio of analysis wall time to
decode-only wall time (target <= 3 with the person model, on a 2-core machine). Figures, not
assertions: the machines are shared and noisy, so compare ratios measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gait import pipeline
from gait.errors import NoReliableGait
from gait.runner import analyze_video
from gait.synth import SynthParams, render_clip
from gait.video import probe


def decode_only(video: Path) -> tuple[int, float]:
    """Frames read and seconds taken by a bare ``VideoCapture.read`` loop."""
    started = time.perf_counter()
    capture = cv2.VideoCapture(str(video))
    frames = 0
    while capture.read()[0]:
        frames += 1
    capture.release()
    return frames, time.perf_counter() - started


def analysis(video: Path, height_m: float | None, workers: int) -> tuple[float, str]:
    started = time.perf_counter()
    try:
        result = analyze_video(video, height_m=height_m, workers=workers)
        outcome = f"{len(result.events)} events, {result.metrics.get('steady_steps')} steady steps"
    except NoReliableGait as exc:
        outcome = f"no reliable gait ({exc.reason})"
    return time.perf_counter() - started, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path)
    parser.add_argument("--height-m", type=float, default=None)
    parser.add_argument("--duration-s", type=float, default=60.0)
    parser.add_argument("--width", type=int, default=1920)
    parser.add_argument("--height", type=int, default=1080)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        video, height_m = args.video, args.height_m
        if video is None:
            video = Path(folder) / "throughput.mp4"
            params = SynthParams(
                width=args.width,
                height=args.height,
                fps=30.0,
                duration_s=args.duration_s,
                repeat_passes=True,
                background="textured",
            )
            started = time.perf_counter()
            truth = render_clip(video, params)
            height_m = truth["height_m"]
            print(
                f"rendered {video.name}: {args.width}x{args.height} {args.duration_s:g} s "
                f"in {time.perf_counter() - started:.1f} s"
            )
        duration_s = probe(video).duration_s
        frames, decode_s = decode_only(video)
        plan_started = time.perf_counter()
        pipeline.plan(video, height_m=height_m)
        plan_s = time.perf_counter() - plan_started
        rows = []
        for workers in sorted({1, args.workers}):
            wall_s, outcome = analysis(video, height_m, workers)
            rows.append((workers, wall_s, outcome))

    print(f"\nvideo: {frames} frames, {duration_s:.1f} s; cores: {os.cpu_count()}")
    print(f"{'run':<28}{'wall s':>9}{'frames/s':>10}{'x real time':>13}{'vs decode':>11}")
    print(
        f"{'decode only (cv2 read loop)':<28}{decode_s:>9.2f}{frames / decode_s:>10.1f}"
        f"{duration_s / decode_s:>13.2f}{1.0:>11.2f}"
    )
    print(
        f"{'plan (probe + background)':<28}{plan_s:>9.2f}{'':>10}{'':>13}{plan_s / decode_s:>11.2f}"
    )
    for workers, wall_s, outcome in rows:
        label = f"analysis, {workers} worker{'s' if workers > 1 else ''}"
        print(
            f"{label:<28}{wall_s:>9.2f}{frames / wall_s:>10.1f}{duration_s / wall_s:>13.2f}"
            f"{wall_s / decode_s:>11.2f}   {outcome}"
        )
    print(
        "\ntarget: analysis wall time <= 3x decode-only with the person model "
        "(ratio column, best worker count)"
    )


if __name__ == "__main__":
    main()
