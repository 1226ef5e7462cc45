"""The walk measured from the person model's landmarks alone: a treadmill, walking in place,
or (only to check and fill the footprints) an overground side view.

The events come from :func:`gait.walk.landmark_events.detect_events`, the contacts table
from :func:`gait.walk.contacts.landmark_contacts_table`. Lengths need a floor frame:

* **treadmill** (the walker stays in place while stance feet move back): the belt is the
  floor. A heel's position on the belt at its initial contact is its image position plus the
  belt's travel since the start, ``x + facing * v * t``, with ``v`` the belt speed measured
  from the stance feet (px/s). Step lengths are then stature-relative; in metres when the
  belt speed is given (``treadmill_speed_mps``: metres per pixel ``= speed / v``) or the
  walker's height is;
* **walking in place** (no belt): no lengths (NaN heel positions, so null lengths);
* **overground**: the heel's floor-frame position (camera path subtracted).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from gait.errors import NoReliableGait
from gait.walk import landmark_events, parameters, quality
from gait.walk.contacts import Contacts, landmark_contacts_table
from gait.walk.landmark_events import HEEL, LandmarkEvents
from gait.walk.views import (
    MIN_BELT_SPEED_STATURE_PER_S,
    RUNNING_MIN_FLIGHT_SHARE,
    View,
    belt_speed_px_per_s,
    flight_frames_share,
)


@dataclass(frozen=True)
class LandmarkWalk:
    """The landmark route's outcome.

    ``contacts``: the table; ``events``: the raw events; ``heel_floor_x_px`` ``(n, 2)``:
    each track's heel x in the floor frame (px); ``belt_speed_px_per_s``: measured belt
    speed, None off a treadmill; ``treadmill``: True when stance feet ride a belt;
    ``height_m``: the height metres come from (given, or from the belt speed), None for
    stature-relative lengths only; ``warnings``.
    """

    contacts: Contacts
    events: LandmarkEvents
    heel_floor_x_px: np.ndarray
    belt_speed_px_per_s: float | None
    treadmill: bool
    height_m: float | None
    warnings: list[str]


def stances(contacts: Contacts, frame_indices: np.ndarray) -> list[tuple[int, int]]:
    """Row ranges ``[start, stop)`` of each contact's stance (IC to FO, both seen), one per
    table row (``(0, 0)`` where unseen)."""
    out = []
    for ic, fo in zip(contacts.ic_frame, contacts.fo_frame, strict=True):
        if np.isfinite(ic) and np.isfinite(fo):
            lo, hi = np.searchsorted(frame_indices, [ic, fo + 1])
            out.append((int(lo), int(hi)))
        else:
            out.append((0, 0))
    return out


def contact_tracks(contacts: Contacts) -> np.ndarray:
    """``(m,)`` int: each row's foot track (0 for ``A``, 1 for ``B``)."""
    return np.where(contacts.foot == "A", 0, 1)


def measure_landmark_walk(
    landmarks: np.ndarray,
    frame_indices: np.ndarray,
    times_s: np.ndarray,
    view: View,
    *,
    camera_path_px: np.ndarray | None = None,
    treadmill_speed_mps: float | None = None,
    height_m: float | None = None,
) -> LandmarkWalk:
    """Events and contacts of a side view from ``landmarks`` ``(n, 33, 4)`` (rows at
    ``frame_indices`` / ``times_s`` ``(n,)``), with lengths as the module says.

    Raises ``NoReliableGait("running")`` when most steps have a flight phase: walking
    norms and walking parameters do not apply.
    """
    stature_px = float(view.stature_px)
    events = landmark_events.detect_events(
        landmarks, times_s, stature_px, view.facing, camera_path_px
    )
    points, _ = landmark_events.forward_positions(landmarks, view.facing, camera_path_px)
    heel_x = landmark_events.tracked_points(points, events.swap)[:, :, HEEL, 0]
    unmeasured = np.full(events.ic_pos.size, np.nan)
    if view.in_place:
        refuse_running(landmarks, stature_px)
    contacts = landmark_contacts_table(events, frame_indices, times_s, unmeasured, stature_px)
    rows = stances(contacts, frame_indices)
    tracks = contact_tracks(contacts)
    speeds = [
        belt_speed_px_per_s(heel_x[:, track], times_s, [stance], view.facing)
        for track, stance in zip(tracks, rows, strict=True)
        if stance[1] > stance[0]
    ]
    speeds = [s for s in speeds if s is not None]
    belt = float(np.median(speeds)) if speeds else None
    warnings: list[str] = []
    treadmill = bool(
        view.in_place and belt is not None and belt >= MIN_BELT_SPEED_STATURE_PER_S * stature_px
    )
    ic_heel = heel_x[events.ic_pos, events.ic_foot]
    if treadmill:
        ic_heel = ic_heel + view.facing * belt * times_s[events.ic_pos]
        if treadmill_speed_mps is not None:
            height_m = stature_px * treadmill_speed_mps / belt
            warnings.append(
                f"treadmill: lengths in metres from the given belt speed "
                f"({treadmill_speed_mps:g} m/s, measured {belt / stature_px:.2f} statures/s)"
            )
        else:
            warnings.append(
                "treadmill: no belt speed given: lengths relative to stature, from the stance "
                f"feet's travel on the belt ({belt / stature_px:.2f} statures/s)"
            )
    elif view.in_place:
        ic_heel = np.full(events.ic_pos.size, np.nan)
        belt = None
        warnings.append(
            "walking in place (the hip stays in place and stance feet do not move back): "
            "lengths and speed are not measurable, only temporal parameters are reported"
        )
    contacts = landmark_contacts_table(events, frame_indices, times_s, ic_heel, stature_px)
    return LandmarkWalk(contacts, events, heel_x, belt, treadmill, height_m, warnings)


def refuse_running(landmarks: np.ndarray, stature_px: float) -> None:
    """Raise ``NoReliableGait("running")`` for a walker in place whose feet are both off the
    floor on :data:`RUNNING_MIN_FLIGHT_SHARE` of frames or more (a flight phase)."""
    share = flight_frames_share(landmarks, stature_px)
    if share is not None and share >= RUNNING_MIN_FLIGHT_SHARE:
        raise NoReliableGait(
            "running",
            f"running: both feet are off the floor on {100 * share:.0f} % of frames (a flight "
            "phase, no double support); walking parameters and norms do not apply",
        )


def track_legs(swap: np.ndarray) -> np.ndarray:
    """``(n, 2)`` int: the model leg (0 left, 1 right) under foot A (track 0) and foot B on
    each frame, from the tracks' ``swap`` ``(n,)`` bool."""
    leg_a = swap.astype(np.int64)
    return np.stack([leg_a, 1 - leg_a], axis=1)


def quality_block(
    walk: LandmarkWalk,
    view: View,
    metrics: dict[str, Any],
    pose_seen: np.ndarray,
    video_px_per_analysis_px: float,
) -> dict[str, Any]:
    """The result's ``quality`` for the landmark route: the keys of
    :func:`gait.walk.quality.quality_block` that apply (the silhouette's are null) and the
    ``view``: what the camera saw and how the contacts were timed."""
    n = pose_seen.size
    starts = parameters.step_starts(walk.contacts)
    in_steps = np.union1d(starts, starts + 1).size
    return {
        "frames_analysed": n,
        "frames_with_walker_pct": round(100.0 * np.count_nonzero(pose_seen) / max(1, n), 2),
        "frames_with_walker_source": "person_model",
        "stature_landmark_ratio": None,
        "steady_steps": metrics["steady_steps"],
        "footprints_found": None,
        "excluded_segments": [],
        "camera_motion_px": quality.CAMERA_MOTION_PX,
        "stature_px": round(float(view.stature_px) * video_px_per_analysis_px, 1),
        "floor_line_px": None,
        "confidence": quality.confidence(
            in_steps, len(walk.contacts), metrics.get("step_time_cv_pct")
        ),
        "confidence_method": quality.CONFIDENCE_METHOD.replace("footprints", "contacts"),
        "view": {
            "kind": view.kind,
            "shoulder_width_torso_ratio": view.width_ratio,
            "facing": {1: "image_right", -1: "image_left"}.get(view.facing),
            "hip_travel_statures": view.travel_statures,
            "treadmill": walk.treadmill,
            "belt_speed_statures_per_s": (
                round(walk.belt_speed_px_per_s / float(view.stature_px), 4)
                if walk.belt_speed_px_per_s is not None
                else None
            ),
            "contacts_source": "landmarks",
        },
    }


def first_foot_legs(
    contacts: Contacts, names: np.ndarray | None, frame_indices: np.ndarray, legs: np.ndarray
) -> np.ndarray:
    """``(n,)`` int: the model leg (0 left, 1 right) under the first of the result's feet
    (``left`` once named, else ``A``) on each frame, as :func:`gait.walk.joint_angles.angles_block`
    takes it. ``contacts`` with ``A``/``B`` feet, ``names`` ``(m,)`` their names or None,
    ``legs`` ``(n, 2)`` from :func:`track_legs`. Within each pass (its first IC to its last
    event) the left foot is the track its left-named contacts stand on."""
    out = legs[:, 0].copy()
    if names is None:
        return out
    for index in np.unique(contacts.pass_index):
        rows = np.flatnonzero(contacts.pass_index == index)
        frames = np.concatenate([contacts.ic_frame[rows], contacts.fo_frame[rows]])
        frames = frames[np.isfinite(frames)]
        if not frames.size:
            continue
        lo, hi = np.searchsorted(frame_indices, [frames.min(), frames.max() + 1])
        left_rows = rows[names[rows] == "left"]
        if left_rows.size and contacts.foot[left_rows[0]] == "B":
            out[lo:hi] = legs[lo:hi, 1]
    return out
