"""Checks of the silhouette's walker against the person model's landmarks.

Two checks, on the compact person arrays the chunks ship (``(n, 33, 4)`` landmarks in
analysis pixels, ``(n,)`` pose score):

* whether the model found a pose on the walker (its hip centre inside the walker's
  silhouette box), frame by frame: the share of frames with the walker in view;
* the walker's stature from the landmarks against the silhouette's, on frames of steady
  walking: a disagreement is a warning, never averaged into the stature.

The landmarks have no head-top point, so the landmark stature is the height from the lower
heel landmark to the eyes divided by the eyes' share of stature (:data:`EYE_HEIGHT_RATIO`).
"""

from __future__ import annotations

import warnings

import numpy as np

from gait.person.tracker import MIN_POSE_SCORE

#: BlazePose landmarks used: the eyes' centres, both hips, both heels.
LEFT_EYE, RIGHT_EYE = 2, 5
LEFT_HIP, RIGHT_HIP = 23, 24
LEFT_HEEL, RIGHT_HEEL = 29, 30
#: Eye height over stature, 0.936 (Drillis & Contini 1966, as drawn in Winter, "Biomechanics
#: and Motor Control of Human Movement", fig. 4.1). Measured here on four synthetic clips,
#: heel-to-eye height / 0.936 reads 0.93-0.95 of the silhouette's stature: the heel landmark
#: sits above the floor, and a walker's head is lower than their standing height.
EYE_HEIGHT_RATIO = 0.936
#: The landmark stature's expected share of the silhouette's: below 1 because the heel
#: landmark sits above the sole and a walker's head is lower than their standing height.
#: Measured: 0.930-0.947 on the 17 synthetic matrix clips that are measured
#: (`benchmarks/accuracy.py` cases; human figure), 0.907 on both real side views.
EXPECTED_STATURE_RATIO = 0.93
#: Relative departure of the landmark/silhouette stature ratio from
#: :data:`EXPECTED_STATURE_RATIO` beyond which the result warns: the measured clips stay
#: within 2.5 %, while a silhouette that lost the walker's feet or head in a dark floor
#: (the low-contrast synthetic case: ratio 0.997, silhouette stature 6 % short, every length
#: 6 % long) departs by 7 %.
STATURE_DISAGREEMENT = 0.05
#: Fewest frames with both statures for the check to mean anything (a third of a second).
MIN_STATURE_FRAMES = 10


def _nanmean(values: np.ndarray, axis: int) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows stay NaN
        return np.nanmean(values, axis=axis)


def pose_on_walker(landmarks: np.ndarray, pose_score: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """``(n,)`` bool: frames where the model has a pose whose hip centre lies inside the
    walker's silhouette box (``boxes`` ``(n, 7)``: x0, y0, x1, y1, ...; -1 where unseen)."""
    hip = _nanmean(landmarks[:, [LEFT_HIP, RIGHT_HIP], :2].astype(np.float64), axis=1)
    seen = boxes[:, 0] >= 0
    with np.errstate(invalid="ignore"):
        inside = (
            (hip[:, 0] >= boxes[:, 0])
            & (hip[:, 0] < boxes[:, 2])
            & (hip[:, 1] >= boxes[:, 1])
            & (hip[:, 1] < boxes[:, 3])
        )
    return seen & inside & (pose_score >= MIN_POSE_SCORE)


def standing_stature_px(landmark_stature: float) -> float:
    """The walker's standing stature (px) from their median landmark stature
    (:func:`landmark_stature_px`, px), which reads :data:`EXPECTED_STATURE_RATIO` of it.
    Lengths in statures on the landmark routes divide by this: by the landmark stature they
    came out +6.2 % (step) and +6.3 % (speed) long on seven synthetic walks forced through
    the landmark route (every one +4.6 to +7.4 %); by this, -1.2 % and -1.2 % (|step|
    0.8 cm, |speed| 1.2 %, all within the 2 cm / 3 % targets; session 6)."""
    return landmark_stature / EXPECTED_STATURE_RATIO


def landmark_stature_px(landmarks: np.ndarray) -> np.ndarray:
    """``(n,)`` the stature (analysis px) the landmarks give on each frame: lower heel to
    eyes over :data:`EYE_HEIGHT_RATIO`; NaN where a point is missing."""
    points = landmarks.astype(np.float64)
    eyes_y = _nanmean(points[:, [LEFT_EYE, RIGHT_EYE], 1], axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        heel_y = np.nanmax(points[:, [LEFT_HEEL, RIGHT_HEEL], 1], axis=1)
    return (heel_y - eyes_y) / EYE_HEIGHT_RATIO


def stature_check(
    landmarks: np.ndarray, steady: np.ndarray, stature_line: tuple[float, float]
) -> tuple[float | None, list[str]]:
    """The median ratio of landmark to silhouette stature over the ``steady`` frames
    (``(n,)`` bool) and the warning when it is off by more than
    :data:`STATURE_DISAGREEMENT` (then the lengths rest on the landmarks' stature,
    :func:`silhouette_stature_scale`); ``(None, [])`` with too few frames to tell.

    ``stature_line`` ``(s0, s1)``: the silhouette stature at column x is ``s0 + s1 * x``,
    read at the landmarks' hip centre.
    """
    hip_x = _nanmean(landmarks[:, [LEFT_HIP, RIGHT_HIP], 0].astype(np.float64), axis=1)
    silhouette = stature_line[0] + stature_line[1] * hip_x
    ratio = landmark_stature_px(landmarks) / silhouette
    values = ratio[steady & np.isfinite(ratio) & (silhouette > 0)]
    if values.size < MIN_STATURE_FRAMES:
        return None, []
    median = float(np.median(values))
    if not statures_disagree(median):
        return round(median, 3), []
    return round(median, 3), [
        f"stature check: the body landmarks give {100 * median:.0f} % of the silhouette's "
        f"stature where {100 * EXPECTED_STATURE_RATIO:.0f} % is usual (the silhouette lost "
        "part of the walker, or took in something beside them); lengths rest on the "
        f"landmarks' stature, {median / EXPECTED_STATURE_RATIO:.2f} times the silhouette's"
    ]


def silhouette_stature_scale(ratio: float | None) -> float:
    """What the silhouette's stature is multiplied by for the stature lengths rest on: 1, or,
    where the landmarks disagree with it (:func:`statures_disagree` on :func:`stature_check`'s
    ``ratio``), ``ratio / EXPECTED_STATURE_RATIO``: the landmarks' standing stature, along
    the silhouette's perspective.

    The landmarks, not the silhouette: a silhouette loses the feet or the head against a
    floor or wall of its own colour, or merges with what the walker passes, and the person
    model sees a body in both (the low-contrast synthetic walk: silhouette 7 % short, step
    +4.5 cm and speed +7.0 %; on the landmarks' stature alone -0.1 cm and +0.1 %)."""
    return float(ratio) / EXPECTED_STATURE_RATIO if statures_disagree(ratio) else 1.0


def statures_disagree(ratio: float | None) -> bool:
    """Whether a landmark/silhouette stature ratio departs from
    :data:`EXPECTED_STATURE_RATIO` by more than :data:`STATURE_DISAGREEMENT`."""
    return ratio is not None and abs(ratio / EXPECTED_STATURE_RATIO - 1) > STATURE_DISAGREEMENT
