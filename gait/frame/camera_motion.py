"""The camera's motion between two consecutive frames, from the background around the people.

Each frame pair ``(previous, current)`` becomes (all per frame, analysis pixels):

* ``camera_shift_px`` ``(2,)`` float32: how far the background moved in the image from the
  previous frame to this one (x, y), at the frame centre: a point fixed on the floor moves by
  this much, so the floor frame is the image minus the cumulative shift;
* ``camera_support`` float32: share of the tracked background points that agree with it
  (NaN when fewer than :data:`MIN_BACKGROUND_POINTS` background points could be tried:
  the motion was not lost, there was too little around the people to follow);
* ``camera_scale`` float32 and ``camera_rotation_deg`` float32: the similarity fit's zoom
  (1 = none) and roll (degrees, image axes);
* ``camera_floor_shift_px`` float32: how far the floor moved along x at the people's feet
  (analysis px), from the followed background points in the rows below every person's
  lowest foot landmark (:func:`floor_shift_px`; NaN when fewer than
  :data:`MIN_FLOOR_POINTS`, or nobody in view). A camera turning from one place moves every
  depth alike, so this equals the shift's x; a camera carried along the walk moves the
  walker's floor faster than the wall behind her (parallax,
  :func:`gait.walk.camera.floor_motion_ratio`);
* ``scene_change`` float32: how much the picture's coarse layout changed, the mean absolute
  difference (grey levels 0-255) of the two frames as filmed, reduced to the grid's cells
  (:attr:`MotionFrame.thumbnail`): a cut changes it; sensor noise, which an encoder freezes in
  predicted frames and renews at keyframes, averages out in a cell (NaN when unknown);
* ``cut_score`` float32: share of all the grid's points (people included) that could not be
  followed to this frame and back (a scene cut loses many of them; a static or slowly
  panning camera few).

The shift, scale and rotation are NaN (support 0) when there is nothing to measure: the
first frame of the video, a blank frame, too few background points; the cut score is NaN
when no point could be tried.

Method: the grey frames are reduced to :data:`MOTION_LONG_SIDE_PX`; in each cell of a
:data:`GRID_COLUMNS` x :data:`GRID_ROWS` grid the most corner-like pixel (largest
minimum eigenvalue) is a candidate point when it is textured enough; the background points
are those outside every person's box (the tracker's landmarks of all slots on the *current*
frame, widened by :data:`PERSON_MARGIN`: the current frame's people are known to every
chunk, so the result is the same whatever the chunking). All the points are followed with
pyramidal Lucas-Kanade to the current frame and back; a point survives when it returns
within :data:`MAX_ROUND_TRIP_PX`.
The shift is a similarity fit (4 parameters, least squares) refined twice on the points
within :data:`INLIER_PX` of it, starting from the median displacement: deterministic, no
random sampling, so chunked and whole-video runs agree bit for bit.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import cv2
import numpy as np

#: Long side (px) of the grey frames the motion is measured on: a 960x540 analysis frame is
#: reduced 2.4x. Lucas-Kanade is sub-pixel, so the shift keeps ~0.1 analysis px of precision
#: (on the sprint clip 320, 400 and 480 px agree within 0.2 px); cost on two shared cores,
#: 960x540 sprint frames: 8.5 ms/frame at 480 px, 5.8 ms at 400, 4.2 ms at 320.
MOTION_LONG_SIDE_PX = 400
#: Candidate points: one per cell of this grid over the reduced frame.
GRID_COLUMNS = 20
GRID_ROWS = 12
#: Smallest minimum eigenvalue (of the 2x2 gradient matrix over a 3x3 block, grey levels
#: 0-1) for a candidate point: below it the cell is flat and LK drifts (the indoor clip's
#: white wall: median pixel 1.2e-5, 90th percentile 5e-5).
MIN_CORNER_EIGENVALUE = 1e-4
#: Person boxes are widened by this share of their size on each side (hair, loose clothes,
#: a swinging foot between landmarks) ...
PERSON_MARGIN = 0.15
#: ... and by this many reduced pixels (the LK window must not reach into the person).
PERSON_MARGIN_PX = 8
#: Lucas-Kanade window (reduced px) and pyramid levels: level 3 follows up to ~50 reduced
#: px per frame (120 analysis px), a fast broadcast pan.
LK_WINDOW_PX = 13
LK_LEVELS = 3
#: A point is followed when tracking it back lands within this many reduced px of where it
#: started.
MAX_ROUND_TRIP_PX = 0.5
#: A point agrees with the fit when its displacement is within this many reduced px of it.
INLIER_PX = 1.0
#: Fewest followed points for a fit.
MIN_POINTS = 8
#: Fewest followed background points below the people's feet for the floor's own shift
#: (``camera_floor_shift_px``): a line through fewer is one LK outlier away from anything.
#: The synthetic textured floor of a 960x540 walk gives 20-22 such points per frame.
MIN_FLOOR_POINTS = 5
#: The people's feet: ankles, heels and foot tips (BlazePose indices).
FEET_LANDMARKS = np.arange(27, 33)
#: Fewest background points (outside the people) for the frame's motion to be measured at
#: all: 10 % of the grid's cells. Below it the few textured cells of a plain wall are mostly
#: on whatever the person model does not follow: the 960x540 synthetic walk on a plain wall
#: had 4-5 such points while the walker was followed, 9-17 once the landmarks lost her
#: leaving the picture, all on her; her motion read as the camera's gave a false cut (frame
#: 150) and, in the camera's frame, a false "running". The real clips' backgrounds offer
#: 50-240 textured cells (53-100 % of the grid, equalised).
MIN_BACKGROUND_POINTS = 24

_LK_CRITERIA = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 10, 0.03)

NAN = np.float32(np.nan)


class MotionFrame(NamedTuple):
    """What one frame gives the motion measurement (:func:`motion_frame`)."""

    #: ``(h', w')`` uint8: the grey frame reduced to :data:`MOTION_LONG_SIDE_PX` and
    #: equalised, on which the points are followed.
    grey: np.ndarray
    #: ``(GRID_ROWS, GRID_COLUMNS)`` float32: the reduced grey frame as filmed (not
    #: equalised: equalising a noisy plain wall amplifies its noise) averaged over the
    #: grid's cells, for ``scene_change``.
    thumbnail: np.ndarray


def motion_frame(image: np.ndarray) -> MotionFrame:
    """The :class:`MotionFrame` of ``image`` (BGR), converted to grey once."""
    height, width = image.shape[:2]
    factor = min(1.0, MOTION_LONG_SIDE_PX / max(height, width))
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    if factor < 1.0:
        size = (max(1, round(width * factor)), max(1, round(height * factor)))
        grey = cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
    thumbnail = cv2.resize(grey, (GRID_COLUMNS, GRID_ROWS), interpolation=cv2.INTER_AREA)
    # Equalised: an exposure change (auto exposure, a sun flare) keeps the points LK follows;
    # measured on the cut score, the walk-styles treadmill's four cuts stand 0.24-0.28 above
    # their neighbours equalised (0.12-0.31 not), its other frames at most 0.07.
    return MotionFrame(cv2.equalizeHist(grey), thumbnail.astype(np.float32))


def people_boxes(slot_landmarks: np.ndarray) -> np.ndarray:
    """``(k, 4)`` float64 x0, y0, x1, y1 (analysis px) of every person with a pose in
    ``slot_landmarks`` ``(slots, 33, 4)``, widened by :data:`PERSON_MARGIN`."""
    boxes = []
    for landmarks in slot_landmarks:
        xy = landmarks[:, :2].astype(np.float64)
        xy = xy[np.isfinite(xy).all(axis=1)]
        if not xy.size:
            continue
        (x0, y0), (x1, y1) = xy.min(axis=0), xy.max(axis=0)
        dx, dy = PERSON_MARGIN * (x1 - x0), PERSON_MARGIN * (y1 - y0)
        boxes.append((x0 - dx, y0 - dy, x1 + dx, y1 + dy))
    return np.asarray(boxes, dtype=np.float64).reshape(-1, 4)


def grid_points(grey: np.ndarray, boxes_px: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(points (m, 2) float32, background (m,) bool)``: the candidate points (reduced px)
    of ``grey``, the strongest corner of each textured grid cell, and whether each lies
    outside every one of ``boxes_px`` ``(k, 4)`` (same reduced px)."""
    height, width = grey.shape
    cell_w, cell_h = width // GRID_COLUMNS, height // GRID_ROWS
    if cell_w < 3 or cell_h < 3:
        return np.zeros((0, 2), np.float32), np.zeros(0, bool)
    eigen = cv2.cornerMinEigenVal(grey, 3)  # uint8 in: same scale as grey levels 0-1
    # Keep the LK window inside the frame: no candidates on the outer border.
    border = LK_WINDOW_PX // 2 + 1
    eigen[:border], eigen[-border:], eigen[:, :border], eigen[:, -border:] = 0, 0, 0, 0
    cells = eigen[: cell_h * GRID_ROWS, : cell_w * GRID_COLUMNS]
    cells = cells.reshape(GRID_ROWS, cell_h, GRID_COLUMNS, cell_w).transpose(0, 2, 1, 3)
    cells = cells.reshape(GRID_ROWS, GRID_COLUMNS, cell_h * cell_w)
    best = cells.argmax(axis=2)
    strength = np.take_along_axis(cells, best[..., None], axis=2)[..., 0]
    row, col = np.divmod(best, cell_w)
    ys = row + np.arange(GRID_ROWS)[:, None] * cell_h
    xs = col + np.arange(GRID_COLUMNS)[None, :] * cell_w
    points = np.stack([xs, ys], axis=-1).reshape(-1, 2).astype(np.float64)
    points = points[strength.ravel() >= MIN_CORNER_EIGENVALUE]
    background = np.ones(points.shape[0], bool)
    for x0, y0, x1, y1 in boxes_px:
        m = PERSON_MARGIN_PX
        inside = (points[:, 0] >= x0 - m) & (points[:, 0] <= x1 + m)
        background &= ~(inside & (points[:, 1] >= y0 - m) & (points[:, 1] <= y1 + m))
    return points.astype(np.float32), background


def fit_similarity(points: np.ndarray, moved: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Least-squares similarity ``moved ~ A (points - centre) + centre + t`` with
    ``A = [[a, -b], [b, a]]`` (``points``, ``moved`` ``(m, 2)`` px): ``(4,)`` a, b, tx, ty."""
    p = points.astype(np.float64) - centre
    q = moved.astype(np.float64) - centre
    m = p.shape[0]
    design = np.zeros((2 * m, 4))
    design[0::2] = np.column_stack([p[:, 0], -p[:, 1], np.ones(m), np.zeros(m)])
    design[1::2] = np.column_stack([p[:, 1], p[:, 0], np.zeros(m), np.ones(m)])
    return np.linalg.lstsq(design, q.reshape(-1), rcond=None)[0]


def unmeasured() -> dict[str, np.ndarray]:
    """The row of a frame whose motion cannot be measured."""
    return {
        "camera_shift_px": np.full(2, NAN, np.float32),
        "camera_support": np.float32(0.0),
        "camera_scale": NAN,
        "camera_rotation_deg": NAN,
        "cut_score": NAN,
        "scene_change": NAN,
        "camera_floor_shift_px": NAN,
    }


def feet_row_px(slot_landmarks: np.ndarray) -> float:
    """The lowest image row (analysis px, y down) of any person's feet in ``slot_landmarks``
    ``(slots, 33, 4)``; NaN when no foot is seen."""
    feet_y = slot_landmarks[:, FEET_LANDMARKS, 1].astype(np.float64)
    return float(np.nanmax(feet_y)) if np.isfinite(feet_y).any() else math.nan


def floor_shift_px(
    points: np.ndarray, moved: np.ndarray, followed: np.ndarray, feet_row_px: float
) -> float:
    """How far the floor moved along x at the people's feet row ``feet_row_px`` (same px
    as ``points``, ``moved`` ``(m, 2)``): the line ``dx = a + b (y - feet_row_px)`` fitted
    to the x displacements of the ``followed`` ``(m,)`` points lying below that row (twice
    refitted on the points within :data:`INLIER_PX` of it), its ``a``. On a floor seen
    by a travelling camera the shift grows linearly with the row (nearer rows faster), so
    the line carries it from the rows below the feet to the walking line itself. NaN for
    fewer than :data:`MIN_FLOOR_POINTS` points."""
    if not math.isfinite(feet_row_px):
        return math.nan
    below = followed & (points[:, 1] > feet_row_px)
    if np.count_nonzero(below) < MIN_FLOOR_POINTS:
        return math.nan
    rows = points[below, 1].astype(np.float64) - feet_row_px
    dx = (moved[below, 0] - points[below, 0]).astype(np.float64)
    keep = np.abs(dx - np.median(dx)) < INLIER_PX
    line = np.array([float(np.median(dx)), 0.0])
    for _ in range(2):
        if np.count_nonzero(keep) < MIN_FLOOR_POINTS or np.ptp(rows[keep]) <= 0:
            break
        design = np.column_stack([np.ones(np.count_nonzero(keep)), rows[keep]])
        line = np.linalg.lstsq(design, dx[keep], rcond=None)[0]
        keep = np.abs(dx - (line[0] + line[1] * rows)) < INLIER_PX
    return float(line[0])


def frame_motion(
    previous: MotionFrame | None,
    current: MotionFrame,
    slot_landmarks: np.ndarray,
    analysis_width: int,
) -> dict[str, np.ndarray]:
    """The camera's motion from ``previous`` to ``current`` (:func:`motion_frame`; None for
    the first frame), the people being ``slot_landmarks`` ``(slots, 33, 4)`` of the current
    frame in analysis px (``analysis_width`` px wide). One row of the module's arrays."""
    row = background_motion(
        None if previous is None else previous.grey, current.grey, slot_landmarks, analysis_width
    )
    if previous is not None:
        change = np.abs(current.thumbnail - previous.thumbnail).mean()
        row["scene_change"] = np.float32(change)
    return row


def background_motion(
    previous_grey: np.ndarray | None,
    grey: np.ndarray,
    slot_landmarks: np.ndarray,
    analysis_width: int,
) -> dict[str, np.ndarray]:
    """The background's motion from ``previous_grey`` to ``grey`` (:attr:`MotionFrame.grey`;
    None for the first frame) around the people ``slot_landmarks``: one row of the module's
    arrays, ``scene_change`` NaN."""
    if previous_grey is None or previous_grey.shape != grey.shape:
        return unmeasured()
    to_reduced = grey.shape[1] / analysis_width
    boxes = people_boxes(slot_landmarks) * to_reduced
    points, background = grid_points(previous_grey, boxes)
    if points.shape[0] < MIN_POINTS:
        return {**unmeasured(), "camera_support": NAN}
    lk = {"winSize": (LK_WINDOW_PX, LK_WINDOW_PX), "maxLevel": LK_LEVELS, "criteria": _LK_CRITERIA}
    moved, ok, _ = cv2.calcOpticalFlowPyrLK(previous_grey, grey, points, None, **lk)
    back, ok_back, _ = cv2.calcOpticalFlowPyrLK(grey, previous_grey, moved, None, **lk)
    round_trip = np.linalg.norm(back - points, axis=1)
    followed = (ok.ravel() == 1) & (ok_back.ravel() == 1) & (round_trip < MAX_ROUND_TRIP_PX)
    # The cut score counts every point, people's too: a jump cut in a static scene (the
    # walk-styles treadmill) changes only the walker, his shadow and the captions.
    cut_score = np.float32(1.0 - followed.mean())
    if np.count_nonzero(background) < MIN_BACKGROUND_POINTS:
        # Too few points outside the people to try (a plain wall whose only texture is a
        # bystander, masked out once the tracker follows him, or a walker it lost): no
        # support to lose.
        return {**unmeasured(), "camera_support": NAN, "cut_score": cut_score}
    followed &= background
    if np.count_nonzero(followed) < MIN_POINTS:
        return {**unmeasured(), "cut_score": cut_score}
    p, q = points[followed].astype(np.float64), moved[followed].astype(np.float64)
    centre = np.array([grey.shape[1], grey.shape[0]], np.float64) / 2.0
    inliers = np.linalg.norm((q - p) - np.median(q - p, axis=0), axis=1) < INLIER_PX
    params = np.array([1.0, 0.0, *np.median(q - p, axis=0)])
    for _ in range(2):
        if np.count_nonzero(inliers) < MIN_POINTS:
            break
        params = fit_similarity(p[inliers], q[inliers], centre)
        residuals = similarity_residuals(p, q, centre, params)
        inliers = residuals < INLIER_PX
    a, b, tx, ty = params
    # Every followed background point below the feet, the fit's outliers too: a camera
    # carried along the walk moves the near floor by more than INLIER_PX from the wall's fit.
    floor = floor_shift_px(points, moved, followed, feet_row_px(slot_landmarks) * to_reduced)
    return {
        "camera_shift_px": (np.array([tx, ty]) / to_reduced).astype(np.float32),
        "camera_floor_shift_px": np.float32(floor / to_reduced),
        "camera_support": np.float32(np.count_nonzero(inliers) / np.count_nonzero(background)),
        "camera_scale": np.float32(math.hypot(a, b)),
        "camera_rotation_deg": np.float32(math.degrees(math.atan2(b, a))),
        "cut_score": cut_score,
        "scene_change": NAN,
    }


def similarity_residuals(
    points: np.ndarray, moved: np.ndarray, centre: np.ndarray, params: np.ndarray
) -> np.ndarray:
    """``(m,)`` px: how far each of ``moved`` lies from where the similarity ``params``
    (:func:`fit_similarity`) takes ``points`` (both ``(m, 2)``)."""
    a, b, tx, ty = params
    p = points - centre
    predicted = np.column_stack([a * p[:, 0] - b * p[:, 1] + tx, b * p[:, 0] + a * p[:, 1] + ty])
    return np.linalg.norm(predicted - (moved - centre), axis=1)


def stack(rows: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Consecutive rows of :func:`frame_motion` as arrays, one row per frame."""
    if not rows:
        rows_arrays = unmeasured()
        return {k: np.zeros((0, *np.shape(v)), np.float32) for k, v in rows_arrays.items()}
    return {k: np.stack([r[k] for r in rows]).astype(np.float32) for k in rows[0]}
