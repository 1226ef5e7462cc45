"""The walk measured from the person model's landmarks alone: a treadmill, walking in place,
or an overground side view filmed by a moving camera or across cuts (the route of
:func:`gait.walk.landmark_route.measure_side`).

The events come from :func:`gait.walk.landmark_events.detect_events`, the contacts table
from :func:`gait.walk.contacts.landmark_contacts_table`. Overground, each one-way pass walked
forwards is read with its own facing (:func:`pass_readings`, both ways of an out-and-back
walk) and a pass walked backwards is left out. Lengths need a floor frame:

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

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from gait.errors import NoReliableGait
from gait.walk import landmark_events, parameters, quality
from gait.walk.contacts import Contacts, joined_steps, landmark_contacts_table
from gait.walk.landmark_events import HEEL, LandmarkEvents
from gait.walk.passes import Pass, feet_point_backwards, passes
from gait.walk.person_checks import standing_stature_px
from gait.walk.self_checks import SelfCheck
from gait.walk.views import (
    MIN_BELT_SPEED_STATURE_PER_S,
    RUNNING_MIN_FLIGHT_SHARE,
    View,
    belt_speed_px_per_s,
    flight_frames_share,
)
from gait.words import counted, noun


@dataclass(frozen=True)
class LandmarkWalk:
    """The landmark route's outcome.

    ``contacts``: the table; ``events``: the raw events; ``legs`` ``(n, 2)`` int: the model
    leg (0 left, 1 right, -1 unknown) under foot A and foot B per frame
    (:func:`legs_of_contacts`), ``stance_legs`` each contact's row by row;
    ``belt_speed_px_per_s``: measured belt
    speed, None off a treadmill; ``treadmill``: True when stance feet ride a belt;
    ``height_m``: the height metres come from (given, or from the belt speed), None for
    stature-relative lengths only, and ``scale`` where it comes from
    (:func:`gait.walk.quality.metric_scale`, the result's ``quality.scale``); ``warnings``;
    ``broken_alternations``: how often two
    successive contacts had other than one foot off between them
    (:func:`gait.walk.contacts.joined_steps`); ``excluded_segments``: frames left out, with
    the reason (the passes walked backwards, :func:`pass_readings`), as
    ``quality.excluded_segments`` lists them;
    ``row_facing`` ``(n,)`` int: the facing (+1 image right, -1 left) each row's events were
    read with (each forward pass its own, :func:`row_facings`; None where not known: the
    view's on every row); ``pass_facings``: each forward pass read with its own facing, as
    ``quality.view.pass_facings`` lists them (``start_frame``, ``end_frame``, ``facing``);
    ``break_rows`` ``(c,)`` int: the rows no pass of contacts spans (the video's cuts, the
    body's jumps, a change of facing, the ends of a pass left out).
    """

    contacts: Contacts
    events: LandmarkEvents
    legs: np.ndarray
    stance_legs: list[np.ndarray]
    belt_speed_px_per_s: float | None
    treadmill: bool
    height_m: float | None
    warnings: list[str]
    broken_alternations: int = 0
    excluded_segments: list[dict[str, Any]] = field(default_factory=list)
    row_facing: np.ndarray | None = None
    pass_facings: list[dict[str, Any]] = field(default_factory=list)
    break_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    scale: dict[str, Any] | None = None


#: The result's words for a facing (+1, -1).
FACING_WORDS = {1: "image_right", -1: "image_left"}


def event_rows(contacts: Contacts, frame_indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row positions ``(m,)`` int of each contact's IC and FO (-1 where unseen)."""

    def rows(frames: np.ndarray) -> np.ndarray:
        at = np.searchsorted(frame_indices, np.nan_to_num(frames, nan=-1))
        return np.where(np.isfinite(frames), at, -1).astype(np.int64)

    return rows(contacts.ic_frame), rows(contacts.fo_frame)


def legs_of_contacts(
    contacts: Contacts, events: LandmarkEvents, frame_indices: np.ndarray
) -> tuple[list[np.ndarray], np.ndarray]:
    """Each contact's stance legs (:func:`gait.walk.landmark_events.stance_legs`, a list of
    ``(rows,)`` int) and ``(n, 2)`` int: the model leg (0 left, 1 right, -1 unknown) under
    foot A and foot B on each frame (a frame where only one foot's stance is known gives the
    other foot the other leg)."""
    ic, fo = event_rows(contacts, frame_indices)
    same_pass_prev = np.r_[False, contacts.pass_index[1:] == contacts.pass_index[:-1]]
    same_pass_next = np.r_[contacts.pass_index[:-1] == contacts.pass_index[1:], False]
    previous_fo = np.where(same_pass_prev, np.r_[-1, fo[:-1]], -1)
    next_ic = np.where(same_pass_next, np.r_[ic[1:], -1], -1)
    per_contact = landmark_events.stance_legs(events, ic, fo, previous_fo, next_ic)
    legs = np.full((frame_indices.size, 2), -1, dtype=np.int64)
    for k, leg in enumerate(per_contact):
        if leg.size:
            column = 0 if contacts.foot[k] == "A" else 1
            legs[ic[k] : fo[k] + 1, column] = leg
    for column in (0, 1):
        fill = (legs[:, column] < 0) & (legs[:, 1 - column] >= 0)
        legs[fill, column] = 1 - legs[fill, 1 - column]
    return per_contact, legs


def belt_travel_px(
    stance_times_s: np.ndarray, speeds_px_per_s: np.ndarray, times_s: np.ndarray
) -> np.ndarray:
    """``(n,)`` px: how far the belt has moved back at each of ``times_s`` since the first,
    the time integral of its speed, interpolated between the stances' own speeds
    (``(s,)`` each, at their mid-stance times): a treadmill may change speed (the walk-styles
    clip's belt runs at 0.3-1.1 statures/s from style to style)."""
    order = np.argsort(stance_times_s)
    speed = np.interp(times_s, stance_times_s[order], speeds_px_per_s[order])
    steps = 0.5 * (speed[1:] + speed[:-1]) * np.diff(times_s)
    return np.concatenate([[0.0], np.cumsum(steps)])


#: A given height and the height the given belt speed implies (the standing stature in px
#: times the belt speed over the belt's measured speed in px/s) further apart than this share
#: are a warning: the landmarks' standing stature is good to a few percent (stature check,
#: README), a treadmill's displayed speed to ~5 %, so 10 % is one of the two given wrong.
MAX_BELT_HEIGHT_DISAGREEMENT = 0.10
#: How long (s) after an initial contact the landing heel is taken to stay planted: its
#: position is the median over these frames, not the contact frame's alone. Heel rise comes
#: at ~30 % of stance (~0.2 s at 110 steps/min); a contact found a frame late or early
#: moves the window by a frame, not the position by the heel's landing speed.
PLANTED_HEEL_S = 0.15
#: The farthest (statures) a heel seen after the contact may lie from where it landed and
#: still be taken for it: the other heel is a step away (0.23 statures at 0.4 m steps for a
#: 1.75 m walker), the landing heel's own scatter ~0.02.
PLANTED_HEEL_STATURE = 0.08


def planted_heel_x(
    heel_x_px: np.ndarray,
    times_s: np.ndarray,
    ic_rows: np.ndarray,
    legs: np.ndarray,
    cut_rows: np.ndarray,
    stature_px: float,
) -> np.ndarray:
    """``(k,)`` px: where each landing heel stands on the floor. ``heel_x_px`` ``(n, 2)``:
    both heels' x per row (floor frame, per model leg); the landing heel is leg ``legs[i]``
    at row ``ic_rows[i]``. Its position is the median, over the rows from the contact to
    :data:`PLANTED_HEEL_S` later (stopping before the next of ``cut_rows``: a jump of the
    landmarks, a scene cut), of whichever heel lies within :data:`PLANTED_HEEL_STATURE`
    statures (``stature_px``) of where it landed: the model's legs swap names from frame to
    frame in a side view. NaN where the contact's own heel is not finite.

    A single frame's heel put the model's frame-to-frame scatter into every length: on a
    synthetic walk filmed by a slow pan, per-step lengths had an SD of 3.3 cm, about 4 px
    per heel."""
    out = np.full(np.asarray(ic_rows).size, np.nan)
    n = heel_x_px.shape[0]
    reach = PLANTED_HEEL_STATURE * stature_px
    for i, (row, leg) in enumerate(zip(ic_rows, legs, strict=True)):
        landed = heel_x_px[row, leg]
        if not np.isfinite(landed):
            continue
        stop = int(np.searchsorted(times_s, times_s[row] + PLANTED_HEEL_S, side="right"))
        later_cuts = cut_rows[cut_rows > row]
        if later_cuts.size:
            stop = min(stop, int(later_cuts[0]))
        window = heel_x_px[row : min(stop, n)]
        with np.errstate(invalid="ignore"):
            distance = np.abs(window - landed)
        nearest = np.take_along_axis(
            window, np.argmin(np.nan_to_num(distance, nan=np.inf), axis=1)[:, None], axis=1
        )[:, 0]
        kept = nearest[np.abs(nearest - landed) <= reach]
        out[i] = float(np.median(kept))
    return out


def measure_landmark_walk(
    landmarks: np.ndarray,
    frame_indices: np.ndarray,
    times_s: np.ndarray,
    view: View,
    *,
    camera_path_px: np.ndarray | None = None,
    treadmill_speed_mps: float | None = None,
    height_m: float | None = None,
    break_rows: np.ndarray | None = None,
    lengths_withheld: str | None = None,
) -> LandmarkWalk:
    """Events and contacts of a side view from ``landmarks`` ``(n, 33, 4)`` (rows at
    ``frame_indices`` / ``times_s`` ``(n,)``), with lengths as the module says.

    ``break_rows`` ``(c,)``: rows no pass of contacts may span (the cuts of an edited video),
    besides the landmarks' own jumps. ``lengths_withheld``: a warning saying why the floor's
    frame cannot give lengths (a travelling camera,
    :func:`gait.walk.camera.parallax`): then no heel position, so no length or
    speed, and the warning in the result's.

    Raises ``NoReliableGait("running")`` for a walker in place, or filmed by a moving camera
    (positions in the floor's frame), with a flight phase (:func:`refuse_running`): walking
    parameters and norms do not apply.
    """
    stature_px = float(view.stature_px)
    if view.in_place:
        refuse_running(landmarks, stature_px, times_s)
    elif camera_path_px is not None:  # a moving camera: the floor level in its frame
        floor_frame = landmarks.astype(np.float64)
        floor_frame[..., :2] -= np.asarray(camera_path_px, np.float64)[:, None, :]
        refuse_running(floor_frame, stature_px, times_s)
    n = frame_indices.size
    # A walker in place faces one way; overground each forward pass is read with its own
    # facing (both ways of an out-and-back walk) and a pass walked backwards is left out.
    read = [] if view.in_place else pass_readings(landmarks, camera_path_px, times_s, stature_px)
    row_facing = row_facings(n, view.facing, read)
    events = landmark_events.detect_events_by_rows(
        landmarks, times_s, stature_px, row_facing, camera_path_px, overground=not view.in_place
    )
    points, _ = landmark_events.forward_positions(landmarks, view.facing, camera_path_px)
    heel_x = points[:, :, HEEL, 0]  # (n, 2) per model leg, floor frame
    cuts = landmark_events.discontinuities(landmarks, stature_px)
    if break_rows is not None:
        cuts = np.union1d(cuts, np.asarray(break_rows, dtype=np.int64))
    # No pass of contacts spans a change of facing (a turn).
    cuts = np.union1d(cuts, np.flatnonzero(np.diff(row_facing) != 0) + 1)

    def frames(walk: Pass) -> dict[str, int]:
        return {
            "start_frame": int(frame_indices[walk.start_pos]),
            "end_frame": int(frame_indices[walk.stop_pos - 1]),
        }

    left_out = [walk for walk, facing in read if facing is None]
    events = without_rows(events, left_out)
    excluded: list[dict[str, Any]] = []
    for walk in left_out:  # no pass of contacts spans one
        cuts = np.union1d(cuts, [walk.start_pos, walk.stop_pos])
        excluded.append({**frames(walk), "reason": "walking_backwards"})
    pass_facings = [
        {**frames(walk), "facing": FACING_WORDS.get(facing)}
        for walk, facing in read
        if facing is not None
    ]
    # Thresholds above are in landmark statures; lengths are in standing ones.
    standing_px = standing_stature_px(stature_px)
    unmeasured = np.full(events.ic_pos.size, np.nan)
    contacts = landmark_contacts_table(
        events, frame_indices, times_s, unmeasured, standing_px, cuts
    )
    per_contact, legs = legs_of_contacts(contacts, events, frame_indices)
    ic_rows, _ = event_rows(contacts, frame_indices)
    speeds, mid_times = [], []
    for k, leg in enumerate(per_contact):
        if leg.size >= 3 and (leg >= 0).all():
            rows = ic_rows[k] + np.arange(leg.size)
            speed = belt_speed_px_per_s(
                heel_x[rows, leg], times_s[rows], [(0, leg.size)], int(row_facing[ic_rows[k]])
            )
            if speed is not None:
                speeds.append(speed)
                mid_times.append(float(times_s[rows].mean()))
    belt = float(np.median(speeds)) if speeds else None
    warnings: list[str] = []
    _, broken = joined_steps(events, times_s, cuts)
    if broken.any():
        after = frame_indices[np.sort(events.ic_pos)[1:][broken]]
        warnings.append(
            f"the feet's alternation broke {counted(int(broken.sum()), 'time')}, before the "
            f"initial {noun(after.size, 'contact')} at {noun(after.size, 'frame')} "
            f"{', '.join(str(f) for f in after)}: a foot off missed or "
            "found twice (the landmarks lost the feet); no step spans a break, treat cadence "
            "and step times with caution"
        )
    treadmill = bool(
        view.in_place and belt is not None and belt >= MIN_BELT_SPEED_STATURE_PER_S * stature_px
    )
    # The heel at each IC: the front heel (the landing foot is the front one).
    ic = np.sort(events.ic_pos)
    front = np.argmax(np.nan_to_num(events.forward[ic, :, HEEL], nan=-np.inf), axis=1)
    belt_scale_mps = None  # the given belt speed, once the lengths rest on it
    ic_heel = np.full(ic.size, np.nan)
    if view.in_place and not treadmill:
        belt = None
        warnings.append(
            "walking in place (the hip stays in place and stance feet do not move back): "
            "lengths and speed are not measurable, only temporal parameters are reported"
        )
    elif lengths_withheld is not None:
        # Also on a treadmill: a camera whose path is not the floor's (parallax) moves the
        # belt too, so the stance feet's travel would give it a wrong speed.
        belt = None
        warnings.append(lengths_withheld)
    elif not treadmill:
        ic_heel = planted_heel_x(heel_x, times_s, ic, front, cuts, stature_px)
    else:
        travel = belt_travel_px(np.asarray(mid_times), np.asarray(speeds), times_s)
        on_belt = heel_x + view.facing * travel[:, None]
        ic_heel = planted_heel_x(on_belt, times_s, ic, front, cuts, stature_px)
        if treadmill_speed_mps is not None:
            given_height_m = height_m
            height_m = standing_px * treadmill_speed_mps / belt
            belt_scale_mps = treadmill_speed_mps
            warnings.append(
                f"treadmill: lengths in metres from the given belt speed "
                f"({treadmill_speed_mps:g} m/s, measured {belt / standing_px:.2f} statures/s)"
            )
            if given_height_m is not None and (
                abs(height_m / given_height_m - 1.0) > MAX_BELT_HEIGHT_DISAGREEMENT
            ):
                warnings.append(
                    f"treadmill: the given belt speed makes the walker {height_m:.2f} m tall, "
                    f"the given height is {given_height_m:.2f} m: one of them is "
                    f"{100 * abs(height_m / given_height_m - 1.0):.0f} % off (a treadmill's "
                    "display can be); lengths and speed rest on the belt speed"
                )
        else:
            warnings.append(
                "treadmill: no belt speed given: lengths relative to stature, from the stance "
                f"feet's travel on the belt ({belt / standing_px:.2f} statures/s)"
            )
    events_sorted = replace(events, ic_pos=ic)
    contacts = landmark_contacts_table(
        events_sorted, frame_indices, times_s, ic_heel, standing_px, cuts
    )
    return LandmarkWalk(
        contacts,
        events,
        legs,
        per_contact,
        belt,
        treadmill,
        height_m,
        warnings,
        int(broken.sum()),
        excluded,
        row_facing,
        pass_facings,
        cuts,
        quality.metric_scale(height_m, belt_scale_mps),
    )


def pass_readings(
    landmarks: np.ndarray,
    camera_path_px: np.ndarray | None,
    times_s: np.ndarray,
    stature_px: float,
) -> list[tuple[Pass, int | None]]:
    """The one-way passes (:func:`gait.walk.passes.passes` on the hip centre's x in the
    floor's frame), each with the facing its events are read with: the way it travels
    (+1 image right, -1 left) when the walker walks forwards, or None when walked backwards
    (the feet point, foot tips ahead of heels,
    :func:`gait.walk.landmark_events.facing_direction` over the pass, against the way the
    walker travels): such a pass is left out, as the footprint route leaves it out. A pass
    whose feet show no facing is taken as walked forwards, as the footprint route takes it.
    ``landmarks`` ``(n, 33, 4)``, ``camera_path_px`` ``(n, 2)`` or None, ``times_s``
    ``(n,)``. Zeni's events assume the facing the walker goes: the indoor walker's backward
    pass, filmed by a shaking hand, had given 8 more "steps" at 93 steps/min; the way back of
    an out-and-back walk read with the way out's facing finds no steps."""
    hip_x = landmark_events.hip_centre_x_px(landmarks)
    if camera_path_px is not None:
        hip_x = hip_x - np.asarray(camera_path_px, np.float64)[:, 0]
    if times_s.size < 3 or not np.isfinite(hip_x).any():
        return []
    interval = float(np.median(np.diff(times_s)))
    out: list[tuple[Pass, int | None]] = []
    for walk in passes(hip_x, interval, stature_px):
        out.append((walk, None if feet_point_backwards(landmarks, walk) else walk.direction))
    return out


def row_facings(n: int, facing: int, read: list[tuple[Pass, int | None]]) -> np.ndarray:
    """``(n,)`` int: the facing each row's events are read with: each forward pass of
    ``read`` (:func:`pass_readings`) its own, elsewhere (standing, turning, a pass walked
    backwards, whose events are dropped) the view's ``facing``."""
    out = np.full(n, facing, dtype=np.int64)
    for walk, own in read:
        if own is not None:
            out[walk.start_pos : walk.stop_pos] = own
    return out


def contact_facings(
    contacts: Contacts, frame_indices: np.ndarray, row_facing: np.ndarray | None, facing: int
) -> np.ndarray:
    """``(m,)`` int: the facing each contact's events were read with: ``row_facing``
    ``(n,)`` at its initial contact (its foot off where the landing was not seen), or
    ``facing`` on every contact when ``row_facing`` is None."""
    if row_facing is None:
        return np.full(len(contacts), facing, dtype=np.int64)
    ic, fo = event_rows(contacts, frame_indices)
    at = np.where(ic >= 0, ic, fo)
    return np.where(at >= 0, row_facing[np.maximum(at, 0)], facing).astype(np.int64)


def without_rows(events: LandmarkEvents, spans: list[Pass]) -> LandmarkEvents:
    """``events`` without those inside any of ``spans`` (rows ``start_pos`` to
    ``stop_pos``)."""
    if not spans:
        return events

    def outside(rows: np.ndarray) -> np.ndarray:
        inside = np.zeros(rows.size, dtype=bool)
        for span in spans:
            inside |= (rows >= span.start_pos) & (rows < span.stop_pos)
        return ~inside

    ic, fo = outside(events.ic_pos), outside(events.fo_pos)
    return replace(
        events,
        ic_pos=events.ic_pos[ic],
        anterior_pos=events.anterior_pos[ic],
        fo_pos=events.fo_pos[fo],
        ic_x_px=None if events.ic_x_px is None else events.ic_x_px[ic],
        fo_x_px=None if events.fo_x_px is None else events.fo_x_px[fo],
    )


def refuse_running(landmarks: np.ndarray, stature_px: float, times_s: np.ndarray) -> None:
    """Raise ``NoReliableGait("running")`` for a walker in place, or in the floor's frame,
    whose feet are both off the floor on :data:`RUNNING_MIN_FLIGHT_SHARE` of frames or more
    (a flight phase). ``landmarks`` ``(n, 33, 4)``, ``times_s`` ``(n,)``."""
    share = flight_frames_share(landmarks, stature_px, times_s)
    if share is not None and share >= RUNNING_MIN_FLIGHT_SHARE:
        raise NoReliableGait(
            "running",
            f"running: both feet are off the floor on {100 * share:.0f} % of frames (a flight "
            "phase, no double support); walking parameters and norms do not apply",
        )


def quality_block(
    walk: LandmarkWalk,
    view: View,
    metrics: dict[str, Any],
    pose_seen: np.ndarray,
    video_px_per_analysis_px: float,
    checks: SelfCheck,
) -> dict[str, Any]:
    """The result's ``quality`` for the landmark route: the keys of
    :func:`gait.walk.quality.quality_block` that apply (the silhouette's are null), what the
    self-checks withheld (``checks``), and the ``view``: what the camera saw and how the
    contacts were timed."""
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
        "excluded_segments": walk.excluded_segments,
        "camera_motion_px": quality.CAMERA_MOTION_PX,
        "stature_px": round(
            standing_stature_px(float(view.stature_px)) * video_px_per_analysis_px, 1
        ),
        "floor_line_px": None,
        "scale": walk.scale,
        "withheld_metrics": checks.withheld,
        "confidence": quality.confidence(
            steady_footprints=in_steps,
            candidate_footprints=len(walk.contacts),
            steady_steps=metrics["steady_steps"],
            step_time_scatter_pct=checks.step_time_scatter_pct,
            failed_checks=len(checks.warnings) + int(walk.broken_alternations > 0),
            pose_coverage=float(np.count_nonzero(pose_seen)) / max(1, n),
        ),
        "confidence_method": quality.CONFIDENCE_METHOD.replace("footprints", "contacts"),
        "view": {
            "kind": view.kind,
            "shoulder_width_torso_ratio": view.width_ratio,
            "facing": FACING_WORDS.get(view.facing),
            "pass_facings": walk.pass_facings,
            "hip_travel_statures": view.travel_statures,
            "treadmill": walk.treadmill,
            # A belt only under a walker in place: overground, the stance feet's drift in the
            # floor's frame is no belt (the shaken indoor walker's read -0.31 statures/s).
            "belt_speed_statures_per_s": (
                round(walk.belt_speed_px_per_s / standing_stature_px(float(view.stature_px)), 4)
                if walk.belt_speed_px_per_s is not None and view.in_place
                else None
            ),
            "contacts_source": "landmarks",
        },
    }


def first_foot_legs(
    contacts: Contacts,
    names: np.ndarray | None,
    per_contact: list[np.ndarray],
    frame_indices: np.ndarray,
    legs: np.ndarray,
) -> np.ndarray:
    """``(n,)`` int: the model leg (0 left, 1 right, -1 unknown) under the first of the
    result's feet on each frame (``left`` once named, else ``A``), as
    :func:`gait.walk.joint_angles.angles_block` takes it. ``contacts`` with ``A``/``B``
    feet, ``names`` ``(m,)`` their names or None; ``per_contact`` and ``legs`` ``(n, 2)``
    from :func:`legs_of_contacts`."""
    if names is None:
        return legs[:, 0].copy()
    out = np.full(frame_indices.size, -1, dtype=np.int64)
    ic, _ = event_rows(contacts, frame_indices)
    for k, leg in enumerate(per_contact):
        if leg.size:
            rows = slice(ic[k], ic[k] + leg.size)
            out[rows] = np.where(leg >= 0, leg if names[k] == "left" else 1 - leg, -1)
    return out
