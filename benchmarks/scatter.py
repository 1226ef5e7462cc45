"""Run-to-run scatter: one synthetic walk filmed at sub-pixel phases, measured each time.

Usage: ``python -m benchmarks.scatter [--rate 1.0] [--phases 10] [--out scatter.md]``.

A single clip's errors against the truth mix the method's bias with chance: the same walk
encoded twice, its pictures differing by the codec's rounding only, measured -0.3 cm and
-4.1 cm (session 7). This renders one walk (960x540, 5 s, cluttered background, the pan
test's) and re-encodes it ``--phases`` times, every frame shifted by ``rate * index + phase``
px (``phase`` = 0, 1/phases, ...; ``--rate 0`` holds the camera still and moves the picture
by the phase alone), then gives each copy's errors and, per error, the mean, SD and range
over the copies: the bias and the scatter a single clip of that kind carries.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.accuracy import markdown
from gait import pipeline
from gait.errors import NoReliableGait
from gait.synth import SynthParams, render_clip
from gait.synth.camera_move import shifted_copy
from gait.synth.score import score_synthetic

PARAMS = {"width": 960, "height": 540, "duration_s": 5.0, "background": "cluttered"}
ERRORS = [
    "ic_mae_ms",
    "fo_mae_ms",
    "step_len_err_cm",
    "stride_len_err_cm",
    "speed_err_pct",
    "cadence_err_spm",
    "stance_err_pts",
]
COLUMNS = ["phase_px", "status", "route", *ERRORS]


def measured(path: Path, truth: dict[str, Any], phase_px: float) -> dict[str, Any]:
    """One copy's row: its errors against the truth, or its refusal."""
    plan = pipeline.plan(path, height_m=truth["height_m"])
    features = [pipeline.analyze_chunk(plan, chunk) for chunk in plan.chunks]
    row: dict[str, Any] = {"phase_px": f"{phase_px:.2f}"}
    try:
        result = pipeline.aggregate(plan, features).to_dict()
    except NoReliableGait as refused:
        return {**row, "status": f"refused: {refused.reason}"}
    sources = {e.get("source") for e in result["events"]}
    scored = score_synthetic(result, truth)
    return {
        **row,
        "status": "measured",
        "route": "/".join(sorted(s for s in sources if s)),
        **{key: scored[key] for key in ERRORS},
    }


def summary(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mean, SD, min and max of each error over the measured rows."""
    out = []
    for name, reduce in (
        ("mean", np.mean),
        ("SD", np.std),
        ("min", np.min),
        ("max", np.max),
    ):
        line: dict[str, Any] = {"phase_px": name}
        for key in ERRORS:
            values = [r[key] for r in rows if r.get(key) is not None]
            line[key] = float(reduce(values)) if values else None
        out.append(line)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=1.0, help="pan, px per frame")
    parser.add_argument("--phases", type=int, default=10)
    parser.add_argument("--out", default="scatter.md")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "walk.mp4"
        truth = render_clip(source, SynthParams(**PARAMS))
        for k in range(args.phases):
            phase = k / args.phases
            copy = shifted_copy(source, Path(tmp) / f"phase{k}.mp4", args.rate, phase)
            rows.append(measured(copy, truth, phase))
            print(markdown([rows[-1]], COLUMNS).splitlines()[-1], flush=True)
    table = markdown(rows + summary([r for r in rows if r["status"] == "measured"]), COLUMNS)
    header = f"Pan {args.rate:g} px/frame, {args.phases} sub-pixel phases\n\n"
    Path(args.out).write_text(header + table + "\n")
    print(table)


if __name__ == "__main__":
    main()
