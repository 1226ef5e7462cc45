"""Per-chunk person tracking: every frame reduced to compact arrays of the walker's pose.

For each BGR frame (analysis size, up to 960 px) the tracker runs the landmark model on a
body-aligned crop. The crop comes from the previous frame's landmarks (tracking) or from
the detector (detection), which runs when there is no crop to track (when the caller gives
the frame's person-sized silhouettes, only if one of them could be a person, and at most
every :data:`LOOK_AGAIN_FRAMES` frames between grid frames), when the
tracked crop holds no pose (it then retries on the same frame), and on every frame whose
index is a multiple of ``redetect_interval_frames``.

Chunk invariance: a frame's result depends on the frames since the last detection. With a
re-detection grid on absolute frame indices, a chunk that starts tracking at
:func:`tracking_start` (the grid frame at or before its first frame) and drops the frames
before its own gets exactly the results of a single pass over the whole video. Without a
grid (``redetect_interval_frames=None``) results depend on where a chunk starts.

On a detection the crop is taken around the person ``choose`` picks among the detections
(default: the largest body, usually the nearest person). Any rule on the frame alone keeps
the re-detection grid chunk invariant.

Several people: with ``max_people`` K > 1 the tracker follows up to K people in *slots*.
Slot 0 is the person ``choose`` picks, exactly as with one slot (same crops, same cost);
slots 1..K-1 take the next largest bodies scoring at least :data:`EXTRA_PERSON_MIN_SCORE`.
Each slot is tracked on its own crop until the next grid frame, where every slot is
refilled from the detector. A slot that loses its pose between grid frames makes the
detector run on that frame (once, whichever slots were lost), and the empty slots take the
detected people no live slot already follows. Every rule reads the frames since the grid
frame only, so the slots stay chunk invariant. Which slot holds whom carries no meaning
across grid frames: people are linked over the clip later (:mod:`gait.walk.person_walker`).
The detector's answer (how many people, their body boxes) is kept on the frames it runs on,
for choosing the walker and refusing several walkers. The whole-frame segmentation, when on,
gives the share of the frame that is a person outside the walker's box (bystanders).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields

import numpy as np

from gait.person.detector import PersonDetection, PoseDetector, box_iou
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
#: Smallest detector score for the people tracked beside slot 0 (slots 1..K-1). The
#: landmark model rejects most false detections itself (pose score < 0.5, the slot empties
#: at the cost of one crop); the floor keeps the weakest detections from costing a crop on
#: every frame. 0.6 is above the bulk of the elderly clip's tile duplicates (measured
#: 0.51-0.82 for all second detections on the elderly, CCTV and sprint clips,
#: docs/person-model-findings.md) yet takes the outdoor walker beside the jumper.
EXTRA_PERSON_MIN_SCORE = 0.6
#: While a slot is free, the detector also runs when the foreground holds a person-sized
#: blob that overlaps no followed person (someone entering between re-detections: the outdoor
#: walker enters at frame ~38, the 30-frame grid would take her at 60), at most once every
#: this many frames (a moving camera's foreground is all blobs: +1.4 ms/frame at most). The
#: same spacing holds while nobody is followed: a person picked up up to 9 frames (0.3 s at
#: 30 fps) later, while half in view, for 15 instead of 36 detections in the 10-s 1080p lap
#: benchmark clip (-10 % of the analysis CPU).
LOOK_AGAIN_FRAMES = 10
#: ... and when that blob is at least this share of the smallest followed person's height
#: (a treadmill's rail, 76 px beside a 370 px walker, and equipment beside the lab
#: scientist made single-person clips detect every 10 frames).
LOOK_AGAIN_HEIGHT_SHARE = 0.5
#: Two slots whose landmark boxes overlap more than this IoU follow the same person (two
#: crops drift onto one body where people cross): the later slot is emptied.
DUPLICATE_IOU = 0.5
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
    - ``slot_landmarks`` ``(n, K, 33, 4)`` float32 and ``slot_score`` ``(n, K)`` float32:
      every tracked person's landmarks (as ``landmarks``; NaN in an empty slot) and pose
      score (0 in an empty slot); slot 0 repeats ``landmarks`` / ``pose_score``.
    - ``slot_refinement_px`` ``(n, K, 33, 2)`` float16: how far the model's heatmap moves
      every slot's landmark x, y (refined minus ``slot_landmarks``, px;
      :func:`gait.person.landmarks.refine_from_heatmap`; the joint angles read the refined
      points); NaN in an empty slot. Half precision: the moves stay under ~20 px, where
      float16 resolves 0.016 px, and it halves what the array adds to a chunk.
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
    slot_landmarks: np.ndarray
    slot_score: np.ndarray
    slot_refinement_px: np.ndarray
    scene_person_fraction: np.ndarray
    other_person_fraction: np.ndarray

    @classmethod
    def empty(cls, count: int, slots: int = 1) -> PersonFrames:
        """``count`` frames of nothing found (NaN, False, 0, -1), with ``slots`` people."""
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
            slot_landmarks=np.full((count, slots, NUM_LANDMARKS, 4), nan, np.float32),
            slot_score=np.zeros((count, slots), np.float32),
            slot_refinement_px=np.full((count, slots, NUM_LANDMARKS, 2), nan, np.float16),
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
        max_people: int = 1,
    ) -> None:
        if max_people < 1:
            raise ValueError("max_people must be at least 1")
        self.redetect_interval_frames = redetect_interval_frames
        self.choose = choose
        self.max_people = max_people
        self.detector = detector or PoseDetector()
        self.landmarker = landmarker or PoseLandmarker()
        self.segmenter = (segmenter or PersonSegmenter()) if with_scene_mask else None
        self._rois: list[SquareRoi] = []
        self._last_detection: int | None = None

    def reset(self) -> None:
        """Forget the tracked crops: the next frame is detected."""
        self._rois = []
        self._last_detection = None

    def run(self, frames: Iterable[np.ndarray], first_index: int = 0) -> PersonFrames:
        """Track through ``frames`` (BGR ``(h, w, 3)`` uint8), the first being frame
        ``first_index`` of the video. Starts by detecting (the state is reset)."""
        self.reset()
        records = []
        for offset, frame in enumerate(frames):
            result = PersonFrames.empty(1, self.max_people)
            self.update(frame, first_index + offset, result)
            records.append(result)
        out = PersonFrames.empty(len(records), self.max_people)
        for index, record in enumerate(records):
            for field in fields(out):
                getattr(out, field.name)[index] = getattr(record, field.name)[0]
        return out

    def update(
        self,
        frame_bgr: np.ndarray,
        frame_index: int,
        out: PersonFrames,
        row: int = 0,
        person_blobs_px: np.ndarray | None = None,
    ) -> None:
        """Process one frame and write its results into row ``row`` of ``out``.

        ``person_blobs_px`` ``(m, 4)`` x0, y0, x1, y1: the frame's person-sized foreground
        blobs, if known; one that overlaps no followed person makes the detector look again
        (see :data:`LOOK_AGAIN_FRAMES`). While nobody is followed, the detector runs between
        grid frames only on a frame with such a blob (every frame when they are unknown)."""
        if frame_bgr.ndim != 3 or frame_bgr.shape[2] != 3 or frame_bgr.dtype != np.uint8:
            raise ValueError(
                f"expected a BGR uint8 frame (h, w, 3), got {frame_bgr.dtype} {frame_bgr.shape}"
            )
        interval = self.redetect_interval_frames
        on_grid = bool(interval and frame_index % interval == 0)
        rois = [] if on_grid else self._rois
        poses: list[PoseLandmarks | None] = [None] * self.max_people
        # Score of slot 0's last crop, kept pose or not (0: no crop tried).
        first_score = 0.0
        must_detect = not rois
        if must_detect and not on_grid and person_blobs_px is not None:
            # Nobody followed between grid frames: look only where the silhouettes show
            # someone could be, and at most every LOOK_AGAIN_FRAMES frames. A 3-tile
            # detection costs twice the landmark model, and ran on every frame while a
            # walker was entering (half in view, not yet detectable) or a shape the
            # detector does not take for a person stood in view (the indoor clip: 37
            # fruitless detections in 401 frames).
            last = self._last_detection
            must_detect = (
                last is None or frame_index - last >= LOOK_AGAIN_FRAMES
            ) and any_blob_unfollowed(person_blobs_px, poses)
        for slot, roi in enumerate(rois):
            pose = self.landmarker.estimate(frame_bgr, roi)
            if slot == 0:
                first_score = pose.pose_score
            if pose.pose_score >= MIN_POSE_SCORE:
                poses[slot] = pose
            else:
                must_detect = True  # a slot lost its person: look again on this frame
        out.tracked[row] = poses[0] is not None
        last = self._last_detection
        if (
            not must_detect
            and person_blobs_px is not None
            and None in poses
            and (last is None or frame_index - last >= LOOK_AGAIN_FRAMES)
        ):
            must_detect = any_blob_unfollowed(person_blobs_px, poses)
        if must_detect:
            self._last_detection = frame_index
            if poses[0] is None:
                first_score = 0.0  # slot 0 is refilled from this detection, or stays empty
            detections = self.detector.detect(frame_bgr)
            kept = detections[:MAX_PERSONS]
            out.person_count[row] = min(len(detections), np.iinfo(np.int8).max)
            for slot, detection in enumerate(kept):
                out.person_boxes[row, slot] = detection.box_px
                out.person_scores[row, slot] = detection.score
            free = [d for d in kept if not followed(d, poses)]
            for slot in range(self.max_people):
                if poses[slot] is not None or not free:
                    continue
                pick = self.choose(free) if slot == 0 else next_extra_person(free)
                if pick is None:
                    break
                free = [d for d in free if d is not pick]  # (== on arrays is ambiguous)
                roi = usable_roi(pick.roi())
                if roi is None:
                    continue
                pose = self.landmarker.estimate(frame_bgr, roi)
                if slot == 0:
                    first_score = pose.pose_score
                    out.detected[row] = pose.pose_score >= MIN_POSE_SCORE
                if pose.pose_score >= MIN_POSE_SCORE:
                    poses[slot] = pose
        poses = distinct_people(poses)
        # Live slots move to the front: slot 0 is empty only when nobody is followed, so
        # one slot behaves exactly as a single-person tracker.
        live = [pose for pose in poses if pose is not None]
        if live and poses[0] is None:
            out.tracked[row] = out.detected[row] = False
        out.pose_score[row] = live[0].pose_score if live and poses[0] is None else first_score
        if not live:
            out.tracked[row] = out.detected[row] = False
        else:
            write_pose(live[0], out, row)
        for slot, pose in enumerate(live):
            out.slot_landmarks[row, slot] = pose.landmarks
            out.slot_score[row, slot] = pose.pose_score
            out.slot_refinement_px[row, slot] = pose.refined_xy - pose.landmarks[:, :2]
        self._rois = [roi for roi in (usable_roi(p.next_roi) for p in live) if roi is not None]
        if self.segmenter is not None:
            write_scene_mask(self.segmenter.probability(frame_bgr), frame_bgr.shape[:2], out, row)


def any_blob_unfollowed(boxes_px: np.ndarray, poses: list[PoseLandmarks | None]) -> bool:
    """Whether some box of ``boxes_px`` (``(m, 4)`` x0, y0, x1, y1) overlaps no pose's
    landmark box and is at least :data:`LOOK_AGAIN_HEIGHT_SHARE` as tall as the smallest
    followed person: someone not followed. (Legs split off a followed body overlap its
    box; a rail or a lamp beside the walker is much smaller than her.)"""
    followed = [landmark_box(p) for p in poses if p is not None]
    if followed:
        smallest = min(float(box[3] - box[1]) for box in followed)
        boxes_px = boxes_px[boxes_px[:, 3] - boxes_px[:, 1] >= LOOK_AGAIN_HEIGHT_SHARE * smallest]
    for box in boxes_px:
        if not any(
            box[0] < other[2] and other[0] < box[2] and box[1] < other[3] and other[1] < box[3]
            for other in followed
        ):
            return True
    return False


def next_extra_person(free: list[PersonDetection]) -> PersonDetection | None:
    """The largest body among ``free`` scoring at least :data:`EXTRA_PERSON_MIN_SCORE`."""
    strong = [d for d in free if d.score >= EXTRA_PERSON_MIN_SCORE]
    return largest_body(strong) if strong else None


def landmark_box(pose: PoseLandmarks) -> np.ndarray:
    """``(4,)`` x0, y0, x1, y1 of a pose's 33 landmarks, image pixels."""
    xy = pose.landmarks[:, :2]
    return np.concatenate([xy.min(axis=0), xy.max(axis=0)])


def followed(detection: PersonDetection, poses: list[PoseLandmarks | None]) -> bool:
    """Whether a kept pose already follows ``detection``: its hip centre lies in the pose's box."""
    hip = detection.keypoints_px[0]
    for pose in poses:
        if pose is not None:
            box = landmark_box(pose)
            if box[0] <= hip[0] <= box[2] and box[1] <= hip[1] <= box[3]:
                return True
    return False


def distinct_people(poses: list[PoseLandmarks | None]) -> list[PoseLandmarks | None]:
    """``poses`` with each pose overlapping an earlier slot's (IoU > :data:`DUPLICATE_IOU`)
    removed: two crops that drifted onto one body."""
    kept: list[PoseLandmarks | None] = []
    boxes: list[np.ndarray] = []
    for pose in poses:
        if pose is None:
            kept.append(None)
            continue
        box = landmark_box(pose)
        if boxes and box_iou(box, np.array(boxes)).max() > DUPLICATE_IOU:
            kept.append(None)
            continue
        boxes.append(box)
        kept.append(pose)
    return kept


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
