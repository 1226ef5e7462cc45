"""Metric scale from the walker's stature in pixels and the height the user gave."""

from __future__ import annotations

import numpy as np

from gait.errors import NoReliableGait

#: Plausible human stature, metres: the range a given height must lie in (the CLI and the
#: API both check it).
HEIGHT_RANGE_M = (0.5, 2.5)
#: Treadmill belt speed, m/s: the range a given belt speed must lie in (the CLI and the API
#: both check it). Clinical and home treadmills start at 0.1 m/s (0.36 km/h, the slowest
#: belt setting of gait-rehabilitation treadmills) and reach ~5 m/s (18 km/h, running);
#: walking lies far inside (0.2-2.5 m/s), so a value outside is a typo or another unit
#: (km/h, mph), never a walk.
TREADMILL_SPEED_RANGE_MPS = (0.1, 5.0)
#: The walker's standing stature is taken as this percentile of the per-frame heights
#: (floor line to the top of the blob) over steady walking: the head rises highest at
#: mid-stance, near standing height; lower frames are double support (knees bent).
STATURE_PERCENTILE = 90


def stature_px(
    top_y_px: np.ndarray, centre_x_px: np.ndarray, floor: tuple[float, float]
) -> tuple[float, float] | None:
    """Stature in pixels as a linear function of the image column, ``(s0, s1)`` meaning
    ``stature(x) = s0 + s1 * x`` (perspective: a walker drifting toward the camera grows).

    ``top_y_px``/``centre_x_px``: ``(m,)`` the walker's top row and centre column in the
    frames to use. None with fewer than 5 frames.
    """
    valid = np.isfinite(top_y_px) & np.isfinite(centre_x_px)
    if np.count_nonzero(valid) < 5:
        return None
    x, top = centre_x_px[valid], top_y_px[valid]
    heights = floor[0] + floor[1] * x - top
    if np.ptp(x) > 1:
        s1, s0 = np.polyfit(x, heights, 1)
    else:
        s1, s0 = 0.0, float(np.mean(heights))
    relative = heights / (s0 + s1 * x)
    factor = float(np.percentile(relative, STATURE_PERCENTILE))
    return float(s0 * factor), float(s1 * factor)


def stature_at(stature: tuple[float, float], x_px: float) -> float:
    """The walker's stature in pixels at column ``x_px``."""
    return stature[0] + stature[1] * x_px


def fit_stature(
    top_y_px: np.ndarray, centre_x_px: np.ndarray, floor: tuple[float, float]
) -> tuple[tuple[float, float], float]:
    """The stature line :func:`stature_px` over the walker's frames (``(n,)`` arrays, NaN
    where absent) and the stature at the walker's median column (pixels), its typical size.

    Raises ``NoReliableGait("no_walker")`` when the walker is seen in too few frames.
    """
    stature = stature_px(top_y_px, centre_x_px, floor)
    if stature is None:
        raise NoReliableGait("no_walker", "the walker is seen in too few frames")
    return stature, stature_at(stature, float(np.nanmedian(centre_x_px)))
