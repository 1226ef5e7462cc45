"""The ground-truth record of a clip: events, footprints, steps and summary gait metrics.

Step = from one foot's IC to the other foot's next IC; its length is the distance along the
walking direction between the two heel contacts. Metrics use steady steps only and average the
left and right feet separately first, so a limp (unequal left/right steps) weighs both sides
equally whatever the count of each: ``step_time_s`` = mean(left mean, right mean),
``step_length_m`` likewise, ``stride_* = 2 * step_*``, ``cadence_spm = 60 / step_time_s`` and
``speed_mps = stride_length_m / stride_time_s = step_length_m * cadence_spm / 60``. Stance and
double-support come from the same steps; ``swing_time_s = stride_time_s - stance_time_s``;
``double_support_pct`` is both transitions of a stride; ``single_support_pct`` is one limb's
single support (= the other limb's swing), i.e. equal to ``swing_pct`` on average.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from gait.synth.kinematics import Body, Pose
from gait.synth.scene import Camera
from gait.synth.timing import Footprint

#: 2: ``steps[].double_support_time_s`` (one transition) became
#: ``initial_double_support_time_s``, as in the analysis result.
SCHEMA_VERSION = 2


def ic_frame(times_s: np.ndarray, t: float) -> int | None:
    """First frame whose timestamp is >= ``t`` (first frame showing the contact), if observed."""
    if not (0.0 <= t <= times_s[-1]):
        return None
    return int(np.searchsorted(times_s, t - 1e-9, side="left"))


def fo_frame(times_s: np.ndarray, t: float) -> int | None:
    """Last frame whose timestamp is <= ``t`` (last frame with the toe down), if observed."""
    if not (times_s[0] <= t <= times_s[-1]):
        return None
    return int(np.searchsorted(times_s, t + 1e-9, side="right") - 1)


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def footprint_records(
    prints: list[Footprint],
    times_s: np.ndarray,
    camera: Camera,
    body: Body,
    near: str,
    walk_x_m: list[float] | None = None,
    walking_line_shift_px: np.ndarray | None = None,
) -> list[dict[str, Any]]:
    """One record per footprint (IC order), with pixel positions and in-frame/steady flags.

    ``walk_x_m``: each heel's position along the whole walk (walker coords) when ``prints``
    carry display positions that differ from it (repeated passes); step lengths use it.
    ``walking_line_shift_px`` ``(n,)`` per frame of ``times_s``: a moving camera's image
    shift of the walking line (display px, +x right; None: a still camera); a footprint's
    pixels are then where it lies at its initial contact, and it is in frame when inside
    the image at both its contact and its foot off.
    """
    out = []
    for k, fp in enumerate(prints):
        walk_x = fp.heel_x_m if walk_x_m is None else walk_x_m[k]
        heel_px = float(camera.x_px(fp.heel_x_m))
        toe_px = float(camera.x_px(fp.heel_x_m + body.foot_length))
        observed = (
            math.isfinite(fp.ic_time_s)
            and math.isfinite(fp.fo_time_s)
            and fp.ic_time_s >= 0.0
            and fp.fo_time_s <= times_s[-1]
        )
        shifts = [0.0]
        if walking_line_shift_px is not None:
            stance = [t for t in (fp.ic_time_s, fp.fo_time_s) if math.isfinite(t)]
            shifts = [float(np.interp(t, times_s, walking_line_shift_px)) for t in stance] or [0.0]
            heel_px, toe_px = heel_px + shifts[0], toe_px + shifts[0]
        inside = all(
            0.0 <= x + s - shifts[0] <= camera.width - 1 for x in (heel_px, toe_px) for s in shifts
        )
        in_frame = bool(observed and inside)
        out.append(
            {
                "foot": fp.foot,
                "side": "near" if fp.foot == near else "far",
                "ic_time_s": _finite(fp.ic_time_s),
                "fo_time_s": _finite(fp.fo_time_s),
                "ic_frame": ic_frame(times_s, fp.ic_time_s),
                "fo_frame": fo_frame(times_s, fp.fo_time_s),
                "heel_x_m": float(fp.heel_x_m - camera.origin_m),
                "walk_x_m": float(walk_x - camera.origin_m),
                "heel_x_px": heel_px,
                "toe_x_px": toe_px,
                "in_frame": in_frame,
                "steady": bool(in_frame and fp.phase == "steady"),
                "phase": fp.phase,
            }
        )
    return out


def event_records(footprints: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """IC and FO events that happen within the clip, in time order."""
    events = []
    for fp in footprints:
        for kind, t_key, f_key in (
            ("initial_contact", "ic_time_s", "ic_frame"),
            ("foot_off", "fo_time_s", "fo_frame"),
        ):
            if fp[f_key] is not None:
                events.append(
                    {
                        "type": kind,
                        "time_s": fp[t_key],
                        "frame": fp[f_key],
                        "foot": fp["foot"],
                        "side": fp["side"],
                    }
                )
    events.sort(key=lambda e: e["time_s"])
    return events


def step_records(footprints: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Steps between consecutive footprints that both have an IC (the later foot names it)."""
    steps = []
    for prev, cur in itertools.pairwise(footprints):
        if prev["ic_time_s"] is None or cur["ic_time_s"] is None:
            continue
        stance = (cur["fo_time_s"] - cur["ic_time_s"]) if cur["fo_time_s"] is not None else None
        ds = (prev["fo_time_s"] - cur["ic_time_s"]) if prev["fo_time_s"] is not None else None
        steps.append(
            {
                "foot": cur["foot"],
                "ic_time_s": cur["ic_time_s"],
                "step_time_s": cur["ic_time_s"] - prev["ic_time_s"],
                "step_length_m": cur["walk_x_m"] - prev["walk_x_m"],
                "stance_time_s": stance,
                "initial_double_support_time_s": ds,
                "steady": bool(prev["steady"] and cur["steady"]),
            }
        )
    return steps


def _side_mean(steps: list[dict[str, Any]], key: str) -> tuple[float | None, dict[str, float]]:
    """Mean of ``key`` per foot and the mean of the per-foot means."""
    per_foot = {}
    for foot in ("left", "right"):
        vals = [s[key] for s in steps if s["foot"] == foot and s[key] is not None]
        if vals:
            per_foot[foot] = float(np.mean(vals))
    if not per_foot:
        return None, per_foot
    return float(np.mean(list(per_foot.values()))), per_foot


def metrics(steps: list[dict[str, Any]]) -> dict[str, Any]:
    """Summary spatio-temporal metrics over steady steps (definitions in the module docstring)."""
    steady = [s for s in steps if s["steady"]]
    keys = [
        "cadence_spm",
        "step_time_s",
        "stride_time_s",
        "stance_time_s",
        "swing_time_s",
        "stance_pct",
        "swing_pct",
        "double_support_pct",
        "single_support_pct",
        "step_length_m",
        "stride_length_m",
        "speed_mps",
        "step_length_left_m",
        "step_length_right_m",
        "stance_time_left_s",
        "stance_time_right_s",
    ]
    out: dict[str, Any] = {k: None for k in keys}
    out["steady_steps"] = len(steady)
    if not steady:
        return out
    step_time, _ = _side_mean(steady, "step_time_s")
    step_len, len_foot = _side_mean(steady, "step_length_m")
    stance, stance_foot = _side_mean(steady, "stance_time_s")
    ds, _ = _side_mean(steady, "initial_double_support_time_s")
    assert step_time is not None and step_len is not None
    stride = 2 * step_time
    out.update(
        {
            "cadence_spm": 60.0 / step_time,
            "step_time_s": step_time,
            "stride_time_s": stride,
            "step_length_m": step_len,
            "stride_length_m": 2 * step_len,
            "speed_mps": step_len / step_time,
            "step_length_left_m": len_foot.get("left"),
            "step_length_right_m": len_foot.get("right"),
            "stance_time_left_s": stance_foot.get("left"),
            "stance_time_right_s": stance_foot.get("right"),
        }
    )
    if stance is not None:
        out.update(
            {
                "stance_time_s": stance,
                "swing_time_s": stride - stance,
                "stance_pct": 100.0 * stance / stride,
                "swing_pct": 100.0 * (stride - stance) / stride,
                "single_support_pct": 100.0 * (stride - stance) / stride,
            }
        )
    if ds is not None:
        out["double_support_pct"] = 100.0 * 2 * ds / stride
    return out


#: BlazePose indices (odd = left) of the walker's joints that :func:`landmarks_px` fills.
BLAZEPOSE_INDEX = {
    ("left", "shoulder"): 11,
    ("right", "shoulder"): 12,
    ("left", "elbow"): 13,
    ("right", "elbow"): 14,
    ("left", "wrist"): 15,
    ("right", "wrist"): 16,
    ("left", "hip"): 23,
    ("right", "hip"): 24,
    ("left", "knee"): 25,
    ("right", "knee"): 26,
    ("left", "ankle"): 27,
    ("right", "ankle"): 28,
    ("left", "heel"): 29,
    ("right", "heel"): 30,
    ("left", "toe"): 31,
    ("right", "toe"): 32,
}


def landmarks_px(pose: Pose, body: Body, camera: Camera) -> np.ndarray:
    """The figure's true joints as image landmarks, ``(n, 33, 4)`` float32 (x px, y px, z = 0,
    visibility), in the display image and BlazePose order: what a perfect landmark model would
    give. The stick figure has one hip and one shoulder point, shared by both sides; landmarks
    it does not model (face, hands) are NaN with visibility 0. Both legs are visible (1.0):
    the far leg is drawn, and occlusion is the landmark model's concern.
    """
    n = pose.times_s.size
    out = np.full((n, 33, 4), np.nan, dtype=np.float32)
    out[:, :, 3] = 0.0
    for side in ("left", "right"):
        foot = pose.feet[side].points(body)
        points = {
            "shoulder": pose.shoulder,
            "elbow": pose.elbow[side],
            "wrist": pose.wrist[side],
            "hip": pose.hip,
            "knee": pose.knee[side],
            "ankle": foot["ankle"],
            "heel": foot["heel"],
            "toe": foot["toe"],
        }
        for joint, xy_m in points.items():
            k = BLAZEPOSE_INDEX[(side, joint)]
            out[:, k, :2] = camera.to_px(xy_m)
            out[:, k, 2] = 0.0
            out[:, k, 3] = 1.0
    return out
