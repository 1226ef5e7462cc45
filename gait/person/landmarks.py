"""Body landmarks with MediaPipe's full pose landmark model (``pose_landmark_full.tflite``).

The model reads a 256x256 RGB crop in [0, 1], rotated and scaled so the body stands upright
in it (:mod:`gait.person.geometry`), and returns 39 points: the 33 body landmarks
(:data:`LANDMARK_NAMES`), then two auxiliary points (hip centre and a full-body scale point)
from which the next frame's crop is taken, and four unused ones. Each point has x, y (crop
pixels), z (depth relative to the hips, in the same scale as x), and visibility and presence
logits. A separate output scores whether a pose is in the crop at all, a 256x256 logit
map segments the person in the crop, and a 64x64 heatmap per point refines the regressed
positions (:func:`refine_from_heatmap`, as MediaPipe's pose graph does).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from gait.person.geometry import (
    SquareRoi,
    apply_affine,
    crop_to_image,
    image_to_crop,
    roi_from_alignment_points,
)
from gait.person.models import POSE_LANDMARK_FULL, load_interpreter, sigmoid

#: The landmark model's square input side, in pixels.
INPUT_SIDE_PX = 256
#: Points per model output and values per point (x, y, z, visibility logit, presence logit).
MODEL_POINTS = 39
VALUES_PER_POINT = 5
NUM_LANDMARKS = 33
#: Auxiliary points that define the next frame's crop (MediaPipe: landmarks 33 and 34).
AUX_CENTER, AUX_SCALE = 33, 34
#: Segmentation probability above which a crop pixel belongs to the person.
MASK_THRESHOLD = 0.5
#: Heatmap refinement (MediaPipe's ``RefineLandmarksFromHeatmapCalculator`` as its pose graph
#: ``tensors_to_pose_landmarks_and_segmentation.pbtxt`` configures it): each point moves to the
#: probability-weighted centroid of the heatmap cells in a window this many cells wide around
#: it ...
HEATMAP_KERNEL_CELLS = 7
#: ... when the window's highest probability reaches this (the calculator's default).
HEATMAP_MIN_CONFIDENCE = 0.5

# fmt: off
LANDMARK_NAMES = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_pinky",
    "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb", "left_hip",
    "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel",
    "right_heel", "left_foot_index", "right_foot_index",
)
# fmt: on
LEFT_SHOULDER, RIGHT_SHOULDER = 11, 12
LEFT_HIP, RIGHT_HIP = 23, 24
LEFT_ANKLE, RIGHT_ANKLE = 27, 28
LEFT_HEEL, RIGHT_HEEL = 29, 30
LEFT_FOOT_INDEX, RIGHT_FOOT_INDEX = 31, 32


@dataclass(frozen=True)
class PoseLandmarks:
    """The landmark model's answer for one crop, in image pixels.

    - ``landmarks``: ``(33, 4)`` float32: x px, y px, z (px-scaled relative depth), visibility.
    - ``presence``: ``(33,)`` float32: probability each landmark is inside the crop.
    - ``pose_score``: probability a pose is in the crop at all.
    - ``next_roi``: the crop for the next frame, from the auxiliary points.
    - ``roi``: the crop these came from.
    - ``mask_crop``: ``(256, 256)`` float32 person probability in crop pixels.
    - ``refined_xy``: ``(33, 2)`` float32 x, y px of the landmarks refined by the heatmap
      (:func:`refine_from_heatmap`).
    """

    landmarks: np.ndarray
    presence: np.ndarray
    pose_score: float
    next_roi: SquareRoi
    roi: SquareRoi
    mask_crop: np.ndarray
    refined_xy: np.ndarray

    def mask_points_px(self, threshold: float = MASK_THRESHOLD) -> np.ndarray:
        """``(n, 2)`` image-pixel positions of the crop pixels segmented as the person."""
        rows, cols = np.nonzero(self.mask_crop > threshold)
        crop_points = np.stack([cols, rows], axis=1).astype(np.float64) + 0.5
        return apply_affine(crop_to_image(self.roi, INPUT_SIDE_PX), crop_points)


def crop_input(image_bgr: np.ndarray, roi: SquareRoi) -> np.ndarray:
    """``(1, 256, 256, 3)`` float32 RGB in [0, 1]: the ROI warped upright, black outside."""
    matrix = image_to_crop(roi, INPUT_SIDE_PX)
    crop = cv2.warpAffine(
        image_bgr,
        matrix,
        (INPUT_SIDE_PX, INPUT_SIDE_PX),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=0,
    )
    return (cv2.cvtColor(crop, cv2.COLOR_BGR2RGB).astype(np.float32) / 255.0)[None]


def refine_from_heatmap(points_xy: np.ndarray, heatmap_logits: np.ndarray) -> np.ndarray:
    """The ``(39, 2)`` regressed crop-pixel points moved to their heatmap's local centroid.

    ``heatmap_logits``: ``(64, 64, 39)`` (rows, columns, point), one logit map per point. For
    each point, the cells in a :data:`HEATMAP_KERNEL_CELLS`-wide window centred on the cell
    holding it (clipped at the map's edges) are averaged, weighted by their probability
    (sigmoid); the point takes that centroid when the window's highest probability is at least
    :data:`HEATMAP_MIN_CONFIDENCE`, and stays put otherwise or when it lies outside the map.

    This is MediaPipe's refinement, step for step: a cell ``c`` stands at crop position
    ``c * cell`` (MediaPipe's normalised ``c / 64``, no half-cell offset). That is the model's own
    convention: the refined points agree with the regressed ones within 0.3 crop px on average
    (about 0.15 % of stature) over two synthetic clips, where a half-cell offset would move
    them all by 2 px. Without it the landmarks of a side-view walker scatter more: this step
    alone took the hip / knee angle MAE from 6.8 / 8.0 to 4.3 / 5.4 deg on the 480x270
    synthetic clip (``benchmarks/angle_accuracy.py``, README "Joint angles").
    """
    rows_n, cols_n, count = heatmap_logits.shape
    cell = INPUT_SIDE_PX / cols_n
    # MediaPipe truncates toward zero; floor differs only for points within one cell outside
    # the map's top or left edge, which it refines and this leaves alone.
    col = np.floor(points_xy[:, 0] / cell)
    row = np.floor(points_xy[:, 1] / cell)
    inside = (col >= 0) & (col < cols_n) & (row >= 0) & (row < rows_n)
    col = np.where(inside, col, 0).astype(np.int64)
    row = np.where(inside, row, 0).astype(np.int64)
    half = (HEATMAP_KERNEL_CELLS - 1) // 2
    steps = np.arange(-half, half + 1)
    window_rows, window_cols = row[:, None] + steps, col[:, None] + steps  # (39, k) each
    row_ok = (window_rows >= 0) & (window_rows < rows_n)
    col_ok = (window_cols >= 0) & (window_cols < cols_n)
    logits = heatmap_logits[
        np.clip(window_rows, 0, rows_n - 1)[:, :, None],
        np.clip(window_cols, 0, cols_n - 1)[:, None, :],
        np.arange(count)[:, None, None],
    ]  # (39, k, k)
    weight = sigmoid(logits.astype(np.float64)) * (row_ok[:, :, None] & col_ok[:, None, :])
    total = weight.sum(axis=(1, 2))
    refine = inside & (weight.max(axis=(1, 2)) >= HEATMAP_MIN_CONFIDENCE) & (total > 0)
    safe_total = np.where(total > 0, total, 1.0)
    centroid_col = (weight * window_cols[:, None, :]).sum(axis=(1, 2)) / safe_total
    centroid_row = (weight * window_rows[:, :, None]).sum(axis=(1, 2)) / safe_total
    refined = np.column_stack([centroid_col, centroid_row]) * cell
    return np.where(refine[:, None], refined, points_xy)


def decode(
    raw_points: np.ndarray, roi: SquareRoi, heatmap_logits: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, SquareRoi, np.ndarray]:
    """Map the model's ``(195,)`` raw points to image pixels.

    Returns ``landmarks`` ``(33, 4)`` (x px, y px, z, visibility: the regressed positions),
    ``presence`` ``(33,)``, the next frame's ROI from the (regressed) auxiliary points, and
    ``refined_xy`` ``(33, 2)`` px: the 33 positions refined by the ``(64, 64, 39)`` heatmap
    logits (:func:`refine_from_heatmap`), or the regressed ones when no heatmap is given.
    The refined positions are kept apart: the event rules and the tracking crop were
    calibrated on the regressed ones, and the joint angles read the refined ones
    (README "Joint angles").
    """
    points = raw_points.reshape(MODEL_POINTS, VALUES_PER_POINT).astype(np.float64)
    to_image = crop_to_image(roi, INPUT_SIDE_PX)
    xy = apply_affine(to_image, points[:, :2])
    z = points[:, 2] * roi.size_px / INPUT_SIDE_PX
    landmarks = np.column_stack([xy, z, sigmoid(points[:, 3])])[:NUM_LANDMARKS]
    presence = sigmoid(points[:NUM_LANDMARKS, 4])
    next_roi = roi_from_alignment_points(xy[AUX_CENTER], xy[AUX_SCALE])
    refined = xy[:NUM_LANDMARKS]
    if heatmap_logits is not None:
        refined = apply_affine(to_image, refine_from_heatmap(points[:, :2], heatmap_logits))
        refined = refined[:NUM_LANDMARKS]
    return (
        landmarks.astype(np.float32),
        presence.astype(np.float32),
        next_roi,
        refined.astype(np.float32),
    )


class PoseLandmarker:
    """Runs the landmark model on one body-aligned crop (one LiteRT interpreter, one thread)."""

    def __init__(self) -> None:
        self._interpreter = load_interpreter(POSE_LANDMARK_FULL)
        self._input = self._interpreter.get_input_details()[0]["index"]
        outputs = {d["name"]: d["index"] for d in self._interpreter.get_output_details()}
        self._points = outputs["Identity"]
        self._score = outputs["Identity_1"]
        self._mask = outputs["Identity_2"]
        self._heatmap = outputs["Identity_3"]

    def estimate(self, image_bgr: np.ndarray, roi: SquareRoi) -> PoseLandmarks:
        """The pose in ``roi`` of ``image_bgr`` (``(h, w, 3)`` uint8)."""
        self._interpreter.set_tensor(self._input, crop_input(image_bgr, roi))
        self._interpreter.invoke()
        raw_points = self._interpreter.get_tensor(self._points)[0]
        pose_score = float(self._interpreter.get_tensor(self._score).reshape(-1)[0])
        mask = sigmoid(self._interpreter.get_tensor(self._mask)[0, :, :, 0]).astype(np.float32)
        heatmap_logits = self._interpreter.get_tensor(self._heatmap)[0]
        landmarks, presence, next_roi, refined_xy = decode(raw_points, roi, heatmap_logits)
        return PoseLandmarks(landmarks, presence, pose_score, next_roi, roi, mask, refined_xy)
