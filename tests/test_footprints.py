"""Footprints from a hand-made contact image."""

from __future__ import annotations

import numpy as np

from gait.walk import floor
from gait.walk import footprints as fp


def test_two_still_blocks_are_two_footprints_and_a_streak_is_none():
    contact = np.zeros((60, 200), np.uint8)
    contact[5:30, 20:40] = 1  # stance 1
    contact[20:50, 100:120] = 1  # stance 2
    for t in range(30, 45):  # a swinging foot: a diagonal streak
        contact[t, 40 + 4 * t - 120 : 44 + 4 * t - 120] = 1
    prints = fp.find_footprints(contact, 1 / 30, stature_px=200)
    assert [(p.ic_pos, p.fo_pos, p.x0_px, p.x1_px) for p in prints] == [
        (5, 29, 20, 40),
        (20, 49, 100, 120),
    ]


def test_floor_line_ignores_lifted_feet():
    bottom = np.full((50, 100), np.nan)
    for t in range(50):
        bottom[t, 10 + t] = 400 + 0.1 * (10 + t)  # the stance foot on a tilted floor
        bottom[t, 60] = 380  # a lifted foot, higher (smaller y)
    a, b = floor.floor_line(*floor.lowest_points(bottom))
    assert abs(a - 400) < 1 and abs(b - 0.1) < 0.02


def test_contact_needs_stillness_near_the_floor():
    bottom = np.full((20, 50), np.nan, np.float32)
    bottom[:, 10:15] = 100.0  # a foot standing on the floor (row 100)
    for t in range(20):  # a foot skimming the floor, moving 2 px per frame
        bottom[t, 20 + 2 * t : 22 + 2 * t] = 99.0
    bottom[:, 5] = 60.0  # still but far above the floor (a knee)
    contact = fp.contact_image(bottom, (100.0, 0.0), band_px=5)
    assert contact[:, 10:15].all()
    assert not contact[:, 20:].any()
    assert not contact[:, 5].any()


def test_walker_bottom_takes_feet_below_the_box_but_nothing_above_its_middle():
    bottom_y = np.full((1, 100), -1, np.int16)
    bottom_y[0, 40:50] = 190  # a foot split off the body: below the box's bottom (150)
    bottom_y[0, 60:70] = 20  # someone above the walker (a person standing on a box)
    boxes = np.array([[30, 50, 80, 150, 0, 55, 100]])
    bottom = floor.walker_bottom(bottom_y, boxes)
    assert np.all(bottom[0, 40:50] == 190)
    assert np.all(np.isnan(bottom[0, 60:70]))
    assert np.all(np.isnan(floor.walker_bottom(bottom_y, np.full((1, 7), -1))))


def test_fragments_of_one_foot_merge_but_two_feet_do_not():
    a = fp.Footprint(ic_pos=10, fo_pos=30, x0_px=100, x1_px=110)
    b = fp.Footprint(ic_pos=12, fo_pos=28, x0_px=112, x1_px=120)  # 2 px gap, same time
    c = fp.Footprint(ic_pos=25, fo_pos=45, x0_px=200, x1_px=220)  # the other foot
    merged = fp.merge_fragments([a, b, c], stature_px=200)
    assert [(m.ic_pos, m.fo_pos, m.x0_px, m.x1_px) for m in merged] == [
        (10, 30, 100, 120),
        (25, 45, 200, 220),
    ]


def test_contact_starts_when_a_sliding_heel_settles():
    """The heel grazes columns 0-3 at rows 3 px above the sole while sliding in (frames
    5-6), then the foot lies flat at row 100 from frame 7 to 20; the toe lifts at 21."""
    bottom = np.full((30, 20), np.nan, np.float32)
    bottom[5:7, 0:4] = 97.0
    bottom[7:21, 2:18] = 100.0
    bottom[21:24, 14:18] = 95.0  # the toe rising
    seen = np.ones(30, bool)
    found = fp.refine_contact(
        fp.Footprint(ic_pos=5, fo_pos=20, x0_px=0, x1_px=18), bottom, seen, 200.0, 1 / 30
    )
    assert (found.ic_pos, found.fo_pos) == (7, 20)
    assert found.ic_seen and found.fo_seen


def test_facing_offset_points_to_the_shank():
    """The run of foreground rising from the floor is long under the shank (the heel end)."""
    print_ = fp.Footprint(ic_pos=0, fo_pos=29, x0_px=10, x1_px=30)
    runs = np.zeros((30, 40), np.uint8)
    runs[:, 10:30] = 5  # the sole
    runs[:, 10:15] = 60  # the shank stands on the left end
    owned = np.ones((30, 40), bool)
    offset = fp.facing_offset(print_, runs, owned)
    assert -0.5 < offset < -0.1
    assert 0.1 < fp.facing_offset(print_, runs[:, ::-1], owned) < 0.5  # mirrored: the right
    assert np.isnan(fp.facing_offset(print_, runs, np.zeros_like(owned)))
