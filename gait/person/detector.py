"""Person detection with MediaPipe's pose detector (``pose_detection.tflite``).

The model is an SSD over a 224x224 letterboxed RGB image in [-1, 1]. For each of 2254
fixed anchors it regresses a box and four keypoints (offsets in input pixels from the
anchor's centre) and a score logit. Keypoint 0 is the hip centre and keypoint 1 a point
whose distance and direction from it give the whole body's extent and rotation (2 and 3
are the same for the upper body). Overlapping detections are merged by weighted
non-maximum suppression, so every person over the score threshold gives one detection.
Anchor layout, decoding and suppression follow the configuration of MediaPipe's
``pose_detection_cpu`` graph (values below).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np

from gait.person.geometry import SquareRoi, roi_from_alignment_points
from gait.person.models import POSE_DETECTION, load_interpreter

#: The detector's square input side, in pixels.
INPUT_SIDE_PX = 224
#: SSD anchor layout of the model (MediaPipe ``SsdAnchorsCalculator`` options): one layer per
#: stride, two anchors per cell per layer, all of fixed unit size (only centres matter).
ANCHOR_STRIDES = (8, 16, 32, 32, 32)
ANCHORS_PER_LAYER_CELL = 2
NUM_KEYPOINTS = 4
#: Raw logits are clipped to this magnitude before the sigmoid (MediaPipe: score_clipping_thresh).
SCORE_CLIP = 100.0
#: Minimum detection score (MediaPipe's default ``min_detection_confidence``).
MIN_SCORE = 0.5
#: Detections overlapping more than this IoU are one person (MediaPipe:
#: ``min_suppression_threshold: 0.3``, weighted suppression).
NMS_IOU = 0.3


@dataclass(frozen=True)
class PersonDetection:
    """One detected person, in image pixels.

    ``box_px``: ``(4,)`` x0, y0, x1, y1 of the detector's box (roughly the face and upper
    body for this model, not the whole body). ``keypoints_px``: ``(4, 2)`` x, y: hip centre,
    full-body scale point, shoulder centre, upper-body scale point.
    """

    score: float
    box_px: np.ndarray
    keypoints_px: np.ndarray

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
    # Black borders must read as -1 (the model's zero padding), as the real image's black.
    return (rgb / 127.5 - 1.0)[None], scale, offset.astype(np.float32)


def decode(
    raw_boxes: np.ndarray, raw_scores: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decode the SSD outputs into input-pixel boxes, keypoints and scores.

    ``raw_boxes`` ``(2254, 12)``, ``raw_scores`` ``(2254,)``. Returns ``boxes`` ``(2254, 4)``
    x0, y0, x1, y1, ``keypoints`` ``(2254, 4, 2)``, both in input pixels, and ``scores``
    ``(2254,)`` in [0, 1].
    """
    anchors_px = ssd_anchor_centers() * INPUT_SIDE_PX
    center = raw_boxes[:, 0:2] + anchors_px
    half = raw_boxes[:, 2:4] / 2
    boxes = np.concatenate([center - half, center + half], axis=1)
    keypoints = raw_boxes[:, 4:].reshape(-1, NUM_KEYPOINTS, 2) + anchors_px[:, None, :]
    logits = np.clip(raw_scores.astype(np.float64), -SCORE_CLIP, SCORE_CLIP)
    scores = 1.0 / (1.0 + np.exp(-logits))
    return boxes, keypoints, scores


def box_iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """IoU of one ``(4,)`` x0, y0, x1, y1 box with each of ``(n, 4)`` boxes."""
    low = np.maximum(box[:2], boxes[:, :2])
    high = np.minimum(box[2:], boxes[:, 2:])
    intersection = np.prod(np.clip(high - low, 0, None), axis=1)
    area = np.prod(box[2:] - box[:2])
    areas = np.prod(boxes[:, 2:] - boxes[:, :2], axis=1)
    return intersection / np.maximum(area + areas - intersection, 1e-9)


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
        merged.append((
            float(scores[index]),
            (boxes[members] * weights[:, None]).sum(axis=0),
            (keypoints[members] * weights[:, None, None]).sum(axis=0),
        ))
        remaining &= ~members
    return merged


class PoseDetector:
    """Finds every person in a BGR image (one LiteRT interpreter, one thread)."""

    def __init__(self, min_score: float = MIN_SCORE) -> None:
        self.min_score = min_score
        self._interpreter = load_interpreter(POSE_DETECTION)
        self._input = self._interpreter.get_input_details()[0]["index"]
        outputs = {d["name"]: d["index"] for d in self._interpreter.get_output_details()}
        self._boxes, self._scores = outputs["Identity"], outputs["Identity_1"]

    def detect(self, image_bgr: np.ndarray) -> list[PersonDetection]:
        """Every person scoring at least ``min_score`` in ``image_bgr`` (``(h, w, 3)`` uint8),
        best first, in the image's pixels."""
        tensor, scale, offset = letterbox(image_bgr)
        self._interpreter.set_tensor(self._input, tensor)
        self._interpreter.invoke()
        raw_boxes = self._interpreter.get_tensor(self._boxes)[0]
        raw_scores = self._interpreter.get_tensor(self._scores)[0, :, 0]
        boxes, keypoints, scores = decode(raw_boxes, raw_scores)
        keep = scores >= self.min_score
        if not keep.any():
            return []
        detections = []
        for score, box, points in weighted_nms(boxes[keep], keypoints[keep], scores[keep]):
            box_px = (box.reshape(2, 2) - offset) / scale
            detections.append(PersonDetection(
                score=score,
                box_px=box_px.reshape(4).astype(np.float32),
                keypoints_px=((points - offset) / scale).astype(np.float32),
            ))
        return detections
