"""The landmark routes: the walk measured from the person model's landmarks alone.

* **side** (:func:`measure_side`): a walker in place (treadmill) or filmed by a moving camera
  or across cuts; events, contacts and lengths from the heels and foot tips
  (:mod:`gait.walk.landmark_walk`), in the floor's frame;
* **frontal or back** (:func:`measure_frontal`): temporal values from the feet's gap
  (:mod:`gait.walk.frontal_walk`), any camera; lengths, speed, support phases and sagittal
  angles null, with the reason.

:func:`gait.walk.measure.measure` chooses the route.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from gait.errors import NoReliableGait
from gait.person.tracker import MIN_POSE_SCORE
from gait.result import Result
from gait.walk import frontal_walk, landmark_walk, parameters, self_checks
from gait.walk.clip import Clip
from gait.walk.joint_angles import angle_landmarks, angles_block
from gait.walk.sides import name_feet, with_feet_named
from gait.walk.views import View


def measure_side(
    clip: Clip,
    frame_indices: np.ndarray,
    times_s: np.ndarray,
    arrays: dict[str, np.ndarray],
    view: View,
    camera_path_px: np.ndarray | None,
    cut_rows: np.ndarray,
    lengths_withheld: str | None = None,
) -> Result:
    """A side ``view`` of a walker in place (treadmill), or filmed by a moving camera
    (``camera_path_px`` ``(n, 2)`` px subtracted: the floor's frame; None for a static
    one): events, contacts and lengths from the landmarks
    (:func:`gait.walk.landmark_walk.measure_landmark_walk`; no lengths, with the warning
    ``lengths_withheld`` when given); no pass spans ``cut_rows`` ``(c,)``. ``arrays`` one
    row per frame in ``frame_indices`` / ``times_s`` ``(n,)``."""
    landmarks = arrays["person_landmarks"]
    walk = landmark_walk.measure_landmark_walk(
        landmarks,
        frame_indices,
        times_s,
        view,
        camera_path_px=camera_path_px,
        treadmill_speed_mps=clip.treadmill_speed_mps,
        height_m=clip.height_m,
        break_rows=cut_rows,
        lengths_withheld=lengths_withheld,
    )
    if len(walk.contacts) == 0:
        raise NoReliableGait("no_walker", f"{view.describe()}: the person in view does not step")
    legs = walk.legs
    # Each contact's own facing: the way back of an out-and-back walk shows the other side.
    facings = landmark_walk.contact_facings(
        walk.contacts, frame_indices, walk.row_facing, view.facing
    )
    names, name_warnings = name_feet(
        walk.contacts, frame_indices, landmarks, legs, facings, view.kind
    )
    first_legs = landmark_walk.first_foot_legs(
        walk.contacts, names, walk.stance_legs, frame_indices, legs
    )
    contacts = with_feet_named(walk.contacts, names)
    steps, metrics, checks = self_checks.checked_parameters(
        contacts, walk.height_m, clip.video_px_per_analysis_px
    )
    warnings = walk.warnings + name_warnings + checks.warnings
    direction = (
        np.full(frame_indices.size, view.facing) if walk.row_facing is None else walk.row_facing
    )
    angles, angle_warnings = angles_block(
        angle_landmarks(arrays),
        frame_indices,
        times_s,
        contacts,
        (first_legs, direction),
        walk.break_rows,
    )
    warnings += angle_warnings
    pose_seen = arrays["person_pose_score"] >= MIN_POSE_SCORE
    return Result(
        video=clip.video.to_dict(),
        events=contacts.events(),
        steps=steps,
        metrics=metrics,
        quality=landmark_walk.quality_block(
            walk, view, metrics, pose_seen, clip.video_px_per_analysis_px, checks
        ),
        warnings=warnings,
        angles=angles,
        contacts=contacts,
    )


def measure_frontal(
    clip: Clip,
    frame_indices: np.ndarray,
    times_s: np.ndarray,
    arrays: dict[str, np.ndarray],
    view: View,
) -> Result:
    """A frontal or back ``view``: temporal parameters from the landmarks
    (:func:`gait.walk.frontal_walk.measure_frontal_walk`); lengths, speed, the support
    phases and the sagittal angles are null, with the reason."""
    landmarks = arrays["person_landmarks"]
    walk = frontal_walk.measure_frontal_walk(landmarks, frame_indices, times_s, view)
    contacts = walk.contacts
    steps, metrics, checks = self_checks.checked_parameters(
        contacts, None, clip.video_px_per_analysis_px
    )
    early_foot_offs = self_checks.Withheld(
        frontal_walk.FOOT_OFF_WARNING,
        metric_prefixes=self_checks.SUPPORT_PREFIXES,
        step_keys=parameters.STEP_SUPPORT_KEYS,
    )
    withheld = self_checks.withhold(metrics, steps, early_foot_offs)
    checks = replace(checks, withheld=[*checks.withheld, *withheld])
    pose_seen = arrays["person_pose_score"] >= MIN_POSE_SCORE
    quality_block = landmark_walk.quality_block(
        walk.walk, view, metrics, pose_seen, clip.video_px_per_analysis_px, checks
    )
    quality_block["view"].update(frontal_walk.quality_view(walk.events))
    angle_warning = "joint angles not measured: a frontal or back view shows no sagittal angles"
    return Result(
        video=clip.video.to_dict(),
        events=contacts.events(),
        steps=steps,
        metrics=metrics,
        quality=quality_block,
        warnings=walk.warnings + checks.warnings + [early_foot_offs.warning, angle_warning],
        angles=None,
        contacts=contacts,
    )
