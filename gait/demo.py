"""``python -m gait demo``: a synthetic walk with known truth, analysed and compared.

Needs no video and no cloud: it renders a clip with :mod:`gait.synth`, analyses it through
the same pipeline as any other video, and prints measured metrics beside the truth.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from gait.errors import NoReliableGait
from gait.progress import ProgressBar
from gait.result import write_json_atomic
from gait.runner import analyze_video
from gait.synth import SynthParams, render_clip

#: (result metric, truth metric, label, unit, scale to the shown unit)
COMPARED = (
    ("cadence_spm", "cadence_spm", "cadence", "steps/min", 1.0),
    ("step_time_s", "step_time_s", "step time", "s", 1.0),
    ("stride_time_s", "stride_time_s", "stride time", "s", 1.0),
    ("stance_pct", "stance_pct", "stance", "% stride", 1.0),
    ("swing_pct", "swing_pct", "swing", "% stride", 1.0),
    ("double_support_pct", "double_support_pct", "double support", "% stride", 1.0),
    ("step_length_m", "step_length_m", "step length", "cm", 100.0),
    ("stride_length_m", "stride_length_m", "stride length", "cm", 100.0),
    ("speed_mps", "speed_mps", "gait speed", "m/s", 1.0),
)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo", help="render a synthetic walk with known truth, analyse it, compare"
    )
    parser.add_argument("--out", type=Path, default=Path("out/demo"), help="output folder")
    parser.add_argument("--seed", type=int, default=7, help="synthetic clip's random seed")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    video = out / "walk.mp4"
    params = SynthParams(seed=args.seed, background="textured", shadow=True)
    print(
        f"rendering a synthetic walk ({params.width}x{params.height}, {params.fps:g} fps, "
        f"{params.duration_s:g} s, {params.height_m} m tall, {params.cadence_spm:g} spm) ..."
    )
    truth = render_clip(video, params)
    result_path = out / "walk.gait.json"
    try:
        result = analyze_video(
            video,
            height_m=truth["height_m"],
            workers=min(2, os.cpu_count() or 1),
            progress=ProgressBar("analysing"),
        ).to_dict()
    except NoReliableGait:
        result_path.unlink(missing_ok=True)
        raise
    write_json_atomic(result_path, result)
    print()
    print(comparison_table(result, truth))
    print()
    print(f"video:  {video}")
    print(f"truth:  {video.with_suffix('.truth.json')}")
    print(f"result: {result_path}")
    report = _write_report(video, result, out / "walk.report.png")
    if report is not None:
        print(f"report: {report}")
    return 0


def comparison_table(result: dict[str, Any], truth: dict[str, Any]) -> str:
    """Measured vs true metrics as an aligned text table (``n/a`` when not measured)."""
    rows = [f"{'metric':<16}{'measured':>10}{'truth':>10}{'error':>10}  unit"]
    for key, truth_key, label, unit, scale in COMPARED:
        measured = result["metrics"].get(key)
        true = truth["metrics"].get(truth_key)
        shown = "n/a" if measured is None else f"{measured * scale:.3g}"
        true_shown = "n/a" if true is None else f"{true * scale:.3g}"
        error = "" if measured is None or true is None else f"{(measured - true) * scale:+.2g}"
        rows.append(f"{label:<16}{shown:>10}{true_shown:>10}{error:>10}  {unit}")
    steady = [f for f in truth["footprints"] if f["steady"]]
    true_events = sum(f["ic_frame"] is not None for f in steady) + sum(
        f["fo_frame"] is not None for f in steady
    )
    rows.append(
        f"{'events':<16}{len(result['events']):>10}{true_events:>10}{'':>10}  "
        "(of steady walking, fully in view)"
    )
    return "\n".join(rows)


def _write_report(video: Path, result: dict[str, Any], path: Path) -> Path | None:
    try:
        from gait.report import write_report
    except ImportError:
        return None
    write_report(video, result, path)
    return path
