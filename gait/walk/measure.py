"""The whole-clip stages in order: from every frame's features to the gait result.

Everything here runs once, in ``aggregate``, on the features sorted by frame. Each stage
lives in its own module of :mod:`gait.walk` and takes only what it uses.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from gait.errors import NoReliableGait
from gait.person.tracker import MIN_POSE_SCORE
from gait.result import Result
from gait.video import VideoInfo
from gait.walk import (
    camera,
    frontal_walk,
    landmark_events,
    landmark_walk,
    parameters,
    person_checks,
    quality,
    self_checks,
)
from gait.walk.contacts import Contacts, contacts_table
from gait.walk.event_check import MAX_WITHHELD_SHARE, check_and_fill
from gait.walk.floor import fit_floor
from gait.walk.footprints import clip_footprints
from gait.walk.joint_angles import angles_block, leg_assignment
from gait.walk.landmark_walk import measure_landmark_walk
from gait.walk.passes import forward_walking
from gait.walk.person_checks import landmark_stature_px
from gait.walk.person_walker import PersonWalker, find_person_walker
from gait.walk.scale import fit_stature
from gait.walk.self_checks import SelfCheck
from gait.walk.sides import name_feet, with_feet_named
from gait.walk.views import MIN_FEET_SEEN_SHARE, View, classify_view, feet_seen_share
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


def measure(
    clip: Clip,
    frame_indices: np.ndarray,
    arrays: dict[str, np.ndarray],
    camera_path_px: np.ndarray | None = None,
) -> Result:
    """Measure the gait from ``arrays`` (one row per frame in ``frame_indices``, ``(n,)``).

    First the camera (:mod:`gait.walk.camera`): a static camera keeps the routes below as
    they are; a moving one is compensated (its path, ``(n, 2)`` px, is subtracted from the
    landmarks: positions in the floor's frame), which takes a side view to the landmark
    route, as do cuts (shots are measured apart: no step spans a cut); motion too strong to
    follow is refused (``camera_motion``), and a video whose cuts leave no shot long enough
    (``edited_video``).
    ``camera_path_px`` given overrides the measured path.

    Then the route follows the view the person model's landmarks show
    (:mod:`gait.walk.views`): an overground side view is timed by the footprints, checked
    and completed by the landmark events; a walker in place (treadmill) or filmed by a
    moving camera by the landmark events alone; a frontal or back view by the feet's gap
    (:mod:`gait.walk.frontal_walk`: temporal values only, any camera).

    Raises :class:`gait.errors.NoReliableGait` when no gait can be measured reliably.
    """
    times_s = clip.video.frame_times_s[frame_indices]
    fps = 1.0 / max(clip.video.frame_interval_s, 1e-3)
    path = camera.camera_path(arrays, clip.analysis_size[0], fps)  # cuts: scene changes only
    camera.check_motion(path)
    if not (path.moving or path.cut_rows.size):
        quality.check_static_camera(arrays["foreground_fraction"])
    person = find_person_walker(arrays, times_s)
    arrays = {**arrays, **person.arrays()}  # the walker's landmarks, for every later stage
    path = camera.camera_path(arrays, clip.analysis_size[0], fps, walker_jumps(arrays))
    camera.check_shots(path, times_s)
    if path.moving or path.cut_rows.size:
        # A background model spans the whole clip, so footprints need one static shot; the
        # landmarks are measured shot by shot (the path restarts at each cut).
        camera_path_px = path.path_px if camera_path_px is None else camera_path_px
    result = _measure_walk(clip, frame_indices, arrays, person, camera_path_px, path.cut_rows)
    result.quality["camera_motion_px"] = path.motion_px(clip.video_px_per_analysis_px)
    result.warnings[:0] = camera.warnings(path, frame_indices)
    return result


def walker_jumps(arrays: dict[str, np.ndarray]) -> np.ndarray | None:
    """Rows ``(j,)`` where the walker's body jumps (a cut, or the walker's track moving to
    someone else), None without a walker."""
    landmarks = arrays.get("person_landmarks")
    if landmarks is None or not np.isfinite(landmarks[..., 0]).any():
        return None
    stature = landmark_stature_px(landmarks.astype(np.float64))
    stature = stature[np.isfinite(stature) & (stature > 0)]
    if not stature.size:
        return None
    return landmark_events.discontinuities(landmarks, float(np.median(stature)))


def _measure_walk(
    clip: Clip,
    frame_indices: np.ndarray,
    arrays: dict[str, np.ndarray],
    person: PersonWalker,
    camera_path_px: np.ndarray | None,
    cut_rows: np.ndarray,
) -> Result:
    """:func:`measure` once the walker and the camera are known: ``camera_path_px``
    ``(n, 2)`` px, None for a static camera without cuts (the footprint route); ``cut_rows``
    ``(c,)`` rows that start a shot (the landmark route breaks passes there)."""
    interval_s = clip.video.frame_interval_s
    width, height = clip.analysis_size
    times_s = clip.video.frame_times_s[frame_indices]
    view = (
        classify_view(arrays["person_landmarks"], camera_path_px)
        if "person_landmarks" in arrays
        else None
    )
    if view is not None and (view.kind == "frontal_or_back" or view.in_place):
        shown = feet_seen_share(arrays["person_landmarks"])
        if shown < MIN_FEET_SEEN_SHARE:
            raise NoReliableGait(
                "no_walker",
                f"{view.describe()}: the person in view shows both feet on "
                f"{100 * shown:.0f} % of frames; nobody walks in view",
            )
    if view is not None and view.kind == "frontal_or_back":
        # Both heels on one frame: the camera's motion cancels (gait.walk.frontal_walk).
        return _measure_frontal(clip, frame_indices, times_s, arrays, view)
    if view is not None and view.kind == "side" and (view.in_place or camera_path_px is not None):
        return _measure_by_landmarks(
            clip, frame_indices, times_s, arrays, view, camera_path_px, cut_rows
        )
    if camera_path_px is not None:
        raise NoReliableGait(
            "camera_motion",
            "the camera moves and no side view of a walker was found to measure in the "
            "floor's frame (the footprints need a static camera)",
        )
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
    contacts = contacts_table(footprints, walking, frame_indices, times_s, stature_line)
    landmarks = arrays.get("person_landmarks")
    check_warnings: list[str] = []
    withheld_share = 0.0
    if landmarks is not None and view is not None and view.kind == "side" and view.facing:
        kept = [footprints[row] for row in np.flatnonzero(walking.steady)]
        events = landmark_events.detect_events(
            landmarks, times_s, view.stature_px, view.facing, camera_path_px
        )
        contacts, check_warnings, withheld_share = check_and_fill(
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
    legs, name_warnings = None, []
    if landmarks is not None:
        legs = leg_assignment(landmarks, frame_indices, contacts)
        swap = legs[0]
        names, name_warnings = name_feet(
            contacts,
            frame_indices,
            landmarks,
            np.stack([swap, np.where(swap >= 0, 1 - swap, -1)], axis=1),
            view.facing if view is not None else 0,
            view.kind if view is not None else "unknown",
        )
        if names is not None:
            contacts = with_feet_named(contacts, names)
            legs = leg_assignment(landmarks, frame_indices, contacts)
    steps, metrics, checks = checked_parameters(
        contacts, clip.height_m, clip.video_px_per_analysis_px
    )
    withheld, failed = list(checks.withheld), len(checks.warnings)
    if withheld_share > MAX_WITHHELD_SHARE and metrics["stance_pct"] is not None:
        blurred = self_checks.Withheld(
            f"stance and support phases not reported: the body landmarks contradict "
            f"{100 * withheld_share:.0f} % of the footprint events (more than "
            f"{100 * MAX_WITHHELD_SHARE:.0f} %), so the footprints' timing is blurred",
            metric_prefixes=self_checks.SUPPORT_PREFIXES,
            step_keys=parameters.STEP_SUPPORT_KEYS,
        )
        withheld += self_checks.withhold(metrics, steps, blurred)
        check_warnings.append(blurred.warning)
        failed += 1
    warnings = walking.warnings + check_warnings + name_warnings + checks.warnings
    angles, pose_seen, stature_ratio = None, None, None
    if landmarks is not None:
        angles, angle_warnings = angles_block(
            angle_landmarks(arrays), frame_indices, times_s, contacts, legs
        )
        pose_seen = person_checks.pose_on_walker(
            landmarks, arrays["person_pose_score"], walker.boxes
        )
        # Frames of steady walking: a contact of the table is in stance.
        steady = swap >= 0
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
            withheld_metrics=withheld,
            failed_checks=failed,
            step_time_scatter_pct=checks.step_time_scatter_pct,
        ),
        warnings=warnings,
        angles=angles,
        contacts=contacts,
    )


def angle_landmarks(arrays: dict[str, np.ndarray]) -> np.ndarray:
    """The walker's landmarks the joint angles read: refined by the model's heatmap
    (``person_refined_landmarks``) when the chunks kept them, else ``person_landmarks``. Both
    name the legs alike, so one leg assignment serves both."""
    return arrays.get("person_refined_landmarks", arrays["person_landmarks"])


def _measure_by_landmarks(
    clip: Clip,
    frame_indices: np.ndarray,
    times_s: np.ndarray,
    arrays: dict[str, np.ndarray],
    view: View,
    camera_path_px: np.ndarray | None,
    cut_rows: np.ndarray,
) -> Result:
    """A side view of a walker in place (treadmill), or filmed by a moving camera
    (``camera_path_px`` subtracted: the floor's frame): events, contacts and lengths from
    the landmarks (:func:`gait.walk.landmark_walk.measure_landmark_walk`)."""
    landmarks = arrays["person_landmarks"]
    walk = measure_landmark_walk(
        landmarks,
        frame_indices,
        times_s,
        view,
        camera_path_px=camera_path_px,
        treadmill_speed_mps=clip.treadmill_speed_mps,
        height_m=clip.height_m,
        break_rows=cut_rows,
    )
    if len(walk.contacts) == 0:
        raise NoReliableGait("no_walker", f"{view.describe()}: the person in view does not step")
    legs = walk.legs
    names, name_warnings = name_feet(
        walk.contacts, frame_indices, landmarks, legs, view.facing, view.kind
    )
    first_legs = landmark_walk.first_foot_legs(
        walk.contacts, names, walk.stance_legs, frame_indices, legs
    )
    contacts = with_feet_named(walk.contacts, names)
    steps, metrics, checks = checked_parameters(
        contacts, walk.height_m, clip.video_px_per_analysis_px
    )
    warnings = walk.warnings + name_warnings + checks.warnings
    direction = np.full(frame_indices.size, view.facing)
    angles, angle_warnings = angles_block(
        angle_landmarks(arrays),
        frame_indices,
        times_s,
        contacts,
        (first_legs, direction),
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


def _measure_frontal(
    clip: Clip,
    frame_indices: np.ndarray,
    times_s: np.ndarray,
    arrays: dict[str, np.ndarray],
    view: View,
) -> Result:
    """A frontal or back view: temporal parameters from the landmarks
    (:func:`gait.walk.frontal_walk.measure_frontal_walk`); lengths, speed and the sagittal
    angles are null, with the reason."""
    landmarks = arrays["person_landmarks"]
    walk = frontal_walk.measure_frontal_walk(landmarks, frame_indices, times_s, view)
    contacts = walk.contacts
    steps, metrics, checks = checked_parameters(contacts, None, clip.video_px_per_analysis_px)
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


def checked_parameters(
    contacts: Contacts, height_m: float | None, video_px_per_analysis_px: float
) -> tuple[list[dict], dict, SelfCheck]:
    """The result's ``steps`` and ``metrics`` of ``contacts``, checked against themselves
    (:func:`gait.walk.self_checks.checked` withholds in place or refuses): the one sequence
    both routes run. Raises
    ``NoReliableGait`` when there are too few steps or the contacts contradict walking."""
    per_step = parameters.step_values(contacts, height_m)
    quality.require_steps(per_step["row"].size)
    per_stride = parameters.stride_values(contacts, height_m)
    steps = parameters.steps(contacts, per_step, video_px_per_analysis_px)
    metrics = parameters.summary(contacts, per_step, per_stride)
    checks = self_checks.checked(contacts, per_step, per_stride, metrics, steps)
    return steps, metrics, checks
