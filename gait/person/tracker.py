"""Per-chunk person tracking: every frame reduced to compact arrays of the walker's pose.

For each BGR frame (analysis size, up to 960 px) the tracker runs the landmark model on a
body-aligned crop. The crop comes from the previous frame's landmarks (tracking) or from
the detector (detection), which runs when there is no crop to track, when the tracked crop
holds no pose (it then retries on the same frame), and on every frame whose index is a
multiple of ``redetect_interval_frames``.

Chunk invariance: a frame's result depends on the frames since the last detection. With a
re-detection grid on absolute frame indices, a chunk that starts tracking at
:func:`tracking_start` (the grid frame at or before its first frame) and drops the frames
before its own gets exactly the results of a single pass over the whole video. Without a
grid (``redetect_interval_frames=None``) results depend on where a chunk starts.

On a detection the crop is taken around the person ``choose`` picks among the detections
(default: the largest body, usually the nearest person). Any rule on the frame alone keeps
the re-detection grid chunk invariant.
The detector's answer (how many people, their body boxes) is kept on the frames it runs on,
for choosing the walker and refusing several walkers. The whole-frame segmentation, when on,
gives the share of the frame that is a person outside the walker's box (bystanders).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields

import numpy as np

from gait.person.detector import PersonDetection, PoseDetector
from gait.person.geometry import SquareRoi
from gait.person.landmarks import NUM_LANDMARKS, PoseLandmarker, PoseLandmarks
from gait.person.segmentation import MASK_THRESHOLD, PersonSegmenter

#: Pose score below which a crop holds no pose and tracking is lost (MediaPipe's default
#: ``min_tracking_confidence``).
MIN_POSE_SCORE = 0.5
#: Smallest crop side the landmark model is run on, in pixels: below it the 256 px input
#: would be a >16x blow-up of a few pixels, and a collapsed crop (both alignment points
#: equal) could not be inverted at all.
MIN_ROI_SIDE_PX = 16.0
#: Detected people kept per frame, best first (walker choice needs the few largest).
MAX_PERSONS = 4
#: The walker's box is widened by this share of its size on each side before the whole-frame
#: mask outside it is counted as other people (arms and hair stick out of the landmark box).
WALKER_BOX_MARGIN = 0.15


def largest_body(detections: list[PersonDetection]) -> PersonDetection:
    """The default walker rule on a detection: the largest body (usually the nearest person)."""
    return max(detections, key=lambda d: d.body_radius_px)


def usable_roi(roi: SquareRoi | None) -> SquareRoi | None:
    """``roi`` when its numbers are finite and its side at least ``MIN_ROI_SIDE_PX``."""
    if roi is None:
        return None
    values = roi.as_array()
    return roi if np.isfinite(values).all() and roi.size_px >= MIN_ROI_SIDE_PX else None


def tracking_start(first_frame: int, redetect_interval_frames: int | None) -> int:
    """The frame a chunk starting at ``first_frame`` must start tracking from for its results
    to be those of a whole-video pass: the re-detection grid frame at or before it."""
    if not redetect_interval_frames:
        return first_frame
    return first_frame - first_frame % redetect_interval_frames


@dataclass
class PersonFrames:
    """Per-frame person-model results for ``n`` frames; all positions in input-frame pixels.

    - ``landmarks`` ``(n, 33, 4)`` float32: x px, y px, z (relative depth, px scale),
      visibility in [0, 1]; NaN on frames without a pose.
    - ``presence`` ``(n, 33)`` float32: probability each landmark is inside the crop.
    - ``pose_score`` ``(n,)`` float32: the landmark model's pose probability on the crop
      used (0 when no crop was tried).
    - ``person_box`` ``(n, 4)`` float32: x0, y0, x1, y1 of the 33 landmarks; NaN without pose.
    - ``roi`` ``(n, 4)`` float32: crop centre x, y, side (px), rotation (rad); NaN without pose.
    - ``mask_box`` ``(n, 4)`` float32 and ``mask_area_px`` ``(n,)`` float32: box and area of
      the landmark model's person mask (the walker only); NaN without pose.
    - ``detected`` ``(n,)`` bool: the crop came from the detector on this frame;
      ``tracked`` ``(n,)`` bool: it came from the previous frame's landmarks.
    - ``person_count`` ``(n,)`` int8: people the detector found (-1: detector not run).
    - ``person_boxes`` ``(n, 4, 4)`` float32 and ``person_scores`` ``(n, 4)`` float32: the
      detector's best ``MAX_PERSONS`` body boxes (x0, y0, x1, y1: hip centre ± body
      radius) and scores; NaN where absent.
    - ``scene_person_fraction`` ``(n,)`` float32: share of the frame the whole-frame
      segmentation calls a person; ``other_person_fraction`` ``(n,)`` float32: the share
      outside the walker's widened box (the whole share without a pose). NaN when off.
    """

    landmarks: np.ndarray
    presence: np.ndarray
    pose_score: np.ndarray
    person_box: np.ndarray
    roi: np.ndarray
    mask_box: np.ndarray
    mask_area_px: np.ndarray
    detected: np.ndarray
    tracked: np.ndarray
    person_count: np.ndarray
    person_boxes: np.ndarray
    person_scores: np.ndarray
    scene_person_fraction: np.ndarray
    other_person_fraction: np.ndarray

    @classmethod
    def empty(cls, count: int) -> PersonFrames:
        """``count`` frames of nothing found (NaN, False, 0, -1)."""
        nan = np.float32(np.nan)
        return cls(
            landmarks=np.full((count, NUM_LANDMARKS, 4), nan, np.float32),
            presence=np.full((count, NUM_LANDMARKS), nan, np.float32),
            pose_score=np.zeros(count, np.float32),
            person_box=np.full((count, 4), nan, np.float32),
            roi=np.full((count, 4), nan, np.float32),
            mask_box=np.full((count, 4), nan, np.float32),
            mask_area_px=np.full(count, nan, np.float32),
            detected=np.zeros(count, bool),
            tracked=np.zeros(count, bool),
            person_count=np.full(count, -1, np.int8),
            person_boxes=np.full((count, MAX_PERSONS, 4), nan, np.float32),
            person_scores=np.full((count, MAX_PERSONS), nan, np.float32),
            scene_person_fraction=np.full(count, nan, np.float32),
            other_person_fraction=np.full(count, nan, np.float32),
        )

    def __len__(self) -> int:
        return len(self.pose_score)

    @property
    def has_pose(self) -> np.ndarray:
        """``(n,)`` bool: frames with a pose."""
        return self.pose_score >= MIN_POSE_SCORE

    def slice(self, start: int, stop: int) -> PersonFrames:
        """Frames ``start:stop`` (e.g. dropping a chunk's warm-up frames)."""
        return PersonFrames(**{f.name: getattr(self, f.name)[start:stop] for f in fields(self)})


class PersonTracker:
    """Stateful over consecutive frames of one chunk; see the module docstring for the rule."""

    def __init__(
        self,
        redetect_interval_frames: int | None = None,
        with_scene_mask: bool = True,
        detector: PoseDetector | None = None,
        landmarker: PoseLandmarker | None = None,
        segmenter: PersonSegmenter | None = None,
        choose: Callable[[list[PersonDetection]], PersonDetection] = largest_body,
    ) -> None:
        self.redetect_interval_frames = redetect_interval_frames
        self.choose = choose
        self.detector = detector or PoseDetector()
        self.landmarker = landmarker or PoseLandmarker()
        self.segmenter = (segmenter or PersonSegmenter()) if with_scene_mask else None
        self._roi = None

    def reset(self) -> None:
        """Forget the tracked crop: the next frame is detected."""
        self._roi = None

    def run(self, frames: Iterable[np.ndarray], first_index: int = 0) -> PersonFrames:
        """Track through ``frames`` (BGR ``(h, w, 3)`` uint8), the first being frame
        ``first_index`` of the video. Starts by detecting (the state is reset)."""
        self.reset()
        records = []
        for offset, frame in enumerate(frames):
            result = PersonFrames.empty(1)
            self.update(frame, first_index + offset, result)
            records.append(result)
        out = PersonFrames.empty(len(records))
        for index, record in enumerate(records):
            for field in fields(out):
                getattr(out, field.name)[index] = getattr(record, field.name)[0]
        return out

    def update(
        self, frame_bgr: np.ndarray, frame_index: int, out: PersonFrames, row: int = 0
    ) -> None:
        """Process one frame and write its results into row ``row`` of ``out``."""
        if frame_bgr.ndim != 3 or frame_bgr.shape[2] != 3 or frame_bgr.dtype != np.uint8:
            raise ValueError(
                f"expected a BGR uint8 frame (h, w, 3), got {frame_bgr.dtype} {frame_bgr.shape}"
            )
        interval = self.redetect_interval_frames
        must_detect = self._roi is None or bool(interval and frame_index % interval == 0)
        pose = None
        if not must_detect:
            pose = self.landmarker.estimate(frame_bgr, self._roi)
            must_detect = pose.pose_score < MIN_POSE_SCORE
            out.tracked[row] = not must_detect
        if must_detect:
            detections = self.detector.detect(frame_bgr)
            kept = detections[:MAX_PERSONS]
            out.person_count[row] = min(len(detections), np.iinfo(np.int8).max)
            for slot, detection in enumerate(kept):
                out.person_boxes[row, slot] = detection.box_px
                out.person_scores[row, slot] = detection.score
            roi = usable_roi(self.choose(kept).roi()) if kept else None
            pose = self.landmarker.estimate(frame_bgr, roi) if roi else None
            out.detected[row] = pose is not None
        if pose is not None:
            out.pose_score[row] = pose.pose_score
        if pose is None or pose.pose_score < MIN_POSE_SCORE:
            self._roi = None
            out.tracked[row] = out.detected[row] = False
        else:
            self._roi = usable_roi(pose.next_roi)
            write_pose(pose, out, row)
        if self.segmenter is not None:
            write_scene_mask(self.segmenter.probability(frame_bgr), frame_bgr.shape[:2], out, row)


def write_pose(pose: PoseLandmarks, out: PersonFrames, row: int) -> None:
    """Store one frame's pose, its box and its mask's box and area."""
    out.landmarks[row] = pose.landmarks
    out.presence[row] = pose.presence
    xy = pose.landmarks[:, :2]
    out.person_box[row] = [*xy.min(axis=0), *xy.max(axis=0)]
    out.roi[row] = pose.roi.as_array()
    points = pose.mask_points_px()
    if len(points):
        out.mask_box[row] = [*points.min(axis=0), *points.max(axis=0)]
        cell_area = (pose.roi.size_px / pose.mask_crop.shape[0]) ** 2
        out.mask_area_px[row] = len(points) * cell_area
    else:
        out.mask_area_px[row] = 0.0


def write_scene_mask(
    probability: np.ndarray, frame_shape: tuple[int, int], out: PersonFrames, row: int
) -> None:
    """Store the share of the frame that is a person, and the share outside the walker."""
    person = probability > MASK_THRESHOLD
    out.scene_person_fraction[row] = person.mean()
    box = out.person_box[row]
    if np.isnan(box).any():
        out.other_person_fraction[row] = person.mean()
        return
    height, width = frame_shape
    rows, cols = person.shape
    margin = (box[2:] - box[:2]) * WALKER_BOX_MARGIN
    x0, y0 = (box[:2] - margin) * [cols / width, rows / height]
    x1, y1 = (box[2:] + margin) * [cols / width, rows / height]
    outside = person.copy()
    row_span = slice(max(0, int(y0)), max(0, int(np.ceil(y1))))
    outside[row_span, max(0, int(x0)) : max(0, int(np.ceil(x1)))] = False
    out.other_person_fraction[row] = outside.mean()
