"""Person detection with MediaPipe's pose detector (``pose_detection.tflite``).

The model is an SSD over a 224x224 letterboxed RGB image in [-1, 1]. For each of 2254
fixed anchors it regresses four keypoints (offsets in input pixels from the anchor's centre)
and a score logit; keypoint 0 is the hip centre and keypoint 1 a point whose distance and
direction from it give the whole body's extent and rotation (2 and 3 are the same for the
upper body). Its box output is not a person box: on every detection measured it is a
44.7 px square around the anchor, so people are described and suppressed by their *body
box*, the square of half-side ``|kp1 - kp0|`` around the hip centre. Anchor layout and
decoding follow the configuration of MediaPipe's ``pose_detection_cpu`` graph.

A walker in a landscape frame is small at 224 px (the outdoor clip's walker, 210 px tall at
960 px, is 49 px in the detector's input, and is missed on most frames). So the detector
also reads square tiles of the frame's short side along its long side, and the candidates
of all readings are merged by weighted non-maximum suppression in image pixels.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np

from gait.person.geometry import SquareRoi, roi_from_alignment_points
from gait.person.models import POSE_DETECTION, load_interpreter, sigmoid

#: The detector's square input side, in pixels.
INPUT_SIDE_PX = 224
#: SSD anchor layout of the model (MediaPipe ``SsdAnchorsCalculator`` options): one layer per
#: stride, two anchors per cell per layer, all of fixed unit size (only centres matter).
ANCHOR_STRIDES = (8, 16, 32, 32, 32)
ANCHORS_PER_LAYER_CELL = 2
NUM_KEYPOINTS = 4
#: Minimum detection score (MediaPipe's default ``min_detection_confidence``).
MIN_SCORE = 0.5
#: Detections whose body boxes overlap more than this IoU are one person (MediaPipe's
#: ``min_suppression_threshold: 0.3``, weighted suppression, there on the model's boxes).
NMS_IOU = 0.3
#: A detection whose body box lies this much (share of its own area) inside a better one's
#: is the same person seen partly (a tile cuts the body, giving a smaller box): dropped.
#: Measured: on the single-person treadmill-running clip such nested duplicates made 30 % of
#: frames count two people.
CONTAINED_SHARE = 0.6
#: Frames whose long side exceeds the short side by more than this factor are also read as
#: square tiles (16:9 gives 2 tiles, 4:3 gives 2, 1:1 none).
TILE_MIN_ASPECT = 1.2


@dataclass(frozen=True)
class PersonDetection:
    """One detected person, in image pixels.

    ``box_px``: ``(4,)`` x0, y0, x1, y1 of the body box (hip centre ± the full-body
    radius). ``keypoints_px``: ``(4, 2)`` x, y: hip centre, full-body scale point, shoulder
    centre, upper-body scale point.
    """

    score: float
    box_px: np.ndarray
    keypoints_px: np.ndarray

    @property
    def body_radius_px(self) -> float:
        """Distance from the hip centre to the full-body scale point (about half the body)."""
        return float(np.linalg.norm(self.keypoints_px[1] - self.keypoints_px[0]))

    def roi(self) -> SquareRoi:
        """The body-aligned square crop the landmark model reads for this person."""
        return roi_from_alignment_points(self.keypoints_px[0], self.keypoints_px[1])


@cache
def ssd_anchor_centers() -> np.ndarray:
    """``(2254, 2)`` anchor centres (x, y) in [0, 1] of the detector's input, in output order."""
    centers = []
    layer = 0
    while layer < len(ANCHOR_STRIDES):
        stride = ANCHOR_STRIDES[layer]
        same = sum(1 for s in ANCHOR_STRIDES[layer:] if s == stride)
        cells = int(np.ceil(INPUT_SIDE_PX / stride))
        ys, xs = np.meshgrid(np.arange(cells), np.arange(cells), indexing="ij")
        grid = np.stack([(xs + 0.5) / cells, (ys + 0.5) / cells], axis=-1).reshape(-1, 1, 2)
        centers.append(np.repeat(grid, same * ANCHORS_PER_LAYER_CELL, axis=1).reshape(-1, 2))
        layer += same
    return np.concatenate(centers).astype(np.float32)


def letterbox(image_bgr: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
    """The detector's input tensor and how to map it back.

    Returns ``(tensor, scale, offset_px)``: ``tensor`` is ``(1, 224, 224, 3)`` float32 RGB in
    [-1, 1], the image scaled by ``scale`` to fit and centred with black borders;
    ``offset_px`` ``(2,)`` is where the image's origin lands in the input.
    """
    height, width = image_bgr.shape[:2]
    scale = INPUT_SIDE_PX / max(height, width)
    new_w, new_h = max(1, round(width * scale)), max(1, round(height * scale))
    resized = cv2.resize(image_bgr, (new_w, new_h), interpolation=cv2.INTER_AREA)
    offset = np.array([(INPUT_SIDE_PX - new_w) // 2, (INPUT_SIDE_PX - new_h) // 2])
    canvas = np.zeros((INPUT_SIDE_PX, INPUT_SIDE_PX, 3), np.uint8)
    canvas[offset[1] : offset[1] + new_h, offset[0] : offset[0] + new_w] = resized
    rgb = cv2.cvtColor(canvas, cv2.COLOR_BGR2RGB).astype(np.float32)
    # MediaPipe pads with black pixels before normalising, so the borders read as -1.
    return (rgb / 127.5 - 1.0)[None], scale, offset.astype(np.float32)


def body_boxes(keypoints: np.ndarray) -> np.ndarray:
    """``(n, 4)`` body boxes x0, y0, x1, y1 from ``(n, 4, 2)`` keypoints: the square of
    half-side ``|kp1 - kp0|`` around the hip centre."""
    radius = np.linalg.norm(keypoints[:, 1] - keypoints[:, 0], axis=1)[:, None]
    return np.concatenate([keypoints[:, 0] - radius, keypoints[:, 0] + radius], axis=1)


def decode(
    raw_boxes: np.ndarray, raw_scores: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decode the SSD outputs into input-pixel body boxes, keypoints and scores.

    ``raw_boxes`` ``(2254, 12)``, ``raw_scores`` ``(2254,)``. Returns ``boxes`` ``(2254, 4)``
    x0, y0, x1, y1 (:func:`body_boxes`), ``keypoints`` ``(2254, 4, 2)``, both in input
    pixels, and ``scores`` ``(2254,)`` in [0, 1].
    """
    anchors_px = ssd_anchor_centers() * INPUT_SIDE_PX
    keypoints = raw_boxes[:, 4:].reshape(-1, NUM_KEYPOINTS, 2) + anchors_px[:, None, :]
    boxes = body_boxes(keypoints)
    scores = sigmoid(raw_scores)
    return boxes, keypoints, scores


def box_iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """IoU of one ``(4,)`` x0, y0, x1, y1 box with each of ``(n, 4)`` boxes."""
    low = np.maximum(box[:2], boxes[:, :2])
    high = np.minimum(box[2:], boxes[:, 2:])
    intersection = np.prod(np.clip(high - low, 0, None), axis=1)
    area = np.prod(box[2:] - box[:2])
    areas = np.prod(boxes[:, 2:] - boxes[:, :2], axis=1)
    return intersection / np.maximum(area + areas - intersection, 1e-9)


def drop_contained(
    merged: list[tuple[float, np.ndarray, np.ndarray]], share: float = CONTAINED_SHARE
) -> list[tuple[float, np.ndarray, np.ndarray]]:
    """Drop each detection (best first) whose box lies more than ``share`` of its own area
    inside the box of a better-scoring one kept before it."""
    kept: list[tuple[float, np.ndarray, np.ndarray]] = []
    for candidate in merged:
        box = candidate[1]
        area = max(float(np.prod(box[2:] - box[:2])), 1e-9)
        inside = [
            float(
                np.prod(
                    np.clip(np.minimum(box[2:], k[1][2:]) - np.maximum(box[:2], k[1][:2]), 0, None)
                )
            )
            / area
            for k in kept
        ]
        if not inside or max(inside) <= share:
            kept.append(candidate)
    return kept


def weighted_nms(
    boxes: np.ndarray, keypoints: np.ndarray, scores: np.ndarray, iou: float = NMS_IOU
) -> list[tuple[float, np.ndarray, np.ndarray]]:
    """Merge overlapping candidates: each cluster's box and keypoints are the score-weighted
    mean of its members, its score the best member's. Returns clusters best first."""
    order = np.argsort(-scores, kind="stable")
    boxes, keypoints, scores = boxes[order], keypoints[order], scores[order]
    remaining = np.ones(len(scores), bool)
    merged = []
    for index in range(len(scores)):
        if not remaining[index]:
            continue
        members = remaining & (box_iou(boxes[index], boxes) > iou)
        members[index] = True
        weights = scores[members] / scores[members].sum()
        merged.append(
            (
                float(scores[index]),
                (boxes[members] * weights[:, None]).sum(axis=0),
                (keypoints[members] * weights[:, None, None]).sum(axis=0),
            )
        )
        remaining &= ~members
    return merged


def tiles(height: int, width: int) -> list[tuple[int, int, int, int]]:
    """Regions the detector reads, ``(x0, y0, x1, y1)`` in pixels: the whole frame, then,
    for elongated frames, squares of the short side spread evenly along the long side
    (overlapping, first and last flush with the frame's ends)."""
    regions = [(0, 0, width, height)]
    short, long = min(height, width), max(height, width)
    if long <= TILE_MIN_ASPECT * short:
        return regions
    count = int(np.ceil(long / short))
    for start in np.linspace(0, long - short, count).round().astype(int):
        regions.append(
            (int(start), 0, int(start) + short, height)
            if width > height
            else (0, int(start), width, int(start) + short)
        )
    return regions


class PoseDetector:
    """Finds every person in a BGR image (one LiteRT interpreter, one thread)."""

    def __init__(self, min_score: float = MIN_SCORE, tiled: bool = True) -> None:
        self.min_score = min_score
        self.tiled = tiled
        self._interpreter = load_interpreter(POSE_DETECTION)
        self._input = self._interpreter.get_input_details()[0]["index"]
        outputs = {d["name"]: d["index"] for d in self._interpreter.get_output_details()}
        self._boxes, self._scores = outputs["Identity"], outputs["Identity_1"]

    def candidates(self, image_bgr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Anchors scoring at least ``min_score`` on one reading of the whole image:
        ``keypoints`` ``(k, 4, 2)`` in the image's pixels and ``scores`` ``(k,)``."""
        tensor, scale, offset = letterbox(image_bgr)
        self._interpreter.set_tensor(self._input, tensor)
        self._interpreter.invoke()
        raw_boxes = self._interpreter.get_tensor(self._boxes)[0]
        raw_scores = self._interpreter.get_tensor(self._scores)[0, :, 0]
        _, keypoints, scores = decode(raw_boxes, raw_scores)
        keep = scores >= self.min_score
        return (keypoints[keep] - offset) / scale, scores[keep]

    def detect(self, image_bgr: np.ndarray) -> list[PersonDetection]:
        """Every person scoring at least ``min_score`` in ``image_bgr`` (``(h, w, 3)`` uint8),
        best first, in the image's pixels."""
        height, width = image_bgr.shape[:2]
        regions = tiles(height, width) if self.tiled else [(0, 0, width, height)]
        found_points, found_scores = [], []
        for x0, y0, x1, y1 in regions:
            points, scores = self.candidates(image_bgr[y0:y1, x0:x1])
            found_points.append(points + np.array([x0, y0], np.float32))
            found_scores.append(scores)
        keypoints, scores = np.concatenate(found_points), np.concatenate(found_scores)
        if not len(scores):
            return []
        return [
            PersonDetection(
                score=score, box_px=box.astype(np.float32), keypoints_px=points.astype(np.float32)
            )
            for score, box, points in drop_contained(
                weighted_nms(body_boxes(keypoints), keypoints, scores)
            )
        ]
