"""Sagittal joint angles per contact foot: the person model's legs matched to the footprints.

The landmark model names its legs left and right, but on a side view those names are
unreliable (50 % right on the synthetic figure, see ``docs/person-model-findings.md``). So
the legs are matched to the result's feet (``A``/``B``) by position instead, frame by frame:
while a foot stands on a footprint, its leg is the one whose heel landmark is nearest that
footprint's heel on the floor (distance along the image's x axis to the footprint's heel plus
height above the stance's floor line, analysis pixels), and the other leg is the other foot's.
The angles themselves are :func:`gait.angles.analyse`'s, computed on landmarks re-ordered so
that the "left" slots hold foot A's leg and the "right" slots foot B's.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from gait import angles
from gait.walk.contacts import Contacts
from gait.walk.parameters import stride_starts

#: Landmark indices of one leg, BlazePose order: hip, knee, ankle, heel, foot tip.
LEFT_LEG = np.array([23, 25, 27, 29, 31])
RIGHT_LEG = np.array([24, 26, 28, 30, 32])
#: Heel landmark of each leg.
LEFT_HEEL, RIGHT_HEEL = 29, 30
#: The result's foot names, in the order of :data:`gait.angles.SIDES` they are carried in:
#: ``A``/``B``, or ``left``/``right`` once the feet are named (:mod:`gait.walk.sides`).
FEET = ("A", "B")
NAMED_FEET = ("left", "right")


def foot_names(contacts: Contacts) -> tuple[str, str]:
    """The table's two foot names: :data:`NAMED_FEET` once named, else :data:`FEET`."""
    return NAMED_FEET if set(contacts.foot.tolist()) & set(NAMED_FEET) else FEET


#: A foot's angles are reported only when each joint's curve is measured over at least this
#: share (%) of its strides' cycle points: less is too little of the cycle for the peaks and
#: ranges of motion to mean anything.
MIN_MEASURED_PCT = 50.0


def pass_directions(contacts: Contacts) -> np.ndarray:
    """``(m,)`` int: each contact's walking direction in the image (+1 toward the image right,
    -1, 0 when its pass holds fewer than two placed heels), from the pass's first and last
    placed heels (the landmark route leaves a heel unplaced, NaN, on a foot standing since
    before the clip)."""
    out = np.zeros(len(contacts), dtype=np.int64)
    for index in np.unique(contacts.pass_index):
        rows = np.flatnonzero(contacts.pass_index == index)
        placed = contacts.heel_x_px[rows][np.isfinite(contacts.heel_x_px[rows])]
        if placed.size >= 2:
            out[rows] = int(np.sign(placed[-1] - placed[0]))
    return out


def leg_assignment(
    landmarks: np.ndarray,
    frame_indices: np.ndarray,
    contacts: Contacts,
) -> tuple[np.ndarray, np.ndarray]:
    """Which landmark leg is foot A on each frame, and the walking direction there.

    ``landmarks`` ``(n, 33, 4)`` and ``frame_indices`` ``(n,)`` (sorted) as shipped by the
    chunks. Returns ``(swap, direction)``, each ``(n,)`` int: ``swap`` is 0 when the model's
    left leg is foot A, 1 when its right leg is, -1 when undecided (no contact in stance, or a
    heel unseen); ``direction`` is +1 / -1 on frames a contact is in stance, 0 elsewhere.
    A frame in double support weighs both contacts' evidence. Foot A is the first of
    :func:`foot_names` (``left`` once the feet are named).
    """
    feet = foot_names(contacts)
    n = frame_indices.size
    # cost[:, 0]: total heel distance (px) if left = A; cost[:, 1]: if left = B.
    cost = np.zeros((n, 2))
    votes = np.zeros(n, dtype=np.int64)
    direction = np.zeros(n, dtype=np.int64)
    heels_x = landmarks[:, [LEFT_HEEL, RIGHT_HEEL], 0].astype(np.float64)
    heels_y = landmarks[:, [LEFT_HEEL, RIGHT_HEEL], 1].astype(np.float64)
    directions = pass_directions(contacts)
    for k in range(len(contacts)):
        start, stop = contacts.ic_frame[k], contacts.fo_frame[k]
        if not (np.isfinite(start) and np.isfinite(stop)) or directions[k] == 0:
            continue
        lo, hi = np.searchsorted(frame_indices, [start, stop + 1])
        distance = np.abs(heels_x[lo:hi] - contacts.heel_x_px[k])  # (frames, left/right)
        # ... and on the floor: where the swinging heel passes over the standing one their x
        # agree, but the swinging heel is raised. The floor is the lower heel's median height
        # over the stance (image y down).
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a stance without heels: NaN
            floor_y = np.nanmedian(np.nanmax(heels_y[lo:hi], axis=1))
        distance = distance + np.abs(heels_y[lo:hi] - floor_y)
        is_a = contacts.foot[k] == feet[0]
        cost[lo:hi, 0] += distance[:, 0] if is_a else distance[:, 1]
        cost[lo:hi, 1] += distance[:, 1] if is_a else distance[:, 0]
        votes[lo:hi] += 1
        direction[lo:hi] = directions[k]
    swap = np.where(cost[:, 1] < cost[:, 0], 1, 0)
    decided = (votes > 0) & np.isfinite(cost).all(axis=1) & (cost[:, 0] != cost[:, 1])
    swap = np.where(decided, swap, -1)
    return swap, np.where(decided, direction, 0)


def legs_by_foot(landmarks: np.ndarray, swap: np.ndarray) -> np.ndarray:
    """``landmarks`` ``(n, 33, 4)`` with the left leg's slots holding foot A's leg and the
    right leg's foot B's (swapped where ``swap`` is 1); both legs NaN where it is -1."""
    out = landmarks.astype(np.float64, copy=True)
    swapped = swap == 1
    out[np.ix_(swapped, LEFT_LEG)] = landmarks[np.ix_(swapped, RIGHT_LEG)]
    out[np.ix_(swapped, RIGHT_LEG)] = landmarks[np.ix_(swapped, LEFT_LEG)]
    undecided = swap == -1
    out[np.ix_(undecided, np.concatenate([LEFT_LEG, RIGHT_LEG]))] = np.nan
    return out


def foot_angles_deg(
    landmarks: np.ndarray, frame_indices: np.ndarray, times_s: np.ndarray, contacts: Contacts
) -> dict[str, dict[str, np.ndarray]]:
    """Filtered per-frame angles (deg) per foot, ``{"A"|"B": {joint: (n,)}}``, NaN where
    withheld (see :func:`gait.angles.joint_angles_deg`)."""
    swap, direction = leg_assignment(landmarks, frame_indices, contacts)
    per_side = angles.joint_angles_deg(legs_by_foot(landmarks, swap), times_s, direction)
    feet = foot_names(contacts)
    return {foot: per_side[side] for foot, side in zip(feet, angles.SIDES, strict=True)}


def angle_landmarks(arrays: dict[str, np.ndarray]) -> np.ndarray:
    """The walker's landmarks the joint angles read: refined by the model's heatmap
    (``person_refined_landmarks``) when the chunks kept them, else ``person_landmarks``. Both
    name the legs alike, so one leg assignment serves both."""
    return arrays.get("person_refined_landmarks", arrays["person_landmarks"])


def angles_block(
    landmarks: np.ndarray,
    frame_indices: np.ndarray,
    times_s: np.ndarray,
    contacts: Contacts,
    legs: tuple[np.ndarray, np.ndarray] | None = None,
    break_rows: np.ndarray | None = None,
) -> tuple[dict[str, Any] | None, list[str]]:
    """The result's ``angles`` block and its warnings.

    :func:`gait.angles.analyse`'s output with the sides named by foot (:func:`foot_names`:
    ``"A"``, ``"B"``, or ``"left"``, ``"right"`` once named) and ``side_difference``
    (first − second)
    in place of ``left_right_difference``; None, with a warning, when a foot has no full
    stride or a joint's curve is measured over less than :data:`MIN_MEASURED_PCT` of its
    cycle. ``legs``: ``(swap, direction)`` as :func:`leg_assignment` returns, when known
    otherwise (the landmark route's foot tracks); by default matched to the footprints.
    The gait cycles are the table's measured strides (:func:`gait.walk.parameters.
    stride_starts`); ``break_rows`` ``(j,)``: rows where a trajectory restarts (the video's
    cuts, the body's jumps), which no angle is filtered across.
    """
    feet = foot_names(contacts)
    swap, direction = (
        legs if legs is not None else leg_assignment(landmarks, frame_indices, contacts)
    )
    k = stride_starts(contacts)
    cycles = {
        side: list(zip(contacts.ic_time_s[k][at], contacts.ic_time_s[k + 2][at], strict=True))
        for foot, side in zip(feet, angles.SIDES, strict=True)
        for at in [contacts.foot[k] == foot]
    }
    out = angles.analyse(
        legs_by_foot(landmarks, swap), times_s, direction, cycles, breaks=break_rows
    )
    out["sides"] = {foot: out["sides"][side] for foot, side in zip(feet, angles.SIDES, strict=True)}
    out["frames_measured_pct"] = {
        foot: out["frames_measured_pct"][side]
        for foot, side in zip(feet, angles.SIDES, strict=True)
    }
    out["side_difference"] = out.pop("left_right_difference")
    out["method"]["sides"] = (
        "each landmark leg matched to a contact foot per frame: the leg whose heel is nearest "
        "the footprint's heel (along x, plus height above the stance's floor line) while that "
        "foot is in stance"
    )
    short = [
        f"{foot} {joint} {curve['measured_pct']} %" if side["strides"] else f"{foot} no stride"
        for foot, side in out["sides"].items()
        for joint, curve in side["curves"].items()
        if not side["strides"] or curve["measured_pct"] < MIN_MEASURED_PCT
    ]
    if short:
        return None, [
            "joint angles withheld: too little of the gait cycle measured "
            f"({', '.join(sorted(set(short)))}; need {MIN_MEASURED_PCT:.0f} % per joint)"
        ]
    return out, []
