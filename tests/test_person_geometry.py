"""Pure parts of the person model: crop geometry, SSD anchors, suppression, decoding."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gait.person.detector import (
    decode,
    drop_contained,
    ssd_anchor_centers,
    tiles,
    weighted_nms,
)
from gait.person.geometry import (
    ROI_SCALE,
    apply_affine,
    crop_to_image,
    image_to_crop,
    roi_from_alignment_points,
)


def test_upright_body_gives_an_unrotated_square_around_the_hips():
    roi = roi_from_alignment_points(np.array([100.0, 200.0]), np.array([100.0, 120.0]))
    assert roi.rotation_rad == pytest.approx(0.0)
    assert roi.size_px == pytest.approx(2 * 80 * ROI_SCALE)
    corners = apply_affine(crop_to_image(roi, 256), np.array([[0.0, 0.0], [256.0, 256.0]]))
    np.testing.assert_allclose(corners, [[0, 100], [200, 300]], atol=1e-9)


def test_a_body_lying_head_right_is_turned_upright_in_the_crop():
    roi = roi_from_alignment_points(np.array([100.0, 200.0]), np.array([180.0, 200.0]))
    assert roi.rotation_rad == pytest.approx(math.pi / 2)
    # The crop's top centre must be the image point toward the head (to the right).
    top = apply_affine(crop_to_image(roi, 256), np.array([[128.0, 0.0]]))[0]
    np.testing.assert_allclose(top, [100 + roi.size_px / 2, 200], atol=1e-9)


def test_crop_maps_are_inverse():
    roi = roi_from_alignment_points(np.array([321.0, 222.0]), np.array([300.0, 100.0]))
    points = np.array([[0.0, 0.0], [10.0, 250.0], [128.0, 64.0]])
    there = apply_affine(crop_to_image(roi, 256), points)
    np.testing.assert_allclose(apply_affine(image_to_crop(roi, 256), there), points, atol=1e-9)


def test_anchor_grid_matches_the_model_output_count_and_layout():
    anchors = ssd_anchor_centers()
    assert anchors.shape == (2254, 2)
    # Stride 8: 28x28 cells, two anchors each, row-major from the top-left cell.
    np.testing.assert_allclose(anchors[0], [0.5 / 28, 0.5 / 28])
    np.testing.assert_allclose(anchors[1], anchors[0])
    np.testing.assert_allclose(anchors[2], [1.5 / 28, 0.5 / 28])
    # The last 294 anchors are the three stride-32 layers (7x7 cells, six per cell).
    np.testing.assert_allclose(anchors[-1], [6.5 / 7, 6.5 / 7])
    assert np.all((anchors > 0) & (anchors < 1))


def test_decode_offsets_boxes_and_keypoints_from_their_anchor():
    raw = np.zeros((2254, 12), np.float32)
    raw[0] = [2, -3, 10, 20, 1, 1, 1, -29, 0, 0, 0, 0]  # scale point 30 px above the hips
    boxes, keypoints, scores = decode(raw, np.zeros(2254, np.float32))
    center = ssd_anchor_centers()[0] * 224
    np.testing.assert_allclose(keypoints[0, 0], center + 1, rtol=1e-5)
    np.testing.assert_allclose(keypoints[0, 1], center + np.array([1, -29]), rtol=1e-5)
    # The body box: the hip centre ± the 30 px body radius.
    np.testing.assert_allclose(boxes[0], [*(center + 1 - 30), *(center + 1 + 30)], rtol=1e-5)
    assert scores[0] == pytest.approx(0.5)


def test_elongated_frames_are_also_read_as_overlapping_squares():
    assert tiles(540, 960) == [(0, 0, 960, 540), (0, 0, 540, 540), (420, 0, 960, 540)]
    assert tiles(960, 540) == [(0, 0, 540, 960), (0, 0, 540, 540), (0, 420, 540, 960)]
    assert tiles(500, 540) == [(0, 0, 540, 500)]


def test_weighted_nms_merges_overlaps_and_keeps_separate_people():
    boxes = np.array([[0, 0, 10, 10], [1, 0, 11, 10], [50, 50, 60, 60]], np.float32)
    keypoints = np.zeros((3, 4, 2), np.float32)
    keypoints[:, 0, 0] = [0, 3, 55]
    scores = np.array([0.9, 0.6, 0.8], np.float32)
    merged = weighted_nms(boxes, keypoints, scores)
    assert [round(score, 2) for score, _, _ in merged] == [0.9, 0.8]
    first_box, first_points = merged[0][1], merged[0][2]
    assert first_box[0] == pytest.approx(0.6 / 1.5)
    assert first_points[0, 0] == pytest.approx(3 * 0.6 / 1.5)


def test_a_body_box_mostly_inside_a_better_one_is_dropped_but_a_neighbour_is_kept():
    points = np.zeros((4, 2), np.float32)
    best = (0.97, np.array([0, 0, 100, 100], np.float32), points)
    nested = (0.56, np.array([10, 10, 70, 70], np.float32), points)  # a partial view
    neighbour = (0.9, np.array([60, 0, 160, 100], np.float32), points)  # 40 % inside
    kept = drop_contained([best, nested, neighbour])
    assert [score for score, _, _ in kept] == [0.97, 0.9]
