"""Gait events from the person model's foot landmarks: heel and foot-tip trajectories
relative to the pelvis (Zeni et al. 2008), refined by heel height.

Works wherever the feet are seen, whatever the floor: a treadmill (the walker stays in place,
the stance foot moves back with the belt) and overground alike, because positions are taken
relative to the hip centre. Inputs are the chunks' compact person arrays, ``(n, 33, 4)``
landmarks (x, y in analysis pixels, z relative depth, visibility), with each row's timestamp
(s): a variable frame rate is handled by filtering in time, not in frames.

The steps:

1. **No leg names**: the model's left/right names flip at leg crossings, and on the
   synthetic figure they are chance (``docs/person-model-findings.md``). So events are read
   from envelopes that do not depend on them: the front heel (the larger forward position of
   the two heels) and the rear foot tip. Feet are then told apart by the alternation of
   walking (:func:`gait.walk.contacts.landmark_contacts_table`) and, for each contact, by
   which leg is in front, on the floor or behind (:func:`stance_legs`).
2. **Forward position**: each point's x relative to the hip centre, times the facing
   direction, so that larger is further ahead; a camera path is subtracted first.
3. **Initial contact** (:func:`detect_events`): each most anterior position of the front heel
   (a local maximum of the two heels' upper envelope, Zeni's IC), then the first frame from
   there on where that heel has come down to within :data:`IC_HEEL_LEVEL_STATURE` of its
   lowest point in the next :data:`IC_SETTLE_S`; overground (not in place), where it stops
   moving along the floor if that comes first (:data:`IC_HEEL_STOP_STATURE_PER_S`). The anterior
   extreme alone comes ~1-2 frames before the hand-marked contact (measured below): the
   heel is still in the air.
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
from gait.walk.person_checks import landmark_stature_px

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
#: The body's shape (landmarks relative to the hip centre, median over the 33) changes by at
#: most this much (statures) from one frame to the next; more is a different picture (a cut
#: in an edited video) or a different person (the tracker moved to someone else). Measured:
#: 99th percentile 2.5 % on the walking clips, 4.3 % running on the treadmill; the treadmill
#: clip's cuts 8-11 % (three of its four), the outdoor clip's switch from the jumper to the
#: walker 12 %.
MAX_SHAPE_STEP_STATURE = 0.06
#: Tolerance (statures) of "down on the floor" for the heel, on the filtered trajectory:
#: 1.5 % of stature, the stance-foot jitter of the raw points. Measured: 1 % gives treadmill
#: / outdoor IC MAE 1.0 / 1.5 frames, 1.5 % 1.1 / 1.25, 2 % 1.3 / 0.5 (outdoor: 4 events).
IC_HEEL_LEVEL_STATURE = 0.015
#: Overground, the landing heel also stops on the floor, as its footprint does: there IC is
#: the earlier of the heel-height rule above and the first frame from the front heel's
#: anterior extreme where its speed along the floor (the floor's frame, low-passed like the
#: rest) falls under this many statures/s, about a third of a walking speed. Each signal
#: crosses its threshold late when it is noisy, so the earlier of two is the better
#: estimate. IC MAE in frames against the hand-annotated outdoor walker (her static clip
#: forced through this route, and re-filmed by a moving camera, ``benchmarks/real_clips``),
#: height rule -> earlier of the two (the speed rule alone): static 1.71 -> 0.43 (0.29), pan
#: 1.67 -> 0.33 (0.17), pan+shake 1.57 -> 0.43 (0.29), a 720p shake 2.50 -> 0.83 (0.67);
#: against the footprints, indoor 1.6 -> 1.0, outdoor 1.14 -> 1.0. On seven synthetic
#: walks, mean MAE 16.3 -> 15.8 ms (the speed rule alone 22.1: the drawn heel still slides
#: as it lands). A treadmill's stance heel moves with the belt: in place, height alone.
IC_HEEL_STOP_STATURE_PER_S = 0.5
#: The heel must stop within this long after its anterior extreme; else the height rule.
IC_STOP_SEARCH_S = 0.3


def _nanmean(values: np.ndarray, axis: int) -> np.ndarray:
    finite = np.isfinite(values)
    count = finite.sum(axis=axis)
    total = np.where(finite, values, 0.0).sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def discontinuities(landmarks: np.ndarray, stature_px: float) -> np.ndarray:
    """Rows ``(j,)`` int where the body's shape jumps from the row before
    (:data:`MAX_SHAPE_STEP_STATURE`): no trajectory is filtered, and no pass of contacts
    runs, across them. ``landmarks`` ``(n, 33, 4)``."""
    points = landmarks[:, :, :2].astype(np.float64)
    shape = points - points[:, HIPS].mean(axis=1, keepdims=True)
    step = np.linalg.norm(np.diff(shape, axis=0), axis=2)
    finite = np.isfinite(step)
    median = np.full(step.shape[0], np.nan)
    rows = finite.any(axis=1)
    median[rows] = [np.median(r[f]) for r, f in zip(step[rows], finite[rows], strict=True)]
    return np.flatnonzero(median > MAX_SHAPE_STEP_STATURE * stature_px) + 1


def walker_jumps(landmarks: np.ndarray | None) -> np.ndarray | None:
    """Rows ``(j,)`` where the walker's body jumps (a cut, or the walker's track moving to
    someone else): :func:`discontinuities` at the walker's median landmark stature. None
    without a walker. ``landmarks`` ``(n, 33, 4)`` or None."""
    if landmarks is None or not np.isfinite(landmarks[..., 0]).any():
        return None
    stature = landmark_stature_px(landmarks.astype(np.float64))
    stature = stature[np.isfinite(stature) & (stature > 0)]
    if not stature.size:
        return None
    return discontinuities(landmarks, float(np.median(stature)))


def foot_points(landmarks: np.ndarray) -> np.ndarray:
    """``(n, 2, 3, 2)`` float: each model leg's (left, right) heel, foot tip and ankle x, y
    (analysis px), NaN where missing."""
    return landmarks[:, LEG_POINTS, :2].astype(np.float64)


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

    ``ic_pos`` ``(a,)`` int, sorted; ``fo_pos`` ``(b,)`` int, sorted; ``anterior_pos``
    ``(a,)`` the front heel's most anterior row each IC was refined from; ``forward``
    ``(n, 2, 3)`` px: each model leg's heel, tip and ankle forward position relative to the
    hip (see :func:`forward_positions`); ``foot_y`` ``(n, 2)`` px: each model leg's lowest
    foot point (image y, larger = lower); ``facing`` +1 image-right, -1 image-left;
    ``ic_x_px`` ``(a,)`` / ``fo_x_px`` ``(b,)``: where the landing heel / the leaving foot tip
    is at each event (image x in the floor frame, px; NaN where unknown); ``row_facing``
    ``(n,)`` int: the facing each row was read with when it varies (an out-and-back walk,
    :func:`detect_events_by_rows`; ``forward`` then follows it), None where ``facing`` holds
    on every row.
    """

    ic_pos: np.ndarray
    fo_pos: np.ndarray
    anterior_pos: np.ndarray
    forward: np.ndarray
    foot_y: np.ndarray
    facing: int
    ic_x_px: np.ndarray | None = None
    fo_x_px: np.ndarray | None = None
    row_facing: np.ndarray | None = None


def hip_centre_x_px(landmarks: np.ndarray) -> np.ndarray:
    """``(n,)`` float: the mid-hip's image x (analysis px) of ``landmarks`` ``(n, 33, 4)``,
    NaN where either hip is unseen."""
    return landmarks[:, HIPS, 0].astype(np.float64).mean(axis=1)


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
    *,
    overground: bool = False,
) -> LandmarkEvents:
    """Initial contacts and foot offs of a side view from the landmarks (see the module).

    ``landmarks`` ``(n, 33, 4)``, ``times_s`` ``(n,)`` increasing, ``stature_px`` the
    walker's stature (analysis px), ``facing`` from :func:`facing_direction` (non-zero).
    ``overground``: the walker travels over a floor that stands still in the floor's frame
    (not a treadmill): an initial contact is then where the landing heel stops
    (:func:`_heel_stops`) when that comes before it is down.
    """
    points, forward = forward_positions(landmarks, facing, camera_path_px)
    # A jump's row is left out, so no extreme is read at it. Its one-row gap is bridged like
    # any short gap, so the filter does run across the jump. Filtering the two sides apart
    # (smooth's ``breaks``) was measured: it moved the treadmill's anterior extreme before
    # the cut at frame 218 into the edge rule's margin (clear_of_edges) and lost its right,
    # hand-annotated contact at 209 (annotated 210), the other real clips unchanged.
    cut = discontinuities(landmarks, stature_px)
    points[cut], forward[cut] = np.nan, np.nan
    heels, tips = forward[:, :, HEEL], forward[:, :, TIP]
    seen = np.isfinite(heels).all(axis=1) & np.isfinite(tips).all(axis=1)
    rows = np.arange(heels.shape[0])
    front_leg = np.argmax(np.where(seen[:, None], heels, 0.0), axis=1)
    front = np.where(seen, heels[rows, front_leg], np.nan)
    rear = np.where(seen, tips.min(axis=1, initial=np.inf, where=np.isfinite(tips)), np.nan)
    front_heel_y = np.where(seen, points[rows, front_leg, HEEL, 1], np.nan)
    front = angles.smooth(front, times_s, CUTOFF_HZ)
    rear = angles.smooth(rear, times_s, CUTOFF_HZ)
    front_heel_y = angles.smooth(front_heel_y, times_s, CUTOFF_HZ)
    prominence = MIN_PROMINENCE_STATURE * stature_px
    anterior = extremes(front, times_s, prominence, PROMINENCE_WINDOW_S)
    ic_pos = np.array(
        [_heel_down(front_heel_y, times_s, int(i), stature_px) for i in anterior],
        dtype=np.int64,
    )
    if overground and anterior.size:
        heel_x = np.stack(
            [angles.smooth(points[:, leg, HEEL, 0], times_s, CUTOFF_HZ) for leg in (0, 1)], 1
        )
        heel_speed = np.abs(np.gradient(heel_x, times_s, axis=0)) / stature_px
        for k, i in enumerate(anterior):
            stop = _heel_stops(heel_speed[:, front_leg[i]], times_s, int(i))
            ic_pos[k] = ic_pos[k] if stop is None else min(stop, ic_pos[k])
    fo_pos = extremes(-rear, times_s, prominence, PROMINENCE_WINDOW_S)
    settled = clear_of_edges(seen & np.isfinite(front) & np.isfinite(rear), times_s)
    keep = settled[anterior]
    anterior, ic_pos = anterior[keep], ic_pos[keep]
    fo_pos = fo_pos[settled[fo_pos]]
    foot_y = np.fmax(points[:, :, HEEL, 1], points[:, :, TIP, 1])
    front_x = np.where(seen, points[rows, front_leg, HEEL, 0], np.nan)
    rear_leg = np.argmin(np.where(seen[:, None], tips, 0.0), axis=1)
    rear_x = np.where(seen, points[rows, rear_leg, TIP, 0], np.nan)
    return LandmarkEvents(
        ic_pos, fo_pos, anterior, forward, foot_y, facing, front_x[ic_pos], rear_x[fo_pos]
    )


def detect_events_by_rows(
    landmarks: np.ndarray,
    times_s: np.ndarray,
    stature_px: float,
    row_facing: np.ndarray,
    camera_path_px: np.ndarray | None = None,
    *,
    overground: bool = False,
) -> LandmarkEvents:
    """:func:`detect_events` where the facing changes from row to row (``row_facing``
    ``(n,)`` int, +1 / -1: the passes of an out-and-back walk): the events are read once per
    facing present, over the whole clip (so no trajectory is filtered across the change),
    and each event is kept from the reading with its own row's facing (an initial contact
    at its refined row, a foot off at its row); ``forward`` is each row's from the reading
    with its facing. With one facing on every row, :func:`detect_events`' events unchanged
    (``row_facing`` None). ``facing`` of the result: the first row's."""
    row_facing = np.asarray(row_facing, dtype=np.int64)
    facings = np.unique(row_facing)
    readings = {
        int(f): detect_events(
            landmarks, times_s, stature_px, int(f), camera_path_px, overground=overground
        )
        for f in facings
    }
    if len(readings) == 1:
        return readings[int(facings[0])]
    first = readings[int(row_facing[0])]
    # Each reading's own events: an IC at its refined row, an FO at its row.
    own = {f: (row_facing[e.ic_pos] == f, row_facing[e.fo_pos] == f) for f, e in readings.items()}

    def gather(name: str, which: int) -> np.ndarray:
        return np.concatenate([getattr(e, name)[own[f][which]] for f, e in readings.items()])

    ic_pos, anterior, ic_x = gather("ic_pos", 0), gather("anterior_pos", 0), gather("ic_x_px", 0)
    fo_pos, fo_x = gather("fo_pos", 1), gather("fo_x_px", 1)
    forward = first.forward.copy()
    for f, e in readings.items():
        forward[row_facing == f] = e.forward[row_facing == f]
    ic_order, fo_order = np.argsort(ic_pos, kind="stable"), np.argsort(fo_pos, kind="stable")
    return LandmarkEvents(
        ic_pos[ic_order],
        fo_pos[fo_order],
        anterior[ic_order],
        forward,
        first.foot_y,
        first.facing,
        ic_x[ic_order],
        fo_x[fo_order],
        row_facing,
    )


def clear_of_edges(seen: np.ndarray, times_s: np.ndarray) -> np.ndarray:
    """``(n,)`` bool: rows at least one filter period (``1 / CUTOFF_HZ``) inside a run of
    ``seen`` rows. Nearer a run's end (the clip's ends, a gap, a jump) the zero-lag filter
    still carries its start-up transient and the padding's guess: an extreme there moved
    by up to 4 frames on the outdoor clip (just after the landmarks moved to the walker)."""
    period = 1.0 / CUTOFF_HZ
    out = np.zeros(seen.size, dtype=bool)
    padded = np.r_[False, seen, False].astype(np.int8)
    starts = np.flatnonzero(np.diff(padded) == 1)
    stops = np.flatnonzero(np.diff(padded) == -1)
    for start, stop in zip(starts, stops, strict=True):
        t = times_s[start:stop]
        out[start:stop] = (t - t[0] >= period) & (t[-1] - t >= period)
    return out


def stance_legs(
    events: LandmarkEvents,
    ic_pos: np.ndarray,
    fo_pos: np.ndarray,
    previous_fo_pos: np.ndarray,
    next_ic_pos: np.ndarray,
) -> list[np.ndarray]:
    """Which model leg (0 left, 1 right; -1 unseen) stands on each contact, row by row of
    its stance ``[ic_pos, fo_pos]`` (``(m,)`` int each, -1 where unseen): the front heel
    until the other foot leaves (``previous_fo_pos``), then the lower foot while the other
    swings, then the rear foot tip once the other has landed (``next_ic_pos``). The model's
    names are read where the legs are apart, so a flip at the crossing is outvoted."""
    forward, foot_y = events.forward, events.foot_y
    out = []
    for ic, fo, other_off, other_on in zip(
        ic_pos, fo_pos, previous_fo_pos, next_ic_pos, strict=True
    ):
        if ic < 0 or fo < 0:
            out.append(np.zeros(0, dtype=np.int64))
            continue
        rows = np.arange(ic, fo + 1)
        heel = forward[rows, :, HEEL]
        tip = forward[rows, :, TIP]
        lower = foot_y[rows]
        leg = np.where(
            np.isfinite(lower).all(axis=1), np.argmax(np.nan_to_num(lower, nan=-np.inf), 1), -1
        )
        front = rows <= (other_off if other_off >= 0 else ic)
        leg[front] = np.argmax(np.nan_to_num(heel[front], nan=-np.inf), axis=1)
        rear = rows >= (other_on if other_on >= 0 else fo + 1)
        leg[rear] = np.argmin(np.nan_to_num(tip[rear], nan=np.inf), axis=1)
        unseen = ~(np.isfinite(heel).all(axis=1) & np.isfinite(tip).all(axis=1))
        leg[unseen] = -1
        out.append(leg)
    return out


def _heel_stops(heel_speed: np.ndarray, times_s: np.ndarray, start: int) -> int | None:
    """The first row from ``start`` where the heel's speed along the floor ``(n,)``
    (statures/s) is under :data:`IC_HEEL_STOP_STATURE_PER_S`, within
    :data:`IC_STOP_SEARCH_S`; None when it does not stop there."""
    stop = int(np.searchsorted(times_s, times_s[start] + IC_STOP_SEARCH_S, side="right"))
    slow = np.flatnonzero(heel_speed[start:stop] < IC_HEEL_STOP_STATURE_PER_S)
    return start + int(slow[0]) if slow.size else None


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
