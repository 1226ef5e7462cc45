"""Gait events from the person model's foot landmarks: heel and foot-tip trajectories
relative to the pelvis (Zeni et al. 2008), refined by heel height.

Works wherever the feet are seen, whatever the floor: a treadmill (the walker stays in place,
the stance foot moves back with the belt) and overground alike, because positions are taken
relative to the hip centre. Inputs are the chunks' compact person arrays, ``(n, 33, 4)``
landmarks (x, y in analysis pixels, z relative depth, visibility), with each row's timestamp
(s): a variable frame rate is handled by filtering in time, not in frames.

The steps:

1. **Feet by continuity** (:func:`foot_tracks`): the model's left/right names flip at leg
   crossings, and on the synthetic figure they are chance. So the two legs' points are
   re-assigned to two tracks frame by frame, whichever pairing continues both tracks'
   constant-velocity prediction best. The tracks are feet ``0`` and ``1``; which is left is
   decided later (:mod:`gait.walk.sides`).
2. **Forward position**: each point's x relative to the hip centre, times the facing
   direction, so that larger is further ahead; a camera path is subtracted first.
3. **Initial contact** (:func:`detect_events`): each most anterior position of the front heel
   (a local maximum of the two heels' upper envelope, Zeni's IC), then the first frame from
   there on where that heel has come down to within :data:`IC_HEEL_LEVEL_STATURE` of its
   lowest point in the next :data:`IC_SETTLE_S`. The anterior extreme alone comes ~1-2
   frames before the hand-marked contact (measured below): the heel is still in the air.
4. **Foot off**: each most posterior position of the rear foot tip (a local minimum of the
   two tips' lower envelope, Zeni's FO). The tip, not the heel: in slow gait the heel rises
   long before the toe leaves, and the tip keeps moving back (with the floor, relative to the
   hip) until it leaves.

Measured on the cached features of the two annotated real clips (30 fps; treadmill 30/28
IC/FO events of 5 walking styles, outdoor frames >= 90 where the landmarks follow the walker):
Zeni's IC alone -1.9 frames median (treadmill), -1 (outdoor); refined as above, median -1 /
+1, MAE 1.1 / 1.25 frames. FO by the tip's posterior extreme: MAE 0.8 / 0.5 frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gait import angles

#: Landmark indices (BlazePose) of each model leg's foot points: heel, foot tip, ankle.
LEG_POINTS = np.array([[29, 31, 27], [30, 32, 28]])
HEEL, TIP, ANKLE = 0, 1, 2
#: Hips (left, right).
HIPS = np.array([23, 24])
#: Zero-lag low-pass cut-off (Hz) for the foot trajectories: the 6 Hz usual for walking
#: kinematics (:data:`gait.angles.CUTOFF_HZ`). Measured on the annotated clips: 4-8 Hz change
#: the event MAE by < 0.2 frames; unfiltered, the outdoor IC MAE is 0.2 frames worse.
CUTOFF_HZ = angles.CUTOFF_HZ
#: An envelope extreme counts as an event only when it stands this far (in statures) above
#: (IC) or below (FO) the lowest / highest value within :data:`PROMINENCE_WINDOW_S` on both
#: sides: a step moves the heel about 0.2-0.4 statures relative to the hip (half a step
#: length each way), while stance-foot jitter is 1.5-2 % of stature
#: (``docs/person-model-findings.md``).
MIN_PROMINENCE_STATURE = 0.08
#: Half-width (s) of the window an extreme's prominence is judged in: a slow stride (~1.5 s),
#: so one extreme per step and foot survives, never two.
PROMINENCE_WINDOW_S = 0.75
#: After its most anterior position the heel comes down onto the floor within ~0.1 s
#: (terminal swing). IC is the first frame the heel is within :data:`IC_HEEL_LEVEL_STATURE`
#: of its lowest point in this time. Chosen on the annotated clips: 0.25 s makes the
#: Sneak style's slow toe-first landings 2 frames late.
IC_SETTLE_S = 0.15
#: Tolerance (statures) of "down on the floor" for the heel, on the filtered trajectory:
#: 1.5 % of stature, the stance-foot jitter of the raw points. Measured: 1 % gives treadmill
#: / outdoor IC MAE 1.0 / 1.5 frames, 1.5 % 1.1 / 1.25, 2 % 1.3 / 0.5 (outdoor: 4 events).
IC_HEEL_LEVEL_STATURE = 0.015


def _nanmean(values: np.ndarray, axis: int) -> np.ndarray:
    finite = np.isfinite(values)
    count = finite.sum(axis=axis)
    total = np.where(finite, values, 0.0).sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def foot_points(landmarks: np.ndarray) -> np.ndarray:
    """``(n, 2, 3, 2)`` float: each model leg's (left, right) heel, foot tip and ankle x, y
    (analysis px), NaN where missing."""
    return landmarks[:, LEG_POINTS, :2].astype(np.float64)


def foot_tracks(points: np.ndarray) -> np.ndarray:
    """``(n,)`` bool: where the two model legs swap tracks (track 0 = the model's right leg).

    ``points`` ``(n, 2, 3, 2)`` from :func:`foot_points`. On each frame the pairing of legs
    to tracks that lies nearer both tracks' constant-velocity prediction is kept (sum of the
    point distances, px); a frame without both feet starts the prediction afresh.
    """
    n = points.shape[0]
    swap = np.zeros(n, dtype=bool)
    tracked = np.full((n, 2, 3, 2), np.nan)
    for i in range(n):
        here = points[i]
        if not np.isfinite(here).all():
            continue
        prev = tracked[i - 1] if i >= 1 else np.full((2, 3, 2), np.nan)
        if not np.isfinite(prev).all():
            tracked[i] = here
            continue
        before = tracked[i - 2] if i >= 2 else prev
        predicted = 2 * prev - before if np.isfinite(before).all() else prev
        keep = np.linalg.norm(here - predicted, axis=-1).sum()
        cross = np.linalg.norm(here[::-1] - predicted, axis=-1).sum()
        # Stay with the previous frame's decision relative to the model's names.
        swap[i] = cross < keep
        tracked[i] = here[::-1] if swap[i] else here
    return swap


def tracked_points(points: np.ndarray, swap: np.ndarray) -> np.ndarray:
    """``points`` ``(n, 2, 3, 2)`` re-ordered by track (legs exchanged where ``swap``)."""
    out = points.copy()
    out[swap] = points[swap][:, ::-1]
    return out


def extremes(
    values: np.ndarray, times_s: np.ndarray, prominence: float, window_s: float
) -> np.ndarray:
    """Row positions ``(k,)`` int of the local maxima of ``values`` ``(n,)`` that stand at
    least ``prominence`` above the lowest value within ``window_s`` on each side (before a
    higher value). NaN rows are never extremes and bound the search."""
    v = np.where(np.isfinite(values), values, -np.inf)
    inner = np.flatnonzero((v[1:-1] >= v[:-2]) & (v[1:-1] > v[2:]) & np.isfinite(v[1:-1])) + 1
    out = []
    for i in inner:
        ok = True
        for step in (-1, 1):
            lowest, j = v[i], i
            while 0 <= j + step < v.size and abs(times_s[j + step] - times_s[i]) <= window_s:
                j += step
                if v[j] > v[i] or not np.isfinite(v[j]):
                    break
                lowest = min(lowest, v[j])
            if v[i] - lowest < prominence:
                ok = False
                break
        if ok:
            out.append(i)
    return np.asarray(out, dtype=np.int64)


@dataclass(frozen=True)
class LandmarkEvents:
    """Events found on the landmarks, each as a row position of the input arrays.

    ``ic_pos`` ``(a,)`` int and ``ic_foot`` ``(a,)`` int (track 0 / 1); ``fo_pos`` ``(b,)``
    and ``fo_foot`` ``(b,)`` likewise; ``anterior_pos`` ``(a,)`` the heel's most anterior
    frame each IC was refined from. ``swap`` ``(n,)`` bool: the track assignment
    (:func:`foot_tracks`); ``facing`` +1 when the walker faces image-right, -1 left.
    """

    ic_pos: np.ndarray
    ic_foot: np.ndarray
    fo_pos: np.ndarray
    fo_foot: np.ndarray
    anterior_pos: np.ndarray
    swap: np.ndarray
    facing: int


def facing_direction(landmarks: np.ndarray) -> int:
    """+1 when the walker faces image-right, -1 image-left, 0 undecided: the sign of the
    foot tips' x minus the heels' x, median over frames (a side view's feet point forward)."""
    pts = foot_points(landmarks)
    along = (pts[:, :, TIP, 0] - pts[:, :, HEEL, 0]).ravel()
    along = along[np.isfinite(along)]
    return int(np.sign(np.median(along))) if along.size else 0


def forward_positions(
    landmarks: np.ndarray, facing: int, camera_path_px: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``(points_floor, forward)``: the feet points ``(n, 2, 3, 2)`` in the floor frame
    (``camera_path_px`` ``(n, 2)`` px subtracted; default none) and each point's forward
    position relative to the hip centre ``(n, 2, 3)`` px (larger = further ahead)."""
    shift = np.zeros((landmarks.shape[0], 2)) if camera_path_px is None else camera_path_px
    points = foot_points(landmarks) - shift[:, None, None, :]
    hip_x = _nanmean(landmarks[:, HIPS, 0].astype(np.float64), axis=1) - shift[:, 0]
    return points, facing * (points[..., 0] - hip_x[:, None, None])


def detect_events(
    landmarks: np.ndarray,
    times_s: np.ndarray,
    stature_px: float,
    facing: int,
    camera_path_px: np.ndarray | None = None,
) -> LandmarkEvents:
    """Initial contacts and foot offs of a side view from the landmarks (see the module).

    ``landmarks`` ``(n, 33, 4)``, ``times_s`` ``(n,)`` increasing, ``stature_px`` the
    walker's stature (analysis px), ``facing`` from :func:`facing_direction` (non-zero).
    """
    points, forward = forward_positions(landmarks, facing, camera_path_px)
    swap = foot_tracks(points)
    points = tracked_points(points, swap)
    forward[swap] = forward[swap][:, ::-1]
    smooth = {
        (foot, part): angles.smooth(forward[:, foot, part], times_s, CUTOFF_HZ)
        for foot in (0, 1)
        for part in (HEEL, TIP)
    }
    heel_y = [angles.smooth(points[:, foot, HEEL, 1], times_s, CUTOFF_HZ) for foot in (0, 1)]
    prominence = MIN_PROMINENCE_STATURE * stature_px
    heels = np.stack([smooth[0, HEEL], smooth[1, HEEL]], axis=1)
    tips = np.stack([smooth[0, TIP], smooth[1, TIP]], axis=1)
    with np.errstate(invalid="ignore"):
        front = np.max(heels, axis=1)
        rear = np.min(tips, axis=1)
    anterior = extremes(front, times_s, prominence, PROMINENCE_WINDOW_S)
    ic_foot = np.argmax(np.nan_to_num(heels[anterior], nan=-np.inf), axis=1)
    ic_pos = np.array(
        [
            _heel_down(heel_y[foot], times_s, int(i), stature_px)
            for i, foot in zip(anterior, ic_foot, strict=True)
        ],
        dtype=np.int64,
    )
    fo_pos = extremes(-rear, times_s, prominence, PROMINENCE_WINDOW_S)
    fo_foot = np.argmin(np.nan_to_num(tips[fo_pos], nan=np.inf), axis=1)
    return LandmarkEvents(ic_pos, ic_foot, fo_pos, fo_foot, anterior, swap, facing)


def _heel_down(heel_y: np.ndarray, times_s: np.ndarray, start: int, stature_px: float) -> int:
    """The first row from ``start`` where the heel (image y grows downwards) is within
    :data:`IC_HEEL_LEVEL_STATURE` of its lowest point in the next :data:`IC_SETTLE_S`."""
    stop = int(np.searchsorted(times_s, times_s[start] + IC_SETTLE_S, side="right"))
    segment = heel_y[start:stop]
    if not np.isfinite(segment).any():
        return start
    lowest = np.nanmax(segment)
    down = np.flatnonzero(segment >= lowest - IC_HEEL_LEVEL_STATURE * stature_px)
    return start + int(down[0])
