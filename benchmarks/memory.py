"""Peak memory: one chunk's analysis at 720p, 1080p and 2160p; whole clips of growing length.

    python benchmarks/memory.py [--lengths-s 10 120 600] [--workers 1] [--skip-chunks]
                                [--modes children in-process]

Each measurement runs in a fresh child process. A chunk's figure is that process's peak
resident set size (``VmHWM``), beside the peak of a child that only imports the same
libraries, measured in the same run.

A whole run (``analyze_video``) is measured as a process tree: the run's main process
(plan, aggregate) and the child processes it starts to analyse chunks. Printed for it:

* ``main``: the main process's own peak (``VmHWM``, exact);
* ``child``: the largest chunk child's peak (its ``VmHWM``, read every 0.1 s while it runs);
* ``machine``: the tree's peak total, sampled every 0.1 s, counting each process's private
  (anonymous) memory plus the largest process's file-backed pages once (the libraries the
  processes share are the same files, so the machine holds them once): what a Functions
  worker or a laptop pays for the run; at least the main process's peak (a sample may miss
  a spike shorter than 0.1 s);
* ``sum RSS``: the peak of the plain sum of resident sizes, an upper bound that counts the
  shared libraries once per process.

Each length is run in two modes: chunks in child processes (``children``: ``analyze_video``,
the runner) and chunks in the main process one after another (``in-process``: how the
runner ran ``workers=1`` before session 4), the second the baseline whose peak grew with
the clip's length.
Targets (issue 8): a chunk worker <= 400 MB at 2160p; the whole-run machine peak flat in
length.
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

#: Seconds between two samples of a whole run's process tree.
SAMPLE_INTERVAL_S = 0.1


def child(mode: str, video: str, workers: int) -> None:
    """Run one measurement in this (fresh) process and print its peak RSS in MB as JSON."""
    from gait import pipeline
    from gait.errors import NoReliableGait
    from gait.runner import analyze_video

    extra: dict[str, object] = {}
    if mode == "chunk":
        plan = pipeline.Plan.from_bytes(Path(video + ".plan").read_bytes())
        features = pipeline.analyze_chunk(plan, plan.chunks[0])
        extra = {"frames": int(features.frame_indices.size), "bytes": len(features.to_bytes())}
    elif mode == "whole":
        with contextlib.suppress(NoReliableGait):
            analyze_video(video, workers=workers)
    elif mode == "whole-in-process":
        plan = pipeline.plan(video)
        extra = {"chunks": len(plan.chunks)}
        with contextlib.suppress(NoReliableGait):
            pipeline.aggregate(plan, (pipeline.analyze_chunk(plan, c) for c in plan.chunks))
    print(json.dumps({"peak_mb": peak_rss_mb(), **extra}))


def peak_rss_mb() -> float:
    """This process's peak resident set size, MB.

    Linux's ``VmHWM`` belongs to the process image and starts afresh at ``exec``;
    ``ru_maxrss`` does not (a child spawned by a parent that peaked at 800 MB reports at
    least 800 MB), so it is only the fallback.
    """
    try:
        return status_mb(Path("/proc/self/status"))["VmHWM"]
    except (OSError, KeyError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def status_mb(path: Path) -> dict[str, float]:
    """The memory lines (``VmRSS``, ``VmHWM``, ``RssAnon``, ``RssFile``, ``RssShmem``) of
    a ``/proc/<pid>/status`` file, MB."""
    figures = {}
    for line in path.read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "RssShmem"):
            figures[key] = int(value.split()[0]) / 1024
    return figures


def process_tree(root: int) -> list[int]:
    """``root`` and its descendants' process ids, from each ``/proc/<pid>/stat`` parent."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    tree, stack = [], [root]
    while stack:
        pid = stack.pop()
        tree.append(pid)
        stack.extend(children.get(pid, []))
    return tree


def measure(mode: str, video: Path | str, workers: int = 1) -> dict[str, float]:
    """Run ``mode`` in a fresh process; its JSON figures, and for a whole run the tree's."""
    command = [sys.executable, __file__, "--child", mode, str(video), "--workers", str(workers)]
    started = time.perf_counter()
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        machine_mb = sum_rss_mb = 0.0
        child_hwm: dict[int, float] = {}
        while process.poll() is None:
            samples = {}
            for pid in process_tree(process.pid):
                with contextlib.suppress(OSError):
                    samples[pid] = status_mb(Path(f"/proc/{pid}/status"))
            samples = {pid: s for pid, s in samples.items() if "VmRSS" in s}  # not zombies
            if samples:
                machine_mb = max(
                    machine_mb,
                    sum(s["RssAnon"] + s["RssShmem"] for s in samples.values())
                    + max(s["RssFile"] for s in samples.values()),
                )
                sum_rss_mb = max(sum_rss_mb, sum(s["VmRSS"] for s in samples.values()))
            for pid, s in samples.items():
                if pid != process.pid:
                    child_hwm[pid] = max(child_hwm.get(pid, 0.0), s["VmHWM"])
            time.sleep(SAMPLE_INTERVAL_S)
        output = process.stdout.read() if process.stdout else ""
    if process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, command)
    figures = json.loads(output.strip().splitlines()[-1])
    # Samples may miss a short spike; the machine held at least the main process's peak.
    return {
        **figures,
        "wall_s": time.perf_counter() - started,
        "machine_mb": max(machine_mb, figures["peak_mb"]),
        "sum_rss_mb": max(sum_rss_mb, figures["peak_mb"]),
        # The resource tracker multiprocessing starts is a child too, but a small one.
        "child_mb": max(child_hwm.values(), default=0.0),
        "processes": len(child_hwm),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=2, metavar=("MODE", "VIDEO"), help=argparse.SUPPRESS)
    parser.add_argument("--lengths-s", type=float, nargs="+", default=[10.0, 120.0, 600.0])
    parser.add_argument("--long-width", type=int, default=854)
    parser.add_argument("--long-height", type=int, default=480)
    parser.add_argument("--workers", type=int, default=1, help="the whole runs' workers")
    parser.add_argument("--skip-chunks", action="store_true", help="whole runs only")
    parser.add_argument(
        "--modes",
        nargs="+",
        choices=["children", "in-process"],
        default=["children", "in-process"],
        help="where the whole runs analyse their chunks (default: both)",
    )
    args = parser.parse_args()
    if args.child:
        child(*args.child, args.workers)
        return

    from gait import pipeline
    from gait.synth import SynthParams, render_clip
    from gait.video import probe

    baseline = measure("imports", "-")["peak_mb"]
    print(f"baseline (a child importing gait, numpy, cv2, av): {baseline:.0f} MB\n", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        if not args.skip_chunks:
            print(
                f"{'one chunk of':<22}{'frames':>7}{'peak MB':>9}{'above baseline':>16}"
                f"{'features KB':>13}"
            )
            for width, height in [(1280, 720), (1920, 1080), (3840, 2160)]:
                video = Path(folder) / f"chunk_{height}p.mp4"
                render_clip(video, SynthParams(width=width, height=height, duration_s=8.0))
                Path(str(video) + ".plan").write_bytes(pipeline.plan(video).to_bytes())
                figures = measure("chunk", video)
                print(
                    f"{f'{width}x{height}':<22}{figures['frames']:>7}{figures['peak_mb']:>9.0f}"
                    f"{figures['peak_mb'] - baseline:>16.0f}{figures['bytes'] / 1024:>13.0f}",
                    flush=True,
                )
                video.unlink()

        label = f"{args.long_width}x{args.long_height}"
        print(f"\nwhole clip at {label}, MB ({args.workers} worker(s); main = plan + aggregate)")
        print(
            f"{'chunks analysed in':<20}{'length':>8}{'chunks':>7}{'main':>6}{'child':>7}"
            f"{'machine':>9}{'sum RSS':>9}{'wall s':>8}"
        )
        for length_s in args.lengths_s:
            video = Path(folder) / f"whole_{length_s:g}s.mp4"
            render_clip(
                video,
                SynthParams(
                    width=args.long_width,
                    height=args.long_height,
                    duration_s=length_s,
                    repeat_passes=True,
                ),
            )
            info = probe(video)
            chunks = len(
                pipeline.chunk_ranges(
                    info.frame_count, pipeline.DEFAULT_CHUNK_FRAMES, max(1, args.workers)
                )
            )
            modes = {
                "children": ("whole", "child processes"),
                "in-process": ("whole-in-process", "the main process"),
            }
            for mode, where in (modes[name] for name in args.modes):
                f = measure(mode, video, args.workers)
                print(
                    f"{where:<20}{length_s:>7.0f}s{chunks:>7}{f['peak_mb']:>6.0f}"
                    f"{f['child_mb']:>7.0f}{f['machine_mb']:>9.0f}{f['sum_rss_mb']:>9.0f}"
                    f"{f['wall_s']:>8.0f}",
                    flush=True,
                )
            video.unlink()
    print("\ntargets: chunk worker <= 400 MB at 2160p; whole-run machine peak flat in clip length")


if __name__ == "__main__":
    main()
