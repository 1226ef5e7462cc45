"""Every real clip in ``../shared/data/videos`` through the whole pipeline, per kind of clip.

Usage: ``python -m benchmarks.real_clips [--out real-clips.md] [--workers 2]``.

Each clip is analysed as the CLI does (plan, every chunk, aggregate). The table gives per
clip: its kind (static side, hand-held or panning, treadmill side, frontal/back, negative),
what a correct answer is (numbers, or a typed refusal with one of the named reasons), what
came out, and, where hand annotations exist (``*.events.json``), the IC and FO errors in
frames, the share of annotated events found, left/right labels against the annotation, and
the cadence error against the annotated steps the result's steps match (the same steps).
Then per kind: the share of in-scope clips measured and refused, and the results whose
cadence is off by more than 5 % without a warning (the issue's target: none).

No real clip here shows a side view filmed by a moving camera, so the annotated static
clips are also *re-filmed* (:mod:`gait.synth.camera_move`, ``--no-refilmed`` skips them): a
window pans after the walker, shakes in a hand, or both, over the real frames, whose
annotated events stay exact. Seeded: every run re-films the same paths. The clips with
walkers are also *resent* (:func:`gait.synth.camera_move.resend`): scaled to 480p and
compressed hard, as a video arrives after a messaging app passed it on; the annotated ones
as an iPhone records by default, in HDR (:mod:`gait.synth.hdr`).
"""

from __future__ import annotations

import argparse
import itertools
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from gait.errors import GaitError, NoReliableGait
from gait.runner import analyze_video
from gait.synth import camera_move, hdr
from gait.synth.score import MATCH_WINDOW_S, score_annotated
from gait.video import probe

VIDEOS = Path(__file__).resolve().parents[1] / "../shared/data/videos"
#: Hand annotations kept in the repository (clips annotated after the shared folder was made).
ANNOTATIONS = Path(__file__).resolve().parents[1] / "tests" / "data"


@dataclass(frozen=True)
class RealClip:
    """A clip, its kind, and what a correct answer is: ``measure`` (numbers expected) or the
    refusal reasons that are right for it. ``move``: the clip re-filmed by that simulated
    camera move (:mod:`gait.synth.camera_move`), ``"resent"`` for its small compressed copy
    (:func:`gait.synth.camera_move.resend`), ``"hdr"`` for it as an iPhone's HDR recording
    (:mod:`gait.synth.hdr`), None for the clip as it is."""

    file: str
    kind: str
    measure: bool
    right_refusals: tuple[str, ...] = ()
    note: str = ""
    move: camera_move.Move | Literal["mirror", "resent", "hdr"] | None = None

    @property
    def name(self) -> str:
        stem = self.file.rsplit(".", 1)[0]
        if self.move in ("resent", "hdr"):
            return f"{stem} ({self.move})"
        return f"{stem} (re-filmed: {self.move})" if self.move else stem


CLIPS = (
    RealClip("side-indoor-forward-then-backward.mp4", "static side", True,
             note="forward pass measured, backward pass excluded"),
    RealClip("side-outdoor-walker-and-jumper.mp4", "static side", True,
             note="the walker, never the jumper"),
    RealClip("treadmill-walk-styles-side-captions.mp4", "treadmill side", True,
             note="edited: 5 styles between hard cuts"),
    RealClip("treadmill-running-side-vertical.mp4", "treadmill side", False, ("running",),
             note="running: must be named, not given walking norms"),
    RealClip("elderly-store-back-follow-handheld.mp4", "frontal/back", True,
             note="back view, hand-held following camera: temporal values, spatial null"),
    RealClip("sprint-panning-broadcast.mp4", "hand-held/panning side", False,
             ("several_walkers", "running", "camera_motion", "edited_video"),
             note="three sprinters, panning broadcast"),
    RealClip("cctv-pedestrians-10fps.avi", "negative", False,
             ("several_walkers", "frame_rate_too_low", "view_not_supported",
              "no_walker"),
             note="elevated CCTV, many small pedestrians, 10 fps"),
    RealClip("neg-no-walker-lab-scientist.mp4", "negative", False, ("no_walker",),
             note="nobody walks"),
)  # fmt: skip
#: The annotated static side views re-filmed by a moving camera (see the module).
REFILMED = tuple(
    RealClip(file, kind, True, note=f"re-filmed: {move}", move=move)
    for file, kind, moves in (
        ("side-outdoor-walker-and-jumper.mp4", "re-filmed hand-held/panning side",
         camera_move.MOVES),
        ("treadmill-walk-styles-side-captions.mp4", "re-filmed hand-held treadmill side",
         ("shake",)),
        ("side-indoor-forward-then-backward.mp4", "re-filmed hand-held/panning side",
         ("shake",)),
        # A still camera saving a mirror image: measured, its feet named the other way
        # round (left and right cannot be checked in a mirrored picture, gait/walk/sides.py).
        ("side-outdoor-walker-and-jumper.mp4", "re-filmed mirrored side", ("mirror",)),
    )
    for move in moves
) + tuple(
    # Every clip with a walker in it, as a messaging app passes it on: the same right answer.
    RealClip(clip.file, f"resent {clip.kind}", clip.measure, clip.right_refusals,
             note="resent: 480p, x264 CRF 28", move="resent")
    for clip in CLIPS
    if clip.kind != "negative"
) + tuple(
    # The walkers to measure (all annotated) as an iPhone records by default: HEVC Main 10,
    # BT.2020, HLG.
    RealClip(clip.file, f"HDR {clip.kind}", True, note="recorded in HDR", move="hdr")
    for clip in CLIPS
    if clip.measure
)  # fmt: skip
#: The seed of every re-filmed clip's hand shake.
REFILM_SEED = 1


def annotated_events(clip: RealClip) -> tuple[list[dict[str, Any]], float] | None:
    """The clip's hand-annotated events as ``{"type": "IC"|"FO", "frame", "side",
    "group"}`` (group: the pass or the shot between cuts; ``frames`` the pass's annotated
    span when given) and the annotation's fps. Read from the shared folder, else from the
    repository's ``tests/data``."""
    name = clip.file.rsplit(".", 1)[0] + ".events.json"
    path = VIDEOS / name if (VIDEOS / name).is_file() else ANNOTATIONS / name
    if not path.is_file():
        return None
    notes = json.loads(path.read_text())
    short = {"initial_contact": "IC", "foot_off": "FO", "IC": "IC", "FO": "FO"}
    events = []
    if "passes" in notes:
        for group, walk in enumerate(notes["passes"]):
            for e in walk["events"]:
                span = {"span": tuple(walk["frames"])} if "frames" in walk else {}
                events.append({**e, "type": short[e["type"]], "group": group, **span})
    else:
        cuts = [s["start_frame"] for s in notes.get("segments", [])]
        for e in notes["events"]:
            group = int(np.searchsorted(cuts, e["frame"], side="right"))
            events.append({**e, "type": short[e["type"]], "group": group})
    return events, float(notes["fps"])


def matched_cadences_spm(
    steps: list[dict[str, Any]], events: list[dict[str, Any]], fps: float
) -> tuple[float, float] | None:
    """The cadence (60 / mean step time) of the result's ``steps`` and of the annotated steps
    they are: each reported step matched to the annotated step ending at the annotated
    initial contact nearest its own (within the events' match window, same pass or shot).
    Over the same steps, so a step the result leaves out as not steady (a stop's closing
    step) is left out of both."""
    measured, true = [], []
    for step in steps:
        if not step["step_time_s"]:
            continue
        best = None
        for group in {e["group"] for e in events}:
            frames = sorted(e["frame"] for e in events if e["type"] == "IC" and e["group"] == group)
            for previous, frame in itertools.pairwise(frames):
                gap = abs(frame - step["ic_frame"])
                if gap <= MATCH_WINDOW_S * fps and (best is None or gap < best[0]):
                    best = (gap, (frame - previous) / fps)
        if best is not None:
            measured.append(step["step_time_s"])
            true.append(best[1])
    if not measured:
        return None
    return 60.0 / float(np.mean(measured)), 60.0 / float(np.mean(true))


def label_agreement(result: dict[str, Any], events: list[dict[str, Any]], fps: float) -> str:
    """``"right/labelled"``: matched events whose ``left``/``right`` foot agrees with the
    annotation's side; ``"A/B"`` when the result does not name sides."""
    named = [e for e in result["events"] if e["foot"] in ("left", "right")]
    if not named:
        return "A/B"
    kinds = {"IC": "initial_contact", "FO": "foot_off"}
    right = labelled = 0
    for truth in events:
        if "side" not in truth:
            continue
        same = [e for e in named if e["type"] == kinds[truth["type"]]]
        if not same:
            continue
        nearest = min(same, key=lambda e: abs(e["frame"] - truth["frame"]))
        if abs(nearest["frame"] - truth["frame"]) / fps <= MATCH_WINDOW_S:
            labelled += 1
            right += nearest["foot"] == truth["side"]
    return f"{right}/{labelled}"


def walker_x_px(clip: RealClip, frame_count: int) -> np.ndarray:
    """The walker's x ``(frame_count,)`` (source px) at the annotated events that give a
    heel position, NaN elsewhere: what a camera operator pans after."""
    x = np.full(frame_count, np.nan)
    annotation = annotated_events(clip)
    for event in annotation[0] if annotation else ():
        if "heel_x_px" in event and 0 <= event["frame"] < frame_count:
            x[event["frame"]] = event["heel_x_px"]
    return x


def refilmed(clip: RealClip, folder: Path) -> Path:
    """``clip``'s video re-filmed by its camera move into ``folder``: a pan at 1280x720 (a
    phone's 720p, a quarter of the source's width or more to pan over), a still hand at the
    source's own size (the treadmill walker fills its height); or its resent copy, or its
    HDR recording."""
    assert clip.move is not None
    source = VIDEOS / clip.file
    if clip.move == "resent":
        path = folder / f"{source.stem}.resent.mp4"
        camera_move.resend(source, path)
        return path
    if clip.move == "hdr":
        path = folder / f"{source.stem}.hdr.mov"
        hdr.record_hdr(source, path)
        return path
    info = probe(source)
    if clip.move == "mirror":  # a still camera, the whole picture flipped left to right
        path = folder / f"{source.stem}.mirror.mp4"
        size = info.display_size
        centres = np.tile(np.array(size, np.float64) / 2.0, (info.frame_count, 1))
        even = (size[0] // 2 * 2, size[1] // 2 * 2)
        camera_move.refilm(source, path, centres, even, 1.0, mirror=True)
        return path
    out_size = (1280, 720)
    target = walker_x_px(clip, info.frame_count)
    if clip.move == "shake":
        out_size = (info.display_size[0] // 2 * 2, info.display_size[1] // 2 * 2)
        target = np.full(info.frame_count, info.display_size[0] / 2.0)
    centres, zoom = camera_move.camera_centres_px(
        clip.move,
        target,
        1.0 / info.frame_interval_s,
        info.display_size,
        out_size,
        np.random.default_rng(REFILM_SEED),
    )
    path = folder / f"{source.stem}.{clip.move}.mp4"
    camera_move.refilm(source, path, centres, out_size, zoom)
    return path


def run_clip(clip: RealClip, workers: int) -> dict[str, Any]:
    """One clip's row."""
    row: dict[str, Any] = {
        "clip": clip.name,
        "kind": clip.kind,
        "in_scope": clip.measure,
    }
    row["right answer"] = (
        "numbers" if clip.measure else "refuse: " + " / ".join(clip.right_refusals)
    )
    try:
        if clip.move is None:
            result = analyze_video(VIDEOS / clip.file, workers=workers).to_dict()
        else:
            with tempfile.TemporaryDirectory() as folder:
                video = refilmed(clip, Path(folder))
                result = analyze_video(video, workers=workers).to_dict()
    except NoReliableGait as exc:
        row["outcome"] = f"refused: {exc.reason}"
        row["correct"] = exc.reason in clip.right_refusals
        return row
    except GaitError as exc:
        row["outcome"] = f"refused: {exc.code}"
        row["correct"] = exc.code in clip.right_refusals
        return row
    return score_result(clip, result, row)


def in_annotated_spans(result: dict[str, Any], events: list[dict[str, Any]]) -> dict[str, Any]:
    """``result`` with only its events (and steps) inside the annotated passes' spans when
    the annotation covers part of the clip (``span``); unchanged otherwise."""
    spans = {e["span"] for e in events if "span" in e}
    if not spans:
        return result

    def inside(frame: int | None) -> bool:
        return frame is not None and any(a <= frame <= b for a, b in spans)

    return {
        **result,
        "events": [e for e in result["events"] if inside(e["frame"])],
        "steps": [s for s in result["steps"] if inside(s["ic_frame"])],
    }


def score_result(clip: RealClip, result: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """``row`` completed with a measured result's outcome and its scores against the clip's
    annotation (events and cadence over the annotated spans only)."""
    metrics = result["metrics"]
    row["outcome"] = f"measured: {metrics['steady_steps']} steps"
    row["correct"] = clip.measure
    row["cadence_spm"] = metrics["cadence_spm"]
    row["warnings"] = len(result["warnings"])
    sources = sorted({e.get("source", "footprint") for e in result["events"]})
    row["event sources"] = "+".join(sources)
    annotation = annotated_events(clip)
    if annotation is not None:
        events, fps = annotation
        scored = in_annotated_spans(result, events)
        row.update(score_annotated(scored, events, fps))
        cadences = matched_cadences_spm(scored["steps"], events, fps)
        if cadences is not None:
            cadence, true_cadence = cadences
            row["cadence_spm"] = cadence
            row["cadence_err_pct"] = 100 * (cadence - true_cadence) / true_cadence
        row["left/right"] = label_agreement(scored, events, fps)
    return row


COLUMNS = [
    "clip",
    "kind",
    "right answer",
    "outcome",
    "correct",
    "event sources",
    "ic_mae_frames",
    "ic_bias_frames",
    "ic_found",
    "fo_mae_frames",
    "fo_bias_frames",
    "fo_found",
    "left/right",
    "cadence_spm",
    "cadence_err_pct",
    "warnings",
]


def per_kind(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per kind of clip: in-scope clips measured and refused, right answers, cadence > 5 %
    off without a warning."""
    out = []
    for kind in dict.fromkeys(r["kind"] for r in rows):
        mine = [r for r in rows if r["kind"] == kind]
        in_scope = [r for r in mine if r["in_scope"]]
        measured = [r for r in in_scope if r["outcome"].startswith("measured")]
        silent = [
            r for r in mine if abs(r.get("cadence_err_pct") or 0) > 5 and not r.get("warnings")
        ]
        out.append(
            {
                "kind": kind,
                "clips": len(mine),
                "right answers": f"{sum(bool(r['correct']) for r in mine)}/{len(mine)}",
                "in scope": len(in_scope),
                "measured": f"{len(measured)}/{len(in_scope)}" if in_scope else "–",
                "refused": f"{len(in_scope) - len(measured)}/{len(in_scope)}" if in_scope else "–",
                "cadence > 5 % off, no warning": len(silent),
            }
        )
    return out


def markdown(rows: list[dict[str, Any]], columns: list[str]) -> str:
    def fmt(v: Any) -> str:
        if v is None:
            return "–"
        if isinstance(v, bool):
            return "yes" if v else "**no**"
        return f"{v:.1f}" if isinstance(v, float) else str(v)

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(fmt(r.get(c)) for c in columns) + " |" for r in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="real-clips.md")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-refilmed", action="store_true", help="skip the re-filmed clips")
    parser.add_argument("--only", help="only the clips whose name contains this")
    args = parser.parse_args()
    rows = []
    clips = CLIPS if args.no_refilmed else CLIPS + REFILMED
    for clip in (c for c in clips if args.only is None or args.only in c.name):
        if not (VIDEOS / clip.file).is_file():
            print(f"skipped (absent): {clip.file}")
            continue
        rows.append(run_clip(clip, args.workers))
        print(markdown([rows[-1]], COLUMNS).splitlines()[-1], flush=True)
    kinds = per_kind(rows)
    table = markdown(rows, COLUMNS) + "\n\n" + markdown(kinds, list(kinds[0]))
    print(table)
    Path(args.out).write_text(table + "\n")


if __name__ == "__main__":
    main()
