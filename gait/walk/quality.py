"""How far the result can be trusted, and when there is no reliable gait at all."""

from __future__ import annotations

from typing import Any

import numpy as np

from gait.errors import NoReliableGait
from gait.walk.passes import Walking
from gait.walk.person_checks import statures_disagree
from gait.words import counted

#: Median share of the frame that differs from the background above which the background
#: model is meaningless (a panning camera, a scene cut). Static clips measure 0.02-0.04
#: (the three real clips, synthetic walks), a synthetic walk panned at 3 px per frame 0.26;
#: a walker filling a close side view covers ~0.12 at most.
MAX_FOREGROUND_FRACTION = 0.2
#: Fewest steady steps (footprint pairs) for a gait result.
MIN_STEADY_STEPS = 2


def check_static_camera(foreground_fraction: np.ndarray) -> None:
    """Raise ``NoReliableGait("camera_motion")`` when most of the frame leaves the background:
    the footprints' check on a camera :mod:`gait.walk.camera` found static (or could not
    measure), as their background model needs one static scene.

    (A per-frame phase-correlation shift was tried and dropped: on plain walls it locks onto
    noise and reports hundreds of pixels for a static camera; the camera's motion is now
    measured by Lucas-Kanade on textured background points, :mod:`gait.frame.camera_motion`.)
    """
    fraction = float(np.median(foreground_fraction)) if foreground_fraction.size else 0.0
    if fraction > MAX_FOREGROUND_FRACTION:
        raise NoReliableGait(
            "camera_motion",
            f"{100 * fraction:.0f} % of the frame differs from the background: the camera "
            "moves or the scene changes; a static camera is needed",
        )


def require_steps(steady_steps: int) -> None:
    """Raise ``NoReliableGait("too_few_steps")`` below :data:`MIN_STEADY_STEPS`."""
    if steady_steps < MIN_STEADY_STEPS:
        raise NoReliableGait(
            "too_few_steps",
            f"{counted(steady_steps, 'steady step')} of forward walking found; at least "
            f"{MIN_STEADY_STEPS} are needed",
        )


#: Steady steps from which the count no longer lowers the confidence: a pass over a clinical
#: walkway (GAITRite, 4.3 m) holds about 6 steps at comfortable speed, the usual minimum for
#: mean temporal values; fewer steps give means of two or three values.
CONFIDENT_STEPS = 6
#: Factor per self-check that withheld metrics (:mod:`gait.walk.self_checks`) and per pair
#: of sources that disagree (landmark vs silhouette stature beyond
#: :data:`gait.walk.person_checks.STATURE_DISAGREEMENT`): each is evidence that part of the
#: result rests on contacts or a scale the clip does not support.
FAILED_CHECK_FACTOR = 0.75
#: Share of the frames the walker is seen with a person-model pose on them from which the
#: pose coverage no longer lowers the confidence; below it the walker choice, angles and
#: stature cross-check rest on fewer frames (the two real side views: 90 % and 61 %; the
#: outdoor walker is partly hidden by a tree trunk and grass).
CONFIDENT_POSE_COVERAGE = 0.8


def confidence(
    *,
    steady_footprints: int,
    candidate_footprints: int,
    steady_steps: int,
    step_time_scatter_pct: float | None,
    failed_checks: int = 0,
    disagreeing_sources: int = 0,
    pose_coverage: float | None = None,
) -> float:
    """How far the result can be trusted, 0-1: the product of one term per kind of
    evidence, each 1 when that evidence is strong (see :data:`CONFIDENCE_METHOD`).

    ``step_time_scatter_pct``: the step-time CV within each foot
    (:func:`gait.walk.self_checks.scatter_within_feet_pct`: a limp is not scatter); one that
    cannot be measured (too few steps) counts as the worst scatter, never as a good one.
    ``pose_coverage`` ``None`` (the person model did not run) lowers nothing, as there is
    nothing to cover."""
    if candidate_footprints == 0 or steady_steps == 0:
        return 0.0
    share = steady_footprints / candidate_footprints
    cv = step_time_scatter_pct if step_time_scatter_pct is not None else 20.0
    scatter = 1.0 - 0.5 * min(1.0, cv / 20.0)
    count = min(1.0, steady_steps / CONFIDENT_STEPS)
    checks = FAILED_CHECK_FACTOR ** (failed_checks + disagreeing_sources)
    pose = 1.0 if pose_coverage is None else min(1.0, pose_coverage / CONFIDENT_POSE_COVERAGE)
    return round(share * scatter * count * checks * pose, 3)


#: How :func:`confidence` is computed, served beside it.
CONFIDENCE_METHOD = (
    "product of: share of forward-pass footprints that are steady; 1 - 0.5 min(1, step-time "
    "CV within each foot / 20 %) (unmeasured = 20 %); min(1, steady steps / 6); 0.75 per "
    "self-check that withheld metrics and per disagreeing pair of sources (landmark vs "
    "silhouette stature); min(1, share of the walker's frames with a pose on the walker / 0.8)"
)
#: The quality blocks leave ``camera_motion_px`` null; :func:`gait.walk.measure.measure`
#: fills it from the measured camera path (:meth:`gait.walk.camera.CameraPath.motion_px`).
CAMERA_MOTION_PX = None


def metric_scale(height_m: float | None, from_belt_speed_mps: float | None = None) -> dict | None:
    """The result's ``quality.scale``: the walker height ``height_m`` (m) its values in metres
    rest on, and where it comes from: ``"height"`` (given with the video, or a deployment's
    assumed height) or ``"treadmill_speed"`` (the given belt speed ``from_belt_speed_mps``
    over the belt's measured speed in statures/s, :mod:`gait.walk.landmark_walk`); None when
    no value is in metres (no height, or a frontal or back view)."""
    if height_m is None:
        return None
    scale: dict = {"height_m": round(float(height_m), 4), "from": "height"}
    if from_belt_speed_mps is not None:
        scale.update({"from": "treadmill_speed", "treadmill_speed_mps": from_belt_speed_mps})
    return scale


def quality_block(
    *,
    walker_seen: np.ndarray,
    foreground_fraction: np.ndarray,
    footprints_found: int,
    walking: Walking,
    metrics: dict[str, Any],
    stature_px: float,
    floor: tuple[float, float],
    video_px_per_analysis_px: float,
    pose_on_walker: np.ndarray | None = None,
    stature_landmark_ratio: float | None = None,
    withheld_metrics: list[str] | None = None,
    failed_checks: int = 0,
    step_time_scatter_pct: float | None = None,
    scale: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The result's ``quality``: what was analysed, left out, and how far to trust it.

    ``walker_seen`` ``(n,)`` bool and ``foreground_fraction`` ``(n,)`` per frame;
    ``stature_px`` and ``floor`` (``y = a + b x``) in analysis pixels, reported in the
    upright video's pixels. ``pose_on_walker`` ``(n,)`` bool, when the person model ran:
    the frames it found a pose on the walker (:func:`gait.walk.person_checks.pose_on_walker`),
    which then give ``frames_with_walker_pct``; ``stature_landmark_ratio``: the landmarks'
    stature over the silhouette's (:func:`gait.walk.person_checks.stature_check`).
    ``withheld_metrics``: the metric keys the self-checks withheld, by ``failed_checks``
    checks, and ``step_time_scatter_pct`` the step-time CV within each foot
    (:class:`gait.walk.self_checks.SelfCheck`). ``scale``: :func:`metric_scale`.
    """
    n = walker_seen.size
    with_walker = walker_seen if pose_on_walker is None else pose_on_walker
    to_video = video_px_per_analysis_px
    seen = int(np.count_nonzero(walker_seen))
    pose_coverage = (
        None
        if pose_on_walker is None
        else float(np.count_nonzero(pose_on_walker & walker_seen)) / max(1, seen)
    )
    disagreeing = int(statures_disagree(stature_landmark_ratio))
    return {
        "frames_analysed": n,
        "frames_with_walker_pct": round(100.0 * np.count_nonzero(with_walker) / max(1, n), 2),
        "frames_with_walker_source": "silhouette" if pose_on_walker is None else "person_model",
        "stature_landmark_ratio": stature_landmark_ratio,
        "steady_steps": metrics["steady_steps"],
        "footprints_found": footprints_found,
        "excluded_segments": walking.excluded,
        "camera_motion_px": CAMERA_MOTION_PX,
        "background_changed_pct": round(100.0 * float(np.median(foreground_fraction)), 3),
        "stature_px": round(stature_px * to_video, 1),
        "floor_line_px": {"intercept": round(floor[0] * to_video, 2), "slope": round(floor[1], 6)},
        "scale": scale,
        "withheld_metrics": list(withheld_metrics or []),
        "confidence": confidence(
            steady_footprints=int(np.count_nonzero(walking.steady)),
            candidate_footprints=walking.candidates,
            steady_steps=int(metrics["steady_steps"]),
            step_time_scatter_pct=step_time_scatter_pct,
            failed_checks=failed_checks,
            disagreeing_sources=disagreeing,
            pose_coverage=pose_coverage,
        ),
        "confidence_method": CONFIDENCE_METHOD,
    }
