"""The walker's lowest pixels over (frame, column), and the floor line they stand on.

A foot on the floor is the walker's lowest pixel in its columns, so the floor is the lower
envelope of each frame's lowest walker pixel. The ``(n, W)`` image of those pixels is built
:data:`WINDOW_FRAMES` at a time (:func:`windows`), so memory does not grow with the clip.
"""

from __future__ import annotations

import numpy as np

from gait.errors import NoReliableGait
from gait.frame.rows import Rows

#: The space-time images are built this many frames at a time (plus a margin on each side),
#: so the aggregate's memory does not grow with the clip's length: 30 s at 30 fps.
WINDOW_FRAMES = 900
#: Margin around each window (s): longer than any stance of walking, so a footprint whose
#: initial contact falls in a window is whole within it and its margins.
WINDOW_MARGIN_S = 3.0
#: Smallest height of a band above or below the floor line, pixels (compression blurs the
#: sole over ~2 pixels).
MIN_BAND_PX = 3

#: Columns this far (fraction of the walker's box height) beyond the box's sides still
#: belong to the walker: a foot split off the body's blob swings up to ~0.45 box heights
#: ahead of it (outdoor clip: sandals in grass, trousers close to the lawn's colour).
SIDE_MARGIN_STATURES = 0.5
#: The walker's lowest pixel may lie this far (fraction of box height) below its box: shoes
#: that differ little from the floor, or legs lost against a skirting board or grass, split
#: the feet off the body's blob (the outdoor clip loses whole shins: feet lie ~0.45 box
#: heights below a box that ends at the knees). What lies below the floor is dropped later
#: (:func:`drop_below_floor`).
BELOW_BOX_STATURES = 1.0
#: A walker pixel further than this below the floor line (fraction of stature) is not the
#: walker's (a reflection, a shadow edge, noise) and is dropped.
BELOW_FLOOR_STATURES = 0.03


def walker_bottom(bottom_y: np.ndarray, walker_boxes: np.ndarray) -> np.ndarray:
    """The walker's lowest pixel per (frame, column), ``(n, W)`` float32, NaN elsewhere.

    float32 holds every row index exactly and keeps a 10-minute clip's array at ~70 MB.

    ``bottom_y`` ``(n, W)``: each column's lowest foreground row (-1 when none);
    ``walker_boxes`` ``(n, 7)``: the walker's blob per frame (x0, y0, x1, y1, ...), rows of
    -1 where the walker is absent. A column's lowest pixel is the walker's when it lies under
    the box (with :data:`SIDE_MARGIN_STATURES`) and between the box's middle and
    :data:`BELOW_BOX_STATURES` below it, whichever blob it was grouped into.
    """
    _n, width = bottom_y.shape
    present = walker_boxes[:, 0] >= 0
    x0, y0, x1, y1 = (walker_boxes[:, k].astype(np.float32)[:, None] for k in range(4))
    box_height = y1 - y0
    columns = np.arange(width, dtype=np.float32)[None, :]
    margin = SIDE_MARGIN_STATURES * box_height
    y = bottom_y.astype(np.float32)
    owned = (
        present[:, None]
        & (bottom_y >= 0)
        & (columns >= x0 - margin)
        & (columns < x1 + margin)
        & (y >= y0 + 0.5 * box_height)
        & (y <= y1 + BELOW_BOX_STATURES * box_height)
    )
    y[~owned] = np.nan
    return y


def drop_below_floor(
    walker_bottom_px: np.ndarray, floor: tuple[float, float], stature_px: float
) -> np.ndarray:
    """``walker_bottom_px`` (``(n, W)``, modified in place and returned) with points far
    below the floor line set to NaN."""
    a, b = floor
    floor_y = a + b * np.arange(walker_bottom_px.shape[1], dtype=np.float64)
    limit = floor_y + max(MIN_BAND_PX, BELOW_FLOOR_STATURES * stature_px)
    with np.errstate(invalid="ignore"):
        below = walker_bottom_px > limit[None, :]
    walker_bottom_px[below] = np.nan
    return walker_bottom_px


def lowest_points(walker_bottom_px: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each frame's lowest walker pixel: column and row, two ``(n,)`` float arrays, NaN in
    frames without one."""
    n = walker_bottom_px.shape[0]
    x, y = np.full(n, np.nan), np.full(n, np.nan)
    has = ~np.all(np.isnan(walker_bottom_px), axis=1)
    if np.any(has):
        rows = walker_bottom_px[has]
        x[has] = np.nanargmax(rows, axis=1)
        y[has] = np.nanmax(rows, axis=1)
    return x, y


def floor_line(lowest_x_px: np.ndarray, lowest_y_px: np.ndarray) -> tuple[float, float] | None:
    """Fit ``y = a + b x`` through the walker's lowest point of each frame (``(n,)`` arrays
    from :func:`lowest_points`; a foot is always on the floor while walking). Returns
    ``(a, b)`` or None with too few frames.

    A trimmed fit keeps the lower envelope: points more than a few pixels above the line
    (frames where the visible low point is a lifted foot) are dropped and the fit repeated.
    """
    has = ~np.isnan(lowest_y_px)
    if np.count_nonzero(has) < 5:
        return None
    lowest_x, lowest_y = lowest_x_px[has], lowest_y_px[has]
    keep = np.ones(lowest_x.size, dtype=bool)
    a, b = float(np.median(lowest_y)), 0.0
    for tolerance in (20.0, 8.0, 4.0, 3.0):
        if np.count_nonzero(keep) < 3 or np.ptp(lowest_x[keep]) < 1:
            break
        b, a = np.polyfit(lowest_x[keep], lowest_y[keep], 1)
        residual = lowest_y - (a + b * lowest_x)
        # Below-the-line outliers (a stray blob) are rare; above-the-line ones are lifted feet.
        keep = (residual > -tolerance) & (residual < 2 * tolerance)
    return float(a), float(b)


def windows(n: int, frame_interval_s: float) -> list[tuple[slice, slice]]:
    """``(window, core)`` row ranges: cores tile ``0..n``; windows add the margins."""
    margin = max(1, round(WINDOW_MARGIN_S / frame_interval_s)) if frame_interval_s > 0 else 0
    return [
        (
            slice(max(0, start - margin), min(n, start + WINDOW_FRAMES + margin)),
            slice(start, min(n, start + WINDOW_FRAMES)),
        )
        for start in range(0, n, WINDOW_FRAMES)
    ]


def fit_floor(
    bottom_y: Rows, walker_boxes: np.ndarray, frame_interval_s: float
) -> tuple[float, float]:
    """The floor line ``(a, b)`` (``y = a + b x``, analysis pixels) under the walker.

    ``bottom_y`` ``(n, W)`` and ``walker_boxes`` ``(n, 7)`` as in :func:`walker_bottom`.
    Raises ``NoReliableGait("no_walker")`` when the walker's feet are never visible.
    """
    lowest = [
        lowest_points(walker_bottom(bottom_y[window], walker_boxes[window]))
        for window, _core in windows(bottom_y.shape[0], frame_interval_s)
    ]
    floor = floor_line(
        np.concatenate([x for x, _ in lowest]), np.concatenate([y for _, y in lowest])
    )
    if floor is None:
        raise NoReliableGait("no_walker", "the walker's feet are never visible")
    return floor
