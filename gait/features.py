"""Per-frame features: what a chunk keeps of each frame (small, fixed-size arrays)."""

from __future__ import annotations

import cv2
import numpy as np

#: Grey-level difference to the background above which a pixel is foreground.
FOREGROUND_THRESHOLD = 30


class FrameFeatureExtractor:
    """Reduce one analysis-resolution frame to its features, given the background.

    Calling it with a ``(height, width, 3)`` BGR frame returns a dict of arrays:
    ``foreground_px`` (scalar, pixel count), ``bbox`` (``(4,)`` x0, y0, x1, y1 in analysis
    pixels, -1 when empty) and ``column_counts`` (``(width,)`` foreground pixels per column).
    """

    def __init__(self, background: np.ndarray) -> None:
        self.background = background.astype(np.int16)
        self.kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))

    def __call__(self, image: np.ndarray) -> dict[str, np.ndarray]:
        difference = cv2.absdiff(image, self.background.astype(np.uint8)).max(axis=2)
        mask = (difference > FOREGROUND_THRESHOLD).astype(np.uint8)
        mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, self.kernel)
        ys, xs = np.nonzero(mask)
        bbox = (
            np.array([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], dtype=np.int32)
            if xs.size
            else np.full(4, -1, dtype=np.int32)
        )
        return {
            "foreground_px": np.int32(xs.size),
            "bbox": bbox,
            "column_counts": mask.sum(axis=0, dtype=np.uint16),
        }


def stack(rows: list[dict[str, np.ndarray]], size: tuple[int, int]) -> dict[str, np.ndarray]:
    """Stack per-frame dicts into arrays with one row per frame (empty-safe)."""
    width = size[0]
    if not rows:
        return {
            "foreground_px": np.zeros(0, np.int32),
            "bbox": np.zeros((0, 4), np.int32),
            "column_counts": np.zeros((0, width), np.uint16),
        }
    return {name: np.stack([row[name] for row in rows]) for name in rows[0]}
