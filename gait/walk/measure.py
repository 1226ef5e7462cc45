"""The whole-clip stages in order: from every frame's features to the gait result.

Everything here runs once, in ``aggregate``, on the features sorted by frame. :func:`measure`
reads the evidence (the camera's motion and cuts, the walker, the view), plans the route
(:func:`plan_route`) and calls it; each route builds the result and runs the shared
self-checks (:func:`gait.walk.self_checks.checked_parameters`):

* ``footprints`` (:mod:`gait.walk.footprint_route`): a static camera without cuts, unless
  the landmarks show a walker in place or a frontal or back view (a side view, or no view
  known);
* ``landmarks`` (:func:`gait.walk.landmark_route.measure_side`): a treadmill, a moving
  camera or cuts, side view;
* ``frontal`` (:func:`gait.walk.landmark_route.measure_frontal`): a frontal or back view,
  any camera.
"""

from __future__ import annotations

import numpy as np

from gait.errors import NoReliableGait
from gait.result import Result
from gait.walk import camera, footprint_route, landmark_events, landmark_route, quality
from gait.walk.clip import Clip
from gait.walk.person_walker import find_person_walker
from gait.walk.views import MIN_FEET_SEEN_SHARE, View, classify_view, feet_seen_share

__all__ = ["Clip", "measure", "plan_route"]

#: The routes :func:`plan_route` chooses between (see the module).
FOOTPRINTS, LANDMARKS, FRONTAL = "footprints", "landmarks", "frontal"


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
    (:func:`plan_route`): an overground side view is timed by the footprints, checked
    and completed by the landmark events; a walker in place (treadmill) or filmed by a
    moving camera by the landmark events alone; a frontal or back view by the feet's gap
    (:mod:`gait.walk.frontal_walk`: temporal values only, any camera).

    Raises :class:`gait.errors.NoReliableGait` when no gait can be measured reliably.
    """
    times_s = clip.video.frame_times_s[frame_indices]
    fps = 1.0 / max(clip.video.frame_interval_s, 1e-3)
    # The camera's path twice: before the walker is known, so that motion too strong to
    # follow (or a scene the background model cannot hold) is refused as such rather than
    # as no walker; then with the walker's body jumps, which confirm cuts. The two can
    # differ in cuts, so in shots and in static/moving (gait.walk.camera.classify).
    path = camera.camera_path(arrays, clip.analysis_size[0], fps)  # cuts: scene changes only
    camera.check_motion(path)
    if not (path.moving or path.cut_rows.size):
        quality.check_static_camera(arrays["foreground_fraction"])
    person = find_person_walker(arrays, times_s)
    arrays = {**arrays, **person.arrays()}  # the walker's landmarks, for every later stage
    jumps = landmark_events.walker_jumps(arrays.get("person_landmarks"))
    path = camera.camera_path(arrays, clip.analysis_size[0], fps, jumps)
    camera.check_shots(path, times_s)
    if path.moving or path.cut_rows.size:
        # A background model spans the whole clip, so footprints need one static shot; the
        # landmarks are measured shot by shot (the path restarts at each cut).
        camera_path_px = path.path_px if camera_path_px is None else camera_path_px
    route, view = plan_route(arrays, camera_path_px)
    travelling = None
    if route == FRONTAL:
        result = landmark_route.measure_frontal(clip, frame_indices, times_s, arrays, view)
    elif route == LANDMARKS:
        # A travelling camera (parallax) leaves the background's frame sliding under the
        # walker's feet: the floor's own motion gives the path, or no lengths
        # (gait.walk.camera.parallax).
        lengths_withheld = None
        # Whether the camera follows her: overground only (on a treadmill she does not
        # travel, and her lengths come from the belt).
        overground = view is not None and not view.in_place
        hip_x = landmark_events.hip_centre_x_px(arrays["person_landmarks"]) if overground else None
        travelling = (
            None
            if camera_path_px is None
            else camera.parallax(path, walker_x_px=hip_x, frames_per_s=fps)
        )
        if travelling is not None and travelling.path_px is not None:
            camera_path_px = travelling.path_px
        elif travelling is not None:
            lengths_withheld = travelling.warning
        result = landmark_route.measure_side(
            clip,
            frame_indices,
            times_s,
            arrays,
            view,
            camera_path_px,
            path.cut_rows,
            lengths_withheld,
        )
    else:
        try:
            result = footprint_route.measure_by_footprints(
                clip, frame_indices, times_s, arrays, person, view, jumps
            )
        except NoReliableGait as refusal:
            model_steps = person.people[person.walker].steps if person.found else 0
            if (
                path.kind != "unknown"
                or refusal.reason not in ("no_walker", "too_few_steps")
                or model_steps <= quality.MIN_STEADY_STEPS
            ):
                raise
            # The person model saw the walker take more steps than the footprints found, so
            # "no walker" or "too few steps" would be wrong: what fails is the still camera
            # the footprints assume, which a plain background cannot confirm (a hand-held
            # 2 px shake before a plain wall smears every silhouette).
            raise NoReliableGait(
                "camera_motion",
                f"the person model sees the walker take {model_steps} steps but the "
                "footprints give too few, and "
                f"the camera's motion cannot be measured ({path.reason}): a camera moving "
                "before a plain background cannot be compensated; film with the camera held "
                "still (a tripod, or the phone rested on something), or with more of the "
                "room's texture in view",
            ) from refusal
    result.quality["camera_motion_px"] = path.motion_px(clip.video_px_per_analysis_px)
    speeds = (result.metrics.get("speed_mps"), result.metrics.get("speed_statures_per_s"))
    result.warnings[:0] = camera.warnings(
        path,
        frame_indices,
        camera_matters=route != FRONTAL,
        speed_reported=any(speed is not None for speed in speeds),
    )
    if route == LANDMARKS and travelling is not None and lengths_withheld is None:
        result.warnings.insert(1, travelling.warning)
    return result


def plan_route(
    arrays: dict[str, np.ndarray], camera_path_px: np.ndarray | None
) -> tuple[str, View | None]:
    """The route (:data:`FOOTPRINTS`, :data:`LANDMARKS` or :data:`FRONTAL`) and the view
    (:func:`gait.walk.views.classify_view`; None without ``person_landmarks``) of the walker
    in ``arrays``, filmed along ``camera_path_px`` ``(n, 2)`` px (None: a static camera
    without cuts). :data:`LANDMARKS` and :data:`FRONTAL` always come with a view.

    Raises ``NoReliableGait``: ``no_walker`` when a frontal view or a walker in place
    shows both feet too rarely, ``camera_motion`` when the camera moves and no side view
    was found (the footprints need a static camera)."""
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
        return FRONTAL, view
    if view is not None and view.kind == "side" and (view.in_place or camera_path_px is not None):
        return LANDMARKS, view
    if camera_path_px is not None:
        raise NoReliableGait(
            "camera_motion",
            "the camera moves and no side view of a walker was found to measure in the "
            "floor's frame (the footprints need a static camera)",
        )
    return FOOTPRINTS, view
