"""Passes: where the walker travels one way, which way it faces, which footprints are steady.

The walker's path splits into one-way passes; a pass walked backwards is excluded whole; in
a forward pass, footprints cut by a frame edge or the clip's ends, or off the pass's rhythm
(initiation, termination, a stumble) are excluded one by one. Feet alternate within a pass:
its footprints are labelled A, B, A, ... (a silhouette does not tell left from right).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gait.walk.footprints import Footprint
from gait.walk.landmark_events import facing_direction
from gait.walk.runs import runs_of_true

#: Footprints closer than this to a frame edge (fraction of stature, ~2 cm) may be cut off
#: by it: excluded. A footprint whose whole foot is in view is kept however near the edge.
EDGE_MARGIN_STATURES = 0.01
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
    smooth = np.convolve(
        np.pad(filled, window // 2, mode="edge"), np.ones(window) / window, mode="valid"
    )
    velocity = np.gradient(smooth)
    # Moving: faster than 0.15 statures per second (standing and turning are slower).
    moving = np.abs(velocity) > 0.15 * stature_px * frame_interval_s
    # Short absences (a dropout, a tree trunk) do not end a pass: the path is interpolated
    # across them; only the time before the walker appears and after it leaves is outside.
    seen = np.zeros(n, dtype=bool)
    seen[np.argmax(present) : n - np.argmax(present[::-1])] = True
    sign = np.where(moving & seen, np.sign(velocity), 0).astype(int)
    found = []
    for direction in (1, -1):
        starts, stops, _ = runs_of_true(sign == direction)
        for start, stop in zip(starts.tolist(), stops.tolist(), strict=True):
            if abs(smooth[stop - 1] - smooth[start]) >= stature_px:
                found.append(Pass(start, stop, direction))
    return sorted(found, key=lambda p: p.start_pos)


def heel_x_px(footprint: Footprint, direction: int) -> float:
    """The contact position: the footprint's trailing edge (the heel when walking forwards)."""
    return float(footprint.x1_px - 1 if direction < 0 else footprint.x0_px)


def feet_point_backwards(landmarks: np.ndarray, walk: Pass) -> bool | None:
    """Whether the person model's feet (``landmarks`` ``(n, 33, 4)``, the walker's) point
    against ``walk``'s travel: foot tips behind heels over the pass
    (:func:`gait.walk.landmark_events.facing_direction`); None when they show no direction."""
    faces = facing_direction(landmarks[walk.start_pos : walk.stop_pos])
    return None if faces == 0 else faces == -walk.direction


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


@dataclass(frozen=True)
class Walking:
    """The clip's footprints (``m`` of them, as ordered by the footprint stage) sorted into
    forward walking.

    ``pass_index`` ``(m,)`` int: the forward pass holding each footprint, -1 for none (no
    pass, or a pass walked backwards); ``order`` ``(m,)`` int: its position among all that
    pass's footprints (steady or not: feet alternate by it); ``direction`` ``(m,)`` int: the
    pass's travel direction (+1 left to right, -1, 0 for none); ``steady`` ``(m,)`` bool.
    ``excluded``: ``{"start_frame", "end_frame", "reason"}`` for every stretch left out,
    ``warnings``: what could not be checked; ``forward_passes``: the passes walked forwards
    (or not known to be walked backwards), the walker facing each one's ``direction``.
    """

    pass_index: np.ndarray
    order: np.ndarray
    direction: np.ndarray
    steady: np.ndarray
    excluded: list[dict[str, Any]]
    warnings: list[str]
    forward_passes: list[Pass] = field(default_factory=list)

    @property
    def candidates(self) -> int:
        """Footprints in forward passes (steady or not)."""
        return int(np.count_nonzero(self.pass_index >= 0))


def forward_walking(
    footprints: list[Footprint],
    facing: np.ndarray,
    centre_x_px: np.ndarray,
    walker_seen: np.ndarray,
    frame_indices: np.ndarray,
    frame_interval_s: float,
    frame_width_px: int,
    stature_px: float,
    landmarks: np.ndarray | None = None,
) -> Walking:
    """Sort ``footprints`` (with their ``(m,)`` facing offsets) into passes and steady walking.

    ``centre_x_px`` ``(n,)``: the walker's centre column per frame (NaN where absent);
    ``walker_seen`` ``(n,)`` bool; ``frame_indices`` ``(n,)``: each row's frame number.
    Frames where the walker is seen outside every pass are excluded as
    ``standing_or_turning``.

    Which way a pass faces: the person model's feet (``landmarks`` ``(n, 33, 4)``, the
    walker's; :func:`gait.walk.landmark_events.facing_direction`, foot tips ahead of
    heels) when given and decided, else the silhouette's shank offsets (``facing``). The
    shank cue is weak: on the indoor walker's backward pass its median offset was 0.079,
    0.067 or 0.018 of the footprint length as the contact timing's floor level moved
    (the 0.04 threshold), while her feet pointed against her travel on the landmarks.
    """
    m, n = len(footprints), walker_seen.size
    pass_index, order = np.full(m, -1), np.zeros(m, dtype=int)
    direction, steady = np.zeros(m, dtype=int), np.zeros(m, dtype=bool)
    excluded: list[dict[str, Any]] = []
    warnings: list[str] = []
    ic_pos = np.array([f.ic_pos for f in footprints], dtype=np.int64)
    covered = np.zeros(n, dtype=bool)
    forward: list[Pass] = []

    def segment(start_pos: int, end_pos: int, reason: str) -> dict[str, Any]:
        return {
            "start_frame": int(frame_indices[start_pos]),
            "end_frame": int(frame_indices[end_pos]),
            "reason": reason,
        }

    for index, walk in enumerate(passes(centre_x_px, frame_interval_s, stature_px)):
        covered[walk.start_pos : walk.stop_pos] = True
        rows = np.flatnonzero((walk.start_pos <= ic_pos) & (ic_pos < walk.stop_pos))
        members = [footprints[row] for row in rows]
        by_feet = None if landmarks is None else feet_point_backwards(landmarks, walk)
        backwards = (
            by_feet
            if by_feet is not None
            else walks_backwards(facing[rows].tolist(), walk.direction)
        )
        if backwards:
            excluded.append(segment(walk.start_pos, walk.stop_pos - 1, "walking_backwards"))
            continue
        if backwards is None:
            where = segment(walk.start_pos, walk.stop_pos - 1, "")
            warnings.append(
                f"frames {where['start_frame']}-{where['end_frame']}: the facing direction "
                "could not be checked "
                "(walking backwards not ruled out)"
            )
        forward.append(walk)
        keep, reasons = steady_mask(members, walk.direction, frame_width_px, stature_px, (0, n))
        for f, ok, why in zip(members, keep, reasons, strict=True):
            if not ok:
                excluded.append(segment(f.ic_pos, f.fo_pos, why))
        pass_index[rows], order[rows] = index, np.arange(rows.size)
        direction[rows], steady[rows] = walk.direction, keep
    starts, stops, _ = runs_of_true(~covered & walker_seen)
    for start, stop in zip(starts.tolist(), stops.tolist(), strict=True):
        excluded.append(segment(start, stop - 1, "standing_or_turning"))
    excluded.sort(key=lambda e: (e["start_frame"], e["reason"]))
    return Walking(pass_index, order, direction, steady, excluded, warnings, forward)
