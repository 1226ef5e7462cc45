"""Accuracy of the gait measurement against exact synthetic truth and the annotated real clip.

Usage: ``python -m benchmarks.accuracy [--quick] [--out FILE]``. Renders the synthetic matrix
into a temporary folder, analyses every clip through plan / analyze_chunk / aggregate, and
prints per-case and overall errors, and writes them as markdown (by default the full
matrix to ``benchmarks/accuracy-results.md``, the table the README quotes).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from gait import pipeline
from gait.errors import NoReliableGait
from gait.synth.score import score_annotated, score_synthetic

REAL_CLIP = Path(__file__).resolve().parents[1] / "../shared/data/videos"


def matrix(quick: bool = False) -> list[tuple[str, dict[str, Any]]]:
    """The synthetic cases: (name, SynthParams keyword arguments)."""
    base = {"width": 960, "height": 540, "duration_s": 6.0}
    cases = [
        ("default", {}),
        ("slow_80spm", {"cadence_spm": 80, "step_length_m": 0.4}),
        ("fast_130spm", {"cadence_spm": 130, "step_length_m": 0.74}),
        ("speed_0.5", {"cadence_spm": 90, "step_length_m": 0.33}),
        ("speed_1.6", {"cadence_spm": 125, "step_length_m": 0.77}),
        ("short_1.55m", {"height_m": 1.55, "step_length_m": 0.6}),
        ("tall_1.95m", {"height_m": 1.95, "step_length_m": 0.78}),
        ("limp_0.2", {"asymmetry": 0.2}),
        ("right_to_left", {"direction": "right_to_left"}),
        ("720p", {"width": 1280, "height": 720}),
        ("1080p", {"width": 1920, "height": 1080}),
        ("480p", {"width": 854, "height": 480}),
        ("25fps", {"fps": 25.0}),
        ("60fps", {"fps": 60.0}),
        ("vfr", {"vfr": True}),
        ("textured", {"background": "textured"}),
        ("cluttered", {"background": "cluttered"}),
        ("low_contrast", {"contrast": 0.4}),
        ("shadow", {"shadow": True}),
        ("reflection", {"reflection": True}),
        ("noise_6", {"noise": 6.0}),
        ("crf_32", {"crf": 32}),
        ("flicker", {"flicker": 0.05}),
        ("start_stop", {"start_stop_inside": True, "duration_s": 8.0}),
    ]
    if quick:
        cases = cases[:4]
    return [(name, {**base, **kw}) for name, kw in cases]


def analyse(path: str, height_m: float | None) -> dict[str, Any] | str:
    """Full pipeline on one file; the result dict, or the NoReliableGait reason."""
    plan = pipeline.plan(path, height_m=height_m)
    try:
        features = [pipeline.analyze_chunk(plan, chunk) for chunk in plan.chunks]
        return pipeline.aggregate(plan, features).to_dict()
    except NoReliableGait as exc:
        return f"no_reliable_gait:{exc.reason}"


def synthetic_case(name: str, kwargs: dict[str, Any], folder: Path) -> dict[str, Any]:
    """Render one case of the matrix, analyse it, score it against its truth."""
    from gait.synth import SynthParams, render_clip

    path = folder / f"{name}.mp4"
    truth = render_clip(path, SynthParams(**kwargs))
    result = analyse(str(path), truth["height_m"])
    if isinstance(result, str):
        return {"case": name, "status": result}
    return {"case": name, "status": "ok", **score_synthetic(result, truth)}


def real_case() -> dict[str, Any]:
    """The annotated two-person outdoor clip: IC/FO frame errors, found and false events."""
    video = REAL_CLIP / "side-outdoor-walker-and-jumper.mp4"
    notes = json.loads((REAL_CLIP / "side-outdoor-walker-and-jumper.events.json").read_text())
    result = analyse(str(video), None)
    row: dict[str, Any] = {"case": "real:outdoor-walker-and-jumper"}
    if isinstance(result, str):
        return {**row, "status": result}
    walk = notes["passes"][0]
    first, last = walk["frames"]
    return {
        **row,
        "status": "ok",
        **score_annotated(result, walk["events"], notes["fps"]),
        "events_outside_pass": sum(1 for e in result["events"] if not first <= e["frame"] <= last),
    }


COLUMNS = [
    "case",
    "status",
    "ic_mae_ms",
    "ic_bias_ms",
    "ic_found_pct",
    "ic_false",
    "fo_mae_ms",
    "fo_bias_ms",
    "fo_found_pct",
    "fo_false",
    "step_len_err_cm",
    "stride_len_err_cm",
    "speed_err_pct",
    "cadence_err_spm",
    "stance_err_pts",
    "double_support_err_pts",
    "steady_steps",
]


REAL_COLUMNS = [
    "case",
    "status",
    "ic_mae_frames",
    "ic_bias_frames",
    "ic_found",
    "ic_false",
    "fo_mae_frames",
    "fo_bias_frames",
    "fo_found",
    "fo_false",
    "events_outside_pass",
]


def overall(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Means of absolute per-case errors over the cases that gave a result."""
    ok = [r for r in rows if r.get("status") == "ok"]
    out: dict[str, Any] = {"case": "OVERALL (mean |err|)", "status": f"{len(ok)}/{len(rows)} ok"}
    for col in COLUMNS[2:]:
        vals = [abs(r[col]) for r in ok if r.get(col) is not None]
        out[col] = float(np.mean(vals)) if vals else None
    return out


def markdown(rows: list[dict[str, Any]], columns: list[str] = COLUMNS) -> str:
    def fmt(v: Any) -> str:
        return "–" if v is None else f"{v:.1f}" if isinstance(v, float) else str(v)

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(fmt(r.get(c)) for c in columns) + " |" for r in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--out",
        type=Path,
        help="where to write the table (default: benchmarks/accuracy-results.md, the table "
        "the README quotes; a --quick run writes nothing unless given)",
    )
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, kwargs in matrix(args.quick):
            rows.append(synthetic_case(name, kwargs, Path(tmp)))
            print(markdown([rows[-1]]).splitlines()[-1], flush=True)
    rows.append(overall(rows))
    table = markdown(rows)
    if REAL_CLIP.exists():
        table += "\n\n" + markdown([real_case()], REAL_COLUMNS)
    print(table)
    out = args.out or (None if args.quick else Path(__file__).with_name("accuracy-results.md"))
    if out is not None:
        out.write_text(table + "\n")


if __name__ == "__main__":
    main()
