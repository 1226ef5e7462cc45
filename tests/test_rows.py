"""Per-frame rows kept compressed (gait.frame.rows): the same rows back, less memory."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from gait.frame.rows import CompressedBlock, CompressedRows, take


def floor_profiles(n: int, width: int, seed: int) -> np.ndarray:
    """``(n, width)`` int16 rows like ``bottom_y``: -1 (no foreground) but for one walker's
    columns, whose lowest rows wander a little."""
    rng = np.random.default_rng(seed)
    rows = np.full((n, width), -1, np.int16)
    for i in range(n):
        x0 = (5 * i) % (width - 60)
        rows[i, x0 : x0 + 60] = 600 + rng.integers(-3, 4, 60)
    return rows


def blocks_of(rows: np.ndarray, sizes: list[int]) -> CompressedRows:
    edges = np.cumsum([0, *sizes])
    blocks = [CompressedBlock.of(rows[a:b]) for a, b in itertools.pairwise(edges)]
    return CompressedRows(blocks, rows.shape[1:], rows.dtype)


def test_any_window_of_rows_reads_back_exactly_across_block_boundaries():
    rows = floor_profiles(700, 854, seed=1)
    held = blocks_of(rows, [240, 240, 7, 213])
    assert held.shape == rows.shape and len(held) == 700 and held.dtype == rows.dtype
    rng = np.random.default_rng(2)
    for _ in range(50):
        a, b = sorted(rng.integers(0, 701, 2))
        np.testing.assert_array_equal(held[a:b], rows[a:b])
    np.testing.assert_array_equal(held[:], rows)
    np.testing.assert_array_equal(held[650:9999], rows[650:])
    assert held[300:300].shape == (0, 854)


def test_rows_are_held_in_a_fraction_of_their_dense_size():
    rows = floor_profiles(2400, 854, seed=3)
    held = blocks_of(rows, [240] * 10)
    assert held.nbytes_compressed < rows.nbytes / 5


def test_a_read_gives_a_new_array_and_the_held_rows_do_not_change():
    rows = floor_profiles(100, 64 + 60, seed=4)
    held = blocks_of(rows, [50, 50])
    window = held[10:20]
    window[:] = 0
    np.testing.assert_array_equal(held[10:20], rows[10:20])


def test_only_slices_of_consecutive_rows_are_read():
    held = blocks_of(floor_profiles(100, 124, seed=5), [100])
    with pytest.raises(TypeError):
        held[::2]
    with pytest.raises(TypeError):
        held[3]


def test_blocks_must_share_their_row_shape_and_type():
    a = CompressedBlock.of(np.zeros((3, 8), np.int16))
    b = CompressedBlock.of(np.zeros((3, 9), np.int16))
    with pytest.raises(ValueError):
        CompressedRows([a, b], (8,), np.int16)


def test_take_picks_one_item_of_chosen_rows_like_numpy_across_blocks():
    rng = np.random.default_rng(6)
    rows = rng.normal(size=(500, 3, 33, 4)).astype(np.float32)
    rows[rng.random((500, 3)) < 0.4] = np.nan  # empty slots, as the person slots have
    held = blocks_of(rows, [240, 13, 247])
    positions = np.sort(rng.choice(500, 180, replace=False))
    columns = rng.integers(0, 3, 180)
    np.testing.assert_array_equal(take(held, positions, columns), rows[positions, columns])
    np.testing.assert_array_equal(take(rows, positions, columns), rows[positions, columns])
    shuffled = rng.permutation(180)  # any order of positions, repeats too
    repeated = np.r_[positions[shuffled], positions[:5]]
    picked = np.r_[columns[shuffled], columns[:5]]
    np.testing.assert_array_equal(take(held, repeated, picked), rows[repeated, picked])
    assert take(held, np.zeros(0, np.int64), np.zeros(0, np.int64)).shape == (0, 33, 4)
    with pytest.raises(IndexError):
        take(held, np.array([500]), np.array([0]))
