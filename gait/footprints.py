"""Floor line, the floor-contact space-time image, and the footprints read from it.

A static camera sees a foot on the floor standing still: in the image of "walker's lowest
pixel within a thin band above the floor" over (time, column), a stance foot is a block
that stays put, a swinging foot a short diagonal streak. Each block is a footprint.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import cv2
import numpy as np

#: Height of the contact band above the floor line, as a fraction of stature. Chosen on the
#: synthetic matrix and the indoor clip: 0.02 (~3.5 cm) holds the flat foot and the heel's
#: first touch while the swinging foot clears it (toe clearance ~2 cm, heel ~ >5 cm).
BAND_STATURE_FRACTION = 0.06
#: Smallest band, pixels (compression blurs the sole over ~2 pixels).
MIN_BAND_PX = 3
#: A column's lowest pixel that moves at most this much between frames (pixels) is still.
STILL_PX = 1.0
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
    ``x1`` exclusive). ``ic_seen``/``fo_seen`` are False when the walker is out of sight
    just before the first / after the last frame (clip start or end, the walker leaving the
    frame): contact may have begun earlier or lasted longer, so that event is unknown.
    """

    ic_pos: int
    fo_pos: int
    x0_px: int
    x1_px: int
    ic_seen: bool = True
    fo_seen: bool = True

    @property
    def centre_px(self) -> float:
        return 0.5 * (self.x0_px + self.x1_px)


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


def contact_image(
    walker_bottom_px: np.ndarray, floor: tuple[float, float], band_px: float
) -> np.ndarray:
    """``(n, W)`` uint8, 1 where the walker's lowest pixel stands still near the floor.

    Near: within ``band_px`` above the floor line (a loose band: real ground is not a
    plane). Still: the pixel moved at most :data:`STILL_PX` since the previous or until the
    next frame. A foot on the floor is both; a swinging foot, even one skimming the floor,
    moves several pixels per frame.
    """
    a, b = floor
    width = walker_bottom_px.shape[1]
    floor_y = (a + b * np.arange(width)).astype(np.float32)
    with np.errstate(invalid="ignore"):
        near = walker_bottom_px >= (floor_y - band_px)[None, :]
        still_step = np.abs(np.diff(walker_bottom_px, axis=0)) <= STILL_PX
    still = np.zeros_like(near)
    still[1:] |= still_step  # still since the previous frame
    still[:-1] |= still_step  # still until the next frame
    return (near & still).view(np.uint8)


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


#: Two still blocks closer than this along the floor (fraction of stature) that overlap in
#: time are one foot seen in pieces (a strap, grass hiding part of the sole).
MERGE_GAP_STATURES = 0.03


def merge_fragments(footprints: list[Footprint], stature_px: float) -> list[Footprint]:
    """Join footprints that are pieces of one foot: overlapping in time by at least half the
    shorter one and separated along the floor by at most :data:`MERGE_GAP_STATURES`."""
    merged = sorted(footprints, key=lambda f: (f.x0_px, f.ic_pos))
    gap_px = max(2.0, MERGE_GAP_STATURES * stature_px)
    changed = True
    while changed:
        changed = False
        for i in range(len(merged)):
            for j in range(i + 1, len(merged)):
                a, b = merged[i], merged[j]
                overlap = min(a.fo_pos, b.fo_pos) - max(a.ic_pos, b.ic_pos) + 1
                shorter = min(a.fo_pos - a.ic_pos, b.fo_pos - b.ic_pos) + 1
                gap = max(a.x0_px, b.x0_px) - min(a.x1_px, b.x1_px)
                if overlap >= 0.5 * shorter and gap <= gap_px:
                    merged[i] = Footprint(
                        ic_pos=min(a.ic_pos, b.ic_pos),
                        fo_pos=max(a.fo_pos, b.fo_pos),
                        x0_px=min(a.x0_px, b.x0_px),
                        x1_px=max(a.x1_px, b.x1_px),
                    )
                    del merged[j]
                    changed = True
                    break
            if changed:
                break
    return sorted(merged, key=lambda f: (f.ic_pos, f.x0_px))


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
    for s, e, x in zip(
        starts_t[lengths >= min_length],
        ends_t[lengths >= min_length],
        starts_x[lengths >= min_length],
        strict=True,
    ):
        out[s:e, x] = 1
    return out


#: A footprint's columns touch the floor while their lowest walker pixel lies within this
#: distance of the footprint's own floor level (fraction of stature; ~7 mm). Thinner than
#: the detection band: the band finds footprints, this times their first and last frame.
CONTACT_TOLERANCE_STATURES = 0.004
#: A column's own floor level is this percentile of its lowest walker pixel over the
#: footprint: the foot flat on the floor (the heel lifts in late stance, the toe early).
LEVEL_PERCENTILE = 95
#: ... and never thinner than this (pixels): compression blurs a sole's edge by ~1 pixel.
MIN_CONTACT_TOLERANCE_PX = 1.0
#: The foot off's tolerance, as a multiple of the initial contact's.
TOE_TOLERANCE_FACTOR = 1.5
#: Refinement moves an initial contact or foot off by at most this much (s).
MAX_REFINEMENT_S = 0.15


def refine_contact(
    footprint: Footprint,
    walker_bottom_px: np.ndarray,
    walker_seen: np.ndarray,
    stature_px: float,
    frame_interval_s: float,
) -> Footprint:
    """Time a footprint's first and last frame of contact with a thin tolerance.

    The floor level is the footprint's own: the median, over its middle frames, of the
    lowest walker pixel in its columns (a flat foot mid-stance), so a ground that is not a
    plane does not bias it. Contact is the run of frames around mid-stance in which some
    column of the footprint lies within :data:`CONTACT_TOLERANCE_STATURES` of that level: it
    starts when the heel touches and ends when the toe leaves.
    """
    region = walker_bottom_px[:, footprint.x0_px : footprint.x1_px]
    seen = walker_seen
    stance = region[footprint.ic_pos : footprint.fo_pos + 1]
    if not np.any(np.isfinite(stance)):
        return replace(footprint, ic_seen=False, fo_seen=False)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # columns never seen: NaN level
        level = np.nanpercentile(stance, LEVEL_PERCENTILE, axis=0)
        tolerance = max(MIN_CONTACT_TOLERANCE_PX, CONTACT_TOLERANCE_STATURES * stature_px)
        # A column the heel only grazes on its way in (it slides on and settles further on)
        # has its highest point as its "level": no column's level may stand more than the
        # tolerance above the footprint's flat-sole level.
        level = np.maximum(level, np.nanmedian(level) - tolerance)
        down = region >= (level - tolerance)[None, :]
        # The toe rolls before it lifts: its lowest visible edge creeps up while the tip
        # still stands, so the foot off uses a wider tolerance than the heel strike.
        toe_down = region >= (level - TOE_TOLERANCE_FACTOR * tolerance)[None, :]
    touching = down.any(axis=1)
    toe_touching = toe_down.any(axis=1)
    centre = (footprint.ic_pos + footprint.fo_pos) // 2
    candidates = np.flatnonzero(touching[footprint.ic_pos : footprint.fo_pos + 1])
    if candidates.size == 0:
        return replace(footprint, ic_seen=False, fo_seen=False)
    centre = footprint.ic_pos + int(
        candidates[np.argmin(np.abs(candidates + footprint.ic_pos - centre))]
    )
    limit = max(1, round(MAX_REFINEMENT_S / frame_interval_s))
    first, last = centre, centre
    while first - 1 >= max(0, footprint.ic_pos - limit) and touching[first - 1]:
        first -= 1
    while last + 1 <= min(len(touching) - 1, footprint.fo_pos + limit) and toe_touching[last + 1]:
        last += 1
    return Footprint(
        ic_pos=first,
        fo_pos=last,
        x0_px=footprint.x0_px,
        x1_px=footprint.x1_px,
        ic_seen=first > 0 and bool(seen[first - 1]),
        fo_seen=last < len(seen) - 1 and bool(seen[last + 1]),
    )
