"""The person-model walker: people linked over the clip, the one who steps chosen, and the
typed refusals, on small landmark arrays drawn here and on two real clips."""

from __future__ import annotations

import numpy as np
import pytest

from gait import pipeline
from gait.errors import NoReliableGait
from gait.frame.rows import CompressedBlock, CompressedRows
from gait.walk import person_walker as pw
from gait.walk.walker import Track, choose_walker

FPS = 30.0
FRAMES = 150  # 5 s
SLOTS = 3


def person(
    hip_x_px: np.ndarray,
    feet_y_px: float,
    height_px: float,
    ankle_dx_px: np.ndarray,
    bounce_px: np.ndarray | None = None,
) -> np.ndarray:
    """``(n, 33, 4)`` landmarks of an upright person: head ``height_px`` above the feet, hips
    half-way, ankles ``hip_x ± ankle_dx / 2`` on the feet level, everything visible."""
    n = len(hip_x_px)
    lift = np.zeros(n) if bounce_px is None else bounce_px
    points = np.zeros((n, 33, 4), np.float32)
    # Spread the 33 points from the head down to the hips, then legs and feet.
    fractions = np.linspace(1.0, 0.5, 33)
    points[:, :, 0] = hip_x_px[:, None]
    points[:, :, 1] = feet_y_px - fractions[None, :] * height_px - lift[:, None]
    points[:, :, 3] = 1.0
    for side, sign in ((pw.LEFT_HIP, 0.5), (pw.RIGHT_HIP, -0.5)):
        points[:, side, 0] = hip_x_px + sign * 0.05 * height_px
        points[:, side, 1] = feet_y_px - 0.5 * height_px - lift
    for joint, sign in ((25, 0.25), (26, -0.25)):  # knees
        points[:, joint, 0] = hip_x_px + sign * ankle_dx_px
        points[:, joint, 1] = feet_y_px - 0.25 * height_px - lift
    for joints, sign in (((27, 29, 31), 0.5), ((28, 30, 32), -0.5)):  # ankle, heel, toe
        for joint in joints:
            points[:, joint, 0] = hip_x_px + sign * ankle_dx_px
            points[:, joint, 1] = feet_y_px - lift - (0.03 * height_px if joint < 29 else 0)
    return points


def walker(
    start_x_px: float = 100.0,
    speed_px_per_s: float = 150.0,
    height_px: float = 200.0,
    feet_y_px: float = 500.0,
    cadence_spm: float = 110.0,
    phase: float = 0.0,
) -> np.ndarray:
    """A walker: hips travel at ``speed``, ankles scissor (signed separation ±0.4 height)
    at half the cadence (one stride per two steps)."""
    t = np.arange(FRAMES) / FPS
    stride_hz = cadence_spm / 120.0
    dx = 0.4 * height_px * np.sin(2 * np.pi * stride_hz * t + phase)
    return person(start_x_px + speed_px_per_s * t, feet_y_px, height_px, dx)


def stander(x_px: float = 700.0, height_px: float = 200.0, feet_y_px: float = 500.0):
    rng = np.random.default_rng(0)
    jitter = rng.normal(0, 0.005 * height_px, FRAMES)  # landmark noise, 1 px
    return person(np.full(FRAMES, x_px) + jitter, feet_y_px, height_px, 0.12 * height_px + jitter)


def jumper(x_px: float = 350.0, height_px: float = 200.0, feet_y_px: float = 250.0):
    """Jumps in place on a box, feet together, twice a second."""
    t = np.arange(FRAMES) / FPS
    bounce = 0.25 * height_px * np.abs(np.sin(2 * np.pi * t))
    return person(np.full(FRAMES, x_px), feet_y_px, height_px, np.full(FRAMES, 0.05), bounce)


def slots_of(*people: np.ndarray, present: list[slice] | None = None):
    """The tracker's slot arrays holding ``people`` (``present[i]``: the frames person i is
    followed in; all frames by default)."""
    landmarks = np.full((FRAMES, SLOTS, 33, 4), np.nan, np.float32)
    scores = np.zeros((FRAMES, SLOTS), np.float32)
    for slot, points in enumerate(people):
        frames = present[slot] if present else slice(None)
        landmarks[frames, slot] = points[frames]
        scores[frames, slot] = 0.99
    return {"person_slot_landmarks": landmarks, "person_slot_score": scores}


TIMES_S = np.arange(FRAMES) / FPS


def test_a_walker_beside_a_stander_is_the_walker():
    arrays = slots_of(stander(), walker())
    result = pw.find_person_walker(arrays, TIMES_S)
    assert result.found
    people = result.people
    assert len(people) == 2
    chosen = people[result.walker]
    assert chosen.travels and chosen.steps >= 8  # 110 steps/min over ~4.5 s
    np.testing.assert_array_equal(result.landmarks, arrays["person_slot_landmarks"][:, 1])
    assert result.seen.all()
    assert people[1 - result.walker].steps == 0  # the stander takes no step


def test_the_walker_not_the_jumper_even_when_the_jumper_is_followed_first():
    arrays = slots_of(jumper(), walker())
    result = pw.find_person_walker(arrays, TIMES_S)
    hip_x = result.landmarks[:, pw.LEFT_HIP, 0]
    assert hip_x[-1] - hip_x[0] > 600  # the one who travels


def test_people_keep_their_identity_when_slots_swap_at_a_re_detection():
    a, b = walker(start_x_px=100), stander(x_px=800)
    arrays = slots_of(a, b)
    swapped = slice(60, 90)
    for name in arrays:
        arrays[name][swapped, [0, 1]] = arrays[name][swapped, [1, 0]]
    tracks = pw.link_people(arrays["person_slot_landmarks"], arrays["person_slot_score"], TIMES_S)
    assert len(tracks) == 2
    for track in tracks:
        assert len(track.positions) == FRAMES
        assert np.abs(np.diff(track.hip_px[:, 0])).max() < 10  # no jump to the other person
    walker_track = max(tracks, key=lambda t: np.ptp(t.hip_px[:, 0]))
    assert walker_track.slots[60] == 1 and walker_track.slots[0] == 0


def test_a_person_lost_until_the_next_re_detection_is_linked_again():
    arrays = slots_of(walker(), present=[np.r_[0:40, 65:FRAMES]])
    tracks = pw.link_people(arrays["person_slot_landmarks"], arrays["person_slot_score"], TIMES_S)
    assert len(tracks) == 1 and len(tracks[0].positions) == FRAMES - 25


def test_two_walkers_at_once_are_several_walkers():
    arrays = slots_of(walker(), walker(start_x_px=900, speed_px_per_s=-120, phase=1.0))
    with pytest.raises(NoReliableGait) as info:
        pw.find_person_walker(arrays, TIMES_S)
    assert info.value.reason == "several_walkers"
    assert "one walker" in info.value.message


def test_a_second_walker_for_a_moment_is_not_several_walkers():
    arrays = slots_of(
        walker(),
        walker(start_x_px=900, speed_px_per_s=-300, phase=1.0),
        present=[slice(None), slice(0, 45)],
    )
    assert pw.find_person_walker(arrays, TIMES_S).walker == 0


def test_nobody_stepping_is_no_walker():
    arrays = slots_of(stander(), jumper())
    with pytest.raises(NoReliableGait) as info:
        pw.find_person_walker(arrays, TIMES_S)
    assert info.value.reason == "no_walker"
    assert "seen from the front or from behind" not in info.value.message  # side views


def test_stepping_in_place_is_a_walker():
    """A treadmill: the ankles scissor, the hips stay."""
    arrays = slots_of(stander(), walker(speed_px_per_s=0.0))
    result = pw.find_person_walker(arrays, TIMES_S)
    assert result.walker == 1 and not result.people[1].travels


def seen_from_behind(lead_heights: np.ndarray, x_px: float = 360.0, height_px: float = 300.0):
    """``(n, 33, 4)``: a person seen from behind (shoulders 0.24 height apart, legs apart
    across the image) whose left ankle stands ``lead_heights`` (``(n,)``, body heights)
    higher in the image than the right: a foot ahead is further away, higher."""
    points = person(np.full(FRAMES, x_px), 500.0, height_px, np.full(FRAMES, 0.1 * height_px))
    points[:, 11, 0], points[:, 12, 0] = x_px - 0.12 * height_px, x_px + 0.12 * height_px
    points[:, [11, 12], 1] = 500.0 - 0.8 * height_px
    for joint in (27, 29, 31):  # the left ankle, heel, foot tip
        points[:, joint, 1] -= lead_heights * height_px
    return points


def test_stepping_seen_from_behind_is_a_walker():
    """A walker followed from behind: no travel across the image, the ankles stay apart and
    only their heights alternate, by +-0.05 body heights (the elderly clip's +-0.07); the
    unsigned ankle opening alone would swing 0-0.05, under :data:`STEP_AMPLITUDE_HEIGHTS`."""
    t = np.arange(FRAMES) / FPS
    lead = 0.05 * np.sign(np.sin(2 * np.pi * 0.75 * t))  # 90 steps/min, square-ish
    rng = np.random.default_rng(1)
    standing = seen_from_behind(rng.normal(0, 0.004, FRAMES), x_px=700.0)
    result = pw.find_person_walker(slots_of(standing, seen_from_behind(lead)), TIMES_S)
    assert result.walker == 1 and result.people[1].steps >= 6
    assert result.people[0].steps == 0
    with pytest.raises(NoReliableGait) as info:
        pw.find_person_walker(slots_of(standing), TIMES_S)
    assert info.value.reason == "no_walker"
    # ... and the refusal says that from behind short steps may not show (describe() tells
    # the view: test_no_steps_from_the_front_or_behind_says_so).
    assert "seen from the front or from behind" in info.value.message


def test_a_smaller_reflection_stepping_with_the_walker_is_not_a_second_walker():
    real = walker(start_x_px=100, height_px=200, feet_y_px=500)
    mirror = walker(start_x_px=400, speed_px_per_s=-75, height_px=120, feet_y_px=330)
    result = pw.find_person_walker(slots_of(mirror, real), TIMES_S)
    assert result.walker == 1
    # The same small person out of step with the walker is someone else walking.
    other = walker(start_x_px=400, speed_px_per_s=-75, height_px=120, feet_y_px=330, cadence_spm=90)
    with pytest.raises(NoReliableGait, match="two people walk"):
        pw.find_person_walker(slots_of(other, real), TIMES_S)


def test_nobody_followed_leaves_the_choice_to_the_silhouette():
    result = pw.find_person_walker(slots_of(), TIMES_S)
    assert not result.found and not result.seen.any()
    assert np.isnan(result.landmarks).all()


def test_format_2_features_read_as_one_slot():
    points = walker()
    arrays = {"person_landmarks": points, "person_pose_score": np.full(FRAMES, 0.99, np.float32)}
    result = pw.find_person_walker(arrays, TIMES_S)
    np.testing.assert_array_equal(result.landmarks, points)


def test_the_silhouette_walker_is_the_blob_the_person_walker_is_in():
    """Two blob tracks walk one after the other; the one travelling less holds the
    person-model walker."""

    def blob_track(first: int, x0: float, speed: float, frames: int = 60) -> Track:
        x = x0 + speed * np.arange(frames)
        one = np.ones(frames)
        boxes = np.stack([x - 20, 300 * one, x + 20, 500 * one, 8000 * one, x, 400 * one], axis=1)
        return Track(
            np.arange(first, first + frames), np.ones(frames, np.int64), boxes.astype(np.int64)
        )

    far, near = blob_track(0, 100, 12), blob_track(50, 300, 8)
    person_box = np.full((110, 4), np.nan)
    person_box[near.positions, 0] = near.boxes[:, 5] - 15
    person_box[near.positions, 2] = near.boxes[:, 5] + 15
    person_box[near.positions, 1], person_box[near.positions, 3] = 310, 495
    assert choose_walker([far, near]) is far  # the silhouette rule alone: furthest
    assert choose_walker([far, near], person_box) is near
    # A person-model walker in no blob leaves the silhouette rule to decide.
    assert choose_walker([far, near], person_box + 400) is far


OUTDOOR = "side-outdoor-walker-and-jumper.mp4"


def clip_arrays(analysis) -> tuple[dict[str, np.ndarray], np.ndarray]:
    features = [pipeline.ChunkFeatures.from_bytes(b) for b in analysis.chunk_bytes]
    frames = np.concatenate([f.frame_indices for f in features])
    names = features[0].arrays
    arrays = {name: np.concatenate([f.arrays[name] for f in features]) for name in names}
    return arrays, analysis.plan.video.frame_times_s[frames]


def test_outdoor_walker_landmarks_are_hers_not_the_jumpers(real_clip, analysed):
    """The jumper (on a box, feet at ~250 px) is followed from frame 0; the walker (feet at
    ~505 px) from frame 40 (she enters at ~38: her blob, unfollowed, makes the detector
    look again before the grid frame 60)."""
    arrays, times_s = clip_arrays(analysed(real_clip(OUTDOOR)))
    result = pw.find_person_walker(arrays, times_s)
    seen = np.flatnonzero(result.seen)
    assert seen[0] <= 45 and seen[-1] >= 195
    feet_y = np.nanmax(result.landmarks[seen][:, pw.FEET, 1], axis=1)
    assert (feet_y[seen < 200] > 420).all()  # never the jumper's feet
    assert result.seen[45:200].mean() > 0.95
    jumper_seen = [p for p in result.people if p.feet_y_px < 350]
    assert jumper_seen and all(p.steps == 0 for p in jumper_seen)


def test_lab_scientist_is_no_walker(real_clip, analysed):
    error = analysed(real_clip("neg-no-walker-lab-scientist.mp4")).error
    assert isinstance(error, NoReliableGait) and error.reason == "no_walker"
    assert "nobody in the video is seen taking steps" in error.message


def still_person(frames_seen: int, faces_camera: bool) -> pw.PersonSummary:
    return pw.PersonSummary(
        frames_seen=frames_seen,
        first_position=0,
        last_position=frames_seen - 1,
        height_px=300.0,
        feet_y_px=400.0,
        travel_heights=0.0,
        step_positions=np.zeros(0, int),
        stepping=np.zeros(frames_seen, bool),
        faces_camera=faces_camera,
    )


@pytest.mark.parametrize("longest_faces_camera", [True, False])
def test_no_steps_from_the_front_or_behind_says_so(longest_faces_camera):
    """Seen along the walking direction, short steps barely move the feet in the picture (an
    elderly walker from behind, resent: README, *Accuracy*): the refusal says so, and what
    to do, when the person seen longest faces the camera or away from it."""
    people = [still_person(200, longest_faces_camera), still_person(50, not longest_faces_camera)]
    with pytest.raises(NoReliableGait) as refused:
        pw.choose_walker(people, np.arange(200) / 30.0)
    assert refused.value.reason == "no_walker"
    assert refused.value.message.startswith("nobody in the video is seen taking steps")
    assert ("seen from the front or from behind" in refused.value.message) == longest_faces_camera


def test_a_step_falling_below_the_previous_trough_still_counts():
    opening = np.array([0.1, 0.3, 0.1, 0.3, 0.05, 0.3, 0.1])
    np.testing.assert_array_equal(pw.step_peaks(opening, 0.06), [1, 3, 5])
    assert len(pw.step_peaks(np.array([0.1, 0.13, 0.1, 0.14, 0.1]), 0.06)) == 0  # wobble


def test_peaks_closer_than_a_step_are_one_step():
    """Landmark jitter can put two opening peaks a few frames apart within one step; the
    stronger stands for the step, so a run of steps is not broken by it."""
    times = np.arange(200) / 30.0
    opening = np.zeros(200)
    peaks = np.array([10, 26, 42, 45, 58, 74])  # 42 and 45: 0.1 s apart
    opening[peaks] = [0.2, 0.2, 0.1, 0.25, 0.2, 0.2]
    kept = pw.without_close_peaks(peaks, opening, times)
    assert kept.tolist() == [10, 26, 45, 58, 74]
    assert pw.stepping_frames(times[kept]) == [(0, 4)]
    assert pw.stepping_frames(times[peaks]) == []  # the jitter broke the run before


def test_slots_held_compressed_link_and_choose_exactly_as_dense_ones():
    """aggregate keeps the slots compressed per chunk (gait.frame.rows); people linked from
    them across block boundaries are the same, to the bit."""
    a, b = walker(start_x_px=100), stander(x_px=800)
    arrays = slots_of(a, b, present=[np.r_[0:40, 65:FRAMES], slice(None)])
    swapped = slice(60, 90)
    for name in arrays:
        arrays[name][swapped, [0, 1]] = arrays[name][swapped, [1, 0]]
    dense = arrays["person_slot_landmarks"]
    blocks = [CompressedBlock.of(dense[i : i + 37]) for i in range(0, FRAMES, 37)]
    held = {**arrays, "person_slot_landmarks": CompressedRows(blocks, dense.shape[1:], dense.dtype)}
    expected = pw.link_people(dense, arrays["person_slot_score"], TIMES_S)
    tracks = pw.link_people(held["person_slot_landmarks"], arrays["person_slot_score"], TIMES_S)
    assert len(tracks) == len(expected) == 2
    for track, reference in zip(tracks, expected, strict=True):
        np.testing.assert_array_equal(track.positions, reference.positions)
        np.testing.assert_array_equal(track.slots, reference.slots)
        np.testing.assert_array_equal(track.landmarks, reference.landmarks)
    chosen, reference = pw.find_person_walker(held, TIMES_S), pw.find_person_walker(arrays, TIMES_S)
    assert chosen.walker == reference.walker is not None
    np.testing.assert_array_equal(chosen.landmarks, reference.landmarks)
