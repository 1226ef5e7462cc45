"""How far the result can be trusted, and when there is no reliable gait at all."""

from __future__ import annotations

from typing import Any

import numpy as np

from gait.errors import NoReliableGait
from gait.walk import parameters
from gait.walk.passes import Walking

#: Median share of the frame that differs from the background above which the background
#: model is meaningless (a panning camera, a scene cut). Static clips measure 0.02-0.04
#: (the three real clips, synthetic walks), a synthetic walk panned at 3 px per frame 0.26;
#: a walker filling a close side view covers ~0.12 at most.
MAX_FOREGROUND_FRACTION = 0.2
#: Fewest steady steps (footprint pairs) for a gait result.
MIN_STEADY_STEPS = 2
#: Step-time CV (%) above which the contacts, not the walker, are the likely cause: healthy
#: adults vary 2-5 %, pathological gait rarely beyond ~15 %, a 20 % limp alternates to about
#: 20 %; a foot whose footprints broke into slivers gave 82 % (issue 8's field test).
MAX_PLAUSIBLE_STEP_TIME_CV_PCT = 25.0


def check_static_camera(foreground_fraction: np.ndarray) -> None:
    """Raise ``NoReliableGait("camera_motion")`` when most of the frame leaves the background.

    (A per-frame phase-correlation shift was tried and dropped: on plain walls it locks onto
    noise and reports hundreds of pixels for a static camera.)
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
            f"{steady_steps} steady step(s) of forward walking found; at least "
            f"{MIN_STEADY_STEPS} are needed",
        )


def withheld_support_phases(metrics: dict[str, Any], steps: list[dict[str, Any]]) -> list[str]:
    """Withhold (set to None, in place) every support phase when their means cannot be
    walking; the warning that says so, or no warning."""
    implausible = parameters.implausible_support_phases(metrics)
    if not implausible:
        return []
    parameters.drop_support_phases(metrics, steps)
    return [
        f"stance and support phases not reported: {implausible} (a shaking camera or feet "
        "hard to tell from the floor blur the contacts; events and steps are kept)"
    ]


def scattered_step_times(metrics: dict[str, Any]) -> list[str]:
    """A warning when the step times scatter more than walking does
    (:data:`MAX_PLAUSIBLE_STEP_TIME_CV_PCT`): cadence, step times and their variability then
    rest on contacts that may be missed or split. Warns only; the values stay reported."""
    cv = metrics.get("step_time_cv_pct")
    if cv is None or cv <= MAX_PLAUSIBLE_STEP_TIME_CV_PCT:
        return []
    return [
        f"step times scatter (CV {cv:.0f} % > {MAX_PLAUSIBLE_STEP_TIME_CV_PCT:.0f} %): contacts "
        "may be missed or split; treat cadence, step times and variability with caution"
    ]


def confidence(
    steady_footprints: int, candidate_footprints: int, step_time_cv_pct: float | None
) -> float:
    """A 0-1 confidence: the share of forward-pass footprints that are steady, times a term
    that falls as step times scatter (CV 0 % -> 1, CV >= 20 % -> 0.5), times a term that
    grows with the number of steady footprints (4 or more -> 1). A step-time CV that cannot
    be measured (fewer than two steps) counts as the worst scatter, never as a good one."""
    if candidate_footprints == 0:
        return 0.0
    share = steady_footprints / candidate_footprints
    cv = step_time_cv_pct if step_time_cv_pct is not None else 20.0
    scatter = 1.0 - 0.5 * min(1.0, cv / 20.0)
    count = min(1.0, steady_footprints / 4.0)
    return round(share * scatter * count, 3)


#: How :func:`confidence` is computed, served beside it.
CONFIDENCE_METHOD = (
    "share of forward-pass footprints that are steady x (1 - 0.5 min(1, step-time CV / 20 %), "
    "CV unmeasured = 20 %) x min(1, steady footprints / 4)"
)
#: Camera motion in pixels is not measured: :func:`check_static_camera` refuses a moving
#: camera instead (a per-frame shift estimate locked onto noise). The key stays in the
#: result, always null, until a measurement fills it.
CAMERA_MOTION_PX = None


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
) -> dict[str, Any]:
    """The result's ``quality``: what was analysed, left out, and how far to trust it.

    ``walker_seen`` ``(n,)`` bool and ``foreground_fraction`` ``(n,)`` per frame;
    ``stature_px`` and ``floor`` (``y = a + b x``) in analysis pixels, reported in the
    upright video's pixels. ``pose_on_walker`` ``(n,)`` bool, when the person model ran:
    the frames it found a pose on the walker (:func:`gait.walk.person_checks.pose_on_walker`),
    which then give ``frames_with_walker_pct``; ``stature_landmark_ratio``: the landmarks'
    stature over the silhouette's (:func:`gait.walk.person_checks.stature_check`).
    """
    n = walker_seen.size
    with_walker = walker_seen if pose_on_walker is None else pose_on_walker
    to_video = video_px_per_analysis_px
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
        "confidence": confidence(
            int(np.count_nonzero(walking.steady)),
            walking.candidates,
            metrics.get("step_time_cv_pct"),
        ),
        "confidence_method": CONFIDENCE_METHOD,
    }
