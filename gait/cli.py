"""Command line: ``python -m gait analyze VIDEO``, ``synth OUT.mp4``, ``demo``.

Exit codes: 0 success; 2 the input is unusable or holds no reliable gait (one line on
stderr says why); 1 an internal error.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path
from typing import Any

from gait import pipeline
from gait.errors import GaitError, first_line
from gait.progress import ProgressBar
from gait.result import write_json_atomic
from gait.runner import analyze_video
from gait.walk.scale import HEIGHT_RANGE_M, TREADMILL_SPEED_RANGE_MPS

EXIT_OK, EXIT_INTERNAL, EXIT_UNUSABLE = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except GaitError as exc:
        print(f"error: {exc.code}: {exc.message}", file=sys.stderr)
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERNAL
    except Exception as exc:
        if os.environ.get("GAIT_DEBUG"):
            traceback.print_exc()
        print(f"internal error: {type(exc).__name__}: {first_line(exc)}", file=sys.stderr)
        return EXIT_INTERNAL


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m gait", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True)

    analyze = subparsers.add_parser("analyze", help="measure the gait in a side-view video")
    analyze.add_argument("video", help="video file (mp4, mov, avi, mkv, webm, ...)")
    analyze.add_argument(
        "--height-m",
        type=height_m,
        default=None,
        help="walker's standing height in metres: gives spatial values in metres",
    )
    analyze.add_argument(
        "--treadmill-speed-mps",
        type=treadmill_speed_mps,
        default=None,
        help="treadmill belt speed in m/s, for a walk on a treadmill: gives its spatial "
        "values (without it they are relative to stature)",
    )
    analyze.add_argument(
        "--json",
        type=Path,
        default=None,
        help="where to write the result (default: VIDEO_STEM.gait.json here)",
    )
    analyze.add_argument(
        "--report",
        type=report_path,
        default=None,
        help="also write a report here: an HTML page (.html; a refused analysis gets the "
        "page saying why) or a PNG picture (.png)",
    )
    analyze.add_argument(
        "--workers",
        type=positive_int,
        default=min(2, os.cpu_count() or 1),
        help="worker processes for chunks (default: 2 or the core count)",
    )
    analyze.add_argument(
        "--chunk-frames",
        type=positive_int,
        default=pipeline.DEFAULT_CHUNK_FRAMES,
        help="frames per chunk",
    )
    analyze.set_defaults(run=run_analyze)

    try:
        from gait.synth import cli as synth_cli
    except ImportError:  # the synthetic walker is optional for analysis-only installs
        pass
    else:
        synth_cli.add_parser(subparsers)
        from gait import demo

        demo.add_parser(subparsers)
    return parser


def run_analyze(args: argparse.Namespace) -> int:
    output = args.json or Path(Path(args.video).stem + ".gait.json")
    html = args.report is not None and args.report.suffix.lower() in HTML_SUFFIXES
    try:
        result = analyze_video(
            args.video,
            height_m=args.height_m,
            treadmill_speed_mps=args.treadmill_speed_mps,
            workers=args.workers,
            chunk_frames=args.chunk_frames,
            progress=ProgressBar("analysing"),
        ).to_dict()
    except GaitError as exc:
        if html:
            from gait.html_report import write_failure

            # stderr keeps its one line (the error); the page says the rest.
            write_failure(exc.to_dict(), args.report)
        raise
    write_json_atomic(output, result)
    print(summary_line(result))
    print(f"result: {output}")
    if html:
        from gait.html_report import write_report as write_html

        given = {"height_m": args.height_m, "basis": "given"} if args.height_m else None
        write_html(args.video, result, args.report, angles=result.get("angles"), height=given)
        print(f"report: {args.report}")
    elif args.report:
        from gait.report import write_report

        write_report(args.video, result, args.report)
        print(f"report: {args.report}")
    return EXIT_OK


#: ``--report`` suffixes: an HTML page, or the PNG picture.
HTML_SUFFIXES = (".html", ".htm")
PNG_SUFFIXES = (".png",)


def report_path(text: str) -> Path:
    """A ``--report`` path whose suffix names the format (argparse type)."""
    path = Path(text)
    if path.suffix.lower() not in HTML_SUFFIXES + PNG_SUFFIXES:
        raise argparse.ArgumentTypeError(f"{text}: the report must end in .html or .png")
    return path


def summary_line(result: dict[str, Any]) -> str:
    """One line of the headline metrics, ``n/a`` for those not measured."""
    metrics = result.get("metrics", {})

    def show(key: str, fmt: str) -> str:
        value = metrics.get(key)
        return "n/a" if value is None else format(value, fmt)

    return (
        f"steps {show('steady_steps', 'd')}  cadence {show('cadence_spm', '.1f')} spm  "
        f"step time {show('step_time_s', '.3f')} s  step length {show('step_length_m', '.3f')} m  "
        f"speed {show('speed_mps', '.2f')} m/s"
    )


def height_m(text: str) -> float:
    value = float(text)
    low, high = HEIGHT_RANGE_M
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"height must be {low}–{high} m, got {value}")
    return value


def treadmill_speed_mps(text: str) -> float:
    """A belt speed within :data:`TREADMILL_SPEED_RANGE_MPS` (argparse type): outside it
    is another unit (km/h, mph) or a typo, never a treadmill walk."""
    value = float(text)
    low, high = TREADMILL_SPEED_RANGE_MPS
    if not low <= value <= high:  # NaN too
        raise argparse.ArgumentTypeError(
            f"treadmill speed must be {low}–{high} m/s, got {value} (km/h / 3.6 = m/s)"
        )
    return value


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value
