"""``synth`` subcommand: render a synthetic walking clip and its truth JSON.

Standalone: ``python -m gait.synth.cli OUT.mp4 [options]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from gait.synth.clip import render_clip, truth_path
from gait.synth.params import Companion, SynthParams

_D = SynthParams()


def _add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("out", type=Path, help="output video path (.mp4); truth goes to .truth.json")
    walker = p.add_argument_group("walker")
    walker.add_argument("--height-m", type=float, default=_D.height_m, help="body height (m)")
    walker.add_argument(
        "--cadence-spm", type=float, default=_D.cadence_spm, help="cadence (steps/min)"
    )
    walker.add_argument(
        "--step-length-m", type=float, default=_D.step_length_m, help="mean step length (m)"
    )
    walker.add_argument(
        "--asymmetry",
        type=float,
        default=_D.asymmetry,
        help="limp: left step L*(1+a/2), right L*(1-a/2), shorter left stance",
    )
    walker.add_argument(
        "--double-support-frac",
        type=float,
        default=None,
        help="double support per transition, fraction of the stride",
    )
    walker.add_argument(
        "--direction", choices=["left_to_right", "right_to_left"], default=_D.direction
    )
    walker.add_argument(
        "--repeat-passes",
        action="store_true",
        help="re-enter after leaving the frame (laps), for long clips",
    )
    walker.add_argument(
        "--start-stop-inside",
        action="store_true",
        help="stand, start, walk and stop inside the frame",
    )
    video = p.add_argument_group("video")
    video.add_argument("--width", type=int, default=_D.width, help="display width (px)")
    video.add_argument("--height", type=int, default=_D.height, help="display height (px)")
    video.add_argument("--fps", type=float, default=_D.fps, help="nominal frame rate")
    video.add_argument("--duration-s", type=float, default=_D.duration_s)
    video.add_argument("--vfr", action="store_true", help="irregular frame intervals")
    video.add_argument(
        "--rotation",
        type=int,
        choices=[0, 90, 180, 270],
        default=0,
        help="store frames rotated, with the display-matrix flag to undo it",
    )
    video.add_argument("--crf", type=int, default=_D.crf, help="x264 constant rate factor")
    video.add_argument("--preset", default=_D.x264_preset, help="x264 preset")
    video.add_argument(
        "--view-width-m", type=float, default=None, help="visible floor length across the frame (m)"
    )
    video.add_argument(
        "--tracking-shot",
        type=float,
        default=None,
        metavar="K",
        help="a camera carried along the walk, the wall moving K times as fast as the walking "
        "line (depth ratio in (0, 1], 1 = no parallax; default: a still camera)",
    )
    scene = p.add_argument_group("scene")
    scene.add_argument(
        "--background", choices=["plain", "textured", "cluttered"], default=_D.background
    )
    scene.add_argument("--brightness", type=float, default=_D.brightness)
    scene.add_argument("--gradient", type=float, default=_D.gradient)
    scene.add_argument("--flicker", type=float, default=_D.flicker)
    scene.add_argument(
        "--contrast", type=float, default=_D.contrast, help="clothing vs scene contrast, 0..1"
    )
    scene.add_argument("--shadow", action="store_true")
    scene.add_argument("--reflection", action="store_true")
    scene.add_argument(
        "--noise", type=float, default=_D.noise, help="sensor noise sigma (8-bit grey levels)"
    )
    scene.add_argument("--seed", type=int, default=_D.seed)
    scene.add_argument(
        "--companion",
        choices=["walker", "crossing", "standing"],
        default=None,
        help="a second person further back: walking beside/behind the walker, crossing "
        "for 1.5 s from 2 s, or standing (its truth under 'companion', not the walker's)",
    )


def add_parser(subparsers: Any) -> None:
    """Register the ``synth`` subcommand on an argparse subparsers object."""
    p = subparsers.add_parser(
        "synth",
        help="render a synthetic walking clip with exact truth",
        description=__doc__,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    _add_arguments(p)
    p.set_defaults(run=run)


def params_from_args(args: argparse.Namespace) -> SynthParams:
    """SynthParams from parsed arguments."""
    return SynthParams(
        height_m=args.height_m,
        cadence_spm=args.cadence_spm,
        step_length_m=args.step_length_m,
        asymmetry=args.asymmetry,
        double_support_frac=args.double_support_frac,
        direction=args.direction,
        start_stop_inside=args.start_stop_inside,
        repeat_passes=args.repeat_passes,
        width=args.width,
        height=args.height,
        fps=args.fps,
        duration_s=args.duration_s,
        vfr=args.vfr,
        rotation_deg=args.rotation,
        crf=args.crf,
        x264_preset=args.preset,
        view_width_m=args.view_width_m,
        background=args.background,
        brightness=args.brightness,
        gradient=args.gradient,
        flicker=args.flicker,
        contrast=args.contrast,
        shadow=args.shadow,
        reflection=args.reflection,
        noise=args.noise,
        seed=args.seed,
        companion=Companion(kind=args.companion) if args.companion else None,
        tracking_shot=args.tracking_shot,
    )


def run(args: argparse.Namespace) -> int:
    """Render the clip; print where the video and the truth went. Returns the exit code 0."""
    params = params_from_args(args)
    start = time.perf_counter()
    truth = render_clip(args.out, params)
    elapsed = time.perf_counter() - start
    m = truth["metrics"]
    print(f"video: {args.out} ({truth['video']['frame_count']} frames, {elapsed:.1f} s to render)")
    print(f"truth: {truth_path(Path(args.out))}")
    if m["steady_steps"]:
        print(
            f"steady steps: {m['steady_steps']}, cadence {m['cadence_spm']:.1f} spm, "
            f"speed {m['speed_mps']:.3f} m/s, step length {m['step_length_m']:.3f} m"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    """Standalone entry point."""
    parser = argparse.ArgumentParser(
        prog="python -m gait.synth.cli",
        description=__doc__,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    _add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
