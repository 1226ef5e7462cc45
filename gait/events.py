"""From footprints to gait events: travel direction, facing, steady walking, feet A/B."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gait.footprints import Footprint

#: Footprints closer than this to a frame edge (fraction of stature) may be cut: excluded.
EDGE_MARGIN_STATURES = 0.05
#: A step whose time or length differs from the pass median by more than this fraction
#: is not steady walking (initiation, termination, a stumble, a turn).
STEADY_TOLERANCE = 0.35
#: Facing test: the heel end of a footprint carries the shank, so the foreground run rising
#: from the floor is longer there. A pass whose median heel offset (fraction of the
#: footprint length) points the way it travels is walked backwards. Below this magnitude
#: the facing is undecided (the cue is absent, e.g. long skirts).
FACING_MIN_OFFSET = 0.04


@dataclass(frozen=True)
class Pass:
    """A stretch of frames where the walker travels one way: ``direction`` +1 (left to
    right in the image) or -1, ``start_pos``/``stop_pos`` row indices (stop exclusive)."""

    start_pos: int
    stop_pos: int
    direction: int


def passes(centre_x_px: np.ndarray, frame_interval_s: float, stature_px: float) -> list[Pass]:
    """Split the walker's centroid path (``(n,)`` px, NaN where absent) into one-way passes.

    The velocity is smoothed over ~0.5 s (a stride averages out the body's sway); a pass
    is a run of one velocity sign covering at least a stature of travel.
    """
    n = centre_x_px.size
    present = ~np.isnan(centre_x_px)
    if np.count_nonzero(present) < 3:
        return []
    positions = np.arange(n)
    filled = np.interp(positions, positions[present], centre_x_px[present])
    window = max(3, round(0.5 / frame_interval_s) | 1)
    smooth = np.convolve(np.pad(filled, window // 2, mode="edge"), np.ones(window) / window,
                         mode="valid")
    velocity = np.gradient(smooth)
    # Moving: faster than 0.15 statures per second (standing and turning are slower).
    moving = np.abs(velocity) > 0.15 * stature_px * frame_interval_s
    sign = np.where(moving & present, np.sign(velocity), 0).astype(int)
    result = []
    start = 0
    for pos in range(1, n + 1):
        if pos == n or sign[pos] != sign[start]:
            if sign[start] != 0 and abs(smooth[pos - 1] - smooth[start]) >= stature_px:
                result.append(Pass(start, pos, int(sign[start])))
            start = pos
    return result


def heel_x_px(footprint: Footprint, direction: int) -> float:
    """The contact position: the footprint's trailing edge (the heel when walking forwards)."""
    return float(footprint.x1_px - 1 if direction < 0 else footprint.x0_px)


def facing_offset(footprint: Footprint, bottom_run: np.ndarray, walker_owned: np.ndarray) -> float:
    """Where the shank stands on the footprint, as a signed fraction of its length.

    Over the middle third of the stance, the run of foreground rising from each column's
    lowest pixel (``bottom_run`` ``(n, W)``) is averaged per column; the run-weighted centre
    minus the geometric centre, over the length, is positive when the heel (shank) is on the
    right. NaN when there is nothing to weigh.
    """
    length = footprint.x1_px - footprint.x0_px
    third = max(1, (footprint.fo_pos - footprint.ic_pos + 1) // 3)
    rows = slice(footprint.ic_pos + third, footprint.fo_pos + 1 - third)
    cols = slice(footprint.x0_px, footprint.x1_px)
    runs = np.where(walker_owned[rows, cols], bottom_run[rows, cols], 0).astype(np.float64)
    profile = runs.mean(axis=0) if runs.size else np.zeros(0)
    if profile.size == 0 or profile.sum() <= 0:
        return float("nan")
    xs = np.arange(footprint.x0_px, footprint.x1_px, dtype=np.float64)
    centre = float((profile * xs).sum() / profile.sum())
    return (centre - footprint.centre_px) / max(length, 1)


def walks_backwards(offsets: list[float], direction: int) -> bool | None:
    """True when the shank sits on the leading side of the footprints (walking backwards),
    False when on the trailing side, None when undecided."""
    values = np.asarray([o for o in offsets if np.isfinite(o)])
    if values.size < 2:
        return None
    median = float(np.median(values))
    if abs(median) < FACING_MIN_OFFSET:
        return None
    # Forwards: the heel trails, i.e. lies opposite to the travel direction.
    return bool(np.sign(median) == direction)


def steady_mask(
    footprints: list[Footprint],
    direction: int,
    frame_width_px: int,
    stature_px: float,
    clip_positions: tuple[int, int],
) -> tuple[np.ndarray, list[str]]:
    """Which footprints of one pass are steady walking, ``(m,)`` bool, and why not.

    Excluded: cut by a frame edge, touching the clip's first or last frame (their contact
    may have started before or lasted after), steps whose time or length strays from the
    pass median by more than :data:`STEADY_TOLERANCE` (initiation, termination, standing),
    and steps that do not advance in the travel direction.
    """
    m = len(footprints)
    keep = np.ones(m, dtype=bool)
    reasons = [""] * m
    margin = EDGE_MARGIN_STATURES * stature_px
    for i, f in enumerate(footprints):
        if f.x0_px <= margin or f.x1_px >= frame_width_px - margin:
            keep[i], reasons[i] = False, "frame_edge"
        elif f.ic_pos <= clip_positions[0] or f.fo_pos >= clip_positions[1] - 1:
            keep[i], reasons[i] = False, "clip_boundary"
    if m >= 2:
        heels = np.array([heel_x_px(f, direction) for f in footprints])
        ics = np.array([f.ic_pos for f in footprints], dtype=np.float64)
        step_len = direction * np.diff(heels)
        step_time = np.diff(ics)
        ok_steps = keep[:-1] & keep[1:]
        if np.any(ok_steps):
            med_len = float(np.median(step_len[ok_steps]))
            med_time = float(np.median(step_time[ok_steps]))
            bad = (
                (step_len <= 0)
                | (np.abs(step_len - med_len) > STEADY_TOLERANCE * abs(med_len))
                | (np.abs(step_time - med_time) > STEADY_TOLERANCE * med_time)
            )
            # A footprint is unsteady when both its steps (or its only step) are bad.
            for i in range(m):
                before = bad[i - 1] if i > 0 else True
                after = bad[i] if i < m - 1 else True
                if keep[i] and before and after:
                    keep[i], reasons[i] = False, "not_steady"
    return keep, reasons
