"""The person model on real frames: plausible landmarks, no pose on empty frames, and
chunk-invariant tracking on a re-detection grid."""

from __future__ import annotations

from dataclasses import fields
from types import SimpleNamespace

import numpy as np
import pytest

from gait.person.detector import PoseDetector
from gait.person.geometry import SquareRoi
from gait.person.landmarks import (
    LEFT_FOOT_INDEX,
    LEFT_HEEL,
    LEFT_HIP,
    RIGHT_FOOT_INDEX,
    RIGHT_HEEL,
    RIGHT_HIP,
)
from gait.person.models import missing_models
from gait.person.tracker import PersonTracker, any_blob_unfollowed, tracking_start, usable_roi
from gait.video import analysis_size, probe, read_frames

INDOOR = "side-indoor-forward-then-backward.mp4"
FEET = [LEFT_HEEL, RIGHT_HEEL, LEFT_FOOT_INDEX, RIGHT_FOOT_INDEX]

pytestmark = pytest.mark.skipif(
    bool(missing_models()), reason="person models absent: run `make models`"
)


@pytest.fixture(scope="module")
def tracker() -> PersonTracker:
    return PersonTracker()


def frames_of(path, start: int, stop: int) -> list[np.ndarray]:
    info = probe(path)
    return [image for _, _, image in read_frames(info, start, stop, analysis_size(info))]


def test_indoor_walker_landmarks_land_on_her_body(real_clip, tracker):
    [frame] = frames_of(real_clip(INDOOR), 100, 101)
    result = tracker.run([frame], first_index=100)
    assert result.detected[0] and not result.tracked[0]
    assert result.person_count[0] == 1
    assert result.pose_score[0] > 0.9
    points = result.landmarks[0]
    hips_y = points[[LEFT_HIP, RIGHT_HIP], 1].max()
    body_height = result.person_box[0, 3] - result.person_box[0, 1]
    # Heels and foot tips below the hips by at least a third of the body's height.
    assert np.all(points[FEET, 1] > hips_y + body_height / 3)
    # ... and at the bottom of her segmentation mask (which takes in her soles and a little
    # floor), within 10 % of her height.
    mask_bottom = result.mask_box[0, 3]
    assert np.all(np.abs(points[FEET, 1] - mask_bottom) < 0.1 * body_height)
    x0, _, x1, _ = result.mask_box[0]
    assert np.all((points[FEET, 0] > x0 - 5) & (points[FEET, 0] < x1 + 5))
    assert points[FEET, 3].min() > 0.5  # the feet are visible
    # The walker fills the scene mask: little person area outside her box.
    assert result.other_person_fraction[0] < 0.1 * result.scene_person_fraction[0]


@pytest.mark.parametrize("value", [0, 128, 255])
def test_uniform_frames_give_no_pose_and_no_crash(tracker, value):
    frames = [np.full((540, 960, 3), value, np.uint8)] * 2
    result = tracker.run(frames)
    assert not result.has_pose.any()
    assert np.isnan(result.landmarks).all()
    assert np.all(result.person_count == 0)
    assert not result.detected.any() and not result.tracked.any()


def test_a_collapsed_or_undefined_crop_is_not_used():
    assert usable_roi(SquareRoi(10.0, 10.0, 100.0, 0.2)) is not None
    assert usable_roi(SquareRoi(10.0, 10.0, 0.0, 0.0)) is None
    assert usable_roi(SquareRoi(10.0, float("nan"), 100.0, 0.0)) is None
    assert usable_roi(None) is None


def test_a_frame_that_is_not_bgr_uint8_is_refused(tracker):
    with pytest.raises(ValueError, match="BGR uint8"):
        tracker.run([np.zeros((540, 960), np.uint8)])


def test_tracking_follows_the_walker_and_detects_only_when_lost(real_clip, tracker):
    frames = frames_of(real_clip(INDOOR), 90, 120)
    result = tracker.run(frames, first_index=90)
    assert result.has_pose.all()
    assert result.detected[0] and result.tracked[1:].all()
    assert np.all(result.person_count[1:] == -1)  # the detector did not run
    hip_x = result.landmarks[:, LEFT_HIP, 0]
    assert hip_x[-1] < hip_x[0] - 50  # she walks right to left


def test_a_re_detection_grid_makes_chunks_agree_with_one_pass(real_clip):
    interval = 10
    grid_tracker = PersonTracker(redetect_interval_frames=interval, with_scene_mask=False)
    frames = frames_of(real_clip(INDOOR), 90, 130)
    whole = grid_tracker.run(frames, first_index=90)
    chunk_first = 107
    warmup_from = tracking_start(chunk_first, interval)
    assert warmup_from == 100
    chunk = grid_tracker.run(frames[warmup_from - 90 :], first_index=warmup_from)
    chunk = chunk.slice(chunk_first - warmup_from, len(chunk))
    expected = whole.slice(chunk_first - 90, len(whole))
    for field in fields(chunk):
        np.testing.assert_array_equal(getattr(chunk, field.name), getattr(expected, field.name))
    assert whole.detected[[10, 20, 30]].all()  # the grid frames 100, 110, 120


def test_detector_sees_the_scientist_who_is_not_walking(real_clip):
    [frame] = frames_of(real_clip("neg-no-walker-lab-scientist.mp4"), 250, 251)
    detections = PoseDetector().detect(frame)
    assert len(detections) >= 1
    assert detections[0].score > 0.5


def test_several_people_are_followed_in_slots_and_stay_chunk_invariant(real_clip):
    """Outdoor clip: the jumper (on a box) is the largest body; the walker, entering, is
    taken into a second slot at a re-detection, and the slots of a chunk starting off the
    grid equal those of one pass."""
    interval = 10
    slots = PersonTracker(redetect_interval_frames=interval, with_scene_mask=False, max_people=3)
    frames = frames_of(real_clip("side-outdoor-walker-and-jumper.mp4"), 55, 75)
    whole = slots.run(frames, first_index=55)
    chunk = slots.run(frames[60 - 55 :], first_index=60).slice(63 - 60, 20 - 5)
    expected = whole.slice(63 - 55, 20)
    for field in fields(chunk):
        np.testing.assert_array_equal(getattr(chunk, field.name), getattr(expected, field.name))
    np.testing.assert_array_equal(whole.slot_landmarks[:, 0], whole.landmarks)
    feet_y = whole.slot_landmarks[:, :, FEET, 1].max(axis=2)  # (frames, slots), NaN if empty
    followed = whole.slot_score >= 0.5
    jumper = followed & (feet_y < 350)
    walker = followed & (feet_y > 420)
    assert jumper[:, 0].all()  # the largest body keeps slot 0, as with one slot
    assert walker[60 - 55 :].any(axis=1).all()  # the walker, from the grid frame 60 on


def test_a_person_sized_blob_overlapping_nobody_followed_makes_the_detector_look_again():
    body = np.zeros((33, 4), np.float32)
    body[:, 0] = np.linspace(80, 130, 33)
    body[:, 1] = np.linspace(100, 400, 33)
    followed = [SimpleNamespace(landmarks=body), None]
    legs_split_off = np.array([[70.0, 260.0, 140.0, 410.0]])
    assert not any_blob_unfollowed(legs_split_off, followed)
    entering = np.array([[60.0, 100.0, 150.0, 400.0], [800.0, 120.0, 880.0, 390.0]])
    assert any_blob_unfollowed(entering, followed)
    assert any_blob_unfollowed(entering, [None, None])
    rail = np.array([[200.0, 150.0, 220.0, 240.0]])  # 90 px beside a 300 px person
    assert not any_blob_unfollowed(rail, followed)
    assert not any_blob_unfollowed(np.zeros((0, 4)), [None])


def test_while_nobody_is_followed_the_detector_looks_again_at_most_every_few_frames():
    """A person-sized silhouette the detector does not take for a person (a walker half in
    view, a coat stand): between grid frames the detector is not run again on every frame,
    only every LOOK_AGAIN_FRAMES; on grid frames always."""
    from gait.person.tracker import LOOK_AGAIN_FRAMES, PersonFrames

    interval = 30
    runs: list[int] = []
    detector = PoseDetector()
    tracker = PersonTracker(
        redetect_interval_frames=interval, with_scene_mask=False, detector=detector
    )
    detect = detector.detect
    frame = np.full((270, 480, 3), 90, np.uint8)  # nobody to find
    blob = np.array([[100.0, 40.0, 160.0, 250.0]])
    tracker.reset()
    for index in range(25, 75):
        detector.detect = lambda image, index=index: runs.append(index) or detect(image)
        tracker.update(frame, index, PersonFrames.empty(1), person_blobs_px=blob)
    off_grid = [i for i in runs if i % interval]
    assert 30 in runs and 60 in runs
    assert np.all(np.diff([i for i in runs if i >= 30]) >= LOOK_AGAIN_FRAMES)
    assert off_grid  # it does look again between grid frames
