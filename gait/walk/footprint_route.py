"""The footprint route: an overground side view filmed by a static camera, without cuts.

The walker's silhouette leaves footprints on the floor-contact image
(:mod:`gait.walk.footprints`): they time the contacts and place the heels. When the person
model saw the walker from the side, its landmark events check and complete the footprints'
(:mod:`gait.walk.event_check`) and its legs name the feet and measure the joint angles.
:func:`gait.walk.measure.measure` chooses this route; it is the only one that needs the
background model (one static scene).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from gait.result import Result
from gait.walk import landmark_events, parameters, person_checks, quality, self_checks
from gait.walk.clip import Clip
from gait.walk.contacts import Contacts, contacts_table
from gait.walk.event_check import MAX_WITHHELD_SHARE, check_and_fill
from gait.walk.floor import fit_floor
from gait.walk.footprints import Footprint, clip_footprints
from gait.walk.joint_angles import (
    angle_landmarks,
    angles_block,
    leg_assignment,
    pass_directions,
)
from gait.walk.landmark_walk import row_facings
from gait.walk.passes import Walking, forward_walking
from gait.walk.person_walker import PersonWalker
from gait.walk.scale import fit_stature
from gait.walk.sides import name_feet, with_feet_named
from gait.walk.views import View
from gait.walk.walker import find_walker


def measure_by_footprints(
    clip: Clip,
    frame_indices: np.ndarray,
    times_s: np.ndarray,
    arrays: dict[str, np.ndarray],
    person: PersonWalker,
    view: View | None,
    body_jumps: np.ndarray | None = None,
) -> Result:
    """The gait of a static side view from its footprints: ``arrays`` one row per frame in
    ``frame_indices`` / ``times_s`` ``(n,)`` (with the walker's ``person_landmarks`` when
    the person model found one: ``person``), ``view`` what the landmarks showed (None
    without landmarks), ``body_jumps`` ``(j,)`` the rows where the walker's body jumps
    (:func:`gait.walk.landmark_events.walker_jumps`), which no joint angle is filtered
    across. Raises ``NoReliableGait`` when no gait can be measured reliably."""
    interval_s = clip.video.frame_interval_s
    width, height = clip.analysis_size
    walker = find_walker(arrays["blobs"], height, person.box_px if person.found else None)
    floor = fit_floor(arrays["bottom_y"], walker.boxes, interval_s)
    stature_line, stature_px = fit_stature(walker.top_y_px, walker.centre_x_px, floor)
    footprints, facing = clip_footprints(
        arrays["bottom_y"], arrays["bottom_run"], walker.boxes, floor, stature_px, interval_s
    )
    walking = forward_walking(
        footprints,
        facing,
        walker.centre_x_px,
        walker.seen,
        frame_indices,
        interval_s,
        width,
        stature_px,
        arrays.get("person_landmarks"),
    )
    contacts = contacts_table(footprints, walking, frame_indices, times_s, stature_line)
    landmarks = arrays.get("person_landmarks")
    check_warnings: list[str] = []
    withheld_share = 0.0
    if landmarks is not None and view is not None and view.kind == "side" and view.facing:
        contacts, check_warnings, withheld_share = checked_by_landmarks(
            contacts, footprints, walking, landmarks, view, frame_indices, times_s
        )
    legs, name_warnings = None, []
    if landmarks is not None:
        legs = leg_assignment(landmarks, frame_indices, contacts)
        swap = legs[0]
        # Each contact faces the way its pass goes (both ways of an out-and-back walk).
        facing = view.facing if view is not None else 0
        directions = pass_directions(contacts)
        names, name_warnings = name_feet(
            contacts,
            frame_indices,
            landmarks,
            np.stack([swap, np.where(swap >= 0, 1 - swap, -1)], axis=1),
            np.where(directions != 0, directions, facing),
            view.kind if view is not None else "unknown",
        )
        if names is not None:
            contacts = with_feet_named(contacts, names)
            legs = leg_assignment(landmarks, frame_indices, contacts)
    stature_ratio, stature_warnings = None, []
    if legs is not None:
        # Frames of steady walking: a contact of the table is in stance.
        stature_ratio, stature_warnings = person_checks.stature_check(
            landmarks, legs[0] >= 0, stature_line
        )
        scale = person_checks.silhouette_stature_scale(stature_ratio)
        stature_px *= scale
        contacts = replace(contacts, stature_px=(stature_line[0] * scale, stature_line[1] * scale))
    steps, metrics, checks = self_checks.checked_parameters(
        contacts, clip.height_m, clip.video_px_per_analysis_px
    )
    withheld, failed = list(checks.withheld), len(checks.warnings)
    if withheld_share > MAX_WITHHELD_SHARE and metrics["stance_pct"] is not None:
        blurred = blurred_support(withheld_share)
        withheld += self_checks.withhold(metrics, steps, blurred)
        check_warnings.append(blurred.warning)
        failed += 1
    warnings = walking.warnings + check_warnings + name_warnings + checks.warnings
    angles, pose_seen = None, None
    if landmarks is not None:
        angles, angle_warnings = angles_block(
            angle_landmarks(arrays),
            frame_indices,
            times_s,
            contacts,
            legs,
            body_jumps,
        )
        pose_seen = person_checks.pose_on_walker(
            landmarks, arrays["person_pose_score"], walker.boxes
        )
        warnings += angle_warnings + stature_warnings
    if clip.height_m is None:
        warnings.append("no height given: lengths and speed are relative to stature only")
    return Result(
        video=clip.video.to_dict(),
        events=contacts.events(),
        steps=steps,
        metrics=metrics,
        quality=quality.quality_block(
            scale=quality.metric_scale(clip.height_m),
            walker_seen=walker.seen,
            foreground_fraction=arrays["foreground_fraction"],
            footprints_found=len(footprints),
            walking=walking,
            metrics=metrics,
            stature_px=stature_px,
            floor=floor,
            video_px_per_analysis_px=clip.video_px_per_analysis_px,
            pose_on_walker=pose_seen,
            stature_landmark_ratio=stature_ratio,
            withheld_metrics=withheld,
            failed_checks=failed,
            step_time_scatter_pct=checks.step_time_scatter_pct,
        ),
        warnings=warnings,
        angles=angles,
        contacts=contacts,
    )


def checked_by_landmarks(
    contacts: Contacts,
    footprints: list[Footprint],
    walking: Walking,
    landmarks: np.ndarray,
    view: View,
    frame_indices: np.ndarray,
    times_s: np.ndarray,
) -> tuple[Contacts, list[str], float]:
    """The footprints' ``contacts`` checked against, and filled from, the landmark events
    of a side ``view`` (:func:`gait.walk.event_check.check_and_fill`): the contacts, the
    warnings and the share of checked events withheld. ``footprints`` all the clip's,
    ``walking`` which of them are steady; ``landmarks`` ``(n, 33, 4)`` analysis px."""
    kept = [footprints[row] for row in np.flatnonzero(walking.steady)]
    # Each forward pass read with its own facing: the way back of an out-and-back walk, read
    # with the way out's, had contradicted its footprints.
    row_facing = row_facings(
        frame_indices.size, view.facing, [(walk, walk.direction) for walk in walking.forward_passes]
    )
    events = landmark_events.detect_events_by_rows(
        landmarks, times_s, view.stature_px, row_facing, overground=True
    )
    return check_and_fill(
        contacts,
        np.array([f.ic_pos for f in kept], dtype=np.int64),
        np.array([f.fo_pos for f in kept], dtype=np.int64),
        events.ic_pos,
        events.fo_pos,
        frame_indices,
        times_s,
        np.array([[f.x0_px, f.x1_px] for f in kept], dtype=np.float64).reshape(-1, 2),
        events.ic_x_px,
        events.fo_x_px,
    )


def blurred_support(withheld_share: float) -> self_checks.Withheld:
    """The stance and support phases withheld when the landmarks contradicted more than
    :data:`gait.walk.event_check.MAX_WITHHELD_SHARE` of the footprint events
    (``withheld_share``): the events left come from the same blurred contacts."""
    return self_checks.Withheld(
        f"stance and support phases not reported: the body landmarks contradict "
        f"{100 * withheld_share:.0f} % of the footprint events (more than "
        f"{100 * MAX_WITHHELD_SHARE:.0f} %), so the footprints' timing is blurred",
        metric_prefixes=self_checks.SUPPORT_PREFIXES,
        step_keys=parameters.STEP_SUPPORT_KEYS,
    )
