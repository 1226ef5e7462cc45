"""The whole-clip stages in order: from every frame's features to the gait result.

Everything here runs once, in ``aggregate``, on the features sorted by frame. Each stage
lives in its own module of :mod:`gait.walk` and takes only what it uses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gait.result import Result
from gait.video import VideoInfo
from gait.walk import parameters, person_checks, quality, self_checks
from gait.walk.contacts import contacts_table
from gait.walk.floor import fit_floor
from gait.walk.footprints import clip_footprints
from gait.walk.joint_angles import angles_block, leg_assignment
from gait.walk.passes import forward_walking
from gait.walk.person_walker import find_person_walker
from gait.walk.scale import fit_stature
from gait.walk.walker import find_walker


@dataclass(frozen=True)
class Clip:
    """What the whole-clip stages know of the video: its probe, the analysis size
    ``(width, height)`` in pixels, the walker's height in metres when given, and the
    treadmill's belt speed in m/s when given (a treadmill walk's spatial scale)."""

    video: VideoInfo
    analysis_size: tuple[int, int]
    height_m: float | None
    treadmill_speed_mps: float | None = None

    @property
    def video_px_per_analysis_px(self) -> float:
        """Pixel values in the result are in the upright video's own pixels."""
        return self.video.display_size[0] / self.analysis_size[0]


def measure(clip: Clip, frame_indices: np.ndarray, arrays: dict[str, np.ndarray]) -> Result:
    """Measure the gait from ``arrays`` (one row per frame in ``frame_indices``, ``(n,)``).

    Raises :class:`gait.errors.NoReliableGait` when no gait can be measured reliably.
    """
    interval_s = clip.video.frame_interval_s
    width, height = clip.analysis_size
    quality.check_static_camera(arrays["foreground_fraction"])
    person = find_person_walker(arrays, clip.video.frame_times_s[frame_indices])
    arrays = {**arrays, **person.arrays()}  # the walker's landmarks, for every later stage
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
    )
    times_s = clip.video.frame_times_s[frame_indices]
    contacts = contacts_table(footprints, walking, frame_indices, times_s, stature_line)
    per_step = parameters.step_values(contacts, clip.height_m)
    quality.require_steps(per_step["row"].size)
    per_stride = parameters.stride_values(contacts, clip.height_m)
    steps = parameters.steps(contacts, per_step, clip.video_px_per_analysis_px)
    metrics = parameters.summary(contacts, per_step, per_stride)
    checks = self_checks.checked(contacts, per_step, per_stride, metrics, steps)
    warnings = walking.warnings + checks.warnings
    angles, pose_seen, stature_ratio = None, None, None
    if "person_landmarks" in arrays:
        landmarks = arrays["person_landmarks"]
        angles, angle_warnings = angles_block(landmarks, frame_indices, times_s, contacts)
        pose_seen = person_checks.pose_on_walker(
            landmarks, arrays["person_pose_score"], walker.boxes
        )
        # Frames of steady walking: a contact of the table is in stance.
        steady = leg_assignment(landmarks, frame_indices, contacts)[0] >= 0
        stature_ratio, stature_warnings = person_checks.stature_check(
            landmarks, steady, stature_line
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
            withheld_metrics=checks.withheld,
            failed_checks=len(checks.warnings),
            step_time_scatter_pct=checks.step_time_scatter_pct,
        ),
        warnings=warnings,
        angles=angles,
        contacts=contacts,
    )
