"""The landmark model's heatmap refinement: MediaPipe's rule on hand-made heatmaps, and on a
real frame a small correction in the model's own pixel convention."""

from __future__ import annotations

import numpy as np
import pytest

from gait.person.detector import PoseDetector
from gait.person.geometry import SquareRoi
from gait.person.landmarks import (
    HEATMAP_KERNEL_CELLS,
    INPUT_SIDE_PX,
    MODEL_POINTS,
    NUM_LANDMARKS,
    PoseLandmarker,
    decode,
    refine_from_heatmap,
)
from gait.person.models import missing_models
from gait.video import analysis_size, probe, read_frames

CELLS = 64
CELL_PX = INPUT_SIDE_PX / CELLS
#: Logits far from 0: probability ~1 (a confident cell) or ~0 (nothing there).
SURE, NOTHING = 20.0, -20.0


def empty_heatmap() -> np.ndarray:
    return np.full((CELLS, CELLS, MODEL_POINTS), NOTHING)


def one_point(x_px: float, y_px: float) -> np.ndarray:
    """``(39, 2)`` crop points: point 0 at (x, y), the others far outside the map."""
    points = np.full((MODEL_POINTS, 2), -1000.0)
    points[0] = x_px, y_px
    return points


def test_a_point_moves_to_the_confident_cells_centroid_in_cell_coordinates():
    heatmap = empty_heatmap()
    heatmap[20, 30, 0] = heatmap[20, 31, 0] = SURE  # two equal cells: centroid at column 30.5
    refined = refine_from_heatmap(one_point(29 * CELL_PX + 1, 21 * CELL_PX + 3), heatmap)
    # Cell c stands at crop pixel c * 4 (MediaPipe's normalised c / 64), no half-cell offset.
    np.testing.assert_allclose(refined[0], [30.5 * CELL_PX, 20 * CELL_PX], atol=1e-6)
    # The other points lie outside the map and stay where they were.
    assert (refined[1:] == -1000.0).all()


def test_a_point_stays_when_its_window_holds_no_confident_cell():
    heatmap = empty_heatmap()
    heatmap[20, 30, 0] = 0.0  # probability 0.5 - a hair: not confident enough ...
    heatmap[20, 30, 0] -= 1e-3
    heatmap[20, 30 + HEATMAP_KERNEL_CELLS, 0] = SURE  # ... and a sure cell outside the window
    point = one_point(30 * CELL_PX + 2, 20 * CELL_PX + 2)
    np.testing.assert_array_equal(refine_from_heatmap(point, heatmap), point)
    heatmap[20, 30, 0] = 0.0  # exactly 0.5 is enough (MediaPipe: >= min confidence)
    assert not np.array_equal(refine_from_heatmap(point, heatmap)[0], point[0])


def test_the_window_is_cut_at_the_map_edge_not_wrapped_or_repeated():
    heatmap = empty_heatmap()
    heatmap[0, 0, 0] = SURE
    heatmap[0, CELLS - 1, 0] = SURE  # the opposite edge: must not leak in
    refined = refine_from_heatmap(one_point(1 * CELL_PX + 1, 1 * CELL_PX + 1), heatmap)
    np.testing.assert_allclose(refined[0], [0.0, 0.0], atol=1e-6)


@pytest.mark.skipif(bool(missing_models()), reason="person models absent: run `make models`")
def test_on_a_real_frame_refinement_is_a_small_correction_without_a_shift(real_clip):
    info = probe(real_clip("side-indoor-forward-then-backward.mp4"))
    [(_, _, frame)] = list(read_frames(info, 100, 101, analysis_size(info)))
    [walker] = PoseDetector().detect(frame)
    roi = walker.roi()
    pose = PoseLandmarker().estimate(frame, roi)
    assert pose.pose_score > 0.9
    assert pose.refined_xy.shape == (NUM_LANDMARKS, 2)
    shift = pose.refined_xy - pose.landmarks[:, :2]
    height = np.ptp(pose.landmarks[:, 1])
    # Refinement moves points, by less than 4 % of the body's height each ...
    assert 0 < np.abs(shift).max() < 0.04 * height
    # ... and on average by less than 0.5 %: a half-cell error in the cell convention would
    # shift every point by 2 crop px, about 1 % of the height, the same way.
    assert np.all(np.abs(shift.mean(axis=0)) < 0.005 * height)


def test_without_a_heatmap_the_refined_points_are_the_regressed_ones():
    raw = np.random.default_rng(0).uniform(0, INPUT_SIDE_PX, MODEL_POINTS * 5)
    roi = SquareRoi(300.0, 200.0, 400.0, 0.3)
    landmarks, _, _, refined = decode(raw, roi)
    np.testing.assert_array_equal(refined, landmarks[:, :2])
    heatmap = empty_heatmap()
    _, _, _, refined = decode(raw, roi, heatmap)  # nothing confident: nothing moves
    np.testing.assert_allclose(refined, landmarks[:, :2], atol=1e-3)
