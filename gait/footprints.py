"""Floor line, the floor-contact space-time image, and the footprints read from it.

A static camera sees a foot on the floor standing still: in the image of "walker's lowest
pixel within a thin band above the floor" over (time, column), a stance foot is a block
that stays put, a swinging foot a short diagonal streak. Each block is a footprint.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

#: Height of the contact band above the floor line, as a fraction of stature. Chosen on the
#: synthetic matrix and the indoor clip: 0.02 (~3.5 cm) holds the flat foot and the heel's
#: first touch while the swinging foot clears it (toe clearance ~2 cm, heel ~ >5 cm).
BAND_STATURE_FRACTION = 0.02
#: Smallest band, pixels (compression blurs the sole over ~2 pixels).
MIN_BAND_PX = 3
#: A column in contact for less than this is a foot passing, not standing (s).
MIN_CONTACT_S = 0.12
#: Gaps in a column's contact up to this long are bridged (noise, a shoelace flicker), s.
MAX_CONTACT_GAP_S = 0.04
#: A footprint is at least this long along the floor (fraction of stature; a foot is ~0.15).
MIN_FOOT_LENGTH_STATURES = 0.04
#: A footprint lasts at least this long (s): the shortest stance of fast walking is ~0.45 s.
MIN_STANCE_S = 0.2


@dataclass(frozen=True)
class Footprint:
    """A place where a foot stood still.

    ``ic_pos``/``fo_pos``: row indices (into the clip's frame arrays) of the first and last
    frame of contact; ``x0_px``/``x1_px``: its extent along the floor (analysis pixels,
    ``x1`` exclusive).
    """

    ic_pos: int
    fo_pos: int
    x0_px: int
    x1_px: int

    @property
    def centre_px(self) -> float:
        return 0.5 * (self.x0_px + self.x1_px)


def walker_bottom(
    bottom_y: np.ndarray, bottom_blob: np.ndarray, walker_rank: np.ndarray
) -> np.ndarray:
    """The walker's lowest pixel per (frame, column), ``(n, W)`` float, NaN elsewhere."""
    owned = (bottom_blob == walker_rank[:, None]) & (walker_rank[:, None] > 0)
    return np.where(owned, bottom_y.astype(np.float64), np.nan)


def floor_line(walker_bottom_px: np.ndarray) -> tuple[float, float] | None:
    """Fit ``y = a + b x`` through the walker's lowest point of each frame (a foot is always
    on the floor while walking). Returns ``(a, b)`` or None with too few frames.

    A trimmed fit keeps the lower envelope: points more than a few pixels above the line
    (frames where the visible low point is a lifted foot) are dropped and the fit repeated.
    """
    has = ~np.all(np.isnan(walker_bottom_px), axis=1)
    if np.count_nonzero(has) < 5:
        return None
    rows = walker_bottom_px[has]
    lowest_x = np.nanargmax(rows, axis=1).astype(np.float64)
    lowest_y = np.nanmax(rows, axis=1)
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


def contact_image(
    walker_bottom_px: np.ndarray, floor: tuple[float, float], band_px: float
) -> np.ndarray:
    """``(n, W)`` uint8, 1 where the walker's lowest pixel lies in the band above the floor."""
    a, b = floor
    width = walker_bottom_px.shape[1]
    floor_y = a + b * np.arange(width, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        contact = walker_bottom_px >= (floor_y - band_px)[None, :]
    return contact.astype(np.uint8)


def find_footprints(
    contact: np.ndarray, frame_interval_s: float, stature_px: float
) -> list[Footprint]:
    """Still blocks of the contact image, as footprints ordered by initial contact.

    A column belongs to a footprint while it stays in contact for at least
    :data:`MIN_CONTACT_S`; neighbouring such columns form the footprint.
    """
    n = contact.shape[0]
    if n == 0:
        return []
    gap = max(1, round(MAX_CONTACT_GAP_S / frame_interval_s))
    # Bridge short gaps in time (a closing along the time axis only).
    kernel = np.ones((2 * gap + 1, 1), np.uint8)
    bridged = cv2.morphologyEx(contact, cv2.MORPH_CLOSE, kernel)
    bridged = np.minimum(bridged, cv2.dilate(contact, kernel))  # no growth at run ends
    long_runs = _long_runs(bridged, max(2, round(MIN_CONTACT_S / frame_interval_s)))
    count, _labels, stats, _ = cv2.connectedComponentsWithStats(long_runs, connectivity=8)
    min_width = max(2, MIN_FOOT_LENGTH_STATURES * stature_px)
    min_frames = max(3, round(MIN_STANCE_S / frame_interval_s))
    footprints = []
    for label in range(1, count):
        x, t, w, h, _area = (int(v) for v in stats[label])
        if w < min_width or h < min_frames:
            continue
        footprints.append(Footprint(ic_pos=t, fo_pos=t + h - 1, x0_px=x, x1_px=x + w))
    footprints.sort(key=lambda f: (f.ic_pos, f.x0_px))
    return footprints


def _long_runs(image: np.ndarray, min_length: int) -> np.ndarray:
    """Keep only vertical (time) runs of ones at least ``min_length`` long; ``(n, W)`` uint8."""
    n = image.shape[0]
    padded = np.zeros((n + 2, image.shape[1]), np.int8)
    padded[1:-1] = image
    change = np.diff(padded, axis=0)
    out = np.zeros_like(image)
    starts_t, starts_x = np.nonzero(change == 1)
    ends_t, ends_x = np.nonzero(change == -1)
    # Runs are matched column by column: sort both by (column, time).
    start_order = np.lexsort((starts_t, starts_x))
    end_order = np.lexsort((ends_t, ends_x))
    starts_t, starts_x = starts_t[start_order], starts_x[start_order]
    ends_t = ends_t[end_order]
    lengths = ends_t - starts_t
    for s, e, x in zip(starts_t[lengths >= min_length], ends_t[lengths >= min_length],
                       starts_x[lengths >= min_length], strict=True):
        out[s:e, x] = 1
    return out
