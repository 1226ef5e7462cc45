"""The rotated square crop both pose models read: its rectangle and its affine maps.

MediaPipe's pose pipeline crops the person to a square aligned with the body before the
landmark model runs. The square is defined by two points: a centre (the hip centre) and a
point whose distance from it gives the body's extent and whose direction gives its
rotation (upright when the point is straight above the centre). The detector's keypoints 0
and 1 and the landmark model's auxiliary landmarks 33 and 34 are such pairs, so detection
and tracking share one rule (MediaPipe's ``AlignmentPointsRectsCalculator`` followed by
``RectTransformationCalculator``, as configured in its pose graphs).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: The square's side is this factor times twice the centre-to-scale-point distance
#: (MediaPipe pose graphs: ``scale_x: 1.25, scale_y: 1.25``), leaving a margin around limbs.
ROI_SCALE = 1.25
#: The direction (degrees, counter-clockwise from image-right, y up) the scale point must
#: have for the crop to be unrotated: straight up (MediaPipe:
#: ``rotation_vector_target_angle_degrees: 90``).
TARGET_ANGLE_DEG = 90.0


@dataclass(frozen=True)
class SquareRoi:
    """A rotated square in image pixels: centre, side length and rotation.

    ``rotation_rad`` is the clockwise rotation of the square in the image (y down): the
    crop's upward direction is ``(sin r, -cos r)`` in the image.
    """

    center_x_px: float
    center_y_px: float
    size_px: float
    rotation_rad: float

    def as_array(self) -> np.ndarray:
        """``(4,)`` float32: centre x, centre y, side (px), rotation (rad)."""
        return np.array(
            [self.center_x_px, self.center_y_px, self.size_px, self.rotation_rad], np.float32
        )


def roi_from_alignment_points(center_px: np.ndarray, scale_point_px: np.ndarray) -> SquareRoi:
    """The body-aligned square from a centre point and a scale/rotation point, both ``(2,)`` px."""
    dx = float(scale_point_px[0] - center_px[0])
    dy = float(scale_point_px[1] - center_px[1])
    angle = math.radians(TARGET_ANGLE_DEG) - math.atan2(-dy, dx)
    rotation = angle - 2 * math.pi * math.floor((angle + math.pi) / (2 * math.pi))
    size = 2.0 * math.hypot(dx, dy) * ROI_SCALE
    return SquareRoi(float(center_px[0]), float(center_px[1]), size, rotation)


def crop_to_image(roi: SquareRoi, side_px: int) -> np.ndarray:
    """``(2, 3)`` affine map from crop pixels (``side_px`` square) to image pixels."""
    scale = roi.size_px / side_px
    cos, sin = math.cos(roi.rotation_rad), math.sin(roi.rotation_rad)
    linear = np.array([[cos, -sin], [sin, cos]]) * scale
    offset = np.array([roi.center_x_px, roi.center_y_px]) - linear @ np.array([side_px / 2] * 2)
    return np.hstack([linear, offset[:, None]])


def image_to_crop(roi: SquareRoi, side_px: int) -> np.ndarray:
    """``(2, 3)`` affine map from image pixels to crop pixels (inverse of :func:`crop_to_image`)."""
    forward = crop_to_image(roi, side_px)
    inverse_linear = np.linalg.inv(forward[:, :2])
    return np.hstack([inverse_linear, (-inverse_linear @ forward[:, 2])[:, None]])


def apply_affine(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Map ``(n, 2)`` points through a ``(2, 3)`` affine matrix."""
    return points @ matrix[:, :2].T + matrix[:, 2]
