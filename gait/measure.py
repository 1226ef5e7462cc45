"""From per-frame features of the whole clip to the gait result.

walker track -> floor line -> contact image -> footprints -> passes (direction, facing)
-> steady footprints -> events, steps, strides -> metrics + quality. Everything here is
temporal and runs once, in ``aggregate``, on the features sorted by frame.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from gait import events as gait_events
from gait import footprints as fp
from gait import metrics as gait_metrics
from gait import quality, scale, track
from gait.errors import NoReliableGait
from gait.result import Result

if TYPE_CHECKING:
    from gait.pipeline import Plan

#: Fewest steady steps (footprint pairs) for a gait result.
MIN_STEADY_STEPS = 2


def measure(plan: Plan, frame_indices: np.ndarray, arrays: dict[str, np.ndarray]) -> Result:
    """Measure the gait from ``arrays`` (one row per frame in ``frame_indices``).

    Raises :class:`gait.errors.NoReliableGait` when no gait can be measured reliably.
    """
    width, height = plan.analysis_size
    to_video_px = _video_px_per_analysis_px(plan)
    n = int(frame_indices.size)
    times_s = plan.video.frame_times_s[frame_indices] if n else np.zeros(0)
    interval_s = plan.video.frame_interval_s
    quality.check_static_camera(arrays["foreground_fraction"])

    walking = track.walking_tracks(track.link_tracks(arrays["blobs"], height))
    walker = quality.choose_walker(walking)
    ranks = track.walker_per_frame(walker, n)
    walker_boxes = np.full((n, 7), -1, dtype=np.int64)
    walker_boxes[walker.positions] = walker.boxes
    lowest = [
        fp.lowest_points(fp.walker_bottom(arrays["bottom_y"][window], walker_boxes[window]))
        for window, _core in _windows(n, interval_s)
    ]
    floor = fp.floor_line(
        np.concatenate([x for x, _ in lowest]), np.concatenate([y for _, y in lowest])
    )
    if floor is None:
        raise NoReliableGait("no_walker", "the walker's feet are never visible")
    centre_x = np.full(n, np.nan)
    top_y = np.full(n, np.nan)
    centre_x[walker.positions] = walker.boxes[:, 5]
    top_y[walker.positions] = track.walker_top_px(walker, arrays["blobs"])
    stature = scale.stature_px(top_y, centre_x, floor)
    if stature is None:
        raise NoReliableGait("no_walker", "the walker is seen in too few frames")
    mean_stature_px = scale.stature_at(stature, float(np.nanmedian(centre_x)))
    footprints, facing = _footprints(
        arrays, walker_boxes, ranks > 0, floor, mean_stature_px, interval_s
    )

    all_events: list[dict[str, Any]] = []
    steps: list[dict[str, Any]] = []
    strides: list[dict[str, Any]] = []
    excluded: list[dict[str, Any]] = []
    warnings: list[str] = []
    candidates = 0
    steady_count = 0
    pass_list = gait_events.passes(centre_x, interval_s, mean_stature_px)
    covered = np.zeros(n, dtype=bool)
    for walk in pass_list:
        covered[walk.start_pos : walk.stop_pos] = True
        members = [f for f in footprints if walk.start_pos <= f.ic_pos < walk.stop_pos]
        offsets = [facing[f] for f in members]
        backwards = gait_events.walks_backwards(offsets, walk.direction)
        segment = {
            "start_frame": int(frame_indices[walk.start_pos]),
            "end_frame": int(frame_indices[walk.stop_pos - 1]),
        }
        if backwards:
            excluded.append({**segment, "reason": "walking_backwards"})
            continue
        if backwards is None:
            warnings.append(
                f"frames {segment['start_frame']}-{segment['end_frame']}: the facing "
                "direction could not be checked (walking backwards not ruled out)"
            )
        keep, reasons = gait_events.steady_mask(
            members, walk.direction, width, mean_stature_px, (0, n)
        )
        candidates += len(members)
        steady_count += int(np.count_nonzero(keep))
        for f, ok, why in zip(members, keep, reasons, strict=True):
            if not ok:
                excluded.append(
                    {
                        "start_frame": int(frame_indices[f.ic_pos]),
                        "end_frame": int(frame_indices[f.fo_pos]),
                        "reason": why,
                    }
                )
        feet = ["A" if i % 2 == 0 else "B" for i in range(len(members))]
        heels = [gait_events.heel_x_px(f, walk.direction) for f in members]
        for f, foot, ok in zip(members, feet, keep, strict=True):
            if not ok:
                continue  # only steady walking is reported; the rest is in excluded_segments
            for kind, pos, seen in (
                ("initial_contact", f.ic_pos, f.ic_seen),
                ("foot_off", f.fo_pos, f.fo_seen),
            ):
                if not seen:
                    continue
                all_events.append(
                    {
                        "type": kind,
                        "time_s": round(float(times_s[pos]), 6),
                        "frame": int(frame_indices[pos]),
                        "foot": foot,
                    }
                )
        _steps_and_strides(
            plan, members, feet, heels, keep, times_s, frame_indices, stature, steps, strides
        )
    for start, stop in _runs(~covered & (ranks > 0)):
        excluded.append(
            {
                "start_frame": int(frame_indices[start]),
                "end_frame": int(frame_indices[stop - 1]),
                "reason": "standing_or_turning",
            }
        )
    if len(steps) < MIN_STEADY_STEPS:
        raise NoReliableGait(
            "too_few_steps",
            f"{len(steps)} steady step(s) of forward walking found; at least "
            f"{MIN_STEADY_STEPS} are needed",
        )
    all_events.sort(key=lambda e: (e["frame"], e["type"]))
    excluded.sort(key=lambda e: (e["start_frame"], e["reason"]))
    metrics = gait_metrics.summarise(steps, strides)
    implausible = gait_metrics.implausible_support_phases(metrics)
    if implausible:
        gait_metrics.drop_support_phases(metrics, steps)
        warnings.append(
            f"stance and support phases not reported: {implausible} (a shaking camera or feet "
            "hard to tell from the floor blur the contacts; events and steps are kept)"
        )
    if plan.height_m is None:
        warnings.append("no height given: lengths and speed are relative to stature only")
    quality_block = {
        "frames_analysed": n,
        "frames_with_walker_pct": round(100.0 * np.count_nonzero(ranks) / max(1, n), 2),
        "steady_steps": len(steps),
        "footprints_found": len(footprints),
        "excluded_segments": excluded,
        "camera_motion_px": None,  # not measured (see quality.check_static_camera)
        "background_changed_pct": round(100.0 * float(np.median(arrays["foreground_fraction"])), 3),
        "stature_px": round(mean_stature_px * to_video_px, 1),
        "floor_line_px": {
            "intercept": round(floor[0] * to_video_px, 2),
            "slope": round(floor[1], 6),
        },
        "confidence": quality.confidence(steady_count, candidates, metrics.get("step_time_cv_pct")),
        "confidence_method": "share of forward-pass footprints that are steady x (1 - 0.5 "
        "min(1, step-time CV / 20 %), CV unmeasured = 20 %) x min(1, steady footprints / 4)",
    }
    return Result(
        video=plan.video.to_dict(),
        events=all_events,
        steps=steps,
        metrics=metrics,
        quality=quality_block,
        warnings=warnings,
    )


#: The space-time images are built this many frames at a time (plus a margin on each side),
#: so the aggregate's memory does not grow with the clip's length: 30 s at 30 fps.
WINDOW_FRAMES = 900
#: Margin around each window (s): longer than any stance of walking, so a footprint whose
#: initial contact falls in a window is whole within it and its margins.
WINDOW_MARGIN_S = 3.0


def _video_px_per_analysis_px(plan: Plan) -> float:
    """Pixel values in the result are in the upright video's own pixels."""
    return plan.video.display_size[0] / plan.analysis_size[0]


def _windows(n: int, interval_s: float) -> list[tuple[slice, slice]]:
    """``(window, core)`` row ranges: cores tile ``0..n``; windows add the margins."""
    margin = max(1, round(WINDOW_MARGIN_S / interval_s)) if interval_s > 0 else 0
    return [
        (
            slice(max(0, start - margin), min(n, start + WINDOW_FRAMES + margin)),
            slice(start, min(n, start + WINDOW_FRAMES)),
        )
        for start in range(0, n, WINDOW_FRAMES)
    ]


def _footprints(
    arrays: dict[str, np.ndarray],
    walker_boxes: np.ndarray,
    walker_seen: np.ndarray,
    floor: tuple[float, float],
    stature_px: float,
    interval_s: float,
) -> tuple[list[fp.Footprint], dict[fp.Footprint, float]]:
    """Every footprint of the clip (row positions of the whole clip) and its facing offset.

    Built window by window (:data:`WINDOW_FRAMES`); a footprint belongs to the window whose
    core holds its initial contact, so each is found once, from the same frames whatever
    the chunking.
    """
    band_px = max(fp.MIN_BAND_PX, fp.BAND_STATURE_FRACTION * stature_px)
    footprints: list[fp.Footprint] = []
    facing: dict[fp.Footprint, float] = {}
    for window, core in _windows(walker_seen.size, interval_s):
        bottom = fp.walker_bottom(arrays["bottom_y"][window], walker_boxes[window])
        bottom = fp.drop_below_floor(bottom, floor, stature_px)
        contact = fp.contact_image(bottom, floor, band_px)
        found = fp.merge_fragments(fp.find_footprints(contact, interval_s, stature_px), stature_px)
        owned = ~np.isnan(bottom)
        for local in found:
            local = fp.refine_contact(local, bottom, walker_seen[window], stature_px, interval_s)
            if not core.start <= local.ic_pos + window.start < core.stop:
                continue
            offset = gait_events.facing_offset(local, arrays["bottom_run"][window], owned)
            footprint = replace(
                local, ic_pos=local.ic_pos + window.start, fo_pos=local.fo_pos + window.start
            )
            footprints.append(footprint)
            facing[footprint] = offset
    footprints.sort(key=lambda f: (f.ic_pos, f.x0_px))
    return footprints, facing


def _steps_and_strides(
    plan: Plan,
    members: list[fp.Footprint],
    feet: list[str],
    heels: list[float],
    keep: np.ndarray,
    times_s: np.ndarray,
    frame_indices: np.ndarray,
    stature: tuple[float, float],
    steps: list[dict[str, Any]],
    strides: list[dict[str, Any]],
) -> None:
    """Append the steady steps (footprint i -> i+1) and strides (i -> i+2) of one pass."""
    ic = [float(times_s[f.ic_pos]) if f.ic_seen else None for f in members]
    fo = [float(times_s[f.fo_pos]) if f.fo_seen else None for f in members]

    def lengths(i: int, j: int) -> tuple[float, float | None]:
        mid = 0.5 * (heels[i] + heels[j])
        statures_px = scale.stature_at(stature, mid)
        ratio = abs(heels[j] - heels[i]) / statures_px
        metres = ratio * plan.height_m if plan.height_m is not None else None
        return ratio, metres

    def span(start: float | None, end: float | None) -> float | None:
        return None if start is None or end is None else end - start

    def share(part: float | None, whole: float) -> float | None:
        return None if part is None else 100.0 * part / whole

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 6)

    for i in range(len(members) - 1):
        step_time = span(ic[i], ic[i + 1])
        if not (keep[i] and keep[i + 1]) or step_time is None:
            continue
        ratio, metres = lengths(i, i + 1)
        steps.append(
            {
                "foot": feet[i + 1],
                "heel_x_px": round(heels[i + 1] * _video_px_per_analysis_px(plan), 1),
                "ic_frame": int(frame_indices[members[i + 1].ic_pos]),
                "ic_time_s": rounded(ic[i + 1]),
                "fo_frame": int(frame_indices[members[i + 1].fo_pos])
                if fo[i + 1] is not None
                else None,
                "fo_time_s": rounded(fo[i + 1]),
                "step_time_s": rounded(step_time),
                "step_length_m": None if metres is None else round(metres, 4),
                "step_length_stature_ratio": round(ratio, 5),
                "stance_time_s": rounded(span(ic[i + 1], fo[i + 1])),
                "double_support_time_s": rounded(span(ic[i + 1], fo[i])),
            }
        )
    for i in range(len(members) - 2):
        stride_time = span(ic[i], ic[i + 2])
        if not (keep[i] and keep[i + 1] and keep[i + 2]) or stride_time is None:
            continue
        ratio, metres = lengths(i, i + 2)
        stance = span(ic[i], fo[i])
        first_double, second_double = span(ic[i + 1], fo[i]), span(ic[i + 2], fo[i + 1])
        double = (
            None if first_double is None or second_double is None else first_double + second_double
        )
        swing = span(fo[i], ic[i + 2])
        single = span(fo[i + 1], ic[i + 2])  # the other foot swings: this foot alone
        strides.append(
            {
                "foot": feet[i],
                "stride_time_s": stride_time,
                "stance_time_s": stance,
                "stance_pct": share(stance, stride_time),
                "swing_time_s": swing,
                "swing_pct": share(swing, stride_time),
                "double_support_time_s": double,
                "double_support_pct": share(double, stride_time),
                "single_support_time_s": single,
                "single_support_pct": share(single, stride_time),
                "stride_length_m": metres,
                "stride_length_stature_ratio": ratio,
                "speed_mps": None if metres is None else metres / stride_time,
                "speed_statures_per_s": ratio / stride_time,
            }
        )


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """``(start, stop)`` of each run of True in a ``(n,)`` bool array."""
    padded = np.concatenate([[False], flags, [False]]).astype(np.int8)
    change = np.diff(padded)
    return list(
        zip(np.nonzero(change == 1)[0].tolist(), np.nonzero(change == -1)[0].tolist(), strict=True)
    )
