"""The floor-contact space-time image, and the footprints read from it.

A static camera sees a foot on the floor standing still: in the image of "walker's lowest
pixel within a band above the floor" over (time, column), a stance foot is a block that
stays put, a swinging foot a short diagonal streak. Each block is a footprint; its first and
last frame are then timed against its own floor level (:func:`refine_contact`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import cv2
import numpy as np

from gait.frame.rows import Rows
from gait.walk.floor import MIN_BAND_PX, drop_below_floor, walker_bottom, windows
from gait.walk.runs import runs_of_true

#: Height of the contact band above the floor line, as a fraction of stature (~10 cm for a
#: 1.7 m walker). A loose band, because real ground is not a plane (grass, a sloping path):
#: stillness (:data:`STILL_PX`), not the band, tells a standing foot from a swinging one, and
#: :func:`refine_contact` then times each contact with a thin tolerance. Chosen on the
#: synthetic matrix and the real clips with the stillness test (commit 82b2809; 0.02 before).
BAND_STATURE_FRACTION = 0.06
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
    out = np.zeros_like(image)
    starts, stops, columns = runs_of_true(image)
    long = stops - starts >= min_length
    for start, stop, column in zip(starts[long], stops[long], columns[long], strict=True):
        out[start:stop, column] = 1
    return out


#: A footprint's columns touch the floor while their lowest walker pixel lies within this
#: distance of the footprint's own floor level (fraction of stature; ~7 mm). Thinner than
#: the detection band: the band finds footprints, this times their first and last frame.
CONTACT_TOLERANCE_STATURES = 0.004
#: A column's own floor level is this percentile of its lowest walker pixel over the
#: footprint: the foot flat on the floor, the level a column holds for much of the stance
#: (the heel's columns until heel rise, the toe's from foot flat to foot off: each over
#: half of it or more). Not a higher percentile: the other foot swinging past nearer the
#: camera reads lower in the image for 3-5 frames (~16 % of a stance), and at the 95th
#: percentile it set the level, leaving a 3-frame "contact" in place of a whole stance
#: (the indoor walker's last full step, frames 137-158, was lost as not steady). At 75:
#: the synthetic matrix unchanged but the low-contrast walk (IC 33.0 -> 16.3 ms), the
#: outdoor walker's IC 1.1 -> 1.0 and FO 1.7 -> 1.3 frames (session 6).
LEVEL_PERCENTILE = 75
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

    The floor level is the footprint's own: per column, the :data:`LEVEL_PERCENTILE`
    percentile over the footprint's frames of its lowest walker pixel (a flat foot), so a
    ground that is not a plane does not bias it. Contact is the run of frames around
    mid-stance in which some column of the footprint lies within
    :data:`CONTACT_TOLERANCE_STATURES` of that level: it starts when the heel touches and
    ends when the toe leaves.
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


def facing_offset(footprint: Footprint, bottom_run: np.ndarray, walker_owned: np.ndarray) -> float:
    """Where the shank stands on the footprint, as a signed fraction of its length.

    Over the middle third of the stance, the run of foreground rising from each column's
    lowest pixel (``bottom_run`` ``(n, W)``) is averaged per column; the run-weighted centre
    minus the geometric centre, over the length, is positive when the heel (shank) is on the
    right. NaN when there is nothing to weigh.
    """
    length = footprint.x1_px - footprint.x0_px
    third = max(1, (footprint.fo_pos - footprint.ic_pos + 1) // 3)
    rows = slice(footprint.ic_pos + third, footprint.fo_pos + 1 - third)
    cols = slice(footprint.x0_px, footprint.x1_px)
    runs = np.where(walker_owned[rows, cols], bottom_run[rows, cols], 0).astype(np.float64)
    profile = runs.mean(axis=0) if runs.size else np.zeros(0)
    if profile.size == 0 or profile.sum() <= 0:
        return float("nan")
    xs = np.arange(footprint.x0_px, footprint.x1_px, dtype=np.float64)
    centre = float((profile * xs).sum() / profile.sum())
    return (centre - footprint.centre_px) / max(length, 1)


def clip_footprints(
    bottom_y: Rows,
    bottom_run: Rows,
    walker_boxes: np.ndarray,
    floor: tuple[float, float],
    stature_px: float,
    frame_interval_s: float,
) -> tuple[list[Footprint], np.ndarray]:
    """Every footprint of the clip, ordered by initial contact, and its facing offset.

    ``bottom_y``/``bottom_run`` ``(n, W)``: the per-frame features (read a window of rows
    at a time, so they may be :class:`gait.frame.rows.CompressedRows`); ``walker_boxes``
    ``(n, 7)``: the walker's blob per frame (rows of -1 where absent); ``stature_px``: the
    walker's typical stature. Returns the footprints (row positions of the whole clip) and a
    ``(m,)`` float array of their :func:`facing_offset`.

    Built window by window (:func:`gait.walk.floor.windows`); a footprint belongs to the
    window whose core holds its initial contact, so each is found once, from the same frames
    whatever the chunking.
    """
    band_px = max(MIN_BAND_PX, BAND_STATURE_FRACTION * stature_px)
    walker_seen = walker_boxes[:, 0] >= 0
    found: list[tuple[Footprint, float]] = []
    for window, core in windows(walker_seen.size, frame_interval_s):
        bottom = walker_bottom(bottom_y[window], walker_boxes[window])
        bottom = drop_below_floor(bottom, floor, stature_px)
        contact = contact_image(bottom, floor, band_px)
        blocks = find_footprints(contact, frame_interval_s, stature_px)
        owned = ~np.isnan(bottom)
        for block in merge_fragments(blocks, stature_px):
            local = refine_contact(block, bottom, walker_seen[window], stature_px, frame_interval_s)
            if not core.start <= local.ic_pos + window.start < core.stop:
                continue
            offset = facing_offset(local, bottom_run[window], owned)
            shifted = replace(
                local, ic_pos=local.ic_pos + window.start, fo_pos=local.fo_pos + window.start
            )
            found.append((shifted, offset))
    found.sort(key=lambda item: (item[0].ic_pos, item[0].x0_px))
    return [f for f, _ in found], np.array([o for _, o in found], dtype=np.float64)
