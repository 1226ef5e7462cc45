"""How far the result can be trusted, and when there is no reliable gait at all."""

from __future__ import annotations

import numpy as np

from gait.errors import NoReliableGait
from gait.track import Track

#: Median share of the frame that differs from the background above which the background
#: model is meaningless (a panning camera, a scene cut). Static clips measure 0.02-0.04
#: (the three real clips, synthetic walks), a synthetic walk panned at 3 px per frame 0.26;
#: a walker filling a close side view covers ~0.12 at most.
MAX_FOREGROUND_FRACTION = 0.2
#: Another person walking across during this share of the walker's frames makes the scene
#: ambiguous (pedestrians, a crowd).
MAX_SHARED_FRAMES = 0.3


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


def choose_walker(walking: list[Track]) -> Track:
    """The walker among the tracks that walk across, or ``NoReliableGait``.

    The walker is the track travelling furthest; another walking track sharing more than
    :data:`MAX_SHARED_FRAMES` of its frames means several people walk at once.
    """
    if not walking:
        raise NoReliableGait("no_walker", "no person walks across the frame")
    walker = max(walking, key=lambda t: (t.travel_px, -int(t.positions[0])))
    frames = set(walker.positions.tolist())
    for other in walking:
        if other is walker:
            continue
        shared = len(frames.intersection(other.positions.tolist())) / max(1, len(frames))
        if shared > MAX_SHARED_FRAMES:
            raise NoReliableGait(
                "several_people",
                "several people walk across the frame at the same time; film one walker",
            )
    return walker


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
