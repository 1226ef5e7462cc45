"""Gait events of a walker seen from behind or from the front (a view along the walking
direction), from the person model's foot landmarks: temporal parameters only.

**The rule: double support is when the feet's separation stands still.** With both feet on
the floor, neither moves, so the image vector from one foot to the other is constant; while
one foot swings it changes. Seen along the walking direction, the swing shows mostly in image
y: a foot further ahead stands further from the camera, higher in the image from behind and
lower from the front (and a lifted foot is higher in either view). So the signal is the
*feet gap* ``g(t)``: the image-left heel's y minus the image-right heel's y, over the walker's
stature (px, smoothed), zero-lag low-passed at :data:`gait.angles.CUTOFF_HZ`. Each swing is
a run of ``|dg/dt|`` of one sign (:func:`swings`); its first frame is the trailing foot's foot
off (FO) and its last the same foot's initial contact (IC) ahead. The foot that swung is the
one whose gap moved towards "ahead": from behind a decreasing gap is the image-left foot
going up (further away), from the front an increasing one.

Why this holds with a following, hand-held camera and no camera path: both heels are taken
in the same frame, so a pan or tilt (the whole picture shifting) cancels in their
difference, and the walker's stature in px, measured on the same frame, divides out a camera
moving closer or further (she shrinks as she recedes). What is left is the feet's own motion.
(Zeni's rule, the foot's extreme position relative to the pelvis, was tried first: the hip's
vertical bob, 2-4 % of stature, is in the same image axis as the foot's travel and moved its
extremes by up to 4 frames on the elderly clip.)

Measured on the hand-annotated first walk of the elderly back view (hand-held camera,
``tests/data/elderly-store-back-follow-handheld.events.json``, 5 IC and 4 FO, +-1 frame):
all found, IC MAE 0.4 frames, FO MAE 2.75 frames (early: the heel rising before the toe
leaves starts the gap moving), sides 9/9, cadence over those steps -2.7 %. The camera moves
her image by 2.3 px per frame (median; 95th percentile 8 px, 119 px vertically while she
stands) and her stature from 305 to 415 px; in the gap that leaves 0.009 statures of scatter
while she stands, against swings of 0.05-0.135: the camera does not defeat the rule here.

What it cannot do: lengths and speed (the step's depth is foreshortened by an unknown amount
without a camera model: every spatial value is null, with a warning); a sideways or
crossing step (the feet overlap in x, the model's feet merge); contacts where the feet are
hidden (a bystander, the frame's edge) or stand still (no swing, no event) are not seen.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gait import angles
from gait.errors import NoReliableGait
from gait.walk.contacts import (
    MIN_STEADY_PASS_STEPS,
    Contacts,
    landmark_contacts_table,
    left_out_segments,
    steady_rows,
    take_rows,
)
from gait.walk.landmark_events import (
    LandmarkEvents,
    clear_of_edges,
    discontinuities,
)
from gait.walk.landmark_walk import LandmarkWalk
from gait.walk.passes import STEADY_TOLERANCE
from gait.walk.person_checks import landmark_stature_px
from gait.walk.sides import MIN_AGREEMENT, with_feet_named
from gait.walk.views import View

#: Why a frontal/back view reports no stance, swing or support phases: its foot offs are the
#: gap starting to move, i.e. the heel rising, before the toe leaves. Measured on the
#: annotated elderly back view: foot offs 2.75 frames early on average (4/4 early), the two
#: fully annotated stances 0.07 and 0.10 s short, ~7 points of a 1.3 s stride; the initial
#: contacts (0.4 frames) and so the step and stride times are unaffected.
FOOT_OFF_WARNING = (
    "stance, swing and support phases not reported: seen from the front or behind, foot off "
    "is timed by the heel rising, before the toe leaves the floor (2.75 frames early on the "
    "annotated back view, stances 0.07-0.10 s short)"
)
#: BlazePose ankles, heels and foot tips (left leg, right leg).
ANKLES = np.array([27, 28])
HEELS = np.array([29, 30])
TIPS = np.array([31, 32])
#: Shoulders (left, right), for which way the walker faces.
SHOULDERS = np.array([11, 12])
#: The walker's stature in px changes slowly (a camera closing in over seconds); per-frame
#: landmark statures jitter by a few %, so they are low-passed at this cut-off (Hz) first.
STATURE_CUTOFF_HZ = 1.0
#: A swing's core: the feet gap moves at this speed or faster (statures/s). Measured on the
#: elderly back view: her swings peak at 0.34-0.60 statures/s; standing still (frames
#: 110-390) the filtered gap moves at up to 0.18 statures/s (landmark jitter, the camera's
#: shake).
MIN_SWING_SPEED_STATURE_PER_S = 0.25
#: A swing runs on both sides of its core while the gap keeps moving the same way at this
#: share of the swing's peak speed or more; the run's ends are the FO and the IC. Measured on
#: the elderly clip's annotated walk (5 IC, 4 FO): 0.25 finds all 9, IC MAE 0.4 and FO MAE
#: 2.75 frames; 0.33 and 0.5 miss one and two foot offs (the right foot's slow start, frames
#: 62-69, stays under the edge). Heel, ankle or foot-tip gaps gave the same ICs; the tips
#: found fewer foot offs (hidden behind the heels from behind).
EDGE_SHARE = 0.25
#: A swing moves the gap by at least this much (statures). Measured on the elderly clip
#: (runs of the swing speed, before this test): her swings 0.05-0.135 (twice the forward
#: foot's rise); standing (frames 130-380) one run, 0.021; short bursts while she turns
#: (frames 452, 500, 537, 627) 0.019-0.034.
MIN_SWING_STATURE = 0.04
#: Two runs the same way less than this apart (s) are one swing that hesitated (a slow foot
#: checking its swing); further apart, the same foot moved twice (a shuffle), and no pass of
#: contacts runs across it (feet must alternate).
MERGE_PAUSE_S = 0.2
#: The feet are told apart by their ankles' image x only when these are at least this far
#: apart (statures); closer, the feet overlap across the image (a step across the body, a
#: turn) and which is which is unsure: those frames are not read. Measured on the elderly
#: back view: 1st percentile 0.031, median 0.13; under 0.03 only on frames 5 and 11-16,
#: where she stands turned three-quarters at the start.
MIN_FEET_APART_STATURE = 0.03
#: The walker faces the camera (front view) or away (back view) when the foot tips lie below
#: (front) or above (back) the heels in the image on this share of frames or more (median of
#: both feet): the model places the tip ahead of the heel, and ahead is nearer the camera
#: from the front, further (higher) from behind. Measured: elderly back view, tips above the
#: heels on 99.7 % of 680 frames (the model's left shoulder and ankle on the image left on
#: 100 %, as a back view puts them).
MIN_FACING_SHARE = 0.7


@dataclass(frozen=True)
class FrontalEvents:
    """Events of a frontal/back view, as row positions of the input arrays.

    ``ic_pos`` ``(a,)`` / ``fo_pos`` ``(b,)`` int, sorted; ``ic_side`` ``(a,)`` /
    ``fo_side`` ``(b,)`` int: the image side of the foot (0 image-left, 1 image-right, -1
    unknown when the view's facing is undecided); ``gap`` ``(n,)`` the feet gap (statures,
    filtered, NaN where the feet are not seen); ``speed`` ``(n,)`` its time derivative
    (statures/s); ``facing`` +1 the walker faces the camera, -1 away, 0 undecided;
    ``seen`` ``(n,)`` bool: the rows where both feet are seen apart (:func:`feet_gap`);
    ``break_rows`` ``(j,)`` int: rows no pass of contacts may span (a cut in the video, or
    the same foot swinging twice in a row).
    """

    ic_pos: np.ndarray
    fo_pos: np.ndarray
    ic_side: np.ndarray
    fo_side: np.ndarray
    gap: np.ndarray
    speed: np.ndarray
    facing: int
    seen: np.ndarray
    break_rows: np.ndarray

    def landmark_events(self, n: int) -> LandmarkEvents:
        """The events in the form :func:`gait.walk.contacts.landmark_contacts_table` reads
        (its ``forward`` and ``foot_y`` have no meaning here: NaN ``(n, 2, 3)`` / ``(n, 2)``)."""
        return LandmarkEvents(
            ic_pos=self.ic_pos,
            fo_pos=self.fo_pos,
            anterior_pos=self.ic_pos,
            forward=np.full((n, 2, 3), np.nan),
            foot_y=np.full((n, 2), np.nan),
            facing=0,
        )


def facing_camera(landmarks: np.ndarray) -> int:
    """+1 when the walker faces the camera, -1 when they face away, 0 undecided: where the
    model puts the foot tips against the heels (image y, larger = lower) on at least
    :data:`MIN_FACING_SHARE` of the frames with both feet. ``landmarks`` ``(n, 33, 4)``."""
    below = landmarks[:, TIPS, 1].astype(np.float64) - landmarks[:, HEELS, 1].astype(np.float64)
    per_frame = below.mean(axis=1)  # NaN unless both feet are seen
    per_frame = per_frame[np.isfinite(per_frame) & (per_frame != 0)]
    if not per_frame.size:
        return 0
    share_below = float(np.mean(per_frame > 0))
    if share_below >= MIN_FACING_SHARE:
        return 1
    if 1 - share_below >= MIN_FACING_SHARE:
        return -1
    return 0


def model_left_on_image_left(landmarks: np.ndarray, rows: np.ndarray) -> float | None:
    """Share of ``rows`` on which the model's left ankle lies left of its right ankle in the
    image (None without a row where both are seen): the model's own reading of which side
    the walker's left is on."""
    ankles_x = landmarks[rows][:, ANKLES, 0].astype(np.float64)
    ok = np.isfinite(ankles_x).all(axis=1) & (ankles_x[:, 0] != ankles_x[:, 1])
    if not ok.any():
        return None
    return float(np.mean(ankles_x[ok, 0] < ankles_x[ok, 1]))


def feet_gap(
    landmarks: np.ndarray, times_s: np.ndarray, min_visibility: float = angles.MIN_VISIBILITY
) -> tuple[np.ndarray, np.ndarray]:
    """``(gap, seen)``: the feet gap ``(n,)`` in statures (the image-left heel's y minus the
    image-right heel's, over the smoothed landmark stature; filtered, NaN where unseen) and
    ``(n,)`` bool the rows with both heels and ankles seen and the ankles
    :data:`MIN_FEET_APART_STATURE` apart across the image. The feet are sorted by their
    ankles' image x on each frame, so the model's left/right names never enter."""
    points = landmarks.astype(np.float64)
    visible = (np.nan_to_num(points[:, np.r_[ANKLES, HEELS], 3]) >= min_visibility).all(axis=1)
    heels_y = points[:, HEELS, 1]
    swap = points[:, ANKLES[0], 0] > points[:, ANKLES[1], 0]
    heels_y[swap] = heels_y[swap][:, ::-1]
    stature = landmark_stature_px(points)
    apart = np.abs(points[:, ANKLES[0], 0] - points[:, ANKLES[1], 0]) >= np.nan_to_num(
        MIN_FEET_APART_STATURE * stature, nan=np.inf
    )
    seen = visible & apart & np.isfinite(heels_y).all(axis=1)
    stature = np.where(seen & np.isfinite(stature) & (stature > 0), stature, np.nan)
    stature = angles.smooth(stature, times_s, STATURE_CUTOFF_HZ)
    raw = np.where(seen, (heels_y[:, 0] - heels_y[:, 1]) / stature, np.nan)
    return angles.smooth(raw, times_s), seen


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """``[start, stop)`` of each run of True in ``mask``."""
    padded = np.r_[False, mask, False].astype(np.int8)
    starts = np.flatnonzero(np.diff(padded) == 1)
    stops = np.flatnonzero(np.diff(padded) == -1)
    return list(zip(starts.tolist(), stops.tolist(), strict=True))


def swings(gap: np.ndarray, times_s: np.ndarray) -> list[tuple[int, int, int]]:
    """Each swing ``(fo_row, ic_row, sign)`` of the feet gap ``(n,)`` (statures, filtered):
    a run of ``|dg/dt| >= MIN_SWING_SPEED`` (one sign) extended while the gap keeps moving
    that way at :data:`EDGE_SHARE` of the run's peak speed, runs the same way less than
    :data:`MERGE_PAUSE_S` apart merged, kept when it moves the gap by
    :data:`MIN_SWING_STATURE`. ``sign`` is that of ``dg/dt``."""
    speed = np.gradient(gap, times_s) if gap.size > 1 else np.zeros_like(gap)
    found: list[list[int]] = []
    for sign in (1, -1):
        signed = np.nan_to_num(sign * speed, nan=0.0)
        for start, stop in _runs(signed >= MIN_SWING_SPEED_STATURE_PER_S):
            peak = signed[start:stop].max()
            edge = EDGE_SHARE * peak
            first, last = start, stop - 1
            while first > 0 and signed[first - 1] >= edge:
                first -= 1
            while last + 1 < signed.size and signed[last + 1] >= edge:
                last += 1
            found.append([first, last, sign])
    found.sort()
    merged: list[list[int]] = []
    for run in found:
        if (
            merged
            and merged[-1][2] == run[2]
            and (
                run[0] <= merged[-1][1] or times_s[run[0]] - times_s[merged[-1][1]] < MERGE_PAUSE_S
            )
        ):
            merged[-1][1] = max(merged[-1][1], run[1])
            continue
        merged.append(run)
    return [
        (first, last, sign)
        for first, last, sign in merged
        if np.isfinite(gap[[first, last]]).all()
        and abs(gap[last] - gap[first]) >= MIN_SWING_STATURE
    ]


def detect_frontal_events(
    landmarks: np.ndarray, times_s: np.ndarray, stature_px: float
) -> FrontalEvents:
    """Initial contacts and foot offs of a frontal/back view (see the module).

    ``landmarks`` ``(n, 33, 4)`` analysis px, ``times_s`` ``(n,)`` increasing, ``stature_px``
    the walker's median stature (for cuts in an edited video,
    :func:`gait.walk.landmark_events.discontinuities`). Events within one filter period of
    the ends of the seen rows are dropped (:func:`gait.walk.landmark_events.clear_of_edges`).
    """
    points = landmarks.astype(np.float64)
    cuts = discontinuities(points, stature_px)
    points[cuts] = np.nan
    gap, seen = feet_gap(points, times_s)
    facing = facing_camera(points)
    settled = clear_of_edges(np.isfinite(gap), times_s)
    fo, ic, fo_side, ic_side, breaks = [], [], [], [], list(cuts)
    previous_sign = 0
    for first, last, sign in swings(gap, times_s):
        if not (settled[first] and settled[last]):
            continue
        if sign == previous_sign and ic:
            breaks.append(first)  # the same foot twice: feet do not alternate across here
        previous_sign = sign
        # From behind (facing -1) a falling gap is the image-left foot going ahead (up);
        # from the front (+1) a rising one.
        side = -1 if facing == 0 else int(sign != facing)
        fo.append(first)
        ic.append(last)
        fo_side.append(side)
        ic_side.append(side)
    speed = np.gradient(gap, times_s) if gap.size > 1 else np.zeros_like(gap)
    return FrontalEvents(
        ic_pos=np.asarray(ic, dtype=np.int64),
        fo_pos=np.asarray(fo, dtype=np.int64),
        ic_side=np.asarray(ic_side, dtype=np.int64),
        fo_side=np.asarray(fo_side, dtype=np.int64),
        gap=gap,
        speed=speed,
        facing=facing,
        seen=seen,
        break_rows=np.unique(np.asarray(breaks, dtype=np.int64)),
    )


#: The spatial values a view along the walking direction cannot give, and why.
SPATIAL_WARNING = (
    "frontal/back view: only temporal parameters are measured; step and stride length, "
    "speed and walk ratio are not reported (null): seen along the walking direction a step's "
    "length is foreshortened by an unknown amount (no camera model, no floor plane)"
)


@dataclass(frozen=True)
class FrontalWalk:
    """The frontal/back route's outcome: ``walk`` the contacts and events in the landmark
    route's form (:class:`gait.walk.landmark_walk.LandmarkWalk`, lengths NaN), ``events``
    the raw :class:`FrontalEvents`, ``names`` ``(m,)`` each contact's foot name or None
    (A/B), ``warnings``."""

    walk: LandmarkWalk
    events: FrontalEvents
    names: np.ndarray | None
    warnings: list[str]

    @property
    def contacts(self) -> Contacts:
        """The contacts with the feet named when the evidence agrees."""
        return with_feet_named(self.walk.contacts, self.names)


def contact_sides(
    contacts: Contacts, events: FrontalEvents, frame_indices: np.ndarray
) -> np.ndarray:
    """``(m,)`` int: each contact's image side (0 left, 1 right, -1 unknown), from the event
    that found its IC (or its FO when the IC was not seen)."""
    ic_frames = frame_indices[events.ic_pos] if events.ic_pos.size else np.zeros(0)
    fo_frames = frame_indices[events.fo_pos] if events.fo_pos.size else np.zeros(0)
    sides = np.full(len(contacts), -1, dtype=np.int64)
    for k in range(len(contacts)):
        for frame, frames, side in (
            (contacts.ic_frame[k], ic_frames, events.ic_side),
            (contacts.fo_frame[k], fo_frames, events.fo_side),
        ):
            hit = np.flatnonzero(frames == frame) if np.isfinite(frame) else []
            if len(hit):
                sides[k] = side[hit[0]]
                break
    return sides


def name_frontal_feet(
    contacts: Contacts,
    sides: np.ndarray,
    facing: int,
    landmarks: np.ndarray,
    frame_indices: np.ndarray,
) -> tuple[np.ndarray | None, list[str]]:
    """``(names (m,), [])`` when the evidence agrees, else ``(None, [warning])``.

    Seen from behind (``facing`` -1) with an unmirrored camera the walker's left foot is on the
    image left. The model names its legs from their appearance; when its left ankle lies on
    the image left on at least :data:`gait.walk.sides.MIN_AGREEMENT` of the stance frames,
    both readings agree and the feet are named by image side. From the front a mirrored
    front camera swaps the image sides and cannot be told from the picture: the feet stay
    A/B, as they do when the facing is undecided or the readings disagree.
    """
    if facing >= 0 or (sides < 0).any():
        seen = {1: "a front view", 0: "an undecided facing"}.get(facing, "unknown feet")
        return None, [
            f"feet named A/B: {seen} (a front camera may mirror the picture, so the image "
            "side does not tell the walker's left)"
        ]
    rows = []
    for k in range(len(contacts)):
        if np.isfinite(contacts.ic_frame[k]) and np.isfinite(contacts.fo_frame[k]):
            lo, hi = np.searchsorted(
                frame_indices, [contacts.ic_frame[k], contacts.fo_frame[k] + 1]
            )
            rows.append(np.arange(lo, hi))
    share = model_left_on_image_left(landmarks, np.concatenate(rows)) if rows else None
    if share is None or share < MIN_AGREEMENT:
        shown = "n/a" if share is None else f"{100 * share:.0f} %"
        return None, [
            f"feet named A/B: seen from behind the walker's left is on the image left, but the "
            f"person model puts its left ankle there on {shown} of the stance frames (need "
            f"{100 * MIN_AGREEMENT:.0f} %)"
        ]
    return np.where(sides == 0, "left", "right"), []


def measure_frontal_walk(
    landmarks: np.ndarray, frame_indices: np.ndarray, times_s: np.ndarray, view: View
) -> FrontalWalk:
    """Contacts of a frontal/back view (see the module): events, the contacts table
    (:func:`gait.walk.contacts.landmark_contacts_table`, no heel positions: null lengths),
    the feet named (:func:`name_frontal_feet`) and the warnings.

    ``landmarks`` ``(n, 33, 4)``, rows at ``frame_indices`` / ``times_s`` ``(n,)``. Raises
    ``NoReliableGait("no_walker")`` when the walker's feet never swing."""
    stature_px = float(view.stature_px)
    events = detect_frontal_events(landmarks, times_s, stature_px)
    if not events.ic_pos.size:
        raise NoReliableGait(
            "no_walker",
            f"{view.describe()}: the person in view does not step (their feet never swing)",
        )
    n = frame_indices.size
    contacts = landmark_contacts_table(
        events.landmark_events(n),
        frame_indices,
        times_s,
        np.full(events.ic_pos.size, np.nan),
        stature_px,
        events.break_rows,
    )
    sides = contact_sides(contacts, events, frame_indices)
    names, warnings = name_frontal_feet(contacts, sides, events.facing, landmarks, frame_indices)
    warnings = [SPATIAL_WARNING, *warnings]
    # No pass or footprint rule has judged these contacts yet (unlike the side view's):
    # starts, stops and shuffles between pauses would set the cadence (the elderly clip's
    # closing and restarting steps, 0.33-0.43 s, gave 103 steps/min for ~90 walking).
    keep, left_out = steady_rows(contacts)
    excluded = left_out_segments(contacts, keep)
    contacts = take_rows(contacts, keep)
    names = None if names is None else names[keep]
    if left_out:
        warnings.append(
            f"{left_out} steps left out as not steady walking (a start, a stop or a shuffle: a "
            f"step time more than {100 * STEADY_TOLERANCE:.0f} % off its walk's median, or a "
            f"walk of fewer than {MIN_STEADY_PASS_STEPS} steps)"
        )
    hidden = 1.0 - float(np.mean(events.seen[np.isfinite(landmarks[:, 0, 0])] if n else 0.0))
    if hidden > 0:
        warnings.append(
            f"contacts not visible on {100 * hidden:.0f} % of the frames with the walker (feet "
            "hidden, out of the frame or unsure to the model): no events there"
        )
    walk = LandmarkWalk(
        contacts=contacts,
        events=events.landmark_events(n),
        legs=np.full((n, 2), -1, dtype=np.int64),
        stance_legs=[],
        belt_speed_px_per_s=None,
        treadmill=False,
        height_m=None,
        warnings=warnings,
        excluded_segments=excluded,
    )
    return FrontalWalk(walk, events, names, warnings)


def quality_view(events: FrontalEvents) -> dict[str, object]:
    """Keys added to the result's ``quality.view`` for a frontal/back view: which way the
    walker faces and how the contacts were timed."""
    return {
        "walker_faces": {1: "camera", -1: "away"}.get(events.facing),
        "contacts_source": "landmarks",
        "contacts_rule": "feet_gap_still",
    }
