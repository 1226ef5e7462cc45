"""Per-frame features: what a chunk keeps of each frame (small, fixed-size arrays).

Each frame becomes (``W`` = analysis width in pixels, ``K`` = :data:`MAX_BLOBS`):

* ``blobs`` ``(K, 7)`` int32: the largest foreground groups (body parts joined by a small
  dilation), rows ``x0, y0, x1, y1, area_px, cx, cy`` in analysis pixels (``x1``/``y1``
  exclusive, extents of the undilated mask), largest first; unused rows are ``-1``;
* ``bottom_y`` ``(W,)`` int16: per column, the lowest foreground row (-1 when none): the
  floor-contact profile the footprints are read from;
* ``bottom_run`` ``(W,)`` uint8: per column, how many consecutive foreground rows rise from
  that lowest pixel (capped at :data:`RUN_CAP_PX`): short under a toe, long under a heel
  with the shank above it, which tells which way the walker faces;
* ``bottom_blob`` ``(W,)`` uint8: which blob (1..K, 0 = none of them) owns that pixel;
* ``foreground_fraction`` scalar float32: the share of the frame that differs from the
  background (a moving camera makes most of it differ).

About 4 KB per frame before compression, mostly constant runs that compress well.
"""

from __future__ import annotations

import cv2
import numpy as np

from gait import segment

#: Foreground is grouped into blobs on a mask reduced by this factor (any foreground pixel in
#: a 2x2 cell marks the cell): 4x fewer pixels to label, extents still within 1 pixel.
GROUPING_REDUCTION = 2
#: Blobs kept per frame: the walker, a second person, a reflection, and some clutter.
MAX_BLOBS = 6
#: Dilation that joins the parts of one person (legs, torso, head split by low-contrast
#: clothing) into one blob: a square of this side in reduced pixels (10 analysis pixels,
#: ~4 cm for a walker 250 px tall).
GROUPING_KERNEL_PX = 5
#: Blobs smaller than this fraction of the frame are noise, not people.
MIN_BLOB_FRACTION = 0.0004
#: Longest upward run measured from a column's lowest foreground pixel, in pixels.
RUN_CAP_PX = 64
#: Width of the reduced grey image used for the exposure estimate, in pixels.
MOTION_WIDTH_PX = 240

_RADIUS = GROUPING_KERNEL_PX // 2
_GROUPING_KERNEL = cv2.getStructuringElement(cv2.MORPH_RECT, (GROUPING_KERNEL_PX,) * 2)


class FrameFeatureExtractor:
    """Reduce one analysis-resolution frame to its features, given the background.

    ``background`` is ``(h, w, 3)`` BGR uint8. Everything derived from it alone is computed
    once here, not per frame.
    """

    def __init__(self, background: np.ndarray) -> None:
        self.background = np.ascontiguousarray(background)
        height, width = background.shape[:2]
        self.height, self.width = height, width
        self.reduced_size = (
            max(1, width // GROUPING_REDUCTION), max(1, height // GROUPING_REDUCTION)
        )
        self.run_offsets = np.arange(RUN_CAP_PX, dtype=np.int32)[:, None]
        self.columns = np.arange(width)
        self.min_blob_px = max(5, int(MIN_BLOB_FRACTION * height * width) // GROUPING_REDUCTION**2)
        self.motion_size = (MOTION_WIDTH_PX, max(8, round(MOTION_WIDTH_PX * height / width)))
        self.motion_scale = width / MOTION_WIDTH_PX
        self.background_small = _small_grey(self.background, self.motion_size)
        self.shadow_bounds = segment.shadow_limits(self.background)
        self.background_level = segment.brightness_level(self.background_small)

    def __call__(self, image: np.ndarray) -> dict[str, np.ndarray]:
        small = _small_grey(image, self.motion_size)
        gain = segment.exposure_gain(small, self.background_level)
        mask = segment.foreground_mask(image, self.background, gain, self.shadow_bounds)
        # Lowest foreground row per column (argmax finds the first 1 of the flipped column).
        present = cv2.reduce(mask, 0, cv2.REDUCE_MAX).ravel() > 0
        bottom = (self.height - 1 - np.argmax(mask[::-1], axis=0)).astype(np.int32)
        bottom[~present] = -1
        # Run of foreground rising from the lowest pixel: gather RUN_CAP_PX rows above it.
        rows = np.clip(bottom[None, :] - self.run_offsets, 0, self.height - 1)
        column_run = mask[rows, self.columns[None, :]]
        run = np.where(column_run.all(axis=0), RUN_CAP_PX, np.argmin(column_run, axis=0))
        run[~present] = 0

        reduced = cv2.resize(
            mask, self.reduced_size, interpolation=cv2.INTER_AREA
        )  # any pixel set in a cell gives a non-zero mean
        grouped = cv2.dilate(reduced, _GROUPING_KERNEL)
        count, labels, stats, centroids = cv2.connectedComponentsWithStats(grouped, connectivity=8)
        blobs = np.full((MAX_BLOBS, 7), -1, dtype=np.int32)
        owner = np.zeros(count, dtype=np.uint8)
        if count > 1:
            areas = stats[1:, cv2.CC_STAT_AREA]
            order = np.argsort(-areas, kind="stable")[:MAX_BLOBS]
            order = order[areas[order] >= self.min_blob_px]
            for rank, label_minus_1 in enumerate(order):
                label = label_minus_1 + 1
                x, y, w, h, area = (int(v) for v in stats[label])
                # Dilation by a square grows each side by exactly its radius: undo it,
                # then scale the reduced grid back to analysis pixels.
                r = GROUPING_REDUCTION
                blobs[rank] = (
                    (x + _RADIUS) * r,
                    (y + _RADIUS) * r,
                    min(self.width, (x + w - _RADIUS) * r),
                    min(self.height, (y + h - _RADIUS) * r),
                    area * r * r,
                    round(centroids[label, 0] * r),
                    round(centroids[label, 1] * r),
                )
                owner[label] = rank + 1
        r = GROUPING_REDUCTION
        bottom_blob = owner[
            labels[np.minimum(np.maximum(bottom, 0) // r, labels.shape[0] - 1),
                   np.minimum(self.columns // r, labels.shape[1] - 1)]
        ]
        bottom_blob[~present] = 0

        return {
            "blobs": blobs,
            "bottom_y": bottom.astype(np.int16),
            "bottom_run": run.astype(np.uint8),
            "bottom_blob": bottom_blob,
            "foreground_fraction": np.float32(cv2.countNonZero(mask) / mask.size),
        }


def _small_grey(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    return cv2.resize(grey, size, interpolation=cv2.INTER_AREA).astype(np.float32)


def empty_arrays(size: tuple[int, int]) -> dict[str, np.ndarray]:
    """Zero-row arrays with the right shapes and dtypes (a chunk without frames)."""
    width = size[0]
    return {
        "blobs": np.zeros((0, MAX_BLOBS, 7), np.int32),
        "bottom_y": np.zeros((0, width), np.int16),
        "bottom_run": np.zeros((0, width), np.uint8),
        "bottom_blob": np.zeros((0, width), np.uint8),
        "foreground_fraction": np.zeros(0, np.float32),
    }


def stack(rows: list[dict[str, np.ndarray]], size: tuple[int, int]) -> dict[str, np.ndarray]:
    """Stack per-frame dicts into arrays with one row per frame (empty-safe)."""
    if not rows:
        return empty_arrays(size)
    return {name: np.stack([row[name] for row in rows]) for name in rows[0]}
