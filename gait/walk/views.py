"""What the camera sees of the walk, from the person model's landmarks: the view (side or
frontal/back), whether the walker travels or stays in place (treadmill), and running.

Inputs are the chunks' compact person arrays, ``(n, 33, 4)`` landmarks in analysis pixels,
and optionally the camera path ``(n, 2)`` px (the background's cumulative shift, measured
elsewhere), subtracted so that positions are in the floor's frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gait.angles import MIN_VISIBILITY
from gait.walk.landmark_events import HIPS, facing_direction
from gait.walk.person_checks import landmark_stature_px

#: BlazePose shoulders (left, right).
SHOULDERS = np.array([11, 12])
#: Shoulder width (joint centres, image x) over torso length (shoulder centre to hip centre)
#: at and above which the view is frontal or back. Body proportions (Drillis & Contini:
#: shoulder joints ~0.2 of stature apart, torso ~0.29) put a square-on view near 0.7 and a
#: pure side view near 0. Measured medians: side clips 0.16-0.24 (indoor, outdoor,
#: treadmill running), the slightly oblique walking treadmill 0.44, the back view (elderly,
#: shop) 0.65; 0.55 lies between.
FRONTAL_MIN_WIDTH_RATIO = 0.55
#: Fewest frames with a full torso for the view to be judged (one second at 30 fps).
MIN_VIEW_FRAMES = 30
#: The walker stays in place when the hip centre's 5th-95th percentile range along x, in the
#: floor frame, is below this many statures. A walker crossing a side view travels several
#: statures (outdoor clip 3.2, indoor 3.3); on the treadmills it is 0.1 (walk styles, 38 px of
#: 369) and 0.09 (running). Half a stature is one step length: less is stepping in place.
IN_PLACE_MAX_TRAVEL_STATURE = 0.5
#: A stance foot that moves back at this speed or more (statures/s, relative to the floor
#: frame) rides a belt: 0.1 statures/s is ~0.17 m/s, under the slowest treadmill setting
#: (~0.2 m/s); a foot standing on the floor moves only by landmark jitter.
MIN_BELT_SPEED_STATURE_PER_S = 0.1
#: Running, seen in place: the lowest foot point of both feet (heels, foot tips) rises above
#: the floor level by more than :data:`FLIGHT_MIN_LIFT_STATURE` on at least this share of
#: frames. Walking always has a foot on the floor, running leaves it ~30 % of the stride.
#: Measured share: treadmill walking 0.06 (five styles, high-knee "Sneak" included),
#: treadmill running 0.47.
RUNNING_MIN_FLIGHT_SHARE = 0.2
#: Lift (statures) of the lowest foot point that counts as both feet off the floor: above
#: the stance-foot jitter (1.5-2 %) and the belt's slant under the stance foot.
FLIGHT_MIN_LIFT_STATURE = 0.05
#: The floor level under the walker: this percentile of the lowest foot point's image y
#: (y grows downwards) within :data:`FLOOR_WINDOW_S`, i.e. where the feet stand most of the
#: time.
FLOOR_PERCENTILE = 90
#: The floor level is taken over this long around each frame, not over the clip: a real
#: floor is not level in the image (the outdoor walker's feet stand 10-15 px, 0.05-0.07
#: statures, higher mid-pass than at its ends: an uneven lawn and a path not quite
#: parallel to the image), and a moving camera's path drifts. 1 s holds two or more
#: stances at any walking or running rate, and over it the outdoor floor moves by ~3 px.
FLOOR_WINDOW_S = 1.0


#: Fewest frames (share) on which the model sees both feet (ankles, heels, foot tips at
#: visibility >= :data:`gait.angles.MIN_VISIBILITY`) for anyone to be walking in view.
#: Measured: 1.00 walking treadmill, 0.91 back view in a shop, 0.69 indoor side view (she is
#: out of the frame part of the clip); 0.00 the lab scientist at a microscope (legs hidden).
MIN_FEET_SEEN_SHARE = 0.25


def feet_seen_share(landmarks: np.ndarray) -> float:
    """Share of frames on which all six foot points (27-32) of ``landmarks`` ``(n, 33, 4)``
    are visible (:data:`gait.angles.MIN_VISIBILITY`)."""
    visibility = landmarks[:, 27:33, 3].astype(np.float64)
    if not visibility.shape[0]:
        return 0.0
    return float(np.mean((np.nan_to_num(visibility) >= MIN_VISIBILITY).all(axis=1)))


@dataclass(frozen=True)
class View:
    """The camera's view of the walker.

    ``kind``: ``"side"``, ``"frontal_or_back"`` or ``"unknown"`` (too few frames with a
    torso); ``width_ratio``: median shoulder width over torso length; ``facing``: +1 when
    the walker faces image-right, -1 left, 0 undecided (side views only);
    ``travel_statures``: the hip centre's range of travel along x in statures (5th-95th
    percentile, floor frame); ``stature_px``: the walker's median landmark stature.
    """

    kind: str
    width_ratio: float | None
    facing: int
    travel_statures: float | None
    stature_px: float | None

    @property
    def in_place(self) -> bool:
        """The walker stays in place (treadmill or walking on the spot)."""
        return (
            self.travel_statures is not None and self.travel_statures < IN_PLACE_MAX_TRAVEL_STATURE
        )

    def describe(self) -> str:
        """One phrase naming what was seen, for warnings and refusals."""
        ratio = "n/a" if self.width_ratio is None else f"{self.width_ratio:.2f}"
        travel = "n/a" if self.travel_statures is None else f"{self.travel_statures:.2f}"
        return (
            f"{self.kind.replace('_', ' ')} view (shoulder width / torso length {ratio}, "
            f"hip travel {travel} statures)"
        )


def camera_or_zeros(camera_path_px: np.ndarray | None, n: int) -> np.ndarray:
    """The camera path ``(n, 2)`` px, zeros (a static camera) when not given."""
    return np.zeros((n, 2)) if camera_path_px is None else np.asarray(camera_path_px, float)


def classify_view(landmarks: np.ndarray, camera_path_px: np.ndarray | None = None) -> View:
    """The :class:`View` of ``landmarks`` ``(n, 33, 4)`` (see the module)."""
    points = landmarks.astype(np.float64)
    shift = camera_or_zeros(camera_path_px, points.shape[0])
    shoulder_w = np.abs(points[:, SHOULDERS[0], 0] - points[:, SHOULDERS[1], 0])
    torso = np.linalg.norm(
        points[:, SHOULDERS, :2].mean(axis=1) - points[:, HIPS, :2].mean(axis=1), axis=1
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = shoulder_w / torso
    ratio = ratio[np.isfinite(ratio)]
    stature = landmark_stature_px(points)
    stature = stature[np.isfinite(stature) & (stature > 0)]
    if ratio.size < MIN_VIEW_FRAMES or stature.size < MIN_VIEW_FRAMES:
        return View("unknown", None, 0, None, None)
    width_ratio = float(np.median(ratio))
    stature_px = float(np.median(stature))
    hip_x = points[:, HIPS, 0].mean(axis=1) - shift[:, 0]
    hip_x = hip_x[np.isfinite(hip_x)]
    travel = float(np.subtract(*np.percentile(hip_x, [95, 5]))) / stature_px
    kind = "side" if width_ratio < FRONTAL_MIN_WIDTH_RATIO else "frontal_or_back"
    facing = facing_direction(points) if kind == "side" else 0
    return View(kind, round(width_ratio, 3), facing, round(travel, 3), stature_px)


def belt_speed_px_per_s(
    heel_x_px: np.ndarray, times_s: np.ndarray, stances: list[tuple[int, int]], facing: int
) -> float | None:
    """The speed (px/s, floor frame) at which stance feet move backwards: the median over
    ``stances`` (row ranges ``[start, stop)`` of one foot's stance, its heel x ``(n,)`` px)
    of the least-squares slope, signed so that backwards is positive; None without stances.
    """
    slopes = []
    for start, stop in stances:
        x, t = heel_x_px[start:stop], times_s[start:stop]
        ok = np.isfinite(x)
        if ok.sum() >= 3 and np.ptp(t[ok]) > 0:
            slopes.append(-facing * np.polyfit(t[ok], x[ok], 1)[0])
    return float(np.median(slopes)) if slopes else None


def flight_frames_share(
    landmarks: np.ndarray, stature_px: float, times_s: np.ndarray
) -> float | None:
    """Share of frames on which both feet are off the floor: the lowest of the heels' and
    foot tips' points (image y) lies :data:`FLIGHT_MIN_LIFT_STATURE` above the floor level,
    its :data:`FLOOR_PERCENTILE` th percentile over the :data:`FLOOR_WINDOW_S` around the
    frame. ``landmarks`` ``(n, 33, 4)`` in the floor's frame (a moving camera's path
    subtracted), ``times_s`` ``(n,)``; None without feet."""
    feet_y = landmarks[:, [29, 30, 31, 32], 1].astype(np.float64)
    seen = np.isfinite(feet_y).all(axis=1)
    if not seen.any():
        return None
    lowest = feet_y[seen].max(axis=1)
    times = np.asarray(times_s, dtype=np.float64)[seen]
    starts = np.searchsorted(times, times - FLOOR_WINDOW_S / 2, side="left")
    stops = np.searchsorted(times, times + FLOOR_WINDOW_S / 2, side="right")
    floor = np.array(
        [np.percentile(lowest[a:b], FLOOR_PERCENTILE) for a, b in zip(starts, stops, strict=True)]
    )
    return float(np.mean(floor - lowest > FLIGHT_MIN_LIFT_STATURE * stature_px))
