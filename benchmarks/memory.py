"""Peak memory: one chunk's analysis at 720p, 1080p and 2160p; a whole short vs long clip.

    python benchmarks/memory.py [--long-minutes 10]

Each measurement runs in a fresh child process and reports its peak resident set size
(``VmHWM``), beside the peak of a child that only imports the same libraries, measured
in the same run. Targets: a chunk worker <= 300 MB at 2160p; the whole-clip peak must not
grow with the clip's length.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def child(mode: str, video: str) -> None:
    """Run one measurement in this (fresh) process and print its peak RSS in MB as JSON."""
    from gait import pipeline
    from gait.errors import NoReliableGait
    from gait.runner import analyze_video

    if mode == "chunk":
        plan = pipeline.Plan.from_bytes(Path(video + ".plan").read_bytes())
        features = pipeline.analyze_chunk(plan, plan.chunks[0])
        extra = {"frames": int(features.frame_indices.size), "bytes": len(features.to_bytes())}
    elif mode == "whole":
        with contextlib.suppress(NoReliableGait):
            analyze_video(video, workers=1)
        extra = {}
    else:
        extra = {}
    print(json.dumps({"peak_mb": peak_rss_mb(), **extra}))


def peak_rss_mb() -> float:
    """This process's peak resident set size, MB.

    Linux's ``VmHWM`` belongs to the process image and starts afresh at ``exec``;
    ``ru_maxrss`` does not (a child spawned by a parent that peaked at 800 MB reports at
    least 800 MB), so it is only the fallback.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(mode: str, video: Path | str) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(video)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=2, metavar=("MODE", "VIDEO"), help=argparse.SUPPRESS)
    parser.add_argument("--long-minutes", type=float, default=10.0)
    parser.add_argument("--long-width", type=int, default=854)
    parser.add_argument("--long-height", type=int, default=480)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return

    from gait import pipeline
    from gait.synth import SynthParams, render_clip

    baseline = measure("imports", "-")["peak_mb"]
    print(f"baseline (a child importing gait, numpy, cv2, av): {baseline:.0f} MB\n")
    print(
        f"{'one chunk of':<22}{'frames':>7}{'peak MB':>9}{'above baseline':>16}{'features KB':>13}"
    )
    with tempfile.TemporaryDirectory() as folder:
        for width, height in [(1280, 720), (1920, 1080), (3840, 2160)]:
            video = Path(folder) / f"chunk_{height}p.mp4"
            render_clip(video, SynthParams(width=width, height=height, duration_s=8.0))
            Path(str(video) + ".plan").write_bytes(pipeline.plan(video).to_bytes())
            figures = measure("chunk", video)
            print(
                f"{f'{width}x{height}':<22}{figures['frames']:>7}{figures['peak_mb']:>9.0f}"
                f"{figures['peak_mb'] - baseline:>16.0f}{figures['bytes'] / 1024:>13.0f}"
            )
            video.unlink()

        print(f"\n{'whole clip, 1 worker':<22}{'length':>9}{'peak MB':>9}{'render s':>10}")
        for minutes in (10 / 60, args.long_minutes):
            video = Path(folder) / f"whole_{minutes:g}min.mp4"
            started = time.perf_counter()
            render_clip(
                video,
                SynthParams(
                    width=args.long_width,
                    height=args.long_height,
                    duration_s=minutes * 60,
                    repeat_passes=True,
                ),
            )
            render_s = time.perf_counter() - started
            figures = measure("whole", video)
            label = f"{args.long_width}x{args.long_height}"
            print(f"{label:<22}{minutes * 60:>8.0f}s{figures['peak_mb']:>9.0f}{render_s:>10.1f}")
            video.unlink()
    print("\ntargets: chunk worker <= 300 MB at 2160p; whole-clip peak flat in clip length")


if __name__ == "__main__":
    main()
