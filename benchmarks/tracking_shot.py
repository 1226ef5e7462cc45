"""Tracking shots (a camera carried along the walk, :mod:`gait.synth.tracking_shot`): what
the engine measures per depth ratio k, with the travelling camera's parallax ignored (the
background's path taken for the floor's, as before session 6) and as it now does.

Usage: ``python -m benchmarks.tracking_shot [--k 1.0 0.9 0.8 0.6] [--out tracking.md]``.
Each clip (960x540, 6 s, textured wall and floor) is rendered and analysed once; both rows
aggregate the same features, the first with :data:`gait.walk.camera.MAX_FLOOR_PARALLAX`
set out of reach.
"""

from __future__ import annotations

import argparse
import math
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.accuracy import markdown
from gait import pipeline
from gait.errors import NoReliableGait
from gait.synth import SynthParams, render_clip
from gait.synth.score import score_synthetic
from gait.walk import camera

BASE = {"width": 960, "height": 540, "duration_s": 6.0, "background": "textured"}
COLUMNS = [
    "k",
    "engine",
    "status",
    "floor_ratio",
    "ic_mae_ms",
    "fo_mae_ms",
    "step_len_err_cm",
    "speed_err_pct",
    "cadence_err_pct",
    "confidence",
    "warning",
]


def row(k: float, engine: str, plan: Any, features: list, truth: dict[str, Any]) -> dict:
    """One row: the clip of depth ratio ``k`` aggregated by ``engine`` ("ignored": the
    parallax check off; "now")."""
    out: dict[str, Any] = {"k": k, "engine": engine}
    try:
        result = pipeline.aggregate(plan, features).to_dict()
    except NoReliableGait as refused:
        return {**out, "status": f"refused: {refused.reason}"}
    scored = score_synthetic(result, truth)
    travelling = [w for w in result["warnings"] if w.startswith("travelling camera")]
    cadence = truth["metrics"]["cadence_spm"]
    return {
        **out,
        "status": "measured",
        "floor_ratio": _floor_ratio(travelling),
        **{key: scored[key] for key in ("ic_mae_ms", "fo_mae_ms", "step_len_err_cm")},
        "speed_err_pct": scored["speed_err_pct"],
        "cadence_err_pct": 100 * scored["cadence_err_spm"] / cadence,
        "confidence": f"{result['quality']['confidence']:.2f}",
        "warning": "travelling camera" if travelling else "",
    }


def _floor_ratio(travelling: list[str]) -> str:
    """The ratio the travelling-camera warning names ("" without one)."""
    if not travelling:
        return ""
    return travelling[0].split("moved ")[1].split(" times")[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--k", type=float, nargs="+", default=[1.0, 0.9, 0.8, 0.6])
    parser.add_argument("--out", default="tracking.md")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for k in args.k:
            path = Path(folder) / f"tracking_{k}.mp4"
            truth = render_clip(path, SynthParams(**BASE, tracking_shot=k))
            plan = pipeline.plan(path, height_m=truth["height_m"])
            features = [pipeline.analyze_chunk(plan, chunk) for chunk in plan.chunks]
            limit = camera.MAX_FLOOR_PARALLAX
            camera.MAX_FLOOR_PARALLAX = math.inf
            try:
                rows.append(row(k, "parallax ignored", plan, features, truth))
            finally:
                camera.MAX_FLOOR_PARALLAX = limit
            rows.append(row(k, "now", plan, features, truth))
            for r in rows[-2:]:
                print(r, flush=True)
    table = markdown(rows, COLUMNS)
    print(table)
    Path(args.out).write_text(table + "\n")


if __name__ == "__main__":
    main()
