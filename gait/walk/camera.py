"""The camera's path over the clip, its shots, and whether its motion can be compensated.

Input: the per-frame background motion of :mod:`gait.frame.camera_motion` (``camera_shift_px``
``(n, 2)``, ``camera_support``, ``camera_scale``, ``camera_rotation_deg``, ``cut_score``, one
row per frame, analysis pixels). Output: a :class:`CameraPath`:

* **cuts**: rows where a new shot starts. A hard cut loses the points a frame pair
  otherwise keeps: the frame's lost share (``cut_score``) stands out from its neighbours' by
  :data:`CUT_MIN_SPIKE`, on a frame where the background does not move
  (:data:`CUT_MAX_SHIFT_PX`; see the constant for why), and it is confirmed by what a cut
  does: the background's motion is lost (another scene), or the walker's body jumps
  (:func:`gait.walk.landmark_events.discontinuities`; a flare or a bystander's leap also
  loses points, and leaves the walker alone);
* **path** ``(n, 2)`` px: the background's cumulative shift, restarting at 0 at each cut,
  so that image positions minus the path are positions in the floor's frame (a point fixed
  on the floor keeps its floor position). Unmeasured frames take the shift interpolated
  from their neighbours;
* **kind**: ``"static"`` (the route of a static camera applies unchanged), ``"moving"``
  (compensated: the landmark route in the floor frame), ``"too_strong"`` (the motion cannot
  be followed reliably: refused) or ``"unknown"`` (no motion arrays, or too little texture
  to measure it).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from gait.errors import NoReliableGait
from gait.words import counted, noun

#: The per-frame arrays this stage reads (:mod:`gait.frame.camera_motion`).
MOTION_ARRAYS = (
    "camera_shift_px",
    "camera_support",
    "camera_scale",
    "camera_rotation_deg",
    "cut_score",
)
#: A cut: the frame's lost share of points exceeds the highest of its
#: :data:`CUT_NEIGHBOURS` neighbours on each side by this much. Measured (equalised frames):
#: the walk-styles treadmill's four hard cuts 0.24-0.28 (the background is the same room;
#: the captions, the walker and his shadow jump), its other frames at most 0.07; the indoor
#: clip at most 0.02, the lab clip's slider 0.12; outdoors 0.26 where a sun flare vanishes
#: as the jumper leaps (frame 175, not a cut: the walker's confirmation rejects it).
CUT_MIN_SPIKE = 0.15
CUT_NEIGHBOURS = 3
#: ... on a frame whose background shift, and its neighbours', is under this (analysis px;
#: where the motion is lost, the neighbours' interpolated). A fast pan
#: blurs frames (and 24-to-30 fps conversion blends them), which loses as many points as a
#: cut: the sprint's panning frames spike by up to 0.45 at shifts of 1.7-26 px, while the
#: treadmill's cuts measure 0.1-0.2 px. Cuts during a fast pan are therefore not found.
CUT_MAX_SHIFT_PX = 1.0
#: A spike with less than this share of the background agreeing on a motion is a change of
#: scene. Measured: a synthetic cut between two backgrounds 0.31; the treadmill's cuts
#: (same room) 0.75-0.95; static clips' frames ~1.0, the panning sprint's median 0.68
#: (its spikes are ruled out by :data:`CUT_MAX_SHIFT_PX`).
CUT_MAX_SUPPORT = 0.5
#: ... and only where the picture's coarse layout changed by at least this (``scene_change``,
#: mean absolute difference of the cells' grey levels as filmed). Measured: the edited
#: treadmill's cuts 2.8-4.7 (its fourth, not found, 2.1), its other frames at most 1.4; the
#: static real clips' frames at most 1.3 (99th percentile; the outdoor clip's exposure
#: jumps aside, which the walker does not confirm). The synthetic walk with sensor noise
#: (sigma 6 levels) lost its background at 13 keyframes, where x264 renews the noise it
#: freezes in predicted frames, at 0.65-1.4: 13 false cuts, refused `edited_video`.
CUT_MIN_SCENE_CHANGE = 2.0
#: A frame's motion counts as measured when this share of the background points agrees
#: with the fit.
MIN_SUPPORT = 0.2


@dataclass(frozen=True)
class CameraPath:
    """The camera over the clip (see the module). ``path_px`` ``(n, 2)`` float analysis px;
    ``shift_px`` ``(n,)`` per-frame shift magnitude (NaN unmeasured); ``cut_rows`` ``(c,)``
    int rows that start a new shot; ``shots`` ``[(start, stop), ...]`` row ranges;
    ``measured_share`` the share of frames with a measured motion; ``kind`` and ``reason``
    (the measured motion, for warnings and refusals)."""

    path_px: np.ndarray
    shift_px: np.ndarray
    cut_rows: np.ndarray
    shots: list[tuple[int, int]]
    measured_share: float
    kind: str
    reason: str
    #: How far the floor below the people's feet moves per pixel of the background's shift
    #: (:func:`floor_motion_ratio`); None when not measured.
    floor_ratio: float | None = None
    #: Frames on which the floor below the people's feet was followed along with the
    #: background (``camera_floor_shift_px`` and the background's shift both measured).
    floor_frames: int = 0

    @property
    def moving(self) -> bool:
        return self.kind == "moving"

    def motion_px(self, video_px_per_analysis_px: float) -> dict[str, Any] | None:
        """The result's ``quality.camera_motion_px`` (video pixels): the median and 95th
        percentile of the background's frame-to-frame shift and the path's largest extent
        along x and y within a shot. When too little of it was measured to class the camera
        (``"unknown"``, a plain wall's few measured frames or none), only the class: a path
        bridged over the few measured frames is no measurement (a plain wall's 2 measured
        frames of 240 made a 1108 px "path" of a static camera). None when no frame's motion
        was measured and the camera was classed all the same."""
        shift = self.shift_px[np.isfinite(self.shift_px)]
        if self.kind == "unknown":
            return {
                "shift_per_frame_median_px": None,
                "shift_per_frame_p95_px": None,
                "path_extent_x_px": None,
                "path_extent_y_px": None,
                "class": self.kind,
            }
        if not shift.size:
            return None
        extent = np.zeros(2)
        for start, stop in self.shots:
            part = self.path_px[start:stop]
            extent = np.maximum(extent, np.ptp(part, axis=0))
        scale = video_px_per_analysis_px
        return {
            "shift_per_frame_median_px": round(float(np.median(shift)) * scale, 3),
            "shift_per_frame_p95_px": round(float(np.percentile(shift, 95)) * scale, 3),
            "path_extent_x_px": round(float(extent[0]) * scale, 1),
            "path_extent_y_px": round(float(extent[1]) * scale, 1),
            "class": self.kind,
        }


def find_cuts(
    cut_score: np.ndarray,
    shift_px: np.ndarray,
    support: np.ndarray,
    walker_jumps: np.ndarray | None = None,
    scene_change: np.ndarray | None = None,
) -> np.ndarray:
    """Rows ``(c,)`` int that start a new shot (see the module): ``cut_score``, ``shift_px``
    and ``support`` ``(n,)`` (shift NaN unmeasured: such a frame is judged by its
    neighbours' motion); a spike is confirmed by a lost background (support under
    :data:`CUT_MAX_SUPPORT` after a frame above it; NaN, nothing to follow, is not
    lost; and the picture's layout changed, ``scene_change`` ``(n,)`` at least
    :data:`CUT_MIN_SCENE_CHANGE` where known) or by ``walker_jumps`` ``(j,)``, the rows
    where the walker's body jumps (None when no walker is known: then only lost-background
    cuts are found)."""
    score = np.nan_to_num(np.asarray(cut_score, np.float64), nan=0.0)
    n = score.size
    shift = np.asarray(shift_px, np.float64)
    known = np.isfinite(shift)
    if n < 2 or not known.any():
        return np.zeros(0, dtype=np.int64)
    h = CUT_NEIGHBOURS
    padded = np.pad(score, h, mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * h + 1)
    neighbours = np.concatenate([windows[:, :h], windows[:, h + 1 :]], axis=1).max(axis=1)
    filled = np.interp(np.arange(n), np.flatnonzero(known), shift[known])
    moving = np.maximum(np.maximum(filled, np.r_[filled[1:], 0.0]), np.r_[0.0, filled[:-1]])
    spikes = (score - neighbours >= CUT_MIN_SPIKE) & (moving < CUT_MAX_SHIFT_PX)
    # A lost background confirms a cut only where it was followed on the frame before (a
    # change of scene), not on a plain background that never gives enough points.
    # A frame with too few background points to try (support NaN) has lost nothing: on a
    # plain wall whose only texture was a standing bystander, the tracker taking him up
    # masks his points, which had looked like a lost background (a false cut at the
    # re-detection frame, synthetic bystander clip).
    support = np.asarray(support, np.float64)
    agreed = support >= CUT_MAX_SUPPORT
    lost = support < CUT_MAX_SUPPORT
    confirmed = lost & np.r_[False, agreed[:-1]]
    if scene_change is not None:
        change = np.asarray(scene_change, np.float64)
        confirmed &= ~(change < CUT_MIN_SCENE_CHANGE)  # NaN (unknown) does not veto
    if walker_jumps is not None and np.size(walker_jumps):
        jumps = np.asarray(walker_jumps, dtype=np.int64)
        for offset in (-1, 0, 1):
            rows = jumps + offset
            confirmed[rows[(rows >= 0) & (rows < n)]] = True
    cuts = spikes & confirmed
    cuts[0] = False
    return np.flatnonzero(cuts)


def camera_path(
    arrays: dict[str, np.ndarray],
    analysis_width: int,
    frames_per_s: float,
    walker_jumps: np.ndarray | None = None,
) -> CameraPath:
    """The :class:`CameraPath` of the per-frame motion ``arrays`` (see the module) of frames
    ``analysis_width`` px wide at ``frames_per_s``, with the walker's jumps (rows, see
    :func:`find_cuts`); ``kind`` ``"unknown"`` when the motion arrays are absent."""
    if not all(name in arrays for name in MOTION_ARRAYS):
        n = len(arrays["foreground_fraction"]) if "foreground_fraction" in arrays else 0
        return CameraPath(
            np.zeros((n, 2)), np.full(n, np.nan), np.zeros(0, np.int64), [(0, n)], 0.0,
            "unknown", "the camera's motion was not measured",
        )  # fmt: skip
    shift = arrays["camera_shift_px"].astype(np.float64)
    n = shift.shape[0]
    support = arrays["camera_support"].astype(np.float64)
    measured = np.isfinite(shift).all(axis=1) & (support >= MIN_SUPPORT)
    magnitude = np.where(measured, np.linalg.norm(np.nan_to_num(shift), axis=1), np.nan)
    cut_rows = find_cuts(
        arrays["cut_score"], magnitude, support, walker_jumps, arrays.get("scene_change")
    )
    bounds = [0, *cut_rows.tolist(), n]
    shots = [(a, b) for a, b in itertools.pairwise(bounds) if b > a]
    path = np.zeros((n, 2))
    for start, stop in shots:
        rows = np.arange(start + 1, stop)  # a shot's first row moves from the previous shot
        ok = measured[rows]
        step = np.zeros((rows.size, 2))
        if ok.any():
            for axis in (0, 1):
                step[:, axis] = np.interp(rows, rows[ok], shift[rows[ok], axis])
        path[start + 1 : stop] = np.cumsum(step, axis=0)
    kind, reason = classify(
        magnitude,
        np.isfinite(shift).all(axis=1),
        measured,
        arrays["camera_scale"].astype(np.float64),
        arrays["camera_rotation_deg"].astype(np.float64),
        path,
        shots,
        analysis_width,
        frames_per_s,
        arrays.get("scene_change"),
    )
    floor = arrays.get("camera_floor_shift_px")
    shift_x = np.where(measured, shift[:, 0], np.nan)
    ratio = None if floor is None else floor_motion_ratio(floor, shift_x)
    floor_frames = 0 if floor is None else int(np.count_nonzero(np.isfinite(floor) & measured))
    return CameraPath(
        path,
        magnitude,
        cut_rows,
        shots,
        float(measured.mean()) if n else 0.0,
        kind,
        reason,
        ratio,
        floor_frames,
    )


#: The floor's motion is compared with the background's on at least this many frames ...
FLOOR_MIN_FRAMES = 30
#: ... over which the background's x shifts add up (sum of squares) to at least this
#: (analysis px squared): 30 frames of a 1 px/frame pan. Less is too little motion to tell a
#: depth from another.
FLOOR_MIN_SHIFT_PX2 = 30.0
#: ... and the ratio stands this many standard errors (from the frames' scatter about it)
#: clear of the bound between a turning and a travelling camera, 1 +/- MAX_FLOOR_PARALLAX:
#: else neither can be told. Measured standard errors: synthetic tracking shots 0.0013
#: (k = 1) to 0.0077 (k = 0.6), 179-239 frames of 4-7 px/frame; the re-filmed outdoor pan
#: 0.0013; the shaken indoor walker 0.030 (ratio 1.019: unknown).
FLOOR_RATIO_CLEAR_SE = 3.0


def floor_motion_ratio(floor_shift_px: np.ndarray, shift_x_px: np.ndarray) -> float | None:
    """How far the floor at the people's feet moves per pixel the background moves: the
    least-squares slope through the origin of ``floor_shift_px`` (the floor's shift at the
    feet row, ``camera_floor_shift_px``) on ``shift_x_px`` (both ``(n,)`` analysis px per
    frame, NaN unmeasured; :mod:`gait.frame.camera_motion`); None on too little evidence
    (:data:`FLOOR_MIN_FRAMES`, :data:`FLOOR_MIN_SHIFT_PX2`) or too close to
    :data:`MAX_FLOOR_PARALLAX`'s bound to tell (:data:`FLOOR_RATIO_CLEAR_SE`).

    A camera turning from one place (a pan, a hand's shake) moves every depth alike: 1. A
    camera carried along the walk moves nearer things faster: the walker's floor more than
    the wall behind her, on which the background's fit mostly lies. Measured on synthetic
    tracking shots (960x540, the wall at depth ratio k of the walking line): 1.08 at
    k = 0.9, 1.19 at 0.8, 1.61 at 0.6, where the walking line's true motion over the fit's
    was 1.09, 1.20, 1.62; 1.00 at k = 1."""
    floor = np.asarray(floor_shift_px, np.float64)
    shift = np.asarray(shift_x_px, np.float64)
    both = np.isfinite(floor) & np.isfinite(shift)
    energy = float(np.sum(shift[both] ** 2))
    count = np.count_nonzero(both)
    if count < FLOOR_MIN_FRAMES or energy < FLOOR_MIN_SHIFT_PX2:
        return None
    ratio = float(np.sum(floor[both] * shift[both]) / energy)
    scatter = np.sum((floor[both] - ratio * shift[both]) ** 2) / (count - 1)
    standard_error = math.sqrt(scatter / energy)
    clearance = abs(abs(ratio - 1.0) - MAX_FLOOR_PARALLAX)
    return ratio if clearance >= FLOOR_RATIO_CLEAR_SE * standard_error else None


#: Largest departure of :func:`floor_motion_ratio` from 1 for the background's path to
#: stand for the floor's. A ratio R leaves lengths a share 1 - 1/R short: 0.03 is 2 cm of
#: a 0.68 m step (the step target). Measured on synthetic 960x540 walks: panned 1 and
#: 3 px/frame 1.010, shaken 0.5 px/frame 0.994, a tracking shot without parallax (k = 1)
#: 0.998; tracking shots 1.08 (k = 0.9), 1.19 (0.8), 1.38 (0.7, 1280x720), 1.56-1.61 (0.6).
#: Real walkers re-filmed through a moving window (no parallax): outdoor panned 0.999,
#: panned and shaken 1.001 (shaken alone, and the indoor walker shaken: unknown, too little
#: motion, raw 0.995 and 1.019).
MAX_FLOOR_PARALLAX = 0.03
#: The largest ratio the path is scaled by, i.e. the wall's part of the background moving
#: half as fast as the walker's floor (a wall as far behind the walking line as the camera
#: is in front of it): the largest parallax measured (k = 0.6) with a margin. Beyond it,
#: lengths are withheld instead.
MAX_COMPENSATED_RATIO = 2.0


@dataclass(frozen=True)
class Parallax:
    """A travelling camera's parallax (:func:`parallax`): the ``path_px`` ``(n, 2)`` to
    subtract (the camera's path with x scaled by the floor's ratio; None when the ratio is
    beyond :data:`MAX_COMPENSATED_RATIO` or unknown, lengths then withheld) and the
    result's ``warning`` (which names the ratio)."""

    path_px: np.ndarray | None
    warning: str


#: A camera whose path makes at least this share of the walker's travel in the floor's
#: frame (:func:`follow_share`) follows her: turned from one place or carried along, which
#: only the floor below her feet tells apart (:func:`floor_motion_ratio`). Unmeasured, a
#: carried camera would shorten her lengths by up to this share times 1 - k unseen (k the
#: wall's depth ratio; 0.4 at k = 0.6: 4 %). A hand's shake makes 2-4 % (12 px of sway
#: against ~300 px of her travel per second on the re-filmed walkers); a following pan ~100 %.
FOLLOW_MIN_SHARE = 0.1
#: The window (s) over which the camera's and the walker's displacements are compared.
FOLLOW_WINDOW_S = 1.0


def follow_share(
    path_x_px: np.ndarray, walker_x_px: np.ndarray, frames_per_s: float
) -> float | None:
    """How much of the walker's travel the camera's path makes: the sum over frames of the
    path's x displacement over :data:`FOLLOW_WINDOW_S` (absolute), over the same sum for the
    walker's x in the floor's frame (``walker_x_px - path_x_px``). ``path_x_px``,
    ``walker_x_px`` ``(n,)`` analysis px (the walker's NaN where unseen). None where she
    does not travel (or is never seen over a window)."""
    lag = max(1, round(FOLLOW_WINDOW_S * frames_per_s))
    path = np.asarray(path_x_px, np.float64)
    floor = np.asarray(walker_x_px, np.float64) - path
    if floor.size <= lag:
        return None
    moved_path = np.abs(path[lag:] - path[:-lag])
    moved_walker = np.abs(floor[lag:] - floor[:-lag])
    seen = np.isfinite(moved_walker) & np.isfinite(moved_path)
    walked = float(moved_walker[seen].sum())
    return float(moved_path[seen].sum()) / walked if walked > 0 else None


def parallax(
    camera: CameraPath,
    *,
    walker_x_px: np.ndarray | None = None,
    frames_per_s: float | None = None,
) -> Parallax | None:
    """The parallax of a moving ``camera`` whose floor at the walker's feet moves otherwise
    than its background (:func:`floor_motion_ratio` beyond :data:`MAX_FLOOR_PARALLAX` from
    1): the camera travelled along the walk, so the background's frame is not the floor's.
    The floor's own motion then gives the path (x scaled by the ratio: a camera carried at a
    steady distance from the walking line moves every depth in a fixed proportion), or,
    beyond :data:`MAX_COMPENSATED_RATIO`, nothing. Also nothing (lengths withheld) for a
    camera following the walker (:func:`follow_share` of her x ``walker_x_px`` ``(n,)``
    analysis px at ``frames_per_s``, both given; at least :data:`FOLLOW_MIN_SHARE`) whose
    floor was not
    followed (on fewer than :data:`FLOOR_MIN_FRAMES` frames): turned or carried cannot be
    told. None for a camera that is not
    moving, or that turned from one place, or whose floor moved slower than its background
    (misread), or could not be followed while the camera hardly followed the walker (a
    hand's shake: little travel, little parallax)."""
    ratio = camera.floor_ratio
    # A floor followed on enough frames but whose ratio is too near the bound to tell (a slow
    # pan: 1.010 +- 0.01) bounds the parallax near the bound's 3 %: lengths kept, the
    # warning says parallax is not ruled out. Not followed at all, nothing bounds it.
    unseen_floor = camera.floor_frames < FLOOR_MIN_FRAMES
    following_known = walker_x_px is not None and frames_per_s is not None
    if camera.moving and ratio is None and unseen_floor and following_known:
        share = follow_share(camera.path_px[:, 0], walker_x_px, frames_per_s)
        if share is not None and share >= FOLLOW_MIN_SHARE:
            return Parallax(
                None,
                f"camera following the walker (its motion {100 * share:.0f} % of her travel) "
                "over a floor that could not be followed below her feet: a camera turned from "
                "one place cannot be told from one carried along the walk, whose parallax "
                "would make every length short, so step length, stride length and speed are "
                "not reported; contact times and cadence are. For lengths, pan the camera "
                "from one place with a textured floor in view, or use a tripod",
            )
    # Slower than the background is no travelling camera (it moves the walker's floor faster
    # than the wall behind her) but misread points: the broadcast sprint's pan, blurred
    # over lane lines, 0.56 (floor_caveat names it).
    if not camera.moving or ratio is None or ratio <= 1.0 + MAX_FLOOR_PARALLAX:
        return None
    seen = (
        f"travelling camera: the floor at the walker's feet moved {ratio:.2f} times as far "
        "as the background the camera's motion was measured on (parallax: the camera was "
        "carried along the walk, not turned from one place)"
    )
    if ratio <= MAX_COMPENSATED_RATIO:
        path = camera.path_px.copy()
        path[:, 0] *= ratio
        return Parallax(
            path,
            f"{seen}; its path was scaled by that ratio to the floor's, so lengths and contact "
            "times rest on the floor seen below the feet and are less sure than with a camera "
            "turning from one place or on a tripod",
        )
    return Parallax(
        None,
        f"{seen}, too much to compensate: positions in the floor's frame drift, so step "
        "length, stride length and speed are not reported; contact times and cadence are. "
        "For lengths, pan the camera from one place or use a tripod",
    )


#: Static: over any second within a shot the camera's path moves less than this (analysis
#: px, 95th percentile over the clip's one-second windows) ...
STATIC_MAX_TRAVEL_PX_PER_S = 5.0
#: ... and the background's frame-to-frame shift has a 95th percentile under this (analysis
#: px: no shake). Measured (per-second travel 95th percentile / per-frame 95th percentile):
#: static clips 0.3-1.7 / 0.06-0.20 (indoor, outdoor, both treadmills); the lab clip's slow
#: slider 22 / 0.95, the hand-held elderly clip 139 / 6.6, the sprint 970 / 36, a synthetic
#: 1 px/frame pan 30 / 1.0. Below these a standing foot drifts by under 3 px over a stance,
#: and the static route's footprints apply unchanged.
STATIC_MAX_SHIFT_P95_PX = 1.0
#: Too strong to compensate: the motion is measured on fewer than this share of frames ...
MIN_MEASURED_SHARE = 0.8
#: ... unless at least this share is measured and shows a still camera (both static bounds
#: above), and the frames whose points disagree show a picture whose coarse layout does not
#: change (median ``scene_change`` under :data:`CUT_MIN_SCENE_CHANGE`): a plain background
#: with sensor noise (synthetic, sigma 6 levels, encoded reproducibly) has its points agree
#: on 36 % of frames, all still (shift 0.03 px/frame median, 0.13 p95), the others changing
#: by 0.78 (median); the camera is then "unknown", as before a plain wall. A camera rolling
#: up to 8 degrees frame to frame also agrees on 38 % of frames, those where it happened to
#: hold still, but its other frames change by 5.9: motion too strong.
MIN_STILL_MEASURED_SHARE = 0.2
#: ... or the frame-to-frame shift's 95th percentile exceeds this share of the frame width
#: (motion blur smears the feet; the landmarks lag) ...
MAX_SHIFT_WIDTH_SHARE = 0.1
#: ... or the frame-to-frame zoom's (scale change's) 95th percentile exceeds this (the
#: walker's stature, the scale of every length, changes within a step) ...
MAX_ZOOM_PER_FRAME = 0.02
#: ... or the frame-to-frame roll's 95th percentile exceeds this many degrees.
MAX_ROLL_DEG_PER_FRAME = 1.0


def classify(
    magnitude: np.ndarray,
    fitted: np.ndarray,
    measured: np.ndarray,
    scale: np.ndarray,
    rotation_deg: np.ndarray,
    path_px: np.ndarray,
    shots: list[tuple[int, int]],
    analysis_width: int,
    frames_per_s: float,
    scene_change: np.ndarray | None = None,
) -> tuple[str, str]:
    """``(kind, reason)`` of the per-frame motion (thresholds above): ``magnitude`` ``(n,)``
    px, NaN unmeasured; ``fitted`` ``(n,)`` bool: frames with enough textured background
    points to try (else "unknown"); ``measured`` ``(n,)`` bool: frames where enough of them
    agreed (too few is motion too strong or incoherent to follow); ``scale``,
    ``rotation_deg`` ``(n,)``; ``path_px`` ``(n, 2)`` and its ``shots``; frames
    ``analysis_width`` px wide, at ``frames_per_s``; ``scene_change`` ``(n,)`` the picture's
    coarse change from the previous frame (``gait.frame.camera_motion``; None: unknown)."""
    n = magnitude.size
    shift = magnitude[np.isfinite(magnitude)]
    if n == 0 or np.count_nonzero(fitted) < 0.5 * n:
        return "unknown", "too little textured background to measure the camera's motion"
    if not shift.size:
        return "too_strong", "the background's points never agree on one motion"
    median, p95 = float(np.median(shift)), float(np.percentile(shift, 95))
    zoom = float(np.percentile(np.abs(np.log(scale[measured])), 95))
    roll = float(np.percentile(np.abs(rotation_deg[measured]), 95))
    window = max(1, round(frames_per_s))
    travel = [
        np.linalg.norm(path_px[a + window : b] - path_px[a : b - window], axis=1)
        for a, b in shots
        if b - a > window
    ]
    travel_p95 = float(np.percentile(np.concatenate(travel), 95)) if travel else 0.0
    described = (
        f"background shift {median:.2f} px/frame (median), {p95:.2f} px/frame (95th "
        f"percentile), {travel_p95:.1f} px/s, zoom {100 * zoom:.1f} %/frame and roll "
        f"{roll:.2f} deg/frame (95th percentiles), analysis pixels"
    )
    problems = []
    share = float(measured[fitted].mean())  # of the frames with enough points to try
    still = travel_p95 < STATIC_MAX_TRAVEL_PX_PER_S and p95 < STATIC_MAX_SHIFT_P95_PX
    changes = (
        np.zeros(0)
        if scene_change is None
        else scene_change[fitted & ~measured & np.isfinite(scene_change)]
    )
    unchanged = changes.size > 0 and float(np.median(changes)) < CUT_MIN_SCENE_CHANGE
    if share < MIN_MEASURED_SHARE and still and unchanged and share >= MIN_STILL_MEASURED_SHARE:
        # Points that disagree on most frames whose picture does not change, and agree on a
        # still camera wherever they do: sensor noise taken for texture, not motion.
        return "unknown", (
            f"the background's points agree on only {100 * share:.0f} % of frames (sensor "
            "noise on a plain background?); where they agree the camera stands still"
        )
    if share < MIN_MEASURED_SHARE:
        problems.append(f"motion measured on only {100 * share:.0f} % of frames")
    if p95 > MAX_SHIFT_WIDTH_SHARE * analysis_width:
        problems.append(f"shifts over {100 * MAX_SHIFT_WIDTH_SHARE:.0f} % of the frame width")
    if zoom > MAX_ZOOM_PER_FRAME:
        problems.append("zooming")
    if roll > MAX_ROLL_DEG_PER_FRAME:
        problems.append("rolling")
    if problems:
        return "too_strong", f"{described}; " + ", ".join(problems)
    if travel_p95 < STATIC_MAX_TRAVEL_PX_PER_S and p95 < STATIC_MAX_SHIFT_P95_PX:
        return "static", described
    return "moving", described


#: Shortest shot (s) in which a walk can be measured: two steps at the slowest walking
#: cadence the contacts accept (about 0.75 s per step) with the events around them.
MIN_SHOT_S = 2.0


def check_motion(camera: CameraPath) -> None:
    """Raise ``NoReliableGait("camera_motion")`` for motion too strong to compensate."""
    if camera.kind == "too_strong":
        raise NoReliableGait(
            "camera_motion", f"the camera moves too much to compensate ({camera.reason})"
        )


def check_shots(camera: CameraPath, times_s: np.ndarray) -> None:
    """Raise ``NoReliableGait("edited_video")`` when cuts leave no shot of
    :data:`MIN_SHOT_S` (``times_s`` ``(n,)`` the frames' times)."""
    if camera.cut_rows.size and times_s.size:
        longest = max(times_s[stop - 1] - times_s[start] for start, stop in camera.shots)
        if longest < MIN_SHOT_S:
            raise NoReliableGait(
                "edited_video",
                f"the video is edited; {camera.cut_rows.size} cuts leave no shot longer than "
                f"{longest:.1f} s (at least {MIN_SHOT_S:g} s of one shot are needed)",
            )


def floor_caveat(camera: CameraPath) -> str:
    """What a moving ``camera``'s warning adds when its floor could not rule out a camera
    carried along the walk (:func:`parallax`): not followed, or followed slower than the
    background, which no travelling camera does ("" otherwise)."""
    ratio = camera.floor_ratio
    if ratio is None and camera.floor_frames < FLOOR_MIN_FRAMES:
        return (
            "; the floor below the walker could not be followed, so a camera carried along "
            "the walk (parallax: lengths too short) is not ruled out"
        )
    if ratio is None:
        return (
            "; the floor below the walker was followed, but too little camera motion or a "
            f"motion too near the background's (within {100 * MAX_FLOOR_PARALLAX:.0f} %) to "
            "tell: a small parallax (lengths a few percent short) is not ruled out"
        )
    if ratio < 1.0 - MAX_FLOOR_PARALLAX:
        return (
            f"; the floor below the walker was followed {ratio:.2f} times as far as the "
            "background, slower, which no camera carried along the walk makes: those points "
            "are taken as misread and a camera turning from one place is assumed"
        )
    return ""


def precision_caveat(speed_reported: bool) -> str:
    """What a moving camera costs one clip's figures, said in its warning and named for
    those the result reports (speed only when ``speed_reported``).

    The person model's landmarks then time and place the steps, and one clip carries more
    chance than with the footprints of a still camera (``benchmarks/scatter.py``: one
    synthetic walk at ten sub-pixel phases, panned 1 px/frame: speed -3.3 to -1.0 %, cadence
    -4.1 to +1.3 steps/min (3.7 %); held still: -0.1 to +0.5 % and -0.4 every time)."""
    figures = (
        "speed and cadence can be a few percent off (within 3.3 % and 4 %"
        if speed_reported
        else "cadence can be a few percent off (within 4 %"
    )
    return (
        f"; the person model's landmarks then time and place the steps, so one clip's {figures}"
        " on a synthetic slow pan), more than with a camera held still"
    )


def warnings(
    camera: CameraPath,
    frame_indices: np.ndarray,
    *,
    camera_matters: bool,
    speed_reported: bool = True,
) -> list[str]:
    """The result's warnings about the camera: its compensated motion, its cuts, and, when
    the route's numbers ``camera_matters`` to (the footprints and a walker in place take it
    as still, the landmark side route subtracts its path; not the frontal feet gap, where
    its motion cancels), that its motion was not measured, or, moving, that its floor
    could not rule out parallax (:func:`floor_caveat`) and what it costs the figures
    (:func:`precision_caveat`; ``speed_reported``: the result has a speed)."""
    out = []
    if camera.kind == "unknown" and camera_matters:
        out.append(
            f"camera motion not measured ({camera.reason}): the camera is taken as still; "
            "a moving one blurs the contacts"
        )
    if camera.moving:
        out.append(
            "moving camera: its motion was measured on the background and subtracted, "
            f"contacts and lengths are in the floor's frame ({camera.reason})"
            + (floor_caveat(camera) + precision_caveat(speed_reported) if camera_matters else "")
        )
    if camera.cut_rows.size:
        frames = ", ".join(str(int(frame_indices[row])) for row in camera.cut_rows)
        out.append(
            f"edited video: {counted(camera.cut_rows.size, 'cut')} at "
            f"{noun(camera.cut_rows.size, 'frame')} {frames}; the shots are "
            "measured apart (no step spans a cut)"
        )
    return out
