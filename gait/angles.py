"""Sagittal hip, knee and ankle angles from 2-D body landmarks, per gait cycle.

Input landmarks are an ``(n, 33, 4)`` float array per frame (x px, y px, z, visibility) in
MediaPipe BlazePose order (:data:`LANDMARKS`; odd = left), in the upright image: x to the
right, y down. The walking direction in the image is ``+1`` (toward the image right) or ``-1``,
for the whole clip or per frame (``0`` where the walker is not walking one way: withheld).

Conventions (degrees; the sagittal plane is taken to be the image plane, so these are the
angles of the 2-D projection of a side view):

- **Segment angle**: the angle of a segment from straight down (the image's +y), positive
  when its distal end is ahead of its proximal end in the walking direction.
- **Hip flexion** (positive) = thigh (hip -> knee) angle + forward lean of the trunk (mid-hip
  -> mid-shoulder line from vertical), i.e. the thigh relative to the trunk. The trunk, not the
  vertical, is the reference because hip flexion is a joint angle (thigh against the body
  above it); pelvic tilt, what a marker model uses, cannot be seen by a landmark model, and
  the shoulder-hip line is the nearest observable proxy. Marker-based hip curves therefore
  read higher by the pelvis's anterior tilt; the range of motion is comparable.
- **Knee flexion** (positive) = thigh angle - shank (knee -> ankle) angle: 0 when straight.
- **Ankle dorsiflexion** (positive) = foot pitch (heel -> foot tip, toe up positive) - shank
  angle: 0 at a neutral foot (the heel -> toe line perpendicular to the shank). The foot tip
  is the toes' end: while the toes are extended at push-off this line is flatter than the
  rear foot a marker model uses, so the plantarflexion peak reads smaller (measured on the
  synthetic walker: see ``tests/test_angles.py``).

Withheld, never invented: a frame's angle is NaN when any landmark it uses has visibility
below :data:`MIN_VISIBILITY` (the far leg in a side view is often hidden) or is not finite.
Gaps up to :data:`MAX_GAP_S` are bridged by linear interpolation in time; longer gaps stay
NaN, and nothing is extrapolated past the first or last measured frame. Each measured run is
low-pass filtered without lag (:func:`lowpass_zero_lag`) on its own timestamps (variable frame
rate safe).

Accuracy: from the synthetic walker's true joints (``gait.synth.truth.landmarks_px``) the
unfiltered angles match its exact angles within 0.0002 deg, the 6 Hz filtered ones within
0.1-0.75 deg MAE (``tests/test_angles.py``). How close a landmark model's points get (target
<= 5 deg at hip and knee) can only be measured with that model, on rendered clips.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

#: BlazePose landmark indices used here (odd = left).
LANDMARKS = {
    "left_shoulder": 11,
    "right_shoulder": 12,
    "left_hip": 23,
    "right_hip": 24,
    "left_knee": 25,
    "right_knee": 26,
    "left_ankle": 27,
    "right_ankle": 28,
    "left_heel": 29,
    "right_heel": 30,
    "left_foot_index": 31,
    "right_foot_index": 32,
}
SIDES = ("left", "right")
JOINTS = ("hip", "knee", "ankle")

#: Landmark visibility below which a point is treated as unseen. MediaPipe's visibility is a
#: probability that the point is in view and unoccluded; 0.5 is its own drawing threshold.
MIN_VISIBILITY = 0.5
#: Longest gap (s) bridged by interpolation: ~10 % of a 1 s stride, no longer than the shortest
#: gait phase (each double support), so a bridge may flatten a peak but never spans a whole
#: phase; a straight line cannot invent a peak. The team's gait references (pose-based event
#: detection) fill gaps <= ~120 ms the same way.
MAX_GAP_S = 0.1
#: Zero-lag Butterworth cut-off (Hz): the ~5-6 Hz low-pass usual for walking kinematics (the
#: team's gait references), which keeps the gait harmonics of sagittal angles.
CUTOFF_HZ = 6.0
#: The filter runs on a uniform grid this many times finer than the median frame interval.
GRID_OVERSAMPLING = 4
#: Samples per normalised gait cycle (0, 1, ..., 100 %).
CYCLE_SAMPLES = 101
#: Windows of the cycle (%) in which the summary peaks are searched. Healthy knee flexion
#: peaks at ~12-15 % (loading response) and ~70-75 % (swing), ankle dorsiflexion at ~45-50 %
#: (terminal stance); the windows are wide enough for slow or pathological gait and stay
#: within stance (0-60 %) or swing (60-100 %) where the peak belongs.
LOADING_WINDOW_PCT = (0, 30)
SWING_WINDOW_PCT = (55, 100)
STANCE_WINDOW_PCT = (0, 60)


def segment_angle_deg(
    proximal: np.ndarray, distal: np.ndarray, direction: int | np.ndarray
) -> np.ndarray:
    """Angle (deg, (n,)) of the segments ``proximal -> distal`` ((n, 2) px) from straight down,
    positive when the distal end is ahead in the walking ``direction`` (+1 / -1, or (n,))."""
    d = distal - proximal
    return np.degrees(np.arctan2(direction * d[:, 0], d[:, 1]))


def _point(landmarks: np.ndarray, name: str) -> np.ndarray:
    """``(n, 2)`` px of one landmark, NaN where unseen (visibility below the threshold)."""
    lm = landmarks[:, LANDMARKS[name]]
    xy = lm[:, :2].astype(np.float64)
    seen = (lm[:, 3] >= MIN_VISIBILITY) & np.all(np.isfinite(xy), axis=1)
    return np.where(seen[:, None], xy, np.nan)


def _midpoint(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Mean of two ``(n, 2)`` point series, or the one seen when the other is NaN."""
    with np.errstate(invalid="ignore"):
        both = np.nanmean(np.stack([a, b]), axis=0) if a.size else a
    return both


def walking_direction(direction: int | np.ndarray, n: int) -> np.ndarray:
    """``direction`` as ``(n,)`` float: +1 / -1 per frame, NaN where 0 (not walking: those
    frames' angles are withheld). Raises ValueError for any other value or shape."""
    if np.ndim(direction) > 1 or (np.ndim(direction) == 1 and np.size(direction) != n):
        raise ValueError(f"direction must be +1, -1 or one value per frame ({n})")
    d = np.broadcast_to(np.asarray(direction, dtype=np.float64), (n,))
    if not np.all(np.isin(d, (1.0, -1.0, 0.0))):
        raise ValueError("direction must be +1 (toward image right), -1 (left) or 0 (unknown)")
    return np.where(d == 0, np.nan, d)


def raw_angles_deg(
    landmarks: np.ndarray, direction: int | np.ndarray
) -> dict[str, dict[str, np.ndarray]]:
    """Unfiltered hip, knee and ankle angles (deg) per frame: ``{side: {joint: (n,)}}``.

    ``landmarks``: ``(n, 33, 4)`` (x px, y px, z, visibility); ``direction``: +1 / -1 for the
    whole clip or per frame (``(n,)``, 0 where the walker is not walking one way: withheld).
    NaN where a landmark the angle uses is unseen. The trunk is the mid-hip -> mid-shoulder
    line (either side alone when one is unseen).
    """
    if landmarks.ndim != 3 or landmarks.shape[1:] != (33, 4):
        raise ValueError(f"landmarks must be (n, 33, 4), got {landmarks.shape}")
    direction = walking_direction(direction, landmarks.shape[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # nanmean of two NaNs: unseen, NaN
        mid_hip = _midpoint(_point(landmarks, "left_hip"), _point(landmarks, "right_hip"))
        mid_shoulder = _midpoint(
            _point(landmarks, "left_shoulder"), _point(landmarks, "right_shoulder")
        )
    up = mid_shoulder - mid_hip
    trunk_lean = np.degrees(np.arctan2(direction * up[:, 0], -up[:, 1]))
    out: dict[str, dict[str, np.ndarray]] = {}
    for side in SIDES:
        hip = _point(landmarks, f"{side}_hip")
        knee = _point(landmarks, f"{side}_knee")
        ankle = _point(landmarks, f"{side}_ankle")
        heel = _point(landmarks, f"{side}_heel")
        toe = _point(landmarks, f"{side}_foot_index")
        thigh = segment_angle_deg(hip, knee, direction)
        shank = segment_angle_deg(knee, ankle, direction)
        foot = toe - heel
        pitch = np.degrees(np.arctan2(-foot[:, 1], direction * foot[:, 0]))
        out[side] = {
            "hip": _wrap(thigh + trunk_lean),
            "knee": _wrap(thigh - shank),
            "ankle": _wrap(pitch - shank),
        }
    return out


def _wrap(deg: np.ndarray) -> np.ndarray:
    """Angles into (-180, 180] deg (NaN stays NaN)."""
    return 180.0 - np.mod(180.0 - deg, 360.0)


def fill_short_gaps(values: np.ndarray, times_s: np.ndarray, max_gap_s: float) -> np.ndarray:
    """``values`` (n,) with interior NaN runs spanning at most ``max_gap_s`` (between the
    measured frames around them) filled linearly in time; longer gaps and the ends stay NaN."""
    out = values.astype(np.float64, copy=True)
    good = np.flatnonzero(np.isfinite(out))
    if good.size < 2:
        return out
    for a, b in itertools.pairwise(good):
        # 1 us of slack: container clocks round timestamps (3 frames at 30 fps is 0.1 s).
        if b - a > 1 and times_s[b] - times_s[a] <= max_gap_s + 1e-6:
            w = (times_s[a + 1 : b] - times_s[a]) / (times_s[b] - times_s[a])
            out[a + 1 : b] = out[a] + w * (out[b] - out[a])
    return out


def butterworth2(cutoff_hz: float, fs_hz: float) -> tuple[np.ndarray, np.ndarray]:
    """Second-order low-pass Butterworth ``(b, a)`` (bilinear transform, pre-warped)."""
    k = math.tan(math.pi * cutoff_hz / fs_hz)
    norm = 1.0 / (1.0 + math.sqrt(2.0) * k + k * k)
    b0 = k * k * norm
    b = np.array([b0, 2.0 * b0, b0])
    a = np.array([1.0, 2.0 * (k * k - 1.0) * norm, (1.0 - math.sqrt(2.0) * k + k * k) * norm])
    return b, a


def _biquad(b: np.ndarray, a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Direct form II transposed, started in the steady state of ``x[0]`` (no start-up step)."""
    y = np.empty_like(x)
    z1, z2 = (1.0 - b[0]) * x[0], (b[2] - a[2]) * x[0]
    for i, xi in enumerate(x):
        yi = b[0] * xi + z1
        z1 = b[1] * xi - a[1] * yi + z2
        z2 = b[2] * xi - a[2] * yi
        y[i] = yi
    return y


def lowpass_zero_lag(
    values: np.ndarray, times_s: np.ndarray, cutoff_hz: float = CUTOFF_HZ
) -> np.ndarray:
    """Forward-backward 2nd-order Butterworth (4th order, no phase lag) of one finite run.

    The run is resampled linearly onto a uniform grid (:data:`GRID_OVERSAMPLING` times finer
    than its median frame interval, so a variable frame rate does not distort the filter),
    padded at both ends by odd reflection (as SciPy's ``filtfilt``), filtered forwards and
    backwards, and read back at ``times_s``.
    Returned unchanged when the run is too short to pad or its Nyquist frequency is not above
    the cut-off.
    """
    n = values.size
    if n < 4:
        return values.copy()
    frame_dt = float(np.median(np.diff(times_s)))
    if cutoff_hz >= 0.5 / frame_dt:
        return values.copy()
    # A grid 4x finer than the frames: reading the result back at the frames' own times then
    # adds no interpolation error of its own.
    dt = frame_dt / GRID_OVERSAMPLING
    fs = 1.0 / dt
    grid = times_s[0] + dt * np.arange(math.floor((times_s[-1] - times_s[0]) / dt) + 1)
    x = np.interp(grid, times_s, values)
    # One period of the cut-off on each side (at least SciPy's 9 samples): the start-up
    # transient of a recursive filter lasts about that long.
    pad = min(x.size - 1, max(9, round(fs / cutoff_hz)))
    if pad < 1:
        return values.copy()
    ext = np.concatenate([2 * x[0] - x[pad:0:-1], x, 2 * x[-1] - x[-2 : -pad - 2 : -1]])
    b, a = butterworth2(cutoff_hz, fs)
    y = _biquad(b, a, ext)
    y = _biquad(b, a, y[::-1])[::-1][pad:-pad]
    return np.interp(times_s, grid, y)


def _runs(finite: np.ndarray) -> list[tuple[int, int]]:
    """``(start, stop)`` of each run of True in a bool array."""
    padded = np.concatenate([[False], finite, [False]]).astype(np.int8)
    change = np.diff(padded)
    return list(zip(np.flatnonzero(change == 1), np.flatnonzero(change == -1), strict=True))


def segments(n: int, breaks: np.ndarray | Sequence[int] | None) -> list[tuple[int, int]]:
    """``[start, stop)`` of the rows ``0..n`` cut at each row of ``breaks`` (a row where a new
    trajectory starts: a cut in the video, the body jumping). ``(k,)`` ints; rows outside
    ``1..n-1`` are ignored."""
    edges = np.unique(np.asarray([] if breaks is None else breaks, dtype=np.int64))
    edges = edges[(edges > 0) & (edges < n)]
    bounds = [0, *edges.tolist(), n]
    return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]


def smooth(
    values: np.ndarray,
    times_s: np.ndarray,
    cutoff_hz: float | None = CUTOFF_HZ,
    max_gap_s: float = MAX_GAP_S,
    breaks: np.ndarray | Sequence[int] | None = None,
) -> np.ndarray:
    """Short gaps bridged (:func:`fill_short_gaps`), then each finite run filtered on its own
    (:func:`lowpass_zero_lag`; ``cutoff_hz=None`` skips the filter). Long gaps stay NaN.

    ``breaks``: rows where a new trajectory starts (:func:`segments`); no gap is bridged and
    no filter runs across one, so a cut is never smeared into the frames around it."""
    out = np.asarray(values, dtype=np.float64).copy()
    for first, stop in segments(out.size, breaks):
        part = fill_short_gaps(out[first:stop], times_s[first:stop], max_gap_s)
        if cutoff_hz is not None:
            for start, end in _runs(np.isfinite(part)):
                part[start:end] = lowpass_zero_lag(
                    part[start:end], times_s[first:stop][start:end], cutoff_hz
                )
        out[first:stop] = part
    return out


def joint_angles_deg(
    landmarks: np.ndarray,
    times_s: np.ndarray,
    direction: int | np.ndarray,
    cutoff_hz: float | None = CUTOFF_HZ,
    breaks: np.ndarray | Sequence[int] | None = None,
) -> dict[str, dict[str, np.ndarray]]:
    """Filtered angles (deg) per frame, ``{side: {joint: (n,)}}``; NaN where withheld.

    ``times_s``: ``(n,)`` each frame's own timestamp (strictly increasing); ``breaks``: rows
    where a new trajectory starts, never filtered across (:func:`smooth`).
    """
    times_s = np.asarray(times_s, dtype=np.float64)
    if times_s.shape != (landmarks.shape[0],):
        raise ValueError("times_s must have one timestamp per landmark frame")
    if times_s.size > 1 and not np.all(np.diff(times_s) > 0):
        raise ValueError("times_s must be strictly increasing")
    raw = raw_angles_deg(landmarks, direction)
    return {
        side: {joint: smooth(v, times_s, cutoff_hz, breaks=breaks) for joint, v in per.items()}
        for side, per in raw.items()
    }


def normalise_cycle(
    values: np.ndarray, times_s: np.ndarray, start_s: float, stop_s: float
) -> np.ndarray:
    """``values`` (n,) over one gait cycle ``[start_s, stop_s]`` at :data:`CYCLE_SAMPLES`
    evenly spaced instants (0-100 %), linear in time; NaN where a frame it is read from is
    NaN or the instant lies outside the frames."""
    at = np.linspace(start_s, stop_s, CYCLE_SAMPLES)
    if times_s.size == 0:
        return np.full(CYCLE_SAMPLES, np.nan)
    after = np.searchsorted(times_s, at, side="right")  # first frame later than the instant
    lo = np.clip(after - 1, 0, times_s.size - 1)
    hi = np.clip(after, 0, times_s.size - 1)
    span = times_s[hi] - times_s[lo]
    w = np.where(span > 0, (at - times_s[lo]) / np.where(span > 0, span, 1.0), 0.0)
    with np.errstate(invalid="ignore"):
        out = np.where(w == 0, values[lo], values[lo] + w * (values[hi] - values[lo]))
    inside = (at >= times_s[0]) & (at <= times_s[-1])
    return np.where(inside, out, np.nan)


def _peak(curve: np.ndarray, window_pct: tuple[int, int], fn: Any) -> float | None:
    part = curve[window_pct[0] : window_pct[1] + 1]
    return float(fn(part)) if np.all(np.isfinite(part)) else None


def _stride_summary(curves: dict[str, np.ndarray]) -> dict[str, float | None]:
    """Summary values of one stride's normalised curves (None where the span is unmeasured)."""
    knee, hip, ankle = curves["knee"], curves["hip"], curves["ankle"]
    full = (0, CYCLE_SAMPLES - 1)
    knee_max, knee_min = _peak(knee, full, np.max), _peak(knee, full, np.min)
    hip_max, hip_min = _peak(hip, full, np.max), _peak(hip, full, np.min)
    return {
        "knee_flexion_loading_peak_deg": _peak(knee, LOADING_WINDOW_PCT, np.max),
        "knee_flexion_swing_peak_deg": _peak(knee, SWING_WINDOW_PCT, np.max),
        "knee_rom_deg": None if knee_max is None or knee_min is None else knee_max - knee_min,
        "hip_rom_deg": None if hip_max is None or hip_min is None else hip_max - hip_min,
        "ankle_dorsiflexion_stance_peak_deg": _peak(ankle, STANCE_WINDOW_PCT, np.max),
    }


SUMMARY_KEYS = (
    "knee_flexion_loading_peak_deg",
    "knee_flexion_swing_peak_deg",
    "knee_rom_deg",
    "hip_rom_deg",
    "ankle_dorsiflexion_stance_peak_deg",
)


def _rounded(values: np.ndarray, digits: int = 2) -> list[float | None]:
    return [None if not math.isfinite(v) else round(float(v), digits) for v in values]


def _mean_sd(values: list[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    mean = round(float(np.mean(values)), 2)
    sd = round(float(np.std(values, ddof=1)), 2) if len(values) >= 2 else None
    return mean, sd


def gait_cycles(
    angles: Mapping[str, Mapping[str, np.ndarray]],
    times_s: np.ndarray,
    cycles_s: Mapping[str, Sequence[tuple[float, float]]],
) -> dict[str, Any]:
    """Per-side mean and SD curves over the gait cycle and the summary values (JSON-ready).

    ``angles``: :func:`joint_angles_deg`'s output; ``cycles_s``: each side's gait cycles,
    ``(start, stop)`` times (s, the same clock as ``times_s``) of an initial contact and the
    next one of the same foot: the strides the result measures, so a curve never spans a
    pause, a cut or an unsteady step. Returns::

        {"cycle_pct": [0..100],
         "sides": {side: {"strides": k,
                          "curves": {joint: {"mean_deg": [101], "sd_deg": [101],
                                             "measured_pct": share of the k x 101 samples
                                             that are measured}},
                          "summary": {key: mean, key_sd: SD, ...}}},
         "left_right_difference": {key: left mean - right mean or None}}

    Mean and SD at a cycle point use the strides measured there (SD needs two); a point no
    stride measures is None.
    """
    times_s = np.asarray(times_s, dtype=np.float64)
    sides: dict[str, Any] = {}
    for side in SIDES:
        cycles = [(float(a), float(b)) for a, b in cycles_s.get(side, ()) if b > a]
        per_joint = {
            joint: np.array(
                [normalise_cycle(angles[side][joint], times_s, a, b) for a, b in cycles]
            ).reshape(len(cycles), CYCLE_SAMPLES)
            for joint in JOINTS
        }
        curves = {}
        for joint, stack in per_joint.items():
            counts = np.count_nonzero(np.isfinite(stack), axis=0)
            with np.errstate(invalid="ignore"):
                total = np.nansum(stack, axis=0)
                mean = np.where(counts >= 1, total / np.maximum(counts, 1), np.nan)
                dev = np.where(np.isfinite(stack), stack - mean, 0.0)
                sd = np.where(
                    counts >= 2, np.sqrt((dev**2).sum(axis=0) / np.maximum(counts - 1, 1)), np.nan
                )
            seen = np.count_nonzero(np.isfinite(stack))
            measured = 100.0 * seen / stack.size if stack.size else 0.0
            curves[joint] = {
                "mean_deg": _rounded(mean),
                "sd_deg": _rounded(sd),
                "measured_pct": round(measured, 1),
            }
        per_stride = [
            _stride_summary({j: per_joint[j][k] for j in JOINTS}) for k in range(len(cycles))
        ]
        summary: dict[str, float | None] = {}
        for key in SUMMARY_KEYS:
            mean, sd = _mean_sd([s[key] for s in per_stride if s[key] is not None])
            summary[key] = mean
            summary[key.replace("_deg", "_sd_deg")] = sd
        sides[side] = {"strides": len(cycles), "curves": curves, "summary": summary}
    difference = {}
    for key in SUMMARY_KEYS:
        left, right = sides["left"]["summary"][key], sides["right"]["summary"][key]
        difference[key] = None if left is None or right is None else round(left - right, 2)
    return {
        "cycle_pct": list(range(CYCLE_SAMPLES)),
        "sides": sides,
        "left_right_difference": difference,
    }


def analyse(
    landmarks: np.ndarray,
    times_s: np.ndarray,
    direction: int | np.ndarray,
    cycles_s: Mapping[str, Sequence[tuple[float, float]]],
    cutoff_hz: float | None = CUTOFF_HZ,
    breaks: np.ndarray | Sequence[int] | None = None,
) -> dict[str, Any]:
    """The whole angle analysis in one call: what the result's ``angles`` block and
    :func:`gait.html_report.render_report`'s ``angles`` argument take.

    ``direction``: +1 / -1, or per frame with 0 outside the walking passes (see
    :func:`raw_angles_deg`); ``cycles_s`` as :func:`gait_cycles` takes them, ``breaks`` as
    :func:`joint_angles_deg` does. Adds to :func:`gait_cycles` ``frames_measured_pct``
    (share of frames with an angle, measured or bridged, per side and joint) and ``method``
    (the conventions and constants used).
    """
    angles = joint_angles_deg(landmarks, times_s, direction, cutoff_hz, breaks)
    out = gait_cycles(angles, times_s, cycles_s)
    out["frames_measured_pct"] = {
        side: {
            joint: round(100.0 * float(np.mean(np.isfinite(v))), 1) if v.size else 0.0
            for joint, v in per.items()
        }
        for side, per in angles.items()
    }
    out["method"] = {
        "hip": "thigh relative to the trunk (mid-hip to mid-shoulder line), flexion positive",
        "knee": "thigh relative to shank, 0 deg straight, flexion positive",
        "ankle": "heel-to-foot-tip line relative to the shank, 0 deg at a right angle, "
        "dorsiflexion positive",
        "plane": "2-D projection onto the image (side view)",
        "min_visibility": MIN_VISIBILITY,
        "max_gap_bridged_s": MAX_GAP_S,
        "lowpass_cutoff_hz": cutoff_hz,
    }
    return out
