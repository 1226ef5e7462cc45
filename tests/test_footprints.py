"""Footprints from a hand-made contact image."""

from __future__ import annotations

import numpy as np

from gait import footprints as fp


def test_two_still_blocks_are_two_footprints_and_a_streak_is_none():
    contact = np.zeros((60, 200), np.uint8)
    contact[5:30, 20:40] = 1  # stance 1
    contact[20:50, 100:120] = 1  # stance 2
    for t in range(30, 45):  # a swinging foot: a diagonal streak
        contact[t, 40 + 4 * t - 120: 44 + 4 * t - 120] = 1
    prints = fp.find_footprints(contact, 1 / 30, stature_px=200)
    assert [(p.ic_pos, p.fo_pos, p.x0_px, p.x1_px) for p in prints] == [
        (5, 29, 20, 40), (20, 49, 100, 120)]


def test_floor_line_ignores_lifted_feet():
    bottom = np.full((50, 100), np.nan)
    for t in range(50):
        bottom[t, 10 + t] = 400 + 0.1 * (10 + t)  # the stance foot on a tilted floor
        bottom[t, 60] = 380  # a lifted foot, higher (smaller y)
    a, b = fp.floor_line(bottom)
    assert abs(a - 400) < 1 and abs(b - 0.1) < 0.02
