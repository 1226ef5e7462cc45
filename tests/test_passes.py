"""Passes, facing and steady walking from hand-made walker paths and footprints."""

from __future__ import annotations

import numpy as np

from gait.person.landmarks import LEFT_FOOT_INDEX, LEFT_HEEL, RIGHT_FOOT_INDEX, RIGHT_HEEL
from gait.walk import passes as ps
from gait.walk.footprints import Footprint
from gait.walk.runs import runs_of_true

INTERVAL_S = 1 / 30
STATURE_PX = 200.0


def test_runs_of_true_in_one_and_two_dimensions():
    starts, stops, columns = runs_of_true(np.array([1, 1, 0, 1, 0, 0, 1], bool))
    assert starts.tolist() == [0, 3, 6] and stops.tolist() == [2, 4, 7]
    assert columns.tolist() == [0, 0, 0]
    grid = np.array([[1, 0], [1, 1], [0, 1]], bool)
    starts, stops, columns = runs_of_true(grid)
    assert list(zip(columns.tolist(), starts.tolist(), stops.tolist(), strict=True)) == [
        (0, 0, 2),
        (1, 1, 3),
    ]
    assert runs_of_true(np.zeros(0, bool))[0].size == 0


def test_a_walk_there_and_back_is_two_passes_and_standing_is_none():
    # 2 s to the right at 200 px/s, 1 s standing, 2 s back; absent for the first 10 frames.
    right = np.linspace(100, 500, 60)
    back = np.linspace(500, 100, 60)
    path = np.concatenate([np.full(10, np.nan), right, np.full(30, 500.0), back])
    found = ps.passes(path, INTERVAL_S, STATURE_PX)
    assert [p.direction for p in found] == [1, -1]
    first, second = found
    assert 10 <= first.start_pos <= 15 and 65 <= first.stop_pos <= 75
    assert 95 <= second.start_pos <= 105 and second.stop_pos == path.size
    # A shuffle back and forth shorter than a stature is no pass.
    sway = 300 + 50 * np.sin(np.linspace(0, 6 * np.pi, 150))
    assert ps.passes(sway, INTERVAL_S, STATURE_PX) == []


def test_the_heel_is_the_trailing_edge():
    f = Footprint(ic_pos=0, fo_pos=10, x0_px=100, x1_px=130)
    assert ps.heel_x_px(f, +1) == 100.0
    assert ps.heel_x_px(f, -1) == 129.0


def test_facing_decides_only_on_a_clear_cue():
    # Walking right (+1), the shank over the heel lies left of centre: negative offsets.
    assert ps.walks_backwards([-0.2, -0.15, -0.3], +1) is False
    assert ps.walks_backwards([0.2, 0.15, 0.3], +1) is True
    assert ps.walks_backwards([0.2, 0.15, 0.3], -1) is False
    assert ps.walks_backwards([0.01, -0.02, 0.0], +1) is None  # below FACING_MIN_OFFSET
    assert ps.walks_backwards([0.3, float("nan")], +1) is None  # one usable offset


def regular_prints(count: int, step_px: int = 100, first_x: int = 100) -> list[Footprint]:
    """Footprints every 15 frames and ``step_px`` apart, 20 px long, 20 frames of stance."""
    return [
        Footprint(ic_pos=10 + 15 * i, fo_pos=30 + 15 * i, x0_px=first_x + step_px * i,
                  x1_px=first_x + step_px * i + 20)
        for i in range(count)
    ]  # fmt: skip


def test_steady_mask_excludes_edges_clip_ends_and_broken_rhythm():
    prints = regular_prints(6)
    prints[0] = Footprint(ic_pos=0, fo_pos=20, x0_px=100, x1_px=120)  # touches the clip start
    prints[5] = Footprint(ic_pos=85, fo_pos=105, x0_px=990, x1_px=1000)  # at the frame edge
    prints[3] = Footprint(ic_pos=55, fo_pos=75, x0_px=700, x1_px=720)  # a stumble: 300 px
    keep, reasons = ps.steady_mask(prints, +1, 1000, STATURE_PX, (0, 200))
    assert keep.tolist() == [False, True, True, False, False, False]
    assert reasons == ["clip_boundary", "", "", "not_steady", "not_steady", "frame_edge"]


def test_steady_mask_keeps_a_regular_walk_and_refuses_steps_backwards():
    keep, reasons = ps.steady_mask(regular_prints(5), +1, 1000, STATURE_PX, (0, 200))
    assert keep.all() and reasons == [""] * 5
    # The same footprints against the travel direction never advance.
    keep, _ = ps.steady_mask(regular_prints(5), -1, 1000, STATURE_PX, (0, 200))
    assert not keep.any()


def test_forward_walking_labels_a_pass_and_excludes_a_backward_one():
    n = 200
    path = np.concatenate([np.linspace(50, 750, 100), np.linspace(750, 50, 100)])
    frames = np.arange(1000, 1000 + n)
    prints = regular_prints(5, step_px=140, first_x=60)
    back = [
        Footprint(ic_pos=110 + 15 * i, fo_pos=130 + 15 * i, x0_px=700 - 140 * i,
                  x1_px=720 - 140 * i)
        for i in range(4)
    ]  # fmt: skip
    # Forward pass: shank on the left (trailing) side; back pass: also on the left, i.e.
    # leading when travelling left: walked backwards.
    facing = np.array([-0.2] * 5 + [-0.2] * 4)
    walking = ps.forward_walking(
        prints + back, facing, path, np.ones(n, bool), frames, INTERVAL_S, 1000, STATURE_PX
    )
    assert walking.pass_index.tolist() == [0] * 5 + [-1] * 4
    assert walking.order[:5].tolist() == [0, 1, 2, 3, 4]
    assert walking.direction[:5].tolist() == [1] * 5
    assert walking.steady[:5].all() and not walking.steady[5:].any()
    assert walking.candidates == 5
    reasons = {e["reason"] for e in walking.excluded}
    assert "walking_backwards" in reasons
    backwards = next(e for e in walking.excluded if e["reason"] == "walking_backwards")
    assert backwards["start_frame"] >= 1090 and backwards["end_frame"] == 1199
    assert walking.warnings == []


def test_forward_walking_warns_when_facing_is_undecided():
    n = 100
    path = np.linspace(50, 750, n)
    walking = ps.forward_walking(
        regular_prints(5, step_px=140, first_x=60),
        np.full(5, np.nan),
        path,
        np.ones(n, bool),
        np.arange(n),
        INTERVAL_S,
        1000,
        STATURE_PX,
    )
    assert walking.steady.all()
    assert len(walking.warnings) == 1 and "could not be checked" in walking.warnings[0]


def feet_pointing(direction_per_frame: np.ndarray) -> np.ndarray:
    """Landmarks ``(n, 33, 4)`` whose foot tips lie 20 px ahead of the heels in each frame's
    ``direction_per_frame`` (+1 image right, -1 image left); other points NaN."""
    landmarks = np.full((direction_per_frame.size, 33, 4), np.nan, np.float32)
    for heel, tip in ((LEFT_HEEL, LEFT_FOOT_INDEX), (RIGHT_HEEL, RIGHT_FOOT_INDEX)):
        landmarks[:, heel, :2] = 400.0
        landmarks[:, tip, 0] = 400.0 + 20.0 * direction_per_frame
        landmarks[:, tip, 1] = 400.0
    return landmarks


def test_the_person_models_feet_decide_which_way_a_pass_faces():
    """The silhouette's shank cue says both passes of a walk there and back are walked
    forwards; the landmarks' feet point left all along, so the pass travelling right is
    walked backwards. Where the feet give no direction, the shank cue decides."""
    n = 200
    path = np.concatenate([np.linspace(750, 50, 100), np.linspace(50, 750, 100)])
    prints = [
        Footprint(ic_pos=10 + 15 * i, fo_pos=30 + 15 * i, x0_px=700 - 140 * i,
                  x1_px=720 - 140 * i)
        for i in range(5)
    ] + [
        Footprint(ic_pos=110 + 15 * i, fo_pos=130 + 15 * i, x0_px=60 + 140 * i,
                  x1_px=80 + 140 * i)
        for i in range(4)
    ]  # fmt: skip
    # Shank on the trailing side in both passes (right when going left, left when right).
    facing = np.array([0.2] * 5 + [-0.2] * 4)
    args = (prints, facing, path, np.ones(n, bool), np.arange(n), INTERVAL_S, 1000, STATURE_PX)

    silhouettes_only = ps.forward_walking(*args)
    assert (silhouettes_only.pass_index >= 0).all()

    facing_left = ps.forward_walking(*args, feet_pointing(np.full(n, -1.0)))
    assert facing_left.pass_index.tolist() == [0] * 5 + [-1] * 4
    backwards = [e for e in facing_left.excluded if e["reason"] == "walking_backwards"]
    assert len(backwards) == 1 and backwards[0]["start_frame"] >= 90

    undecided = feet_pointing(np.full(n, -1.0))
    undecided[100:] = np.nan  # the second pass's feet unseen: its shank cue decides
    assert (ps.forward_walking(*args, undecided).pass_index >= 0).all()
