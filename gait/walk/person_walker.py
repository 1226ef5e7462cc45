"""The walker from the person model: people linked over the clip, the one whose feet step.

The tracker follows up to K people per frame in slots (``person_slot_landmarks``
``(n, K, 33, 4)``, ``person_slot_score`` ``(n, K)``, see :mod:`gait.person.tracker`). A
slot's occupant may change at every re-detection, so people are linked here, over the whole
clip, by their hip centres (nearest to where each person's velocity puts them). Each
person's track is then described:

* its body height (px): the height of the box around its 33 landmarks, median over frames;
* its feet level (px): the floor its feet stand on, the median of the lowest foot point;
* its hip travel, in body heights, horizontally across the image;
* its stepping: how far the ankles are from their usual placement (:func:`ankle_opening`)
  grows and shrinks once per step; for a person seen from the front or back
  (:func:`faces_camera`), whose ankles stay apart across the image, the signed height
  difference of the ankles (:func:`ankle_lead`), whose sign swaps at every step, instead.
  A step is counted on each swing of at least
  :data:`STEP_AMPLITUDE_HEIGHTS`; a run of steps at walking or running rate (step time
  :data:`MIN_STEP_S` to :data:`MAX_STEP_S`) over at least :data:`MIN_STEPS` steps (two
  strides) is stepping. The signal is not signed by the model's left/right names: they
  swap near leg crossings on real side views and are at chance on the synthetic figure
  (docs/person-model-findings.md).

The walker is the person who steps and travels, or, when nobody travels, who steps in
place (a treadmill, a camera following the walker). A person standing, or jumping with the
feet together, does not step. Another person stepping (and travelling, when the walker
travels) over the same :data:`MIN_SHARED_WALKING_S` or more makes several walkers, unless
it is the walker's reflection: smaller, feet off the walker's floor, and stepping in step
with the walker. Nobody stepping is no walker.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from gait.errors import NoReliableGait
from gait.frame.rows import Rows, take
from gait.person.landmarks import (
    LEFT_ANKLE,
    LEFT_HIP,
    LEFT_SHOULDER,
    RIGHT_ANKLE,
    RIGHT_FOOT_INDEX,
    RIGHT_HIP,
    RIGHT_SHOULDER,
)
from gait.person.tracker import MIN_POSE_SCORE

#: Feet: ankles, heels, foot tips (27-32); the lowest is on the floor in stance.
FEET = slice(LEFT_ANKLE, RIGHT_FOOT_INDEX + 1)

#: A pose links to a person whose last hip centre lies within this many of its body heights
#: (a walker moves < 0.1 height per frame at 25 fps; 0.15 at 10 fps) ...
LINK_DISTANCE_HEIGHTS = 0.35
#: ... plus this many body heights per second of gap (a runner's speed in the image): a
#: person lost between re-detections (up to 1 s) is linked again when found.
LINK_SPEED_HEIGHTS_PER_S = 3.0
#: A track's hip velocity is taken over its last this many seconds (a stride's sway
#: averages out over a few steps; people crossing change course slowly).
VELOCITY_WINDOW_S = 0.3
#: Frames of landmarks :func:`link_people` reads at a time (~0.8 MB of them as float64 at
#: three slots): a bound on its memory whatever the clip's length.
LINK_READ_ROWS = 512
#: Longest gap a person's track bridges, seconds: one re-detection interval (30 frames at
#: 30 fps) plus a margin.
MAX_GAP_S = 1.2
#: Body heights of linked poses differ by less than this ratio.
LINK_HEIGHT_RATIO = 1.5
#: Fewest frames for a track to describe a person at all (a third of a second at 30 fps).
MIN_TRACK_FRAMES = 10
#: Visibility below which an ankle is a guess of the model (feet out of frame, hidden by a
#: desk), not a measurement.
MIN_ANKLE_VISIBILITY = 0.5
#: Smallest swing of the ankle signal (:func:`ankle_opening`) that counts as a step, in
#: body heights. From the side a step opens the ankles by 0.3-0.5 heights (outdoor and
#: indoor clips); from behind the forward foot rises by only ~0.08 (elderly clip); the lab
#: scientist, standing, stays below it.
STEP_AMPLITUDE_HEIGHTS = 0.06
#: ... or this share of the person's own range of the signal (5th to 95th percentile) when
#: larger: the synthetic figure's ankle points wobble by 0.06 heights between its steps
#: (labels jumping between the legs), against 0.2-0.35 heights for its steps.
STEP_AMPLITUDE_SHARE = 0.3
#: The ankle signal is a running median over this long (3 frames at 25-30 fps, none at
#: 10 fps), against single-frame label glitches.
MEDIAN_WINDOW_S = 0.1
#: Step times of walking and running: 0.2 s (a sprinter, 300 steps/min) to 1.5 s (a very
#: slow walker, 40 steps/min).
MIN_STEP_S, MAX_STEP_S = 0.2, 1.5
#: A person is seen from the front or back (:func:`faces_camera`) when the median shoulder
#: width (image x) over torso length reaches this, as
#: :data:`gait.walk.views.FRONTAL_MIN_WIDTH_RATIO` (measured: side clips 0.16-0.24, the
#: oblique treadmill 0.44, the back view in a shop 0.65).
FRONTAL_MIN_WIDTH_RATIO = 0.55
#: Steps in a row at that rate that make stepping: two strides.
MIN_STEPS = 4
#: A walker travels at least this many body heights across the image while stepping; less
#: is stepping in place (a treadmill, or a camera following the walker).
MIN_TRAVEL_HEIGHTS = 1.0
#: A reflection is smaller than this share of the walker's height, its feet further than
#: :data:`FLOOR_TOLERANCE_HEIGHTS` (walker heights) from the walker's feet level, and at
#: least :data:`IN_STEP_SHARE` of its steps fall within :data:`IN_STEP_TOLERANCE_S` of
#: the walker's. Smaller and higher alone would also describe a pedestrian further away
#: (the CCTV clip's elevated view); only a mirror image steps exactly with the walker.
REFLECTION_HEIGHT_RATIO = 0.75
FLOOR_TOLERANCE_HEIGHTS = 0.15
IN_STEP_TOLERANCE_S = 0.1
IN_STEP_SHARE = 0.7
#: Two people walking over a common span at least this long are several walkers (someone
#: crossing behind the walker in a few steps is not).
MIN_SHARED_WALKING_S = 2.0


@dataclass(frozen=True)
class PersonTrack:
    """One person followed over the clip: ``positions`` ``(m,)`` row indices into the clip's
    frames (increasing), ``slots`` ``(m,)`` the tracker slot in each, ``landmarks``
    ``(m, 33, 4)`` and ``scores`` ``(m,)`` their landmarks and pose scores."""

    positions: np.ndarray
    slots: np.ndarray
    landmarks: np.ndarray
    scores: np.ndarray

    @property
    def hip_px(self) -> np.ndarray:
        """``(m, 2)`` hip centre, image px."""
        return self.landmarks[:, [LEFT_HIP, RIGHT_HIP], :2].astype(np.float64).mean(axis=1)

    @property
    def heights_px(self) -> np.ndarray:
        """``(m,)`` height of the box around the 33 landmarks, image px."""
        y = self.landmarks[:, :, 1].astype(np.float64)
        return y.max(axis=1) - y.min(axis=1)


@dataclass(frozen=True)
class PersonSummary:
    """What a track shows of a person (image px, body heights; positions are row indices
    into the clip's frames).

    ``stepping`` ``(n,)`` bool over the clip's frames: from the first to the last step of
    each run of steps; ``step_positions`` ``(s,)`` the frames of those steps (the ankles'
    widest placement); ``travel_heights`` the hips' horizontal range over a run of steps
    (the largest), in body heights; ``faces_camera`` whether the person is seen from the
    front or back (:func:`faces_camera`).
    """

    frames_seen: int
    first_position: int
    last_position: int
    height_px: float
    feet_y_px: float
    travel_heights: float
    step_positions: np.ndarray
    stepping: np.ndarray
    faces_camera: bool = False

    @property
    def steps(self) -> int:
        return len(self.step_positions)

    @property
    def walking_span(self) -> tuple[int, int] | None:
        """First and last frame (positions) of stepping, None without."""
        where = np.flatnonzero(self.stepping)
        return (int(where[0]), int(where[-1])) if len(where) else None

    @property
    def travels(self) -> bool:
        return self.travel_heights >= MIN_TRAVEL_HEIGHTS

    def to_dict(self) -> dict[str, float | int]:
        return {
            "frames_seen": self.frames_seen,
            "first_position": self.first_position,
            "last_position": self.last_position,
            "height_px": round(self.height_px, 1),
            "feet_y_px": round(self.feet_y_px, 1),
            "travel_heights": round(self.travel_heights, 2),
            "steps": self.steps,
            "stepping_frames": int(self.stepping.sum()),
            "faces_camera": self.faces_camera,
        }


def slot_arrays(arrays: dict[str, Rows]) -> tuple[Rows, np.ndarray]:
    """The tracker's slots ``(n, K, 33, 4)`` (dense or compressed, :mod:`gait.frame.rows`)
    and scores ``(n, K)`` from the clip's arrays; features of format 2 (one person,
    ``person_landmarks``) read as one slot."""
    if "person_slot_landmarks" in arrays:
        return arrays["person_slot_landmarks"], arrays["person_slot_score"]
    return arrays["person_landmarks"][:, None], arrays["person_pose_score"][:, None]


def hip_velocity(track: list[tuple[int, int]], hips: np.ndarray, times_s: np.ndarray) -> np.ndarray:
    """``(2,)`` px/s: the track's hip velocity over its last :data:`VELOCITY_WINDOW_S`
    (zero with one point), so that two people crossing keep their identities."""
    last_pos, last_slot = track[-1]
    for pos, slot in reversed(track[:-1]):
        elapsed = times_s[last_pos] - times_s[pos]
        if elapsed >= VELOCITY_WINDOW_S or (pos, slot) == track[0]:
            return (hips[last_pos, last_slot] - hips[pos, slot]) / max(elapsed, 1e-6)
    return np.zeros(2)


def hips_and_heights(slot_landmarks: Rows) -> tuple[np.ndarray, np.ndarray]:
    """Every slot's hip centre ``(n, K, 2)`` px (the mean of the two hip points) and body
    height ``(n, K)`` px (the span of its landmarks' y), float64, NaN in an empty slot.

    Read :data:`LINK_READ_ROWS` frames at a time: a clip's slots (1.6 KB per frame) are not
    copied whole, whether held dense or compressed."""
    n, slots = len(slot_landmarks), slot_landmarks.shape[1]
    hips = np.empty((n, slots, 2), np.float64)
    heights = np.empty((n, slots), np.float64)
    for start in range(0, n, LINK_READ_ROWS):
        xy = slot_landmarks[start : start + LINK_READ_ROWS][..., :2].astype(np.float64)
        stop = start + len(xy)
        hips[start:stop] = xy[:, :, [LEFT_HIP, RIGHT_HIP]].mean(axis=2)
        heights[start:stop] = xy[..., 1].max(axis=2) - xy[..., 1].min(axis=2)
    return hips, heights


def link_people(
    slot_landmarks: Rows, slot_score: np.ndarray, times_s: np.ndarray
) -> list[PersonTrack]:
    """Link every frame's poses into people over the clip.

    ``slot_landmarks`` ``(n, K, 33, 4)`` (an array or :class:`gait.frame.rows.CompressedRows`,
    read :data:`LINK_READ_ROWS` rows at a time), ``slot_score`` ``(n, K)``, ``times_s``
    ``(n,)`` each frame's time. Frame by frame, each open track takes the pose whose hip centre is
    nearest where the track's velocity puts it (within :data:`LINK_DISTANCE_HEIGHTS` plus
    :data:`LINK_SPEED_HEIGHTS_PER_S` per second since it was last seen, similar height),
    nearest pairs first; the other poses open new tracks. Deterministic: ties go to the
    older track and the lower slot.
    """
    n, slots = slot_score.shape
    hips, heights = hips_and_heights(slot_landmarks)
    valid = (slot_score >= MIN_POSE_SCORE) & np.isfinite(hips).all(axis=2) & (heights > 0)
    open_tracks: list[list[tuple[int, int]]] = []
    closed: list[list[tuple[int, int]]] = []
    for position in range(n):
        still_open = []
        for track in open_tracks:
            if times_s[position] - times_s[track[-1][0]] > MAX_GAP_S:
                closed.append(track)
            else:
                still_open.append(track)
        open_tracks = still_open
        present = [slot for slot in range(slots) if valid[position, slot]]
        pairs = []
        for order, track in enumerate(open_tracks):
            last_pos, last_slot = track[-1]
            last_height = heights[last_pos, last_slot]
            gap_s = times_s[position] - times_s[last_pos]
            reach = last_height * (LINK_DISTANCE_HEIGHTS + LINK_SPEED_HEIGHTS_PER_S * gap_s)
            expected = hips[last_pos, last_slot] + hip_velocity(track, hips, times_s) * gap_s
            for slot in present:
                ratio = heights[position, slot] / last_height
                if not 1 / LINK_HEIGHT_RATIO <= ratio <= LINK_HEIGHT_RATIO:
                    continue
                distance = float(np.hypot(*(hips[position, slot] - expected)))
                if distance <= reach:
                    pairs.append((distance, order, slot))
        taken_tracks: set[int] = set()
        taken_slots: set[int] = set()
        for _distance, order, slot in sorted(pairs):
            if order in taken_tracks or slot in taken_slots:
                continue
            taken_tracks.add(order)
            taken_slots.add(slot)
            open_tracks[order].append((position, slot))
        open_tracks.extend([(position, slot)] for slot in present if slot not in taken_slots)
    closed.extend(open_tracks)
    closed.sort(key=lambda track: track[0])
    tracks = []
    for track in closed:
        positions = np.array([p for p, _ in track], np.int64)
        slot_of = np.array([s for _, s in track], np.int64)
        tracks.append(
            PersonTrack(
                positions,
                slot_of,
                take(slot_landmarks, positions, slot_of),
                slot_score[positions, slot_of],
            )
        )
    return tracks


def step_peaks(opening: np.ndarray, amplitude: float) -> np.ndarray:
    """Indices of the maxima of ``opening`` (``(m,)``, NaN skipped) that rise at least
    ``amplitude`` above the trough before them and fall at least as much after them
    (hysteresis: wobbles smaller than ``amplitude`` make no peak)."""
    peaks: list[int] = []
    low = high = np.nan
    high_at = -1
    seeking_peak = True
    for index, value in enumerate(opening):
        if not np.isfinite(value):
            continue
        if np.isnan(low):
            low = high = value
            high_at = index
        elif seeking_peak:
            if value > high:
                high, high_at = value, index
            if high - low >= amplitude and high - value >= amplitude:
                peaks.append(high_at)
                seeking_peak, low = False, value
            elif value < low:  # a deeper trough before any step: the rise starts again
                low = high = value
                high_at = index
        else:
            low = min(low, value)
            if value - low >= amplitude:
                seeking_peak, high, high_at = True, value, index
    return np.array(peaks, np.int64)


def without_close_peaks(peaks: np.ndarray, strength: np.ndarray, times_s: np.ndarray) -> np.ndarray:
    """``peaks`` (indices into ``strength`` / ``times_s``) with each run of peaks closer than
    :data:`MIN_STEP_S` to the previous one reduced to its strongest: two feet cannot land
    that fast, so the extra peak is landmark jitter within one step. (On a 480x270 synthetic
    walk, jitter put peaks 4-5 frames apart mid-step; without this rule they broke every run
    of steps and the walker was "not stepping".)"""
    kept: list[int] = []
    for peak in peaks:
        if kept and times_s[peak] - times_s[kept[-1]] < MIN_STEP_S:
            if strength[peak] > strength[kept[-1]]:
                kept[-1] = int(peak)
            continue
        kept.append(int(peak))
    return np.array(kept, np.int64)


def stepping_frames(peak_times_s: np.ndarray) -> list[tuple[int, int]]:
    """Runs of step peaks (indices ``(first, last)`` into ``peak_times_s``) whose every
    interval is a step time and that hold at least :data:`MIN_STEPS` steps."""
    runs = []
    start = 0
    for index in range(1, len(peak_times_s) + 1):
        ends = index == len(peak_times_s) or not (
            MIN_STEP_S <= peak_times_s[index] - peak_times_s[index - 1] <= MAX_STEP_S
        )
        if ends:
            if index - 1 - start >= MIN_STEPS:
                runs.append((start, index - 1))
            start = index
    return runs


def ankle_opening(track: PersonTrack, n: int, frame_interval_s: float) -> np.ndarray:
    """``(n,)`` over the clip's frames: how far the ankles are from their usual placement,
    in body heights (NaN where the track is not seen or an ankle is a guess).

    The ankle-to-ankle vector minus the middle of its range over the track (half-way
    between its 5th and 95th percentiles, per axis): from the side that middle is near
    zero (the sign swaps from step to step, or with the model's left/right names) and the
    signal is the ankles' distance; from behind the middle is the stance width and the
    signal the forward foot's rise in the image. (A median would sit in one of the two
    modes of a side view's signed distance and halve every other step.) A median over
    :data:`MEDIAN_WINDOW_S` drops single-frame label glitches (both ankle points on one
    leg for a frame near a leg crossing).
    """
    ankles = track.landmarks[:, [LEFT_ANKLE, RIGHT_ANKLE]].astype(np.float64)
    seen = (ankles[:, :, 3] >= MIN_ANKLE_VISIBILITY).all(axis=1)
    vector = (ankles[:, 0, :2] - ankles[:, 1, :2]) / track.heights_px[:, None]
    if not seen.any():
        return np.full(n, np.nan)
    low, high = np.percentile(vector[seen], [5, 95], axis=0)
    offset = np.hypot(*(vector - (low + high) / 2).T)
    series = np.full(n, np.nan)
    series[track.positions[seen]] = offset[seen]
    return running_median(series, frame_interval_s)


def faces_camera(track: PersonTrack) -> bool:
    """Whether the person is seen from the front or back: median shoulder width (image x) over
    torso length (shoulder centre to hip centre) of at least :data:`FRONTAL_MIN_WIDTH_RATIO`."""
    points = track.landmarks[:, :, :2].astype(np.float64)
    shoulders = points[:, [LEFT_SHOULDER, RIGHT_SHOULDER]]
    torso = np.linalg.norm(
        shoulders.mean(axis=1) - points[:, [LEFT_HIP, RIGHT_HIP]].mean(axis=1), axis=1
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.abs(shoulders[:, 0, 0] - shoulders[:, 1, 0]) / torso
    ratio = ratio[np.isfinite(ratio)]
    return bool(ratio.size) and float(np.median(ratio)) >= FRONTAL_MIN_WIDTH_RATIO


def ankle_lead(track: PersonTrack, n: int, frame_interval_s: float) -> np.ndarray:
    """``(n,)`` over the clip's frames: the left ankle's image y minus the right's, in body
    heights, minus the middle of its range (NaN where unseen or an ankle is a guess;
    median-filtered as :func:`ankle_opening`).

    Seen from behind, the foot further ahead stands higher in the image (further away), from
    the front lower; so the sign of this difference swaps at every step, and a step swings it
    by twice the forward foot's rise (elderly clip: +-0.07 heights, where the unsigned
    :func:`ankle_opening` swings only 0-0.07, at the edge of :data:`STEP_AMPLITUDE_HEIGHTS`).
    Only for people seen from the front or back (:func:`faces_camera`): their legs stay
    apart across the image, so the model's leg names do not swap between steps.
    """
    ankles = track.landmarks[:, [LEFT_ANKLE, RIGHT_ANKLE]].astype(np.float64)
    seen = (ankles[:, :, 3] >= MIN_ANKLE_VISIBILITY).all(axis=1)
    if not seen.any():
        return np.full(n, np.nan)
    lead = (ankles[:, 0, 1] - ankles[:, 1, 1]) / track.heights_px
    low, high = np.percentile(lead[seen], [5, 95])
    series = np.full(n, np.nan)
    series[track.positions[seen]] = lead[seen] - (low + high) / 2
    return running_median(series, frame_interval_s)


def running_median(series: np.ndarray, frame_interval_s: float) -> np.ndarray:
    """``series`` ``(n,)`` through a running median over :data:`MEDIAN_WINDOW_S` (NaN kept)."""
    window = max(1, round(MEDIAN_WINDOW_S / frame_interval_s)) | 1
    if window == 1:
        return series
    half = window // 2
    padded = np.pad(series, half, constant_values=np.nan)
    stacked = np.lib.stride_tricks.sliding_window_view(padded, window)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows stay NaN
        smoothed = np.nanmedian(stacked, axis=1)
    return np.where(np.isfinite(series), smoothed, np.nan)


def step_amplitude(opening: np.ndarray) -> float:
    """The swing of :func:`ankle_opening` that counts as a step for this person:
    :data:`STEP_AMPLITUDE_HEIGHTS`, or :data:`STEP_AMPLITUDE_SHARE` of the person's own
    range of the signal when larger."""
    finite = opening[np.isfinite(opening)]
    if not len(finite):
        return STEP_AMPLITUDE_HEIGHTS
    low, high = np.percentile(finite, [5, 95])
    return max(STEP_AMPLITUDE_HEIGHTS, STEP_AMPLITUDE_SHARE * float(high - low))


def describe(track: PersonTrack, times_s: np.ndarray) -> PersonSummary:
    """Describe one person (see the module docstring); ``times_s`` ``(n,)`` the clip's."""
    n = len(times_s)
    height = float(np.median(track.heights_px))
    frame_interval_s = float(np.median(np.diff(times_s))) if n > 1 else 1.0
    opening = ankle_opening(track, n, frame_interval_s)
    peaks = step_peaks(opening, step_amplitude(opening))
    strength = opening
    facing = faces_camera(track)
    if facing:
        # Each foot's lead is a peak of the signed lead, the other's a trough.
        lead = ankle_lead(track, n, frame_interval_s)
        amplitude = step_amplitude(lead)
        peaks = np.union1d(step_peaks(lead, amplitude), step_peaks(-lead, amplitude))
        strength = np.abs(lead)
    peaks = without_close_peaks(peaks, strength, times_s)
    hip_x = np.full(n, np.nan)
    hip_x[track.positions] = track.hip_px[:, 0]
    stepping = np.zeros(n, bool)
    step_positions: list[np.ndarray] = []
    travel = 0.0
    for first, last in stepping_frames(times_s[peaks]):
        span = slice(peaks[first], peaks[last] + 1)
        stepping[span] = True
        step_positions.append(peaks[first : last + 1])
        travel = max(travel, float(np.nanmax(hip_x[span]) - np.nanmin(hip_x[span])) / height)
    feet_y = track.landmarks[:, FEET, 1].astype(np.float64).max(axis=1)
    return PersonSummary(
        frames_seen=len(track.positions),
        first_position=int(track.positions[0]),
        last_position=int(track.positions[-1]),
        height_px=height,
        feet_y_px=float(np.median(feet_y)),
        travel_heights=travel,
        step_positions=np.concatenate(step_positions) if step_positions else np.zeros(0, int),
        stepping=stepping,
        faces_camera=facing,
    )


@dataclass(frozen=True)
class PersonWalker:
    """The person-model walker over the clip's ``n`` frames.

    ``landmarks`` ``(n, 33, 4)`` float32: the walker's landmarks (as ``person_landmarks``),
    NaN where the walker is not seen; ``refined_landmarks`` ``(n, 33, 4)`` float32: the same
    with x, y refined by the model's heatmap (plus ``person_slot_refinement_px``; the
    regressed positions where a chunk did not keep them), what the joint angles read;
    ``pose_score`` ``(n,)`` float32: its pose score, 0
    where not seen; ``people`` the summaries of every person followed (for reports and
    tests), ``walker`` the index of the walker among them (None: nobody was followed long
    enough to tell, and the silhouette rule decides).
    """

    landmarks: np.ndarray
    pose_score: np.ndarray
    people: list[PersonSummary]
    walker: int | None
    refined_landmarks: np.ndarray

    @property
    def found(self) -> bool:
        """Whether the person model told the walker (else the silhouette rule decides)."""
        return self.walker is not None

    @property
    def seen(self) -> np.ndarray:
        """``(n,)`` bool: the frames the walker is seen in."""
        return self.pose_score >= MIN_POSE_SCORE

    @property
    def box_px(self) -> np.ndarray:
        """``(n, 4)`` x0, y0, x1, y1 of the walker's landmarks, image px; NaN where unseen."""
        xy = self.landmarks[:, :, :2].astype(np.float64)
        with np.errstate(invalid="ignore"):
            return np.concatenate([np.min(xy, axis=1), np.max(xy, axis=1)], axis=1)

    def arrays(self) -> dict[str, np.ndarray]:
        """The walker's arrays under the names the later stages read."""
        return {
            "person_landmarks": self.landmarks,
            "person_pose_score": self.pose_score,
            "person_refined_landmarks": self.refined_landmarks,
        }


def is_reflection(person: PersonSummary, walker: PersonSummary, times_s: np.ndarray) -> bool:
    """Whether ``person`` is ``walker``'s mirror image: smaller, feet off the walker's floor,
    stepping in step with the walker (see :data:`REFLECTION_HEIGHT_RATIO`)."""
    smaller = person.height_px < REFLECTION_HEIGHT_RATIO * walker.height_px
    tolerance_px = FLOOR_TOLERANCE_HEIGHTS * walker.height_px
    off_floor = abs(person.feet_y_px - walker.feet_y_px) > tolerance_px
    if not (smaller and off_floor) or not walker.steps or not person.steps:
        return False
    walker_times = times_s[walker.step_positions]
    gaps = np.abs(times_s[person.step_positions][:, None] - walker_times[None, :]).min(axis=1)
    return bool(np.mean(gaps <= IN_STEP_TOLERANCE_S) >= IN_STEP_SHARE)


def shared_walking_s(a: PersonSummary, b: PersonSummary, times_s: np.ndarray) -> float:
    """Seconds during which both people are within their walking spans."""
    span_a, span_b = a.walking_span, b.walking_span
    if span_a is None or span_b is None:
        return 0.0
    first, last = max(span_a[0], span_b[0]), min(span_a[1], span_b[1])
    return float(times_s[last] - times_s[first]) if last > first else 0.0


def choose_walker(people: list[PersonSummary], times_s: np.ndarray) -> int | None:
    """Index of the walker among ``people``, or ``NoReliableGait``.

    Among the people who step, those who also travel come first, then the most steps, then
    the tallest. Returns None when nobody was followed for :data:`MIN_TRACK_FRAMES`
    frames: the person model saw nobody, and the silhouette rule decides.
    """
    if not any(p.frames_seen >= MIN_TRACK_FRAMES for p in people):
        return None
    steppers = [i for i, p in enumerate(people) if p.steps]
    if not steppers:
        message = (
            "nobody in the video is seen taking steps: the people in view stand, sit or move "
            "in place, or their feet are out of view"
        )
        if max(people, key=lambda p: p.frames_seen).faces_camera:
            message += (
                "; the person seen longest is seen from the front or from behind, where short "
                "steps may move the feet too little to be timed: film from the side"
            )
        raise NoReliableGait("no_walker", message)
    walker = max(
        steppers,
        key=lambda i: (people[i].travels, people[i].steps, people[i].height_px, -i),
    )
    chosen = people[walker]
    for other in steppers:
        person = people[other]
        if other == walker or (chosen.travels and not person.travels):
            continue
        if is_reflection(person, chosen, times_s):
            continue
        shared_s = shared_walking_s(person, chosen, times_s)
        if shared_s >= MIN_SHARED_WALKING_S:
            raise NoReliableGait(
                "several_walkers",
                f"two people walk at the same time (for {shared_s:.1f} s): the video must "
                "show one walker at a time",
            )
    return walker


def find_person_walker(arrays: dict[str, np.ndarray], times_s: np.ndarray) -> PersonWalker:
    """The walker from the person model's slots in ``arrays`` (one row per frame; ``times_s``
    ``(n,)`` each frame's time). Raises ``NoReliableGait`` (``no_walker``,
    ``several_walkers``); see :func:`choose_walker`."""
    slot_landmarks, slot_score = slot_arrays(arrays)
    tracks = link_people(slot_landmarks, slot_score, times_s)
    people = [describe(track, times_s) for track in tracks]
    walker = choose_walker(people, times_s)
    n = len(times_s)
    landmarks = np.full((n, *slot_landmarks.shape[2:]), np.nan, np.float32)
    pose_score = np.zeros(n, np.float32)
    if walker is not None:
        track = tracks[walker]
        landmarks[track.positions] = track.landmarks
        pose_score[track.positions] = track.scores
    refined = landmarks.copy()
    if walker is not None and "person_slot_refinement_px" in arrays:
        moves = arrays["person_slot_refinement_px"][track.positions, track.slots]
        refined[track.positions, :, :2] += moves.astype(np.float32)
    return PersonWalker(landmarks, pose_score, people, walker, refined)
