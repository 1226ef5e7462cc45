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
* ``foreground_fraction`` scalar float32: the share of the frame that differs from the
  background (a moving camera makes most of it differ).

About 3 KB per frame before compression, mostly constant runs that compress well.
"""

from __future__ import annotations

import cv2
import numpy as np

from gait.frame import segment

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
#: ``bottom_run`` is measured on every this-many-th column and repeated across the others.
RUN_COLUMN_STEP = 4

_RADIUS = GROUPING_KERNEL_PX // 2
_GROUPING_KERNEL = cv2.getStructuringElement(cv2.MORPH_RECT, (GROUPING_KERNEL_PX,) * 2)


class FrameFeatureExtractor:
    """Reduce one analysis-resolution frame to its features, given the background.

    ``background`` is ``(h, w, 3)`` BGR uint8. Everything derived from it alone is computed
    once here, not per frame. About 4 ms per 960x540 frame on one core: every full-frame
    step is an OpenCV call on ``uint8``; NumPy only touches per-column vectors.
    """

    def __init__(self, background: np.ndarray) -> None:
        self.background = np.ascontiguousarray(background)
        height, width = background.shape[:2]
        self.height, self.width = height, width
        self.reduced_size = (
            max(1, width // GROUPING_REDUCTION),
            max(1, height // GROUPING_REDUCTION),
        )
        self.min_blob_px = max(5, int(MIN_BLOB_FRACTION * height * width) // GROUPING_REDUCTION**2)
        self.run_columns = np.arange(0, width, RUN_COLUMN_STEP)
        self.run_offsets = np.arange(RUN_CAP_PX)[None, :]
        self.shadow_bounds = segment.shadow_limits(self.background)
        self.background_level = segment.brightness_level(self.background)

    def __call__(self, image: np.ndarray) -> dict[str, np.ndarray]:
        if segment.is_blank(image):
            return self.blank()
        gain = segment.brightness_level(image) / max(self.background_level, 1.0)
        image = segment.corrected_exposure(image, gain)
        outline = segment.foreground_mask(image, self.background)
        mask = segment.without_shadows(outline, image, self.shadow_bounds)
        # Columns as rows, lowest pixel first: per-column searches run over contiguous
        # memory (NumPy's argmax down a column of the original is ~6x slower).
        columns = cv2.transpose(cv2.flip(mask, 0))
        present = cv2.reduce(mask, 0, cv2.REDUCE_MAX).ravel() > 0
        depth = np.argmax(columns, axis=1)  # rows from the image bottom to the lowest pixel
        bottom = (self.height - 1 - depth).astype(np.int32)
        bottom[~present] = -1
        # Run of foreground rising from the lowest pixel, on every RUN_COLUMN_STEP-th column
        # (it feeds a per-footprint average; full resolution would triple its cost).
        sampled = columns[self.run_columns]
        rows = np.minimum(depth[self.run_columns, None] + self.run_offsets, self.height - 1)
        rising = np.take_along_axis(sampled, rows, axis=1)
        run = np.where(rising.all(axis=1), RUN_CAP_PX, np.argmin(rising, axis=1))
        run = np.repeat(run, RUN_COLUMN_STEP)[: self.width]
        run[~present] = 0

        # Any pixel set in a 2x2 cell gives the cell a non-zero mean.
        reduced = cv2.resize(outline, self.reduced_size, interpolation=cv2.INTER_AREA)
        grouped = cv2.dilate(reduced, _GROUPING_KERNEL)
        count, _labels, stats, centroids = cv2.connectedComponentsWithStats(grouped, connectivity=8)
        blobs = np.full((MAX_BLOBS, 7), -1, dtype=np.int32)
        if count > 1:
            areas = stats[1:, cv2.CC_STAT_AREA]
            order = np.argsort(-areas, kind="stable")[:MAX_BLOBS]
            order = order[areas[order] >= self.min_blob_px]
            r = GROUPING_REDUCTION
            for rank, label_minus_1 in enumerate(order):
                label = label_minus_1 + 1
                x, y, w, h, area = (int(v) for v in stats[label])
                # Dilation by a square grows each side by exactly its radius: undo it,
                # then scale the reduced grid back to analysis pixels.
                blobs[rank] = (
                    (x + _RADIUS) * r,
                    (y + _RADIUS) * r,
                    min(self.width, (x + w - _RADIUS) * r),
                    min(self.height, (y + h - _RADIUS) * r),
                    area * r * r,
                    round(centroids[label, 0] * r),
                    round(centroids[label, 1] * r),
                )

        return {
            "blobs": blobs,
            "bottom_y": bottom.astype(np.int16),
            "bottom_run": run.astype(np.uint8),
            "foreground_fraction": np.float32(cv2.countNonZero(outline) / outline.size),
        }

    def blank(self) -> dict[str, np.ndarray]:
        """The features of a frame where nothing is seen (a black or blank frame)."""
        return {
            "blobs": np.full((MAX_BLOBS, 7), -1, dtype=np.int32),
            "bottom_y": np.full(self.width, -1, np.int16),
            "bottom_run": np.zeros(self.width, np.uint8),
            "foreground_fraction": np.float32(0.0),
        }


def empty_arrays(size: tuple[int, int]) -> dict[str, np.ndarray]:
    """Zero-row arrays with the right shapes and dtypes (a chunk without frames)."""
    width = size[0]
    return {
        "blobs": np.zeros((0, MAX_BLOBS, 7), np.int32),
        "bottom_y": np.zeros((0, width), np.int16),
        "bottom_run": np.zeros((0, width), np.uint8),
        "foreground_fraction": np.zeros(0, np.float32),
    }


def stack(rows: list[dict[str, np.ndarray]], size: tuple[int, int]) -> dict[str, np.ndarray]:
    """Stack per-frame dicts into arrays with one row per frame (empty-safe)."""
    if not rows:
        return empty_arrays(size)
    return {name: np.stack([row[name] for row in rows]) for name in rows[0]}
